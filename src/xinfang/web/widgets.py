"""Date and date-time fields that read and show 年-月-日 (yyyy-mm-dd) whatever the browser.

A browser's own date input formats the date by the browser's locale (mm/dd/yyyy in an
English one), not by the page's language, and an office machine may be set up in English.
These fields are text inputs with a pattern and a 年-月-日 placeholder, shown as
yyyy-mm-dd and parsed on the server as yyyy-mm-dd only, so what is typed means the same on
every machine (docs/decisions.md).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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


class IsoDateField(forms.DateField):
    """A date typed as 年-月-日 (2025-03-12), and only so."""

    widget = IsoDateInput
    input_formats = [DATE_FORMAT]
    default_error_messages = {"invalid": _("请按“年-月-日”填写日期，例如2025-03-12。")}


class IsoDateTimeField(forms.DateTimeField):
    """A date and time typed as 年-月-日 时:分 (2025-03-12 09:30)."""

    widget = IsoDateTimeInput
    input_formats = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M"]
    default_error_messages = {"invalid": _("请按“年-月-日 时:分”填写时间，例如2025-03-12 09:30。")}
