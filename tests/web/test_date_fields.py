"""Every date field of the handlers' pages shows and reads 年-月-日 (yyyy-mm-dd) whatever the
browser's locale: a text input with a pattern and a 年-月-日 placeholder, never the
browser's own date input (which an English browser shows as mm/dd/yyyy); the server reads
yyyy-mm-dd only and refuses anything else in Chinese (docs/decisions.md)."""

from __future__ import annotations

import datetime as dt
import re

from django import forms

from tests.builders import register, to_read
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.web.forms.flows import FLOWS
from xinfang.web.forms_register import RegistrationForm
from xinfang.web.views.lists import CaseFilterForm
from xinfang.web.views.review_application import ReviewApplicationForm
from xinfang.web.widgets import IsoDateField, IsoDateTimeField


def _date_fields(form_class: type[forms.Form], **kw: object) -> dict[str, forms.Field]:
    form = form_class(**kw)
    return {
        name: f
        for name, f in form.fields.items()
        if isinstance(f, (forms.DateField, forms.DateTimeField))
    }


def test_every_date_field_is_a_yyyy_mm_dd_text_field(tree: Tree) -> None:
    case = to_read(register(tree.city_staff), tree.city_staff)
    found = []
    for flow, form_class in FLOWS.items():
        for name, field in _date_fields(form_class, case=case, user=tree.city_staff).items():
            found.append(f"{flow}.{name}")
            assert isinstance(field, (IsoDateField, IsoDateTimeField)), (flow, name)
    for name, field in _date_fields(ReviewApplicationForm).items():
        found.append(f"review.{name}")
        assert isinstance(field, IsoDateField), name
    for name, field in CaseFilterForm.base_fields.items():
        if isinstance(field, forms.DateField):
            found.append(f"filter.{name}")
            assert isinstance(field, IsoDateField), name
    # The fields written here, so a new date field is seen (and must be one of these).
    assert "refer.explained_on" in found and "add_interview.interviewed_at" in found
    assert "review.applied_on" in found and "filter.registered_from" in found


def test_the_field_shows_yyyy_mm_dd_and_reads_only_that() -> None:
    field = IsoDateField()
    html = field.widget.render("d", dt.date(2025, 3, 12))
    assert 'type="text"' in html and 'value="2025-03-12"' in html
    assert 'placeholder="年-月-日"' in html and 'lang="zh-CN"' in html
    assert re.search(r'pattern="[^"]+"', html)
    assert field.clean("2025-03-12") == dt.date(2025, 3, 12)
    for typed in ("03/12/2025", "12/03/2025", "2025年3月12日", "2025-13-01"):
        try:
            field.clean(typed)
        except forms.ValidationError as err:
            assert err.messages == ["请按“年-月-日”填写日期，例如2025-03-12。"]
        else:
            raise AssertionError(typed)
    when = IsoDateTimeField()
    assert 'placeholder="年-月-日 时:分"' in when.widget.render("t", None)
    assert when.clean("2025-03-12 09:30").strftime("%Y-%m-%d %H:%M") == "2025-03-12 09:30"


def test_a_date_typed_the_american_way_is_refused_beside_its_field(tree: Tree) -> None:
    case = to_read(register(tree.city_staff), tree.city_staff)
    url = f"/cases/{case.pk}/do/instruct/"
    response = staff_client(tree.city_staff).post(url, {"text": "阅", "due_on": "03/12/2030"})
    assert response.status_code == 400
    assert "请按“年-月-日”填写日期，例如2025-03-12。" in response.content.decode()


def test_the_registration_page_reads_yyyy_mm_dd_too(tree: Tree) -> None:
    form = RegistrationForm(user=tree.city_staff)
    assert isinstance(form.fields["received_on"], IsoDateField)
    assert isinstance(form.fields["interviewed_at"], IsoDateTimeField)
    html = staff_client(tree.city_staff).get("/register/").content.decode()
    assert 'type="date"' not in html and 'type="datetime-local"' not in html
    assert 'placeholder="年-月-日"' in html and 'placeholder="年-月-日 时:分"' in html
