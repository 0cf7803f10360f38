"""Date and date-time fields that read and show 年-月-日 (yyyy-mm-dd) whatever the browser.

A browser's own date input formats the date by the browser's locale (mm/dd/yyyy in an
English one), not by the page's language, and an office machine may be set up in English.
These fields are text inputs with a pattern and a 年-月-日 placeholder, shown as
yyyy-mm-dd and parsed on the server as yyyy-mm-dd only, so what is typed means the same on
every machine (docs/decisions.md).

Also the department picked by a typed search (`DepartmentSearchInput`), and the words of
an empty required field (`name_required`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import Department

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
DATE_PATTERN = r"\d{4}-\d{1,2}-\d{1,2}"
DATETIME_PATTERN = r"\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}"


def _attrs(pattern: str, placeholder: Any, size: int, attrs: dict[str, Any] | None) -> Any:
    return {
        "pattern": pattern,
        "placeholder": placeholder,
        "inputmode": "numeric",
        "autocomplete": "off",
        "maxlength": str(size),
        "lang": "zh-CN",
        "class": "form-control iso-date",
        **(attrs or {}),
    }


class IsoDateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=_attrs(DATE_PATTERN, _("年-月-日"), 10, attrs), format=DATE_FORMAT)


class IsoDateTimeInput(forms.DateTimeInput):
    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs=_attrs(DATETIME_PATTERN, _("年-月-日 时:分"), 16, attrs), format=DATETIME_FORMAT
        )


def _stripped(value: Any) -> Any:
    # Spaces alone are an empty field (its required message), not a wrongly written date.
    return value.strip() if isinstance(value, str) else value


class IsoDateField(forms.DateField):
    """A date typed as 年-月-日 (2025-03-12), and only so."""

    widget = IsoDateInput
    input_formats = [DATE_FORMAT]
    default_error_messages = {"invalid": _("请按“年-月-日”填写日期，例如2025-03-12。")}

    def to_python(self, value: Any) -> Any:
        return super().to_python(_stripped(value))


class IsoDateTimeField(forms.DateTimeField):
    """A date and time typed as 年-月-日 时:分 (2025-03-12 09:30)."""

    widget = IsoDateTimeInput
    input_formats = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M"]
    default_error_messages = {"invalid": _("请按“年-月-日 时:分”填写时间，例如2025-03-12 09:30。")}

    def to_python(self, value: Any) -> Any:
        return super().to_python(_stripped(value))


class DepartmentSearchInput(forms.Widget):
    """A department picked by typing a word of its name or its place, not a select of every
    department of the deployment: a hidden input holding the id, a search box, and the
    matches fetched while typing from web:register_departments (static/web/departments.js;
    keyboard: type, ↓ into the matches, ↑/↓, Enter picks, Esc back to typing).

    `source_field` names a field of the same form whose value is sent with the query as
    `source` (the registration's 来源, which narrows what may be picked); without it any
    department but the user's own is offered. The field using the widget checks again on
    the server what was picked (its queryset): the page only helps to find it."""

    template_name = "web/widgets/department_search.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, source_field: str = "") -> None:
        super().__init__(attrs)
        self.source_field = source_field

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        raw = str(widget["value"] or "")
        # The name shown in the box for the department picked (a form sent back); an id that
        # names no department is not kept: the field's refusal says so beside it.
        found = (
            Department.objects.filter(pk=int(raw)).values_list("name", flat=True).first()
            if raw.isdigit()
            else None
        )
        widget["value"] = raw if found is not None else ""
        widget["label"] = found or ""
        base = widget["attrs"].get("id") or name
        widget["search_id"] = f"{base}-search"
        widget["results_id"] = f"{base}-results"
        widget["url"] = reverse("web:register_departments")
        widget["source_field"] = self.source_field
        return context

    def id_for_label(self, id_: str) -> str:
        """The label names the search box, where the user types."""
        return f"{id_}-search" if id_ else id_


def name_required(form: forms.BaseForm) -> None:
    """An empty required field says which field, in the actions' own words: “批示内容”不能为空。
    for what is typed, 请选择“承办人”。 for what is picked (Django's 这个字段是必填项。 said
    neither, beside the actions' checks that name the field; docs/decisions.md). A field
    with a message of its own keeps it."""
    default = forms.Field.default_error_messages["required"]
    for field in form.fields.values():
        if not field.required or not field.label:
            continue
        if field.error_messages.get("required") != default:
            continue
        label = field.label
        if isinstance(field, forms.FileField):
            message = gettext("请选择要上传的“%(label)s”。") % {"label": label}
        elif isinstance(field, forms.BooleanField):
            message = gettext("请勾选“%(label)s”。") % {"label": label}
        elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            message = gettext("请选择“%(label)s”。") % {"label": label}
        else:
            message = gettext("“%(label)s”不能为空。") % {"label": label}
        field.error_messages["required"] = message
