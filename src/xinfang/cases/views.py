"""Case file pages: read and print in the browser, export as JSON (R-CLOSE-7)."""

from __future__ import annotations

import json

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from xinfang.cases.access import get_case_for_user
from xinfang.cases.casefile import case_file, case_file_export
from xinfang.orgs.models import User


@staff_member_required
def case_file_view(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    case = get_case_for_user(user, case_id)
    file = case_file(user, case)
    if request.GET.get("format") == "json":
        body = json.dumps(case_file_export(file), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        name = case.archive_number or case.number
        header = content_disposition_header(as_attachment=True, filename=f"casefile-{name}.json")
        response["Content-Disposition"] = header or "attachment"
        return response
    return render(request, "cases/case_file.html", {"file": file})
