"""Read-only admin for petitions (来信来访); the only writers are petitions/services.py, called
by the case actions (cases/actions/intake.py).

A staff member sees the petitions of the cases `cases_visible_to` gives them (a petition
belongs to the first case of its family, so a department that received a case sent down
sees the petitions of that case's family too).

Petitioners' identity (R-PROTECT-1) is shown only where the protection policy
(`cases.protection`) allows, which writes an IdentityRead row for each display.
Where it is not allowed, the name, ID number and phone read "（已隐去）", and the full letter
text, the interview records and the attachments are left out too: they are written by or
about the petitioner and commonly name them, so showing them would undo the hiding.
Permissions: see orgs/admin.py (roles, not model permissions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.cases.access import cases_visible_to
from xinfang.cases.models import Case
from xinfang.cases.protection import HIDDEN_MATERIAL_NOTE, CaseProtection, protection_for
from xinfang.orgs.admin import may_view_cases
from xinfang.orgs.models import CadreRank, User
from xinfang.petitions.models import (
    Attachment,
    ConcernedCadre,
    Interview,
    Petition,
    Respondent,
)
from xinfang.routing.terms import Category, Nature


class ReadOnlyAdminMixin:
    """View only: every change goes through the services (design.md, Case lifecycle)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_view_cases(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_view_cases(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline[Any, Any]):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f for f in self.fields or () if isinstance(f, str)]


def case_protection(request: HttpRequest, case: Case) -> CaseProtection:
    """The protection policy's answer, asked once per request and case (the admin asks
    several times while building one page)."""
    cache: dict[int, CaseProtection] = request.__dict__.setdefault("_xinfang_protection", {})
    if case.pk not in cache:
        cache[case.pk] = protection_for(request.user, case)  # type: ignore[arg-type]
    return cache[case.pk]


def identity_allowed(request: HttpRequest, case: Case) -> bool:
    return case_protection(request, case).identity_shown


def viewing_case(request: HttpRequest, petition: Petition) -> Case | None:
    """The case through which the user sees this petition: its own case if visible, else a
    visible case of the same family (a case sent down to the user's department)."""
    cache: dict[int, Case | None] = request.__dict__.setdefault("_xinfang_viewing_case", {})
    if petition.pk not in cache:
        visible = cases_visible_to(request.user)  # type: ignore[arg-type]
        cache[petition.pk] = (
            visible.filter(pk=petition.case_id).first()
            or visible.filter(root_id=petition.case_id).order_by("pk").first()
        )
    return cache[petition.pk]


def petitions_visible_to(user: User) -> QuerySet[Petition]:
    visible = cases_visible_to(user)
    return Petition.objects.filter(
        Q(case__in=visible.values("pk")) | Q(case__in=visible.values("root_id"))
    )


def petitioners_table(request: HttpRequest, case: Case, petition: Petition) -> SafeString:
    """The petitioners of one petition as the user may see them; logs the read when shown."""
    people = case_protection(request, case).petitioners(petition)
    if not people:
        return format_html(
            "<p>{}</p>", gettext("匿名") if petition.is_anonymous else gettext("未登记信访人")
        )
    rows = format_html_join(
        "\n",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                p.name,
                p.id_number or "—",
                p.phone or "—",
                p.address or "—",
                gettext("是") if p.is_representative else "",
            )
            for p in people
        ),
    )
    return format_html(
        gettext(
            '<table class="petitioners"><thead><tr><th>姓名</th><th>公民身份号码</th>'
            "<th>联系电话</th><th>住址</th><th>代表</th></tr></thead><tbody>{}</tbody></table>"
        ),
        rows,
    )


class RankShownInline(ReadOnlyInline):
    @admin.display(description=_("职级"))
    def rank_display(self, obj: Respondent | ConcernedCadre) -> str:
        """The rank by its Chinese name: the column holds CadreRank's code (a typed rank as
        it was typed, should one ever be stored)."""
        return str(CadreRank(obj.rank).label) if obj.rank in CadreRank.values else obj.rank


