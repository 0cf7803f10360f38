"""The registration page's forms (登记): the petition, its petitioners and respondents, the
interview of a visit, the cadre a personal request concerns, attachments.

The forms only carry what was typed; every rule is checked by `petition_register`
(cases/actions/intake.py), whose Chinese refusals `place_messages` puts beside the field
each names. Fields are not `required` here for that reason: one set of checks, one set of
messages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.core.citations import on_screen
from xinfang.orgs.models import Cadre, CadreRank, Department, Jurisdiction, User
from xinfang.petitions.models import Channel, Source
from xinfang.routing.terms import AnonymousTreatment, Category, Nature
from xinfang.web.widgets import (
    DepartmentSearchInput,
    IsoDateField,
    IsoDateTimeField,
    name_required,
)

TOP = "__all__"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (drag and drop adds to it: static/web/register.js)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _blank(choices: Iterable[tuple[str, StrOrPromise]]) -> list[tuple[str, Any]]:
    return [("", _("—— 请选择 ——")), *choices]


class JurisdictionChoiceField(forms.ModelChoiceField[Jurisdiction]):
    def label_from_instance(self, obj: Jurisdiction) -> str:
        return obj.name


def styled(form: forms.BaseForm) -> None:
    """Bootstrap's classes on every widget (the templates render widgets whole), and an empty
    required field's message naming the field (`name_required`)."""
    name_required(form)
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):  # SelectMultiple too
            css = "form-select"
        else:
            css = "form-control"
        # Keep a widget's own marker classes (iso-date) beside Bootstrap's.
        own = [c for c in str(widget.attrs.get("class", "")).split() if not c.startswith("form-")]
        widget.attrs["class"] = " ".join([css, *own])


class RegistrationForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("信访形式"),
        choices=Channel.choices,
        initial=Channel.LETTER,
        widget=forms.RadioSelect,
    )
    received_on = IsoDateField(label=_("收到日期"))
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.DIRECT)
    # Picked by a typed search (web:register_departments), not a select of every department
    # of the deployment; checked again here against what the source allows.
    source_department = forms.ModelChoiceField(
        label=_("转来部门"),
        queryset=Department.objects.none(),
        required=False,
        widget=DepartmentSearchInput(source_field="source"),
        error_messages={"invalid_choice": _("所选转来部门不存在，请重新查找选择。")},
    )
    source_reference = forms.CharField(label=_("来文编号"), max_length=60, required=False)

    summary = forms.CharField(
        label=_("内容摘要"), max_length=200, required=False, widget=forms.TextInput()
    )
    content = forms.CharField(
        label=_("信件全文或接谈内容"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    category = forms.ChoiceField(
        label=_("问题类别"), choices=_blank(Category.choices), required=False
    )
    nature = forms.ChoiceField(label=_("信访性质"), choices=_blank(Nature.choices), required=False)

    is_anonymous = forms.BooleanField(label=_("匿名信访"), required=False)
    anonymous_treatment = forms.ChoiceField(
        label=_("匿名信处理方式"), choices=_blank(AnonymousTreatment.choices), required=False
    )
    anonymous_reason = forms.CharField(
        label=_("选择该处理方式的理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    is_collective = forms.BooleanField(label=_("集体信访"), required=False)
    head_count = forms.IntegerField(label=_("人数"), min_value=1, initial=1, required=False)
    collective_origin = forms.CharField(label=_("来自单位或地方"), max_length=100, required=False)

    repeat_of = forms.CharField(
        label=_("关联已有案件（重信重访）"),
        max_length=40,
        required=False,
        help_text=_("填写本部门已有案件的编号；在信访人查询结果中可直接选择。"),
    )

    # 当事干部 of a personal request (R-CAT-4): picked from the directory, or typed.
    concerned_cadre = forms.ModelChoiceField(
        queryset=Cadre.objects.all(), required=False, widget=forms.HiddenInput
    )
    concerned_name = forms.CharField(label=_("当事干部姓名"), max_length=50, required=False)
    concerned_unit = forms.CharField(label=_("单位"), max_length=100, required=False)
    concerned_post_title = forms.CharField(label=_("职务"), max_length=100, required=False)
    concerned_rank = forms.ChoiceField(
        label=_("职级"), choices=_blank(CadreRank.choices), required=False
    )
    concerned_managing_jurisdiction = JurisdictionChoiceField(
        label=_("干部管理权限所在党委"),
        queryset=Jurisdiction.objects.none(),
        required=False,
        empty_label=_("—— 请选择 ——"),
    )

    # The interview of a visit (R-INTAKE-2).
    receivers = forms.ModelMultipleChoiceField(
        label=_("接谈人"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    interviewed_at = IsoDateTimeField(label=_("接谈时间"), required=False)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    statement = forms.CharField(
        label=_("来访人反映的情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    requests = forms.CharField(
        label=_("来访人的要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    answer = forms.CharField(
        label=_("当场答复"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    attachments = MultipleFileField(label=_("附件"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dept = user.department
        assert dept is not None  # staff pages are for staff of a department
        now = timezone.localtime()
        self.fields["received_on"].initial = now.date()
        self.fields["interviewed_at"].initial = now.replace(second=0, microsecond=0)
        self.fields["receivers"].initial = [user.pk]
        source_department = self.fields["source_department"]
        assert isinstance(source_department, forms.ModelChoiceField)
        source_department.queryset = Department.objects.exclude(pk=dept.pk).select_related(
            "jurisdiction"
        )
        self.department = dept
        receivers = self.fields["receivers"]
        assert isinstance(receivers, forms.ModelMultipleChoiceField)
        receivers.queryset = User.objects.filter(department=dept, is_active=True).order_by(
            "full_name", "username"
        )
        managing = self.fields["concerned_managing_jurisdiction"]
        assert isinstance(managing, forms.ModelChoiceField)
        managing.queryset = jurisdictions()
        styled(self)
        for name in ("concerned_name", "concerned_post_title", "concerned_unit"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["concerned_name"].widget.attrs["data-cadre-search"] = "1"
        for name, role in (
            ("concerned_cadre", "cadre"),
            ("concerned_name", "name"),
            ("concerned_unit", "unit"),
            ("concerned_post_title", "post_title"),
            ("concerned_rank", "rank"),
            ("concerned_managing_jurisdiction", "managing_jurisdiction"),
        ):
            self.fields[name].widget.attrs["data-cadre-field"] = role

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = data.get("source_department")
        if (
            picked is not None
            and data.get("source") == Source.UPPER_LEVEL
            and not source_departments(self.department, Source.UPPER_LEVEL)
            .filter(pk=picked.pk)
            .exists()
        ):
            self.add_error(
                "source_department",
                _("上级转交办的，转来部门须是上级党委的部门，请重新选择。"),
            )
        return data


MAX_DEPARTMENTS = 20


def source_departments(dept: Department, source: str) -> QuerySet[Department]:
    """The departments a petition may have come from (R-INTAKE-6): from above, those of the
    jurisdictions above `dept`'s; from another department, any department but `dept`."""
    rows = Department.objects.exclude(pk=dept.pk).select_related("jurisdiction")
    if source == Source.UPPER_LEVEL:
        above = [int(p) for p in dept.jurisdiction.path.strip("/").split("/") if p]
        rows = rows.filter(jurisdiction_id__in=above).exclude(jurisdiction_id=dept.jurisdiction_id)
    return rows.order_by("jurisdiction__path", "kind", "name")


def department_matches(dept: Department, source: str, query: str) -> list[Department]:
    """At most MAX_DEPARTMENTS departments of `source_departments` whose name or whose
    jurisdiction's name contains `query`; with nothing typed, those from above (a handful)."""
    rows = source_departments(dept, source)
    words = query.split()
    if not words and source != Source.UPPER_LEVEL:
        return []
    for word in words:
        rows = rows.filter(Q(name__contains=word) | Q(jurisdiction__name__contains=word))
    return list(rows[:MAX_DEPARTMENTS])


def jurisdictions() -> Any:
    return Jurisdiction.objects.exclude(level="township").order_by("path")


class PetitionerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=24, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    work_unit = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    # Issue 11 item 1: an online petitioner's board account, an identifier like the phone
    # (PetitionerInput keeps it in the stored form, petitions.services.board_account).
    account = forms.CharField(
        label=_("网上信访账号"),
        max_length=100,
        required=False,
        help_text=_("网上信访时填写，格式为“留言板名称:账号”；只填账号时视为网上留言板的账号"),
    )
    is_representative = forms.BooleanField(label=_("代表"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)
        for name in ("name", "id_number", "phone", "account"):
            attrs = self.fields[name].widget.attrs
            attrs["data-lookup"] = name  # static/web/register.js asks the look-up
            attrs["autocomplete"] = "off"
        self.fields["id_number"].widget.attrs["data-idcheck"] = "1"
        self.fields["id_number"].widget.attrs["inputmode"] = "text"
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        for name in ("name", "address", "work_unit"):
            self.fields[name].widget.attrs["data-fill"] = name


class RespondentForm(forms.Form):
    cadre = forms.ModelChoiceField(
        queryset=Cadre.objects.all(), required=False, widget=forms.HiddenInput
    )
    name = forms.CharField(label=_("姓名或单位"), max_length=100, required=False)
    unit = forms.CharField(label=_("单位"), max_length=100, required=False)
    post_title = forms.CharField(label=_("职务"), max_length=100, required=False)
    jurisdiction = JurisdictionChoiceField(
        label=_("任职地区或单位"),
        queryset=Jurisdiction.objects.none(),
        required=False,
        empty_label=_("—— 任职地区或单位 ——"),
    )

    def __init__(self, *args: Any, jurisdiction_choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["jurisdiction"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = jurisdictions()
        if jurisdiction_choices is not None:
            # One query for every row of the formset, not one per row.
            field.choices = jurisdiction_choices
        styled(self)
        self.fields["name"].widget.attrs.update({"data-cadre-search": "1", "autocomplete": "off"})
        for name in ("cadre", "name", "unit", "post_title", "jurisdiction"):
            self.fields[name].widget.attrs["data-cadre-field"] = name


PetitionerFormSet = formset_factory(PetitionerForm, extra=1, max_num=50)
RespondentFormSet = formset_factory(RespondentForm, extra=1, max_num=20)


def filled(formset: BaseFormSet[Any]) -> list[dict[str, Any]]:
    """The rows the registrar typed something into, in order."""
    return [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]


# Where each refusal of `petition_register` belongs on the page. A message that names no
# field goes to the top. These match the service's own words, not words shown, so they are
# not marked for translation.
_FIELD_OF_MESSAGE: Sequence[tuple[str, str]] = (
    ("信访形式", "channel"),
    ("收到日期", "received_on"),
    ("内容摘要", "summary"),
    ("信件全文或接谈内容", "content"),
    ("问题类别", "category"),
    ("信访性质", "nature"),
    ("匿名信访须选择处理方式", "anonymous_treatment"),
    ("匿名信访须说明", "anonymous_reason"),
    ("集体信访的人数", "head_count"),
    ("集体信访须登记代表", "is_collective"),
    ("集体信访推选的代表", "is_collective"),
    ("人数不能少于", "head_count"),
    ("请选择来源", "source"),
    ("转来部门或来文编号", "source_reference"),
    ("当事干部的现任职务", "concerned_post_title"),
    ("当事干部的职级", "concerned_rank"),
    ("管理当事干部的党委", "concerned_managing_jurisdiction"),
    ("当事干部", "concerned_name"),
    ("接谈人", "receivers"),
    ("“来访人反映的情况”", "statement"),
    ("“来访人的要求”", "requests"),
    ("“当场答复”", "answer"),
    ("来访须同时填写接谈记录", "statement"),
    ("关联本部门的案件", "repeat_of"),
    ("附件“", "attachments"),
)
_PETITIONER = re.compile(r"^第(\d+)位信访人")
_RESPONDENT = re.compile(r"第(\d+)位被反映人")


def place_messages(
    messages: Sequence[str],
    form: forms.Form,
    petitioners: BaseFormSet[Any],
    respondents: BaseFormSet[Any],
    petitioner_rows: Sequence[int],
    respondent_rows: Sequence[int],
) -> list[str]:
    """Put each message beside its field (on the row of the petitioner or respondent it
    names); return those that name none, for the top of the page. `*_rows` map the n-th
    filled row the service saw to its form's index in the formset."""
    top: list[str] = []
    for raw in messages:
        text = on_screen(raw)  # rule IDs become the notice's words
        if m := _PETITIONER.match(raw):
            index = int(m.group(1)) - 1
            if index < len(petitioner_rows):
                row = petitioners.forms[petitioner_rows[index]]
                row.add_error("id_number" if "身份证" in raw else "name", text)
                continue
        if m := _RESPONDENT.search(raw):
            index = int(m.group(1)) - 1
            if index < len(respondent_rows):
                respondents.forms[respondent_rows[index]].add_error("name", text)
                continue
        name = next((f for words, f in _FIELD_OF_MESSAGE if words in raw), None)
        if name is None:
            top.append(text)
        else:
            form.add_error(name, text)
    return top
