"""Intake: petitions, petitioners, respondents, interviews, attachments (R-INTAKE-1 to 6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.core.keys import current_key_id
from xinfang.routing.terms import AnonymousTreatment


class Channel(models.TextChoices):
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    PHONE = "phone", _("来电")
    ONLINE = "online", _("网上信访")


class Source(models.TextChoices):
    """R-INTAKE-6: where a petition came from."""

    DIRECT = "direct", _("信访人直接反映")
    UPPER_LEVEL = "upper_level", _("上级转交办")
    OTHER_DEPARTMENT = "other_department", _("其他部门转来")


class Petitioner(models.Model):
    """A person who petitions. ID number and phone are stored encrypted with a keyed hash."""

    name = models.CharField(_("姓名"), max_length=50)
    id_number_encrypted = models.TextField(blank=True, default="", editable=False)
    id_number_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    phone_encrypted = models.TextField(blank=True, default="", editable=False)
    phone_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    # An account on an online board (网上信访), as "board:account": a petitioner identifier
    # like the phone number, encrypted for display with a keyed hash for matching the same
    # person (docs/imports.md). Rotated with the other identifiers (petitions/keys.py).
    account_encrypted = models.TextField(blank=True, default="", editable=False)
    account_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("首次登记时间"), auto_now_add=True)
    # Which data key the encrypted fields and hashes above are under (core/keys.py): the
    # key in use when the row is written, so `rotate_data_key` can tell re-keyed rows from
    # the rest and resume after a crash. "" marks rows written before key ids existed.
    key_id = models.CharField(
        max_length=16, blank=True, default=current_key_id, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("信访人")
        verbose_name_plural = _("信访人")

    def __str__(self) -> str:
        return self.name


class DataKeyFingerprint(models.Model):
    """The fingerprint of the data key this database's identifiers are under (one row).

    Never the key: an HMAC of a fixed label under a key derived from it (core/keys.py).
    While a rotation runs, `next_fingerprint` names the key the rows are moving to.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    fingerprint = models.CharField(_("密钥指纹"), max_length=64)
    next_fingerprint = models.CharField(_("轮换中的新密钥指纹"), max_length=64, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("数据密钥指纹")
        verbose_name_plural = _("数据密钥指纹")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="data_key_fingerprint_one_row")
        ]

    def __str__(self) -> str:
        return self.fingerprint[:16]


