"""Every flow of the case page as a form: one form per action code of `lifecycle`.

A form gathers and types the input; `run()` calls the one action in `xinfang.cases.actions`
(atomic: a refusal writes nothing). A `RuleViolation` is shown in Chinese through
`core.citations.on_screen`, each message beside the field whose label it names (or that
`hints` maps it to), the rest at the top of the form (`show_violation`).

`FLOWS` maps each action code to its form; `cases/available.py: actions_open_to` says which
of them a user may open on a case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.cases import actions
from xinfang.cases.access import cases_visible_to
from xinfang.cases.available import pending_objections, pending_reports, unlinkable_petitions
from xinfang.cases.closure import CLOSURE_FIELDS, closure_requirements_of
from xinfang.cases.lifecycle import ACTION_LABELS, FROZEN_STATES
from xinfang.cases.models import (
    PROCEDURE_CHECKLIST,
    Case,
    CaseEvent,
    Instruction,
    Objection,
    PersonalOutcome,
    ReviewOutcome,
)
from xinfang.core.citations import on_screen
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, Role, User
from xinfang.petitions.models import Petition
from xinfang.petitions.services import InterviewInput
from xinfang.web.widgets import (
    DepartmentSearchInput,
    IsoDateField,
    IsoDateTimeField,
    name_required,
)


def _text(label: StrOrPromise, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def _date(label: StrOrPromise, *, required: bool = False) -> forms.DateField:
    return IsoDateField(label=label, required=required)


class _PickField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A select whose empty choice reads —— 请选择 ——, as the registration form's do (Django's
    is a row of dashes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _("—— 请选择 ——"))
        super().__init__(*args, **kwargs)


class CaseChoiceField(_PickField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title}（{obj.get_state_display()}）"


class LabelledChoiceField(_PickField):
    """Choices labelled by `labeller` (set in the form's setup), never by a code."""

    labeller: Callable[[Any], str] = str

    def label_from_instance(self, obj: Any) -> str:
        return self.labeller(obj)


class NamedChoiceField(_PickField):
    """Departments, users: their name (str), never a code."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name if isinstance(obj, Department) else obj)


class DepartmentSearchField(NamedChoiceField):
    """A department picked by a typed search (web/widgets.py: DepartmentSearchInput), not a
    select listing every department; the form's queryset still decides what may be picked,
    and an id outside it is refused beside the field."""

    widget = DepartmentSearchInput
    default_error_messages = {
        "invalid_choice": _("所选部门不存在或不能选择，请重新查找选择。"),
    }


class _DryRun(Exception):
    """Raised to roll back the action tried by `FlowForm.check_rules`."""


class FlowForm(forms.Form):
    """One flow. Subclasses set `action` (an ACTION_LABELS code) and implement `run`."""

    action: ClassVar[str] = ""
    # The form leaves the plain checks to its action, which reports every refusal at once;
    # when some input does not even have the right type (a date that is no date), the action
    # is still tried with that input left empty, and rolled back, so one response shows the
    # form's and the action's refusals together (`check_rules`). Only forms whose action
    # accepts every input empty set it.
    one_round: ClassVar[bool] = False
    # Substrings of refusal messages -> the field they concern (besides the field labels).
    hints: ClassVar[dict[str, str]] = {}
    submit_label: ClassVar[StrOrPromise] = ""
    danger: ClassVar[bool] = False
    # Shown above the form (what the action does, in the handler's words).
    help_text: ClassVar[StrOrPromise] = ""
    # A template shown between the help text and the form (what the action concerns).
    partial: ClassVar[str] = ""

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        self.setup()
        name_required(self)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    @property
    def title(self) -> str:
        return str(ACTION_LABELS[self.action])

    @property
    def button(self) -> str:
        return str(self.submit_label or self.title)

    def setup(self) -> None:
        """Fill choices from the case (the subclass's hook)."""

    def run(self) -> str:
        """Call the action with the cleaned data; return the success message."""
        raise NotImplementedError

    def check_rules(self) -> None:
        """After the form refused some input, also show what the action would refuse, so
        the user corrects everything in one round. The action runs on the typed input with
        the refused fields empty inside a transaction that is always rolled back: nothing
        is written, whatever it decides."""
        if not self.one_round or self.is_valid():
            return
        typed = dict(self.cleaned_data)
        self.cleaned_data = {
            name: typed[name] if name in typed else field.to_python(None)
            for name, field in self.fields.items()
        }
        try:
            with transaction.atomic():
                self.run()
                raise _DryRun
        except _DryRun:
            pass
        except RuleViolation as err:
            self.show_violation(err)
        finally:
            self.cleaned_data = typed

    def show_violation(self, err: RuleViolation) -> None:
        """Each message beside the field it names, else at the top; rule IDs become the
        notice's words (no rule ID on screen)."""
        for message in err.messages:
            text = on_screen(message)
            target = None
            for key, name in self.hints.items():
                if key in message and name in self.fields:
                    target = name
                    break
            if target is None:
                for name, field in self.fields.items():
                    if field.label and str(field.label) in message:
                        target = name
                        break
            self.add_error(target, text)


# --- reading and instructions -------------------------------------------------------------


class InstructForm(FlowForm):
    action = "instruct"
    text = _text(_("批示内容"), rows=4)
    due_on = _date(_("要求完成日期"))
    report_required = forms.BooleanField(label=_("要求报告结果"), required=False)
    hints = {"完成日期": "due_on"}

    def run(self) -> str:
        d = self.cleaned_data
        actions.case_instruct(
            actor=self.user,
            case=self.case,
            text=d["text"],
            due_on=d["due_on"],
            report_required=d["report_required"],
        )
        return gettext("批示已记录。")


class ReadForm(InstructForm):
    action = "read"
    help_text = _("阅看来信来访，作出批示（阅批）。阅批后由领导决定处理方式。")

    def run(self) -> str:
        d = self.cleaned_data
        actions.case_read(
            actor=self.user,
            case=self.case,
            text=d["text"],
            due_on=d["due_on"],
            report_required=d["report_required"],
        )
        return gettext("已阅批。")


class ReportInstructionForm(FlowForm):
    action = "report_instruction"
    instruction = LabelledChoiceField(label=_("批示"), queryset=Instruction.objects.none())
    text = _text(_("报告内容"), rows=4)

    def setup(self) -> None:
        field = self.fields["instruction"]
        assert isinstance(field, LabelledChoiceField)
        field.queryset = self.case.instructions.filter(
            report_required=True, reported_at__isnull=True
        ).order_by("created_at")
        field.labeller = lambda i: f"{i.created_at:%Y-%m-%d} {i.leader}：{i.text[:40]}"

    def run(self) -> str:
        d = self.cleaned_data
        actions.instruction_report(actor=self.user, instruction=d["instruction"], text=d["text"])
        return gettext("批示落实情况已报告。")


class ReportProgressForm(FlowForm):
    action = "report_progress"
    text = _text(_("进展情况"), rows=4)

    def run(self) -> str:
        actions.progress_report(actor=self.user, case=self.case, text=self.cleaned_data["text"])
        return gettext("办理进展已报送上级。")


class ReportUpwardForm(FlowForm):
    action = "report_upward"
    reason = _text(_("反映的倾向性问题"))
    help_text = _("带有倾向性的问题及时向上一级组织部门反映，本案列入其跟踪范围。")
    hints = {"向上反映": "reason"}

    def run(self) -> str:
        actions.case_flag_report_upward(
            actor=self.user, case=self.case, reason=self.cleaned_data["reason"]
        )
        return gettext("已向上反映。")


# --- deciding the handling mode ------------------------------------------------------------


class RoutingForm(FlowForm):
    """The five handling modes: the proposal is shown with the form; departing from it
    requires the reason (R-ROUTE-1), refused by the action otherwise."""

    shows_proposal: ClassVar[bool] = True
    routing_note = _text(_("不采纳系统建议的理由"), required=False, rows=2)
    hints = {"系统建议": "routing_note"}


class HandleHereForm(RoutingForm):
    """决定自办 names the 承办人 (R-STAFF-1 counts the workload by handler): a case decided
    without one was in no handler's 我承办的案件, and no later action names one
    (docs/decisions.md)."""

    action = "handle_here"
    handler = NamedChoiceField(label=_("承办人"), queryset=User.objects.none())
    field_order = ["handler", "routing_note"]

    def setup(self) -> None:
        offer_handlers(self, exclude=None)

    def run(self) -> str:
        d = self.cleaned_data
        actions.case_handle_here(
            actor=self.user, case=self.case, handler=d["handler"], routing_note=d["routing_note"]
        )
        return gettext("已决定自办。")


def offer_handlers(form: FlowForm, *, exclude: int | None) -> None:
    """The active handlers of the case's department in the form's `handler` select (the
    one named now, `exclude`, left out); a department without one is told so."""
    field = form.fields["handler"]
    assert isinstance(field, forms.ModelChoiceField)
    handlers = User.objects.filter(
        department_id=form.case.department_id, is_active=True, staff_roles__role=Role.HANDLER
    )
    if exclude is not None:
        handlers = handlers.exclude(pk=exclude)
    field.queryset = handlers.order_by("full_name", "username")
    if not field.queryset.exists():
        field.help_text = (
            _("本部门尚无承办人：请系统管理员先为工作人员设置承办人角色。")
            if exclude is None
            else _("本部门尚无其他承办人：请系统管理员先为工作人员设置承办人角色。")
        )


class NameHandlerForm(FlowForm):
    """R-STAFF-1: a leader names the handler of a case being handled here, or another one
    in his place with the reason."""

    action = "name_handler"
    handler = NamedChoiceField(label=_("承办人"), queryset=User.objects.none())
    reason = _text(_("更换理由"), required=False, rows=2)
    hints = {"写明理由": "reason"}

    def setup(self) -> None:
        now = self.case.handler
        offer_handlers(self, exclude=now.pk if now else None)
        self.fields["reason"].help_text = (
            gettext("现承办人：%(name)s。更换承办人须写明理由。") % {"name": now}
            if now
            else gettext("本案尚未指定承办人。")
        )

    def run(self) -> str:
        d = self.cleaned_data
        case = actions.case_name_handler(
            actor=self.user, case=self.case, handler=d["handler"], reason=d["reason"]
        )
        return gettext("已指定%(name)s承办本案。") % {"name": case.handler}


def receivers_below(case: Case) -> Any:
    """Departments a case may be sent down to: strictly below, handling petitions
    (R-ROUTE-1); R-ROUTE-3 is checked by the action on the locked row."""
    own = case.department.jurisdiction
    return (
        Department.objects.filter(handles_petitions=True, jurisdiction__path__startswith=own.path)
        .exclude(jurisdiction=own)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "name")
    )


class SendDownForm(RoutingForm):
    to_department = NamedChoiceField(label=_("承办部门"), queryset=Department.objects.none())
    note = _text(_("交办意见"), required=False)
    field_order = ["to_department", "note", "routing_note"]
    hints = {
        "系统建议": "routing_note",
        "本级以下": "to_department",
        "转交给本部门": "to_department",
    }

    def setup(self) -> None:
        field = self.fields["to_department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = receivers_below(self.case)

    def run(self) -> str:
        d = self.cleaned_data
        send = (
            actions.case_transfer_down
            if self.action == "transfer_down"
            else actions.case_assign_down
        )
        send(
            actor=self.user,
            case=self.case,
            to_department=d["to_department"],
            note=d["note"],
            routing_note=d["routing_note"],
        )
        return gettext("已%(action)s至%(to)s。") % {
            "action": ACTION_LABELS[self.action],
            "to": d["to_department"].name,
        }


class TransferDownForm(SendDownForm):
    action = "transfer_down"


class AssignDownForm(SendDownForm):
    action = "assign_down"


class ReferForm(RoutingForm):
    action = "refer"
    # The action checks every input (R-ROUTE-6, R-ROUTE-1) and refuses them all together.
    one_round = True
    to_department = DepartmentSearchField(
        label=_("接收部门"), queryset=Department.objects.none(), required=False
    )
    to_department_name = forms.CharField(label=_("接收部门名称"), required=False, max_length=100)
    reason = _text(_("转交理由"), required=False)
    explanation = _text(_("向信访人解释的内容"), required=False)
    explained_on = _date(_("解释日期"))
    explained_how = forms.CharField(label=_("解释方式"), required=False, max_length=50)
    field_order = [
        "to_department",
        "to_department_name",
        "reason",
        "explanation",
        "explained_on",
        "explained_how",
        "routing_note",
    ]
    hints = {
        "系统建议": "routing_note",
        "“理由”": "reason",
        "“接收部门”": "to_department_name",
        "解释的内容、日期和方式": "explanation",
    }

    def setup(self) -> None:
        # Marked required on the page though the action, not the form, checks it.
        self.fields["reason"].shown_required = True  # type: ignore[attr-defined]
        field = self.fields["to_department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.exclude(pk=self.case.department_id)

    def run(self) -> str:
        d = self.cleaned_data
        actions.case_refer(
            actor=self.user,
            case=self.case,
            reason=d["reason"],
            explanation=d["explanation"],
            explained_on=d["explained_on"],
            explained_how=d["explained_how"],
            to_department=d["to_department"],
            to_department_name=d["to_department_name"],
            routing_note=d["routing_note"],
        )
        return gettext("已转其他部门，并记录向信访人的解释。")


class FileForm(RoutingForm):
    action = "file"
    reason = _text(_("存查理由"))
    field_order = ["reason", "routing_note"]
    hints = {"系统建议": "routing_note", "“理由”": "reason"}

    def run(self) -> str:
        d = self.cleaned_data
        actions.case_file(
            actor=self.user, case=self.case, reason=d["reason"], routing_note=d["routing_note"]
        )
        return gettext("已存查。")


class MergeForm(FlowForm):
    action = "merge"
    into = CaseChoiceField(label=_("并入的案件"), queryset=Case.objects.none())
    reason = _text(_("并案理由"))
    hints = {"“理由”": "reason", "目标案件": "into", "并入": "into"}

    def setup(self) -> None:
        field = self.fields["into"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            cases_visible_to(self.user)
            .filter(department_id=self.case.department_id)
            .exclude(pk=self.case.pk)
            .exclude(state__in=FROZEN_STATES)
            .order_by("-registered_at")
        )

    def run(self) -> str:
        d = self.cleaned_data
        actions.case_merge(actor=self.user, case=self.case, into=d["into"], reason=d["reason"])
        return gettext("已并入%(number)s。") % {"number": d["into"].number}


# --- sent from above: receipt and objections ------------------------------------------------


class ReceiveAssignmentForm(FlowForm):
    action = "receive_assignment"
    submit_label = _("签收")
    help_text = _("签收上级交办、转办的案件。")

    def run(self) -> str:
        actions.assignment_receive(actor=self.user, assignment=self.case.assignment_in)
        return gettext("已签收。")


class RaiseObjectionForm(FlowForm):
    action = "raise_objection"
    reasons = _text(_("异议理由"), rows=4)
    suggested_department = DepartmentSearchField(
        label=_("建议承办部门"), queryset=Department.objects.none(), required=False
    )
    help_text = _("认为交转办有误的，在期限内向上级提出异议，由上级决定是否重新分办。")

    def setup(self) -> None:
        field = self.fields["suggested_department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.exclude(pk=self.case.department_id)

    def run(self) -> str:
        d = self.cleaned_data
        actions.objection_raise(
            actor=self.user,
            assignment=self.case.assignment_in,
            reasons=d["reasons"],
            suggested_department=d["suggested_department"],
        )
        return gettext("异议已提交上级。")


class DecideObjectionForm(FlowForm):
    action = "decide_objection"
    objection = LabelledChoiceField(label=_("异议"), queryset=Objection.objects.none())
    decision = forms.ChoiceField(
        label=_("处理决定"),
        choices=[
            ("accept", _("同意异议：撤回案件，重新分办")),
            ("reject", _("不同意异议：维持交转办")),
        ],
        widget=forms.RadioSelect,
    )
    opinion = _text(_("处理意见"), required=False)
    hints = {"理由": "opinion"}

    def setup(self) -> None:
        ids = [
            o.pk
            for o in pending_objections(self.case)
            if o.assignment.case.department_id == self.user.department_id
        ]
        field = self.fields["objection"]
        assert isinstance(field, LabelledChoiceField)
        field.queryset = Objection.objects.filter(pk__in=ids).select_related(
            "assignment__to_department"
        )
        field.labeller = lambda o: f"{o.assignment.to_department.name}：{o.reasons[:60]}"

    def run(self) -> str:
        d = self.cleaned_data
        if d["decision"] == "accept":
            actions.objection_accept(
                actor=self.user, objection=d["objection"], opinion=d["opinion"]
            )
            return gettext("已同意异议：下级案件撤回，本案重新分办。")
        actions.objection_reject(actor=self.user, objection=d["objection"], opinion=d["opinion"])
        return gettext("已维持交转办，异议未被采纳。")


# --- closure, reports from below ----------------------------------------------------------


class SubmitClosureForm(FlowForm):
    action = "submit_closure"
    facts = _text(_("查明的事实"), required=False, rows=4)
    decision = _text(_("处理意见"), required=False, rows=3)
    policy_basis = _text(_("政策依据"), required=False, rows=2)
    procedure = forms.MultipleChoiceField(
        label=_("办理手续"),
        required=False,
        choices=list(PROCEDURE_CHECKLIST.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    personal_outcome = forms.ChoiceField(
        label=_("个人问题处理结果"),
        required=False,
        choices=[("", "—"), *PersonalOutcome.choices],
    )
    petitioner_opinion = _text(_("本人对处理的意见"), required=False, rows=2)
    conclusion_shown_on = _date(_("见面日期"))
    conclusion_shown_how = forms.CharField(label=_("见面方式"), required=False, max_length=50)
    feedback_on = _date(_("反馈日期"))
    feedback_how = forms.CharField(label=_("反馈方式"), required=False, max_length=50)
    no_feedback_reason = _text(_("未反馈的理由"), required=False, rows=2)
    hints = {
        "办理手续": "procedure",
        "本人对处理的意见": "petitioner_opinion",
        "与本人见面": "conclusion_shown_on",
        "个人问题须选择": "personal_outcome",
        "检举人反馈": "feedback_on",
    }

    def setup(self) -> None:
        """Only the parts this case's closure needs (cases/closure.py, R-CLOSE-3 to R-CLOSE-5,
        R-CAT-4): the others are left off the form. The action still checks the closure
        against every requirement."""
        need = closure_requirements_of(self.case)
        procedure = self.fields["procedure"]
        assert isinstance(procedure, forms.MultipleChoiceField)
        procedure.choices = [(k, PROCEDURE_CHECKLIST[k]) for k in need.procedure]
        left_off = []
        if not need.personal_outcome:
            left_off += ["personal_outcome"]
        if not need.petitioner_opinion:
            left_off += ["petitioner_opinion", "conclusion_shown_on", "conclusion_shown_how"]
        if not need.accuser_feedback:
            left_off += ["feedback_on", "feedback_how", "no_feedback_reason"]
        for name in left_off:
            del self.fields[name]

    def closure_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {k: d.get(k) if d.get(k) is not None else "" for k in CLOSURE_FIELDS} | {
            "procedure": list(d.get("procedure") or []),
            "conclusion_shown_on": d.get("conclusion_shown_on"),
            "feedback_on": d.get("feedback_on"),
        }

    def run(self) -> str:
        actions.closure_submit(actor=self.user, case=self.case, **self.closure_data())
        return gettext("结案材料已提交领导审批。")


class ApproveClosureForm(FlowForm):
    action = "approve_closure"
    review_opinion = _text(_("审查意见"), required=False)
    help_text = _("上级交办要报结果的案件，批准即向上级报结，须写明审查意见。")

    def run(self) -> str:
        actions.closure_approve(
            actor=self.user, case=self.case, review_opinion=self.cleaned_data["review_opinion"]
        )
        return gettext("已批准结案。")


class ReturnClosureForm(FlowForm):
    action = "return_closure"
    reasons = _text(_("退回理由"))
    danger = True

    def run(self) -> str:
        actions.closure_return(
            actor=self.user, case=self.case, reasons=self.cleaned_data["reasons"]
        )
        return gettext("结案材料已退回承办人。")


class ReportChoiceForm(FlowForm):
    child = CaseChoiceField(label=_("下级报结的案件"), queryset=Case.objects.none())
    hints = {"报送结案材料": "child", "交办的案件": "child"}

    def setup(self) -> None:
        field = self.fields["child"]
        assert isinstance(field, forms.ModelChoiceField)
        children = [a.child_id for a in pending_reports(self.case)]
        field.queryset = Case.objects.filter(pk__in=children).order_by("pk")
        # The usual case: one report waits, so there is nothing to choose.
        if len(children) == 1:
            field.initial = children[0]


class AcceptReportForm(ReportChoiceForm):
    action = "accept_report"
    opinion = _text(_("审核意见"), required=False)

    def run(self) -> str:
        d = self.cleaned_data
        actions.report_accept(
            actor=self.user, case=self.case, child=d["child"], opinion=d["opinion"]
        )
        return gettext("下级报结已审核通过，本案结案。")


class ReturnReportForm(ReportChoiceForm):
    action = "return_report"
    reasons = _text(_("退回理由"))
    danger = True

    def run(self) -> str:
        d = self.cleaned_data
        actions.report_return(
            actor=self.user, case=self.case, child=d["child"], reasons=d["reasons"]
        )
        return gettext("下级报结已退回，下级案件重新办理。")


# --- clocks ---------------------------------------------------------------------------------


class ExplainOverdueForm(FlowForm):
    action = "explain_overdue"
    reason = _text(_("逾期原因"))
    new_expected_on = _date(_("预计办结日期"))
    hints = {"“理由”": "reason"}

    def run(self) -> str:
        d = self.cleaned_data
        actions.overdue_explain(
            actor=self.user,
            case=self.case,
            reason=d["reason"],
            new_expected_on=d["new_expected_on"],
        )
        return gettext("逾期说明已记录。")


class ExtendDeadlineForm(FlowForm):
    action = "extend_deadline"
    days = forms.IntegerField(label=_("延长天数"), min_value=1)
    reason = _text(_("延期理由"))
    legal_basis = forms.CharField(label=_("延期依据"), max_length=200)
    petitioner_told_on = _date(_("告知信访人日期"))
    petitioner_told_how = forms.CharField(label=_("告知方式"), required=False, max_length=50)
    hints = {"延长期限累计": "days", "告知日期和告知方式": "petitioner_told_on"}

    def run(self) -> str:
        d = self.cleaned_data
        actions.extension_grant(
            actor=self.user,
            case=self.case,
            days=d["days"],
            reason=d["reason"],
            legal_basis=d["legal_basis"],
            petitioner_told_on=d["petitioner_told_on"],
            petitioner_told_how=d["petitioner_told_how"],
        )
        return gettext("已延长办理期限。")


class PauseClockForm(FlowForm):
    action = "pause_clock"
    reason = _text(_("中止计时的理由"))
    legal_basis = forms.CharField(label=_("中止计时的依据"), max_length=200)
    start_on = _date(_("中止日期"))

    def run(self) -> str:
        d = self.cleaned_data
        actions.pause_start(
            actor=self.user,
            case=self.case,
            reason=d["reason"],
            legal_basis=d["legal_basis"],
            start_on=d["start_on"],
        )
        return gettext("已中止计时。")


class ResumeClockForm(FlowForm):
    action = "resume_clock"
    end_on = _date(_("恢复计时日期"))

    def run(self) -> str:
        actions.pause_end(actor=self.user, case=self.case, end_on=self.cleaned_data["end_on"])
        return gettext("已恢复计时。")


# --- review chain, archive ------------------------------------------------------------------


class ReviewApplyForm(FlowForm):
    action = "review_apply"
    applied_on = _date(_("申请日期"))
    request = _text(_("申请事项和理由"), rows=4)
    hints = {"申请日期": "applied_on", "事项和理由": "request", "期限": "applied_on"}

    def run(self) -> str:
        d = self.cleaned_data
        apply = actions.review_apply if self.action == "review_apply" else actions.rereview_apply
        apply(actor=self.user, case=self.case, applied_on=d["applied_on"], request=d["request"])
        return gettext("已%(action)s。") % {"action": ACTION_LABELS[self.action]}


class RereviewApplyForm(ReviewApplyForm):
    action = "rereview_apply"


class ReviewDecideForm(FlowForm):
    action = "review_decide"
    outcome = forms.ChoiceField(
        label=_("结论"), choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    opinion = _text(_("答复意见"), rows=4)
    hints = {"意见": "opinion", "结论": "outcome"}

    def run(self) -> str:
        d = self.cleaned_data
        decide = (
            actions.review_decide if self.action == "review_decide" else actions.rereview_decide
        )
        decide(actor=self.user, case=self.case, outcome=d["outcome"], opinion=d["opinion"])
        return gettext("已%(action)s。") % {"action": ACTION_LABELS[self.action]}


class RereviewDecideForm(ReviewDecideForm):
    action = "rereview_decide"


class ArchiveForm(FlowForm):
    action = "archive"
    help_text = _("归档后案卷封存，只能查阅、打印和导出，不能再作任何修改。")

    def run(self) -> str:
        case = actions.case_archive(actor=self.user, case=self.case)
        return gettext("已归档，档案号%(number)s。") % {"number": case.archive_number}


# --- interviews and attachments --------------------------------------------------------------


class PetitionChoiceMixin(FlowForm):
    def setup(self) -> None:
        field = self.fields["petition"]
        assert isinstance(field, LabelledChoiceField)
        field.queryset = Petition.objects.filter(case=self.case).order_by("received_on", "pk")
        field.labeller = lambda p: (
            f"{p.received_on:%Y-%m-%d} {p.get_channel_display()}：{p.summary[:40]}"
        )
        if field.queryset.count() == 1:
            field.initial = field.queryset.first()


class AddInterviewForm(PetitionChoiceMixin):
    action = "add_interview"
    petition = LabelledChoiceField(label=_("来信来访"), queryset=Petition.objects.none())
    interviewed_at = IsoDateTimeField(label=_("接谈时间"))
    place = forms.CharField(label=_("地点"), required=False, max_length=100)
    statement = _text(_("来访人反映的情况"), required=False)
    requests = _text(_("来访人的要求"))
    answer = _text(_("当场答复"), required=False)

    def run(self) -> str:
        d = self.cleaned_data
        actions.interview_record(
            actor=self.user,
            petition=d["petition"],
            interview=InterviewInput(
                receivers=[self.user],
                interviewed_at=d["interviewed_at"],
                statement=d["statement"],
                requests=d["requests"],
                answer=d["answer"],
                place=d["place"],
            ),
        )
        return gettext("接谈记录已保存。")


class AddAttachmentForm(PetitionChoiceMixin):
    action = "add_attachment"
    petition = LabelledChoiceField(label=_("来信来访"), queryset=Petition.objects.none())
    upload = forms.FileField(label=_("文件"))
    hints = {"文件": "upload", "附件": "upload"}

    def run(self) -> str:
        actions.attachment_add(
            actor=self.user,
            petition=self.cleaned_data["petition"],
            upload=self.cleaned_data["upload"],
        )
        return gettext("附件已上传。")


# --- undoing what matching joined (issue 11) ---------------------------------------------------


class UnlinkRepeatForm(FlowForm):
    """A repeat (R-REPEAT-4), linked at registration by hand or automatically, taken out of
    the case into a case of its own (actions.repeat_unlink)."""

    action = "unlink_repeat"
    partial = "web/case/_unlink_repeat.html"
    petition = LabelledChoiceField(label=_("重信重访件"), queryset=Petition.objects.none())
    reason = _text(_("撤销关联的理由"))
    danger = True
    help_text = _(
        "所选信访件移出本案，另立新案件办理。本案和新案件的办理过程都记录这次撤销及其理由。"
    )
    hints = {"理由": "reason", "重信重访": "petition", "唯一的信访件": "petition"}

    def setup(self) -> None:
        field = self.fields["petition"]
        assert isinstance(field, LabelledChoiceField)
        field.queryset = unlinkable_petitions(self.case)
        field.labeller = lambda p: (
            f"{p.received_on:%Y-%m-%d} {p.get_channel_display()}：{p.summary[:40]}"
        )
        if field.queryset.count() == 1:
            field.initial = field.queryset.first()
        # Which repeats the system linked by itself (the registration's event says so).
        automatic = {
            int(e["payload"]["petition"])
            for e in CaseEvent.objects.filter(
                case=self.case, kind="add_petition", payload__has_key="automatic_repeat_of"
            ).values("payload")
            if "petition" in e["payload"]
        }
        self.repeats = [{"petition": p, "automatic": p.pk in automatic} for p in field.queryset]

    def run(self) -> str:
        d = self.cleaned_data
        new = actions.repeat_unlink(actor=self.user, petition=d["petition"], reason=d["reason"])
        return gettext("已撤销重信重访关联，该信访件另立案件%(number)s。") % {"number": new.number}


class UnmergeForm(FlowForm):
    """R-REPEAT-4 undone: the petitions this case brought to the case it was merged into come
    back, and it returns to the state it was merged from (actions.case_unmerge)."""

    action = "unmerge"
    partial = "web/case/_unmerge.html"
    reason = _text(_("撤销并案的理由"))
    danger = True
    help_text = _(
        "并案时移入对方案件的信访件移回本案，本案回到并案前的状态；"
        "两个案件的办理过程都保留并案和撤销并案的记录。"
    )
    hints = {"理由": "reason"}

    def setup(self) -> None:
        into_id = self.case.merged_into_id
        self.into = Case.objects.filter(pk=into_id).first() if into_id is not None else None

    def run(self) -> str:
        case = actions.case_unmerge(
            actor=self.user, case=self.case, reason=self.cleaned_data["reason"]
        )
        return gettext("已撤销并案，本案回到“%(state)s”状态。") % {
            "state": case.get_state_display()
        }


FLOWS: dict[str, type[FlowForm]] = {
    form.action: form
    for form in (
        ReadForm,
        InstructForm,
        ReportInstructionForm,
        ReportProgressForm,
        ReportUpwardForm,
        HandleHereForm,
        NameHandlerForm,
        TransferDownForm,
        AssignDownForm,
        ReferForm,
        FileForm,
        MergeForm,
        UnmergeForm,
        UnlinkRepeatForm,
        ReceiveAssignmentForm,
        RaiseObjectionForm,
        DecideObjectionForm,
        SubmitClosureForm,
        ApproveClosureForm,
        ReturnClosureForm,
        AcceptReportForm,
        ReturnReportForm,
        ExplainOverdueForm,
        ExtendDeadlineForm,
        PauseClockForm,
        ResumeClockForm,
        ReviewApplyForm,
        RereviewApplyForm,
        ReviewDecideForm,
        RereviewDecideForm,
        ArchiveForm,
        AddInterviewForm,
        AddAttachmentForm,
    )
}
