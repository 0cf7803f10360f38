"""URLs of the printed documents (included from web/urls.py at "documents/")."""

from __future__ import annotations

from django.urls import path, register_converter

from xinfang.cases.documents import KINDS
from xinfang.web.views import documents


class KindConverter:
    """One of the document kinds (cases/documents.py: KINDS)."""

    regex = "|".join(KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FormatConverter:
    """A download format: Word (.docx) or PDF."""

    regex = "docx|pdf"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "dockind")
register_converter(FormatConverter, "docfmt")

urlpatterns = [
    path("<int:case_id>/", documents.document_list, name="documents"),
    path("<int:case_id>/<dockind:kind>/", documents.document_view, name="document"),
    path(
        "<int:case_id>/<dockind:kind>.<docfmt:fmt>",
        documents.document_file,
        name="document_file",
    ),
]