class Petition(models.Model):
    """One incoming letter, visit, call or online message (R-INTAKE-1)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("所属事项"), on_delete=models.PROTECT, related_name="petitions"
    )
    channel = models.CharField(_("信访形式"), max_length=16, choices=Channel.choices)
    received_on = models.DateField(_("收到日期"), db_index=True)
    registered_at = models.DateTimeField(_("登记时间"))
    receiving_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("受理部门"),
        on_delete=models.PROTECT,
        related_name="petitions_received",
    )
    registrar = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.CharField(_("内容摘要"), max_length=200)
    content = models.TextField(_("信件全文或接谈内容"))
    category = models.CharField(_("问题类别"), max_length=24)
    nature = models.CharField(_("信访性质"), max_length=16)
    petitioners: models.ManyToManyField[Petitioner, PetitionPetitioner] = models.ManyToManyField(
        Petitioner, through="PetitionPetitioner", related_name="petitions", verbose_name=_("信访人")
    )
    is_anonymous = models.BooleanField(_("匿名"), default=False)
    anonymous_treatment = models.CharField(
        _("匿名信处理方式"), max_length=16, choices=AnonymousTreatment.choices, blank=True
    )
    anonymous_reason = models.TextField(_("处理方式理由"), blank=True)
    is_collective = models.BooleanField(_("集体访"), default=False)
    head_count = models.PositiveIntegerField(_("人数"), default=1)
    collective_origin = models.CharField(_("来自单位或地方"), max_length=100, blank=True)
    source = models.CharField(
        _("来源"), max_length=24, choices=Source.choices, default=Source.DIRECT
    )
    source_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("转来部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_reference = models.CharField(_("来文编号"), max_length=60, blank=True)
    is_repeat = models.BooleanField(_("重信重访"), default=False, db_index=True)
    is_first = models.BooleanField(_("初信初访"), default=True)
    not_accepted_reason = models.TextField(_("不予受理的理由"), blank=True)

    class Meta:
        verbose_name = _("来信来访")
        verbose_name_plural = _("来信来访")
        ordering = ["-received_on", "-id"]
        indexes = [
            # Key figures (重信重访率): a department's petitions of a period, with the repeat
            # flag, read from the index alone (docs/benchmarks.md, "Results at 1,000,000").
            models.Index(
                fields=["receiving_department", "received_on", "is_repeat"],
                name="petition_dept_received",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.summary}"


class PetitionPetitioner(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT)
    petitioner = models.ForeignKey(Petitioner, on_delete=models.PROTECT)
    is_representative = models.BooleanField(_("代表"), default=False)

    class Meta:
        verbose_name = _("信访人")
        verbose_name_plural = _("信访人")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "petitioner"], name="petitionpetitioner_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.petitioner}" + (gettext("（代表）") if self.is_representative else "")


class Respondent(models.Model):
    """The cadre or unit complained about; a snapshot of the post at registration time."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="respondents")
    cadre = models.ForeignKey(
        "orgs.Cadre",
        verbose_name=_("干部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("姓名或单位"), max_length=100)
    unit = models.CharField(_("单位"), max_length=100, blank=True)
    post_title = models.CharField(_("职务"), max_length=100, blank=True)
    rank = models.CharField(_("职级"), max_length=24, blank=True)
    jurisdiction = models.ForeignKey(
        "orgs.Jurisdiction",
        verbose_name=_("任职地区/单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("任职部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    managing_jurisdiction = models.ForeignKey(
        "orgs.Jurisdiction",
        verbose_name=_("干部管理权限"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_main_leader = models.BooleanField(_("主要领导"), default=False)

    class Meta:
        verbose_name = _("被反映人")
        verbose_name_plural = _("被反映人")
        # Who may not see the accuser (R-PROTECT-1, cases/protection.py: identity_shown_q):
        # respondents by department and by jurisdiction. Most respondents have neither (not
        # in the cadre directory), so a plain index's statistics make the planner scan; the
        # partial index holds only those that have one (issue 10).
        indexes = [
            models.Index(
                fields=["department"],
                condition=models.Q(department__isnull=False),
                name="respondent_department",
            ),
            models.Index(
                fields=["jurisdiction"],
                condition=models.Q(jurisdiction__isnull=False),
                name="respondent_jurisdiction",
            ),
            # Above a unit only the jurisdiction's main leaders hide the accuser
            # (R-PROTECT-1): by the index above, a county's probe read every respondent of
            # the county (29,413 at 1,000,000 cases) to keep the few main leaders.
            models.Index(
                fields=["jurisdiction"],
                condition=models.Q(jurisdiction__isnull=False, is_main_leader=True),
                name="respondent_main_leader",
            ),
            # Issue 11 item 3: the same respondent as a matter's candidate at registration
            # (cases/matching.py: _respondent_petitions). The name alone: with the petition
            # as a second column PostgreSQL read it for `petition_id = …` (the policy's
            # probes) on small tables instead of the petition's own index.
            models.Index(fields=["name"], name="respondent_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ConcernedCadre(models.Model):
    """当事干部: the cadre a personal request is about (R-CAT-4), usually the petitioner
    himself; a snapshot of the post at registration, like a respondent, but never counted
    as one. Routing sends the request to the organization department of the jurisdiction
    that manages this cadre (R-ROUTE-2)."""

    petition = models.OneToOneField(
        Petition, on_delete=models.PROTECT, related_name="concerned_cadre"
    )
    cadre = models.ForeignKey(
        "orgs.Cadre",
        verbose_name=_("干部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("单位"), max_length=100, blank=True)
    post_title = models.CharField(_("职务"), max_length=100)
    rank = models.CharField(_("职级"), max_length=24)
    jurisdiction = models.ForeignKey(
        "orgs.Jurisdiction",
        verbose_name=_("任职地区/单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    managing_jurisdiction = models.ForeignKey(
        "orgs.Jurisdiction",
        verbose_name=_("干部管理权限"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_main_leader = models.BooleanField(_("主要领导"), default=False)

    class Meta:
        verbose_name = _("当事干部")
        verbose_name_plural = _("当事干部")

    def __str__(self) -> str:
        return self.name


class Interview(models.Model):
    """R-INTAKE-2: the record of a visit."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="interviews")
    receivers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("接谈人"), related_name="+"
    )
    interviewed_at = models.DateTimeField(_("接谈时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    statement = models.TextField(_("来访人反映的情况"))
    requests = models.TextField(_("来访人的要求"))
    answer = models.TextField(_("当场答复"))

    class Meta:
        verbose_name = _("接谈记录")
        verbose_name_plural = _("接谈记录")

    def __str__(self) -> str:
        return gettext("接谈记录 %(interviewed_at)s") % {
            "interviewed_at": format(self.interviewed_at, "%Y-%m-%d")
        }


class Attachment(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class ImportedPetition(models.Model):
    """A petition that came in by bulk import (docs/imports.md): where from and under which
    id, so a rerun of the same file adds nothing and a crashed run resumes where it stopped.
    Written in the same transaction as the petition: both exist or neither."""

    source = models.CharField(_("来源"), max_length=60)
    external_id = models.CharField(_("原编号"), max_length=100)
    petition = models.OneToOneField(
        Petition, on_delete=models.PROTECT, related_name="imported_from", verbose_name=_("来信来访")
    )
    # The posting time of an online message (the petition keeps its date as received_on);
    # null for a register row, which has a date only.
    received_at = models.DateTimeField(_("收到时间"), null=True, blank=True)
    row_number = models.PositiveIntegerField(_("行号"))
    imported_at = models.DateTimeField(_("导入时间"))

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="importedpetition_source_external_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
