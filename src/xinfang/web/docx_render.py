"""A document (cases/documents.py) as a Word file an office can edit (python-docx).

Every run gets an explicit East Asian font (w:eastAsia): Word picks the font of Chinese text
from that attribute alone, and without it falls back to whatever the template's theme says.
宋体 for the body and 黑体 for headings are on every Chinese office PC (docs/decisions.md).
"""

from __future__ import annotations

import io

from django.utils.translation import gettext
from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.styles.style import CharacterStyle, ParagraphStyle
from docx.text.run import Run

from xinfang.cases.documents import (
    Document,
    Fields,
    Heading,
    Note,
    Paragraph,
    Signature,
    Table,
)

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"


def _east_asian(element: object, font: str) -> None:
    """Set w:rFonts/@w:eastAsia on a run's or a style's properties."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)


def _style_fonts(style: ParagraphStyle | CharacterStyle, font: str, size: float) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    _east_asian(style.element, font)


def _run(paragraph: object, text: str, *, bold: bool = False, font: str = BODY_FONT) -> Run:
    run: Run = paragraph.add_run(text)  # type: ignore[attr-defined]
    run.bold = bold
    _east_asian(run._r, font)
    return run


def render_docx(doc: Document) -> bytes:
    word = new_docx()
    section = word.sections[0]
    # A4, the margins of official documents (GB/T 9704: 37 mm top, 28 mm left).
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    styles = word.styles
    _style_fonts(styles["Normal"], BODY_FONT, 12)
    for name in ("Title", "Heading 1", "Heading 2"):
        _style_fonts(styles[name], HEADING_FONT, 18 if name == "Title" else 14)
    word.core_properties.title = doc.title
    word.core_properties.author = ""

    title = word.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, doc.title, font=HEADING_FONT)
    number = word.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(number, gettext("案件编号：%(number)s") % {"number": doc.case_number})

    for block in doc.blocks:
        if isinstance(block, Heading):
            heading = word.add_paragraph(style="Heading 2")
            _run(heading, block.text, font=HEADING_FONT)
        elif isinstance(block, Paragraph):
            para = word.add_paragraph()
            if block.label:
                _run(para, block.label, bold=True)
            _run(para, block.text)
        elif isinstance(block, Note):
            para = word.add_paragraph()
            _run(para, block.text, bold=True)
        elif isinstance(block, Fields):
            table = word.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in block.rows:
                cells = table.add_row().cells
                _run(cells[0].paragraphs[0], label, bold=True)
                _run(cells[1].paragraphs[0], value)
            word.add_paragraph()
        elif isinstance(block, Table):
            table = word.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
                _run(cell.paragraphs[0], header, bold=True)
            for row in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    _run(cell.paragraphs[0], value)
            word.add_paragraph()
        elif isinstance(block, Signature):
            for line in block.lines:
                para = word.add_paragraph()
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _run(para, line)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
