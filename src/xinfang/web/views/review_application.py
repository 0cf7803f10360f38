"""登记复查、复核申请 (2022 rules): the department one level up registers a petitioner's
application against a case of a department below, found by its number
(`cases.access.case_for_review_application`), then works on it from the case page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.cases import actions
from xinfang.cases.access import case_for_review_application
from xinfang.cases.models import ReviewStage
from xinfang.core.citations import on_screen
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Role
from xinfang.web.views.common import form_status, staff_page, staff_user
from xinfang.web.widgets import IsoDateField, name_required

NOT_FOUND = _(
    "本部门没有可以受理复查、复核申请的该编号案件："
    "须是下一级同类部门已办结、仍可申请的案件，请核对编号。"
)


class ReviewApplicationForm(forms.Form):
    number = forms.CharField(label=_("案件编号"), max_length=40)
    applied_on = IsoDateField(label=_("申请日期"), initial=timezone.localdate)
    request = forms.CharField(label=_("申请事项和理由"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        name_required(self)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


@staff_page
def review_application(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not user.has_role(Role.REGISTRAR):
        raise PermissionDenied(gettext("只有登记员可以登记复查、复核申请。"))
    form = ReviewApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_for_review_application(user, data["number"])
        except Http404:
            form.add_error("number", NOT_FOUND)
        else:
            apply = (
                actions.review_apply
                if case.review_stage == ReviewStage.NONE
                else actions.rereview_apply
            )
            try:
                apply(actor=user, case=case, applied_on=data["applied_on"], request=data["request"])
            except RuleViolation as err:
                for message in err.messages:
                    field = "applied_on" if "日期" in message or "期限" in message else None
                    form.add_error(field, on_screen(message))
            else:
                label = (
                    gettext("复查") if case.review_stage == ReviewStage.NONE else gettext("复核")
                )
                messages.success(
                    request,
                    gettext("已登记案件%(number)s的%(kind)s申请。")
                    % {"number": case.number, "kind": label},
                )
                return redirect("web:case", case.pk)
    return render(
        request,
        "web/review_application.html",
        {"form": form, "nav": "review_application"},
        status=form_status(form),
    )
