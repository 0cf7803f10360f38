"""Read-only admin for cases (信访事项); the only writers are the case actions (cases/actions/).

Every read of a case here goes through `cases_visible_to(request.user)` (design.md,
Security): the change list, the change page and the history page all start from
`get_queryset`, so a case outside the user's view answers exactly like a missing one (the
admin's "不存在" redirect). A superuser without a department sees no cases, by design.

Permissions: see orgs/admin.py (roles, not model permissions). The timeline, instructions,
assignments and closures are shown as read-only inlines of the case and have no pages of
their own. Yearly targets (责任目标) are plain settings kept by superusers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.cases import targets
from xinfang.cases.access import cases_visible_to
from xinfang.cases.clocks import (
    case_clocks,
    case_due_on_provisional_years,
    overdue,
    overdue_cases_without_explanation,
    with_due_on_calendar,
)
from xinfang.cases.family import petitions_of_case
from xinfang.cases.lifecycle import EVENT_LABELS, FINISHED_STATES
from xinfang.cases.models import (
    Assignment,
    Case,
    CaseEvent,
    Closure,
    Extension,
    Instruction,
    Objection,
    OverdueExplanation,
    Pause,
    RoutingDecision,
    State,
    YearlyTarget,
)
from xinfang.cases.protection import HIDDEN_MATERIAL_NOTE
from xinfang.cases.routing import facts_for_case
from xinfang.core.admin import ServiceWritesAdmin
from xinfang.core.citations import grounds, on_screen
from xinfang.deadlines.clocks import PROVISIONAL_LABEL, provisional_note
from xinfang.deadlines.selectors import stored_date_provisional_years
from xinfang.orgs.admin import acting
from xinfang.petitions.admin import (
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    identity_allowed,
    petitioners_table,
)
from xinfang.routing.proposal import propose_routing


def _state_label(value: str) -> str:
    return str(State(value).label) if value in State.values else (value or "—")


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    verbose_name_plural = _("办理记录（时间线）")
    fields = [
        "seq",
        "kind_label",
        "actor_name",
        "from_label",
        "to_label",
        "created_at",
        "short_hash",
    ]
    ordering = ["seq"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("操作人"))
    def actor_name(self, obj: CaseEvent) -> str:
        # Plain text: a link would lead case staff to the staff admin, which is not theirs.
        return str(obj.actor)

    @admin.display(description=_("事件"))
    def kind_label(self, obj: CaseEvent) -> str:
        return str(EVENT_LABELS.get(obj.kind, obj.kind))

    @admin.display(description=_("原状态"))
    def from_label(self, obj: CaseEvent) -> str:
        return _state_label(obj.from_state)

    @admin.display(description=_("新状态"))
    def to_label(self, obj: CaseEvent) -> str:
        return _state_label(obj.to_state)

    @admin.display(description=_("校验值"))
    def short_hash(self, obj: CaseEvent) -> str:
        return obj.hash[:12]


class InstructionInline(ReadOnlyInline):
    model = Instruction
    fields = [
        "leader",
        "text",
        "due_on",
        "report_required",
        "created_at",
        "reported_at",
        "report_text",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Instruction]:
        return super().get_queryset(request).select_related("leader")


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fk_name = "case"
    fields = [
        "mode",
        "to_department",
        "child_number",
        "note",
        "sent_at",
        "received_at",
        "due_on",
        "reported_at",
        "accepted_at",
        "returned_at",
        "return_reasons",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return super().get_queryset(request).select_related("to_department", "child")

    @admin.display(description=_("承办案件"))
    def child_number(self, obj: Assignment) -> str:
        return obj.child.number


class ClosureInline(ReadOnlyInline):
    model = Closure
    fields = [
        "status",
        "facts",
        "decision",
        "policy_basis",
        "personal_outcome",
        "petitioner_opinion",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "review_opinion",
        "return_reasons",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Closure]:
        return super().get_queryset(request).select_related("submitted_by", "decided_by")


class OverdueExplanationInline(ReadOnlyInline):
    model = OverdueExplanation
    fields = ["reason", "new_expected_on", "explained_by", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OverdueExplanation]:
        return super().get_queryset(request).select_related("explained_by")


class DeadlineFilter(admin.SimpleListFilter):
    """Warning levels derived from the indexed due date (R-CLOSE-2)."""

    title = _("期限")
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("unexplained", gettext("逾期未说明（本部门及下一级）")),
            ("overdue", gettext("已逾期")),
            ("due_soon", gettext("7日内到期")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        today = timezone.localdate()
        open_cases = queryset.exclude(state__in=FINISHED_STATES)
        value = self.value()
        if value == "unexplained":
            dept = getattr(request.user, "department", None)
            if dept is None:
                return queryset.none()
            ids = overdue_cases_without_explanation(dept, today).values("pk")
            return queryset.filter(pk__in=ids)
        if value == "overdue":
            return overdue(queryset, today)
        if value == "due_soon":
            return open_cases.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7))
        return queryset


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    list_display = [
        "number",
        "title",
        "department",
        "state",
        "handling_mode",
        "is_collective",
        "due_on_display",
        "registered_at",
    ]
    list_filter = [
        DeadlineFilter,
        "state",
        "handling_mode",
        "category",
        "is_collective",
        "is_key_case",
    ]
    search_fields = ["number", "title"]
    list_select_related = ["department"]
    change_form_template = "admin/cases/case/change_form.html"
    readonly_fields = [
        "department_name",
        "handler_name",
        "follow_department_name",
        "case_file_link",
        "routing_display",
        "clocks_display",
        "due_on_display",
        "reviews_display",
        "step_label",
        "related_cases",
        "events_recorded",
        "last_hash",
    ]
    fieldsets = (
        (
            None,
            {
                "fields": [
                    "number",
                    "case_file_link",
                    "title",
                    "department_name",
                    "handler_name",
                    "category",
                    "nature",
                    "state",
                    "step_label",
                    "handling_mode",
                ]
            },
        ),
        (
            _("标记"),
            {
                "fields": [
                    "is_collective",
                    "is_key_case",
                    "report_upward",
                    "result_required",
                    "follow_department_name",
                ]
            },
        ),
        (_("分级负责、归口办案"), {"fields": ["routing_display"]}),
        (_("期限"), {"fields": ["clocks_display"]}),
        (_("复查复核"), {"fields": ["review_stage", "reviews_display"]}),
        (
            _("时间与期限"),
            {
                "fields": [
                    "registered_at",
                    "mode_decided_at",
                    "due_on_display",
                    "closed_at",
                    "archived_at",
                    "archive_number",
                ]
            },
        ),
        (_("关联案件"), {"fields": ["related_cases"]}),
        (_("时间线校验"), {"fields": ["events_recorded", "last_hash"]}),
    )
    inlines = [
        CaseEventInline,
        InstructionInline,
        AssignmentInline,
        ClosureInline,
        OverdueExplanationInline,
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        # The one gate (design.md, Security): list, change and history pages all use it.
        visible = cases_visible_to(request.user).select_related(  # type: ignore[arg-type]
            "department", "handler"
        )
        return with_due_on_calendar(visible)

    @admin.display(description=_("案卷"))
    def case_file_link(self, obj: Case) -> str:
        url = reverse("cases:case_file", args=[obj.pk])
        return format_html(
            gettext('<a href="{}">查阅、打印案卷</a> · <a href="{}?format=json">导出</a>'), url, url
        )

    @admin.display(description=_("上一级过问部门"))
    def follow_department_name(self, obj: Case) -> str:
        return obj.follow_department.name if obj.follow_department else "—"

    @admin.display(description=_("分办建议与决定"))
    def routing_display(self, obj: Case) -> str:
        """The proposal with its reasons (R-ROUTE-1): live while undecided, else as recorded."""
        decision = obj.routing_decisions.order_by("-decided_at").first()
        if decision is not None:
            d = decision
            verdict = (
                gettext("（采纳建议）")
                if d.followed
                else (
                    gettext("（未采纳，理由：%(deviation_reason)s）")
                    % {"deviation_reason": d.deviation_reason}
                )
            )
            lines = [
                (
                    gettext("系统建议：%(get_proposed_mode_label)s %(proposed_department_name)s")
                    % {
                        "get_proposed_mode_label": d.get_proposed_mode_label(),
                        "proposed_department_name": d.proposed_department_name,
                    }
                ),
                *d.proposal_reasons,
                (
                    gettext(
                        "决定：%(get_decided_mode_label)s %(decided_department_name)s%(verdict)s"
                    )
                    % {
                        "get_decided_mode_label": d.get_decided_mode_label(),
                        "decided_department_name": d.decided_department_name,
                        "verdict": verdict,
                    }
                ),
            ]
        elif obj.state in (State.REGISTERED, State.READ):
            proposal = propose_routing(facts_for_case(obj))
            lines = [proposal.headline, *(r.text for r in proposal.reasons)]
        else:
            return "—"
        # The reasons cite rules by ID; the page shows their grounds in Chinese instead.
        return format_html_join(mark_safe("<br>"), "{}", ((on_screen(line),) for line in lines))

    @admin.display(description=_("期限"))
    def clocks_display(self, obj: Case) -> str:
        clocks = case_clocks(obj)
        if not clocks:
            return gettext("现行期限规则对本案没有期限要求")
        lines = format_html_join(
            mark_safe("<br>"),
            "{}：{}{}（{}）",
            (
                (
                    c.name,
                    f"{c.due_on:%Y-%m-%d}",
                    (
                        gettext("（%(provisional_label)s）")
                        % {"provisional_label": PROVISIONAL_LABEL}
                    )
                    if c.provisional
                    else "",
                    c.label,
                )
                for c in clocks
            ),
        )
        # One explanation for all provisional clocks: the missing years are the same kind.
        years = sorted({y for c in clocks for y in c.provisional_years})
        if not years:
            return lines
        return format_html(
            '{}<br><span class="provisional">{}</span>', lines, provisional_note(years)
        )

    @admin.display(description=_("到期日"), ordering="due_on")
    def due_on_display(self, obj: Case) -> str:
        if obj.due_on is None:
            return "—"
        if case_due_on_provisional_years(obj):
            return gettext("%(due_on)s（%(provisional_label)s）") % {
                "due_on": format(obj.due_on, "%Y-%m-%d"),
                "provisional_label": PROVISIONAL_LABEL,
            }
        return f"{obj.due_on:%Y-%m-%d}"

    @admin.display(description=_("复查复核记录"))
    def reviews_display(self, obj: Case) -> str:
        rows = [
            (
                r.get_kind_display(),
                r.department.name,
                f"{r.applied_on:%Y-%m-%d}",
                f"{r.due_on:%Y-%m-%d}"
                + (
                    (
                        gettext("（%(provisional_label)s）")
                        % {"provisional_label": PROVISIONAL_LABEL}
                    )
                    if stored_date_provisional_years(r.due_on)
                    else ""
                ),
                r.get_outcome_display() or gettext("待答复"),
            )
            for r in obj.reviews.select_related("department")
        ]
        if not rows:
            return "—"
        return format_html_join(mark_safe("<br>"), gettext("{}：{}，{}申请，{}前答复，{}"), rows)

    # Plain text, not links: the organization pages belong to administrators.
    @admin.display(description=_("责任部门"))
    def department_name(self, obj: Case) -> str:
        return obj.department.name

    @admin.display(description=_("承办人"))
    def handler_name(self, obj: Case) -> str:
        return str(obj.handler) if obj.handler else "—"

    @admin.display(description=_("所处环节"))
    def step_label(self, obj: Case) -> str:
        return str(obj.step.label)

    @admin.display(description=_("关联案件"))
    def related_cases(self, obj: Case) -> str:
        # Numbers only: the related case may lie outside the user's view, and its number
        # (already on the documents exchanged) says nothing about its content.
        ids = {
            gettext("首办案件"): obj.root_id,
            gettext("上级案件"): obj.parent_id,
            gettext("并入案件"): obj.merged_into_id,
            gettext("原案件"): obj.previous_case_id,
        }
        wanted = {pk for pk in ids.values() if pk is not None}
        if not wanted:
            return "—"
        numbers = dict(Case.objects.filter(pk__in=wanted).values_list("pk", "number"))
        return "；".join(
            (gettext("%(label)s：%(value)s") % {"label": label, "value": numbers[pk]})
            for label, pk in ids.items()
            if pk in numbers
        )

    @admin.display(description=_("办理记录条数"))
    def events_recorded(self, obj: Case) -> int:
        return obj.event_count

    @admin.display(description=_("最后一条记录的校验值"))
    def last_hash(self, obj: Case) -> str:
        return obj.last_event_hash[:12] or "—"

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Case | None = None,
    ) -> TemplateResponse:
        panels = []
        if obj is not None:
            petitions = petitions_of_case(obj).select_related("receiving_department")
            for petition in petitions.order_by("received_on", "pk"):
                panels.append(
                    {
                        "petition": petition,
                        "url": reverse("admin:petitions_petition_change", args=[petition.pk]),
                        "petitioners": petitioners_table(request, obj, petition),
                    }
                )
            if panels and not identity_allowed(request, obj):
                context["hidden_note"] = HIDDEN_MATERIAL_NOTE
        context["petition_panels"] = panels
        return super().render_change_form(  # type: ignore[return-value]
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )


@admin.register(YearlyTarget)
class YearlyTargetAdmin(ServiceWritesAdmin):
    """R-COUNTY-2 targets: settings, kept by superusers only; saved and deleted through the
    services, which log each change in the configuration audit log."""

    list_display = ["department", "year", "self_handled_rate", "repeat_rate", "closure_rate"]
    list_filter = ["year"]
    search_fields = ["department__name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]

    def service_create(self, request: HttpRequest, values: dict[str, Any]) -> Model:
        return targets.yearly_target_create(actor=acting(request), **values)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Model:
        return targets.yearly_target_update(actor=acting(request), target=obj, changes=changes)

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        targets.yearly_target_delete(actor=acting(request), target=obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


class VisibleCasesReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Read-only records about cases, limited to the cases the user may see (design.md)."""

    case_path = "case"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        visible = cases_visible_to(request.user).values("pk")  # type: ignore[arg-type]
        return super().get_queryset(request).filter(**{f"{self.case_path}__in": visible})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(VisibleCasesReadOnlyAdmin):
    """R-ROUTE-1: each decision beside the proposal; filter on those not followed."""

    list_display = (
        "case",
        "proposed_department_name",
        "decided_department_name",
        "followed",
        "deviation_reason",
        "decided_by",
        "decided_at",
    )
    list_filter = ("followed",)
    list_select_related = ("case", "decided_by")
    # The modes are stored as codes and the reasons with their rules' IDs, as lists: shown
    # as the modes' Chinese names and as lines, each rule by its grounds in Chinese (no code,
    # no JSON and no rule ID on a page).
    fields = (
        "case",
        "proposed_mode_display",
        "proposed_department_name",
        "proposed_key_case",
        "reasons_display",
        "rules_display",
        "decided_mode_display",
        "decided_department_name",
        "followed",
        "deviation_reason",
        "decided_by",
        "decided_at",
    )
    readonly_fields = fields

    @admin.display(description=_("建议处理方式"))
    def proposed_mode_display(self, obj: RoutingDecision) -> str:
        return obj.get_proposed_mode_label()

    @admin.display(description=_("决定处理方式"))
    def decided_mode_display(self, obj: RoutingDecision) -> str:
        return obj.get_decided_mode_label()

    @admin.display(description=_("建议理由"))
    def reasons_display(self, obj: RoutingDecision) -> str:
        return format_html_join(
            mark_safe("<br>"), "{}", ((on_screen(r),) for r in obj.proposal_reasons)
        )

    @admin.display(description=_("依据条款"))
    def rules_display(self, obj: RoutingDecision) -> str:
        return grounds(obj.proposal_rules) or "—"


@admin.register(Objection)
class ObjectionAdmin(VisibleCasesReadOnlyAdmin):
    """Objections to cases sent down, with the sender's answer."""

    case_path = "assignment__child"
    list_display = ("assignment", "reasons", "raised_by", "raised_at", "status", "decided_at")
    list_filter = ("status",)
    list_select_related = ("assignment__to_department", "raised_by")


# Records about cases: only those of cases the user may see (design.md, Security).
@admin.register(Extension)
class ExtensionAdmin(VisibleCasesReadOnlyAdmin):
    list_display = ["case", "days", "approved_by", "approved_on", "petitioner_told_on"]
    list_select_related = ["case", "approved_by"]
    search_fields = ["case__number"]


@admin.register(Pause)
class PauseAdmin(VisibleCasesReadOnlyAdmin):
    list_display = ["case", "start_on", "end_on", "approved_by"]
    list_select_related = ["case", "approved_by"]
    search_fields = ["case__number"]
