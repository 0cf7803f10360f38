"""A document's print view as PDF (WeasyPrint): the same HTML and A4 stylesheet the browser
prints, laid out by Pango with a CJK font from the system (fonts-wqy-microhei; `./dev`
installs it and the Pango libraries). WeasyPrint embeds the subset of the font used."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML

STYLESHEET = "web/documents.css"


def _fetch_nothing(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    """Documents carry no images or links; nothing outside is ever fetched."""
    raise ValueError(f"documents fetch nothing: {url}")


def render_pdf(html: str) -> bytes:
    path = finders.find(STYLESHEET)
    assert isinstance(path, str), f"static file {STYLESHEET} is missing"
    pdf: bytes | None = HTML(string=html, url_fetcher=_fetch_nothing).write_pdf(
        stylesheets=[CSS(filename=path, url_fetcher=_fetch_nothing)]
    )
    assert pdf is not None
    return pdf
