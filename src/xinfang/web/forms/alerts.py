"""The forms of a warning's steps (确认, 交办, 处置, 关闭): they carry the page's input to
xinfang.alerts.services.warning_step, which checks it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import Department, User
from xinfang.web.forms.flows import NamedChoiceField
from xinfang.web.forms.persistent import StyledForm


def _note(label: Any) -> forms.CharField:
    # Whether a note is required is the service's rule (处置、关闭 need one).
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AcknowledgeForm(StyledForm):
    note = _note(_("说明"))


class AssignForm(StyledForm):
    assignee = NamedChoiceField(label=_("承办人"), queryset=User.objects.none(), required=False)
    note = _note(_("交办意见"))

    def __init__(self, *args: Any, department: Department, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["assignee"]
        assert isinstance(field, NamedChoiceField)
        field.queryset = User.objects.filter(department=department, is_active=True).order_by("pk")


class ActForm(StyledForm):
    note = _note(_("处置情况"))


class CloseForm(StyledForm):
    note = _note(_("处置情况"))
