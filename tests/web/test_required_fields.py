"""`name_required` (web/widgets.py): an empty required field's message names the field, in
the words of the actions' own checks, whatever kind of field it is."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.web.widgets import IsoDateField, IsoDateTimeField, name_required


class _Every(forms.Form):
    text = forms.CharField(label="批示内容")
    when = IsoDateField(label="收到日期")
    kind = forms.ChoiceField(label="信访形式", choices=[("letter", "来信")])
    many = forms.MultipleChoiceField(label="接谈人", choices=[("1", "甲")])
    agreed = forms.BooleanField(label="已告知")
    upload = forms.FileField(label="文件")
    own = forms.CharField(label="年份", error_messages={"required": "请填写年份。"})
    optional = forms.CharField(label="备注", required=False)
    unlabelled = forms.CharField(label="")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        name_required(self)


def test_each_kind_of_field_says_what_is_missing() -> None:
    form = _Every(data={"optional": ""})
    assert not form.is_valid()
    assert form.errors == {
        "text": ["“批示内容”不能为空。"],
        "when": ["“收到日期”不能为空。"],
        "kind": ["请选择“信访形式”。"],
        "many": ["请选择“接谈人”。"],
        "agreed": ["请勾选“已告知”。"],
        "upload": ["请选择要上传的“文件”。"],
        "own": ["请填写年份。"],  # a message of its own is kept
        "unlabelled": ["这个字段是必填项。"],  # no label to name: Django's words stay
    }


def test_blank_text_is_empty_too_and_filled_fields_pass() -> None:
    refused = _Every(data={"text": "   ", "when": "2026-12-05", "kind": "letter"})
    assert refused.errors["text"] == ["“批示内容”不能为空。"]
    assert "when" not in refused.errors and "kind" not in refused.errors
    accepted = _Every(
        data={
            "text": "抓紧办理",
            "when": "2026-12-05",
            "kind": "letter",
            "many": ["1"],
            "agreed": "on",
            "own": "2026",
            "unlabelled": "x",
        },
        files={"upload": SimpleUploadedFile("a.txt", b"x")},
    )
    assert accepted.is_valid(), accepted.errors


def test_a_form_built_twice_keeps_each_its_own_messages() -> None:
    """The messages are set on the form's own copy of its fields, not the class's."""
    _Every()
    assert forms.CharField().error_messages["required"] == "这个字段是必填项。"
    assert _Every.base_fields["text"].error_messages["required"] == "这个字段是必填项。"


class _Dates(forms.Form):
    day = IsoDateField(label="收到日期")
    moment = IsoDateTimeField(label="接谈时间")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        name_required(self)


def test_spaces_in_a_date_are_an_empty_date_not_a_wrong_one() -> None:
    blank = _Dates(data={"day": "   ", "moment": " "})
    assert blank.errors == {
        "day": ["“收到日期”不能为空。"],
        "moment": ["“接谈时间”不能为空。"],
    }
    padded = _Dates(data={"day": " 2026-12-05 ", "moment": " 2026-12-05 09:30 "})
    assert padded.is_valid(), padded.errors
    assert padded.cleaned_data["day"].isoformat() == "2026-12-05"
    wrong = _Dates(data={"day": "12/05/2026", "moment": "12/05/2026 09:30"})
    assert wrong.errors == {
        "day": ["请按“年-月-日”填写日期，例如2025-03-12。"],
        "moment": ["请按“年-月-日 时:分”填写时间，例如2025-03-12 09:30。"],
    }