class RespondentInline(RankShownInline):
    model = Respondent
    fields = [
        "name",
        "unit",
        "post_title",
        "rank_display",
        "jurisdiction",
        "department",
        "is_main_leader",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Respondent]:
        return super().get_queryset(request).select_related("jurisdiction", "department")


class ConcernedCadreInline(RankShownInline):
    """当事干部 of a personal request (R-CAT-4): usually the petitioner himself, so shown
    only with the petitioner's identity (R-PROTECT-1)."""

    model = ConcernedCadre
    fields = [
        "name",
        "unit",
        "post_title",
        "rank_display",
        "jurisdiction",
        "managing_jurisdiction",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConcernedCadre]:
        return super().get_queryset(request).select_related("jurisdiction", "managing_jurisdiction")


class InterviewInline(ReadOnlyInline):
    model = Interview
    fields = ["interviewed_at", "place", "statement", "requests", "answer"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    # The file itself is not linked: MEDIA files are not served through a visibility check.
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attachment]:
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    list_display = [
        "received_on",
        "channel",
        "summary",
        "case_number",
        "receiving_department",
        "source",
        "is_repeat",
        "is_collective",
        "is_anonymous",
    ]
    list_filter = ["channel", "source", "is_repeat", "is_first", "is_collective", "is_anonymous"]
    search_fields = ["summary", "case__number"]
    list_select_related = ["case", "receiving_department"]
    date_hierarchy = "received_on"
    change_form_template = "admin/petitions/petition/change_form.html"
    readonly_fields = ["case_number", "category_label", "nature_label"]
    base_fieldsets: Sequence[tuple[StrOrPromise | None, dict[str, Any]]] = (
        (
            None,
            {
                "fields": [
                    "case_number",
                    "channel",
                    "received_on",
                    "registered_at",
                    "receiving_department",
                    "registrar",
                ]
            },
        ),
        (_("内容"), {"fields": ["summary", "content", "category_label", "nature_label"]}),
        (
            _("匿名与集体访"),
            {
                "fields": [
                    "is_anonymous",
                    "anonymous_treatment",
                    "anonymous_reason",
                    "is_collective",
                    "head_count",
                    "collective_origin",
                ]
            },
        ),
        (
            _("来源"),
            {
                "fields": [
                    "source",
                    "source_department",
                    "source_reference",
                    "is_repeat",
                    "is_first",
                ]
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Petition]:
        return petitions_visible_to(request.user)  # type: ignore[arg-type]

    def _identity_shown(self, request: HttpRequest, obj: Petition | None) -> bool:
        case = viewing_case(request, obj) if obj is not None else None
        return case is not None and identity_allowed(request, case)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if self._identity_shown(request, obj):
            return self.base_fieldsets
        return [
            (name, {"fields": [f for f in opts["fields"] if f != "content"]})
            for name, opts in self.base_fieldsets
        ]

    def get_inlines(
        self, request: HttpRequest, obj: Any
    ) -> list[type[admin.options.InlineModelAdmin[Any, Any]]]:
        if self._identity_shown(request, obj):
            return [RespondentInline, ConcernedCadreInline, InterviewInline, AttachmentInline]
        return [RespondentInline]

    @admin.display(description=_("案件编号"), ordering="case__number")
    def case_number(self, obj: Petition) -> str:
        return obj.case.number

    @admin.display(description=_("问题类别"))
    def category_label(self, obj: Petition) -> str:
        return (
            str(Category(obj.category).label) if obj.category in Category.values else obj.category
        )

    @admin.display(description=_("信访性质"))
    def nature_label(self, obj: Petition) -> str:
        return str(Nature(obj.nature).label) if obj.nature in Nature.values else obj.nature

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Petition | None = None,
    ) -> TemplateResponse:
        case = viewing_case(request, obj) if obj is not None else None
        if obj is not None and case is not None:
            context["petitioners_panel"] = petitioners_table(request, case, obj)
            protection = case_protection(request, case)
            if protection.identity_shown:
                protection.record_read(obj)  # the letter text is on this page
            else:
                context["hidden_note"] = HIDDEN_MATERIAL_NOTE
        else:
            context["petitioners_panel"] = mark_safe("")
        return super().render_change_form(  # type: ignore[return-value]
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )
