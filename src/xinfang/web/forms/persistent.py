"""Forms of the register of long-standing petitioners: they translate the page's input
into the keyword arguments of xinfang.persistent.services, nothing more."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.core.citations import on_screen
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, Role, User
from xinfang.persistent.services import DEFAULT_REVIEW_DAYS
from xinfang.web.forms.flows import NamedChoiceField
from xinfang.web.widgets import IsoDateField, name_required


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


def _text(label: Any, *, required: bool = True) -> forms.CharField:
    # Required is checked by the service, which names the rule; the form only carries it.
    del required
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
        name_required(self)

    def show_violation(self, err: RuleViolation) -> None:
        """Each message beside the field it names, else at the top, rule IDs in words."""
        for message in err.messages:
            target = next(
                (n for n, f in self.fields.items() if f.label and str(f.label) in message), None
            )
            self.add_error(target, on_screen(message))


class EntryForm(StyledForm):
    petitioner = forms.TypedChoiceField(label=_("信访人"), coerce=int)
    analysis = _text(_("长期不能结案的原因分析"))
    measures = _text(_("解决的具体措施"))
    leader = NamedChoiceField(label=_("包案领导"), queryset=User.objects.none(), required=False)
    officer = NamedChoiceField(label=_("包案人"), queryset=User.objects.none(), required=False)
    target_on = IsoDateField(label=_("计划化解日期"), required=False)
    # R-REPEAT-2: the service names the allowed range (1 to 366 days).
    review_every_days = forms.IntegerField(
        label=_("定期复查周期（天）"), required=False, initial=DEFAULT_REVIEW_DAYS
    )

    def __init__(
        self, *args: Any, department: Department, petitioners: list[tuple[int, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        staff = User.objects.filter(department=department, is_active=True).order_by("pk")
        leader_field = self.fields["leader"]
        officer_field = self.fields["officer"]
        assert isinstance(leader_field, NamedChoiceField)
        assert isinstance(officer_field, NamedChoiceField)
        leader_field.queryset = staff.filter(staff_roles__role=Role.LEADER).distinct()
        officer_field.queryset = staff
        petitioner_field = self.fields["petitioner"]
        assert isinstance(petitioner_field, forms.TypedChoiceField)
        petitioner_field.choices = petitioners

    def clean_review_every_days(self) -> int:
        """Left empty: the usual period (a month), as the field shows it."""
        value = self.cleaned_data.get("review_every_days")
        return DEFAULT_REVIEW_DAYS if value is None else int(value)


class ReviewForm(StyledForm):
    reviewed_on = IsoDateField(label=_("复查日期"), required=False)
    progress = _text(_("进展情况"))
    next_steps = _text(_("下一步措施"), required=False)


class SettleForm(StyledForm):
    ended_on = IsoDateField(label=_("化解日期"), required=False)
    text = _text(_("化解情况"))


class ConcludeForm(StyledForm):
    ended_on = IsoDateField(label=_("终结日期"), required=False)
    text = _text(_("终结情况"))
    position_statement = _text(_("统一答复口径"))
