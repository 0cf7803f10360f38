"""Printed documents of a case: the list, the A4 print view, and the .docx and PDF files.

Every view reads the case through `get_case_for_user` (404 for missing and forbidden alike)
and builds the document through `cases.documents`, which reads protected material only
through the protection policy (R-PROTECT-1). A document the case does not have (the
acceptance notice under the 1987 rule set, a letter of a case never sent down) is the same
Chinese 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from xinfang.cases.access import get_case_for_user
from xinfang.cases.documents import (
    ACCEPTANCE,
    KINDS,
    Document,
    available_kinds,
    build_document,
    rule_set_is_2022,
)
from xinfang.cases.models import Case
from xinfang.web.docx_render import render_docx
from xinfang.web.pdf_render import render_pdf
from xinfang.web.views.common import staff_page, staff_user

NO_SUCH_DOCUMENT = _("该案件没有这份文书，或您无权查看")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _document(request: HttpRequest, case_id: int, kind: str) -> tuple[Case, Document]:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    doc = build_document(user, case, kind)
    if doc is None:
        raise Http404(NO_SUCH_DOCUMENT)
    return case, doc


@staff_page
def document_list(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    documents = [(kind, KINDS[kind]) for kind in available_kinds(case)]
    return render(
        request,
        "web/documents/index.html",
        {
            "case": case,
            "documents": documents,
            "acceptance_in_force": rule_set_is_2022() or ACCEPTANCE in dict(documents),
        },
    )


@staff_page
def document_view(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    case, doc = _document(request, case_id, kind)
    return render(request, "web/documents/document.html", {"doc": doc, "case": case})


@staff_page
def document_file(request: HttpRequest, case_id: int, kind: str, fmt: str) -> HttpResponse:
    _case, doc = _document(request, case_id, kind)
    if fmt == "docx":
        body = render_docx(doc)
    else:
        body = render_pdf(render_to_string("web/documents/pdf.html", {"doc": doc}))
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    header = content_disposition_header(as_attachment=True, filename=f"{doc.file_stem}.{fmt}")
    response["Content-Disposition"] = header or "attachment"
    return response
