"""Jurisdictions, departments, posts, cadres and staff (R-ROUTE-2, R-STAFF-1, R-COUNTY-5)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CENTRAL = "central", _("中央")
    PROVINCE = "province", _("省级")
    PREFECTURE = "prefecture", _("地市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇级")
    UNIT = "unit", _("机关企事业单位")


# Order used to compare levels: a smaller rank is higher up.
LEVEL_RANK = {
    Level.CENTRAL: 0,
    Level.PROVINCE: 1,
    Level.PREFECTURE: 2,
    Level.COUNTY: 3,
    Level.TOWNSHIP: 4,
    Level.UNIT: 5,
}


class Jurisdiction(models.Model):
    """A party committee's level and area, or a unit running its own petition work (R-COUNTY-5).

    `path` is a materialized path of ids ("/1/4/17/") so "this and everything below" is one
    indexed prefix query.
    """

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("区划代码"), max_length=12, blank=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("党委/地区")
        verbose_name_plural = _("党委/地区")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        # The path is part of the row's identity, not business logic: kept with the row.
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        parent_path = self.parent.path if self.parent_id and self.parent else "/"
        path = f"{parent_path}{self.pk}/"
        if path != self.path:
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)

    @property
    def rank(self) -> int:
        return LEVEL_RANK[Level(self.level)]

    def is_within(self, other: Jurisdiction) -> bool:
        """True if self is other or below it."""
        return self.path.startswith(other.path)


class DepartmentKind(models.TextChoices):
    ORGANIZATION = "organization", _("组织部")
    DISCIPLINE = "discipline", _("纪委监委")
    PETITION_BUREAU = "petition_bureau", _("信访局")
    POLITICAL_LEGAL = "political_legal", _("政法委")
    HUMAN_RESOURCES = "human_resources", _("人力资源和社会保障局")
    COURT = "court", _("人民法院")
    PROCURATORATE = "procuratorate", _("人民检察院")
    PERSONNEL = "personnel", _("人事部门")
    # Departments that matters outside the remit are often referred to (R-ROUTE-6; the
    # referral model of docs/suggestions.md learns to suggest them).
    HOUSING = "housing", _("住房和城乡建设局")
    EDUCATION = "education", _("教育局")
    HEALTH = "health", _("卫生健康委员会")
    TRANSPORT = "transport", _("交通运输局")
    COMMERCE = "commerce", _("商务局")
    ECOLOGY = "ecology", _("生态环境局")
    OTHER = "other", _("其他")


class Department(models.Model):
    """An office of a jurisdiction; the unit that receives and handles petitions."""

    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("所属党委/地区"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    kind = models.CharField(_("部门类别"), max_length=24, choices=DepartmentKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    handles_petitions = models.BooleanField(
        _("使用本系统办理信访"),
        default=True,
        help_text=_("组织部门和单位人事部门办理信访；其他部门可只作为转交对象。"),
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["jurisdiction__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CadreRank(models.TextChoices):
    PROVINCE_MINISTER = "province_minister", _("省部级")
    BUREAU = "bureau", _("厅局级")
    DIVISION = "division", _("县处级")
    SECTION = "section", _("乡科级")
    OTHER = "other", _("其他")


class Post(models.Model):
    """A post and who manages its holder (干部管理权限, R-ROUTE-2)."""

    title = models.CharField(_("职务"), max_length=100)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("任职地区/单位"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("任职部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
    )
    unit_name = models.CharField(_("任职单位"), max_length=100, blank=True)
    rank = models.CharField(_("职级"), max_length=24, choices=CadreRank.choices)
    managing_jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("干部管理权限所在党委"),
        on_delete=models.PROTECT,
        related_name="managed_posts",
    )
    is_main_leader = models.BooleanField(_("主要领导（一把手）"), default=False)

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")

    def __str__(self) -> str:
        return f"{self.jurisdiction.name}{self.unit_name}{self.title}"


class Cadre(models.Model):
    """A cadre; `post` is the current post."""

    name = models.CharField(_("姓名"), max_length=50)
    post = models.ForeignKey(
        Post,
        verbose_name=_("现任职务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="holders",
    )

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    REGISTRAR = "registrar", _("登记员")
    HANDLER = "handler", _("承办人")
    LEADER = "leader", _("部领导")
    SUPERVISOR = "supervisor", _("上级督导")
    ADMINISTRATOR = "administrator", _("系统管理员")


class PetitionDuty(models.TextChoices):
    """R-STAFF-1: who carries the petition work of a department."""

    NONE = "", _("无")
    LEADER_IN_CHARGE = "leader_in_charge", _("分管信访工作的领导")
    FULL_TIME = "full_time", _("专职信访干部")
    PART_TIME = "part_time", _("兼职信访干部")


class User(AbstractUser):
    """A staff member: one department, one or more roles."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("所在部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    petition_duty = models.CharField(
        _("信访工作职责"), max_length=24, choices=PetitionDuty.choices, default="", blank=True
    )

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        """The person's name wherever Django greets the user (the admin's header)."""
        return self.full_name or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.staff_roles.values_list("role", flat=True))

    def has_role(self, role: str) -> bool:
        return role in self.role_set


class StaffRole(models.Model):
    """One role held by a staff member in their department."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="staffrole_unique")]

    def __str__(self) -> str:
        return self.get_role_display()
