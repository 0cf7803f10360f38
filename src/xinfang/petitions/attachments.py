"""What an attachment really is (R-INTAKE-1), judged from its bytes, never from its name or
the browser's declared type alone.

Accepted: PDF, JPEG, PNG and old Word (.doc) by their magic bytes; Word documents (.docx)
after opening the zip and inflating every member under a size and ratio limit; plain text in
UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (which covers GBK and GB2312, what
Chinese office PCs save), decoded whole so that no character is cut. Refused: anything a
browser or a shell would run (HTML, SVG/XML, script tags, PHP/ASP/JSP, shebang and batch
scripts), Word files with macros, archive bombs and malformed archives.

Why no type-detection library: puremagic (maintained) and filetype (last release 2022) were
tried on this job. Both recognise the five binary signatures we accept, which are one line
each; neither decodes text whole, neither finds HTML after leading whitespace nor PHP or
shell scripts (puremagic calls JavaScript "MATLAB"), neither can tell .docx from .xlsx
without reading the zip, and neither guards against zip bombs. The hard parts are here
either way, so the signatures stay here too.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.core.errors import RuleViolation

DOCX = ".docx"
TEXT = ".txt"

# Binary formats by their first bytes (the formats' published signatures).
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),  # OLE2 compound file
    DOCX: (b"PK\x03\x04",),
}

# Office Open XML: the parts without which the file is not a Word document.
_OOXML_REQUIRED: dict[str, tuple[str, ...]] = {
    DOCX: ("[Content_Types].xml", "word/document.xml"),
}

_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

_READ_CHUNK = 64 * 1024

# Text: the control characters a letter may hold (tab, line breaks, form feed, the old DOS
# end-of-file mark); any other C0 control means binary content under a .txt name.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f]")

# Markup or script anywhere in a text file. A petition letter has no reason to contain a tag
# like these, and a browser that ignored the declared type would run them.
_ACTIVE_ANYWHERE = re.compile(
    r"<\s*/?\s*(?:script|html|body|head|iframe|frame|frameset|object|embed|applet|svg|math"
    r"|meta|link|style|img|image|form|base|xml|xsl|template)\b"
    r"|<\?(?:php|xml|=)|<%|<!doctype|<!--|<!\[cdata\["
    r"|(?:java|vb)script\s*:"
    # Any tag with an event handler attribute (<details ontoggle=...>, <video onerror=...>).
    r"|<[a-z][^<>]*\son[a-z]+\s*=",
    re.IGNORECASE,
)
# At the start (after a BOM and white space): any markup, which is how a browser sniffs HTML
# (WHATWG MIME Sniffing, "identifying a resource with an unknown MIME type"), or a script
# header: shebang (sh, python, node, ...), Windows batch.
_ACTIVE_START = re.compile(r"\s*(?:<[!?/a-z]|#!|@echo\b)", re.IGNORECASE)
# Longest text a pattern above needs to see across a chunk edge.
_OVERLAP = 32


@dataclass(frozen=True)
class Checked:
    """An upload that passed every check, with what the service stores about it."""

    upload: UploadedFile
    name: str
    ext: str
    content_type: str
    size: int
    sha256: str


class _Refused(Exception):
    """One reason (Chinese) one file is refused; the caller adds the file's name."""


def _extension(name: str) -> str:
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    return ".jpg" if ext == ".jpeg" else ext


def _chunks(upload: UploadedFile) -> Iterable[bytes]:
    upload.seek(0)
    yield from upload.chunks(_READ_CHUNK)
    upload.seek(0)


def _head(upload: UploadedFile, n: int) -> bytes:
    upload.seek(0)
    head: bytes = upload.read(n)
    upload.seek(0)
    return head


# --- text ----------------------------------------------------------------------------------


def _text_encoding(upload: UploadedFile) -> str | None:
    """The encoding the whole file decodes in, or None. A BOM decides; without one, UTF-8
    is tried first (it rarely decodes by accident), then GB18030."""
    head = _head(upload, 4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return None
    elif head.startswith(codecs.BOM_UTF16_LE):
        candidates = ["utf-16"]  # reads the BOM and drops it
    elif head.startswith(codecs.BOM_UTF16_BE):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        if _decodes_whole(upload, encoding):
            return encoding
    return None


def _decodes_whole(upload: UploadedFile, encoding: str) -> bool:
    # An incremental decoder keeps the bytes of a character cut by a chunk edge for the next
    # chunk; only the end of the file must be whole.
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        for chunk in _chunks(upload):
            if _CONTROL.search(decoder.decode(chunk)):
                return False
        return not _CONTROL.search(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        return False


def _check_text(upload: UploadedFile) -> None:
    encoding = _text_encoding(upload)
    if encoding is None:
        raise _Refused(
            gettext(
                "内容与文件类型（.txt）不符：不是可识别的文本"
                "（支持 UTF-8、UTF-16、GBK/GB18030 编码）"
            )
        )
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    carry = ""
    start = True
    for chunk in [*_chunks(upload), b""]:
        text = decoder.decode(chunk, final=not chunk)
        if start and text.strip():
            if _ACTIVE_START.match(text.lstrip("\ufeff")):
                raise _Refused(str(_ACTIVE))
            start = False
        if _ACTIVE_ANYWHERE.search(carry + text):
            raise _Refused(str(_ACTIVE))
        carry = (carry + text)[-_OVERLAP:]


_ACTIVE = _("含有网页、脚本等可执行内容，不能作为附件上传；请另存为 PDF 或纯文本后重试")


# --- Word documents -------------------------------------------------------------------------


def _check_ooxml(upload: UploadedFile, ext: str) -> None:
    max_bytes: int = settings.XINFANG_ATTACHMENT_ZIP_MAX_BYTES
    max_ratio: int = settings.XINFANG_ATTACHMENT_ZIP_MAX_RATIO
    max_entries: int = settings.XINFANG_ATTACHMENT_ZIP_MAX_ENTRIES
    too_big = gettext("解压后过大（超过 %(value)sMB），疑为压缩炸弹") % {
        "value": max_bytes // (1024 * 1024)
    }
    damaged = gettext("文件已损坏，无法打开（压缩包结构错误）")
    compressed = upload.size or 1
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > max_entries:
                raise _Refused(
                    gettext("包含文件过多（超过 %(max_entries)s 个），疑为压缩炸弹")
                    % {"max_entries": max_entries}
                )
            # Word writes stored or deflated members only; other methods (bzip2, lzma, ...)
            # in a .docx mean a crafted file, and their decoders fail in their own ways.
            if any(i.compress_type not in _ZIP_METHODS for i in infos):
                raise _Refused(damaged)
            names = {i.filename for i in infos}
            if not all(part in names for part in _OOXML_REQUIRED[ext]):
                raise _Refused(gettext("内容与文件类型（%(ext)s）不符") % {"ext": ext})
            # A .docx cannot run macros, but a renamed .docm carries them in vbaProject.bin.
            if any(n.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for n in names):
                raise _Refused(gettext("含有宏，不能作为附件上传；请另存为不含宏的文档后重试"))
            # The declared sizes first: cheap, and refuses an honest bomb without inflating it.
            declared = sum(i.file_size for i in infos)
            if declared > max_bytes:
                raise _Refused(too_big)
            if declared > max_ratio * compressed:
                raise _Refused(
                    gettext("压缩比异常（超过 %(max_ratio)s 倍），疑为压缩炸弹")
                    % {"max_ratio": max_ratio}
                )
            # Then the real bytes: headers can lie. zipfile stops at the declared size and
            # checks each member's CRC, so a stream longer than declared fails as damaged.
            inflated = 0
            for info in infos:
                with archive.open(info) as member:
                    while block := member.read(_READ_CHUNK):
                        inflated += len(block)
                        if inflated > max_bytes:
                            raise _Refused(too_big)
    except _Refused:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        ValueError,
        NotImplementedError,
        OSError,
    ) as exc:
        raise _Refused(damaged) from exc
    except RuntimeError as exc:  # an encrypted member
        raise _Refused(gettext("文件已加密，无法检查内容；请去掉密码后重试")) from exc
    finally:
        upload.seek(0)


# --- one file, several files ------------------------------------------------------------------


def _check(upload: UploadedFile, name: str, ext: str) -> None:
    limit: int = settings.XINFANG_ATTACHMENT_MAX_BYTES
    allowed: dict[str, str] = settings.XINFANG_ATTACHMENT_TYPES
    if upload.size is None or upload.size == 0:
        raise _Refused(gettext("为空文件"))
    if upload.size > limit:
        raise _Refused(gettext("大小超过上限（%(value)sMB）") % {"value": limit // (1024 * 1024)})
    if ext not in allowed.values():
        raise _Refused(gettext("类型不支持，仅限 PDF、JPG、PNG、TXT、DOC、DOCX"))
    if ext == TEXT:
        _check_text(upload)
        return
    if not _head(upload, 16).startswith(_SIGNATURES[ext]):
        raise _Refused(gettext("内容与文件类型（%(ext)s）不符，请核对后重新上传") % {"ext": ext})
    if ext in _OOXML_REQUIRED:
        _check_ooxml(upload, ext)


def check_upload(upload: UploadedFile) -> Checked:
    """Check one upload; a refusal is a RuleViolation naming the file (R-INTAKE-1)."""
    return check_uploads([upload])[0]


def check_uploads(uploads: Sequence[UploadedFile]) -> list[Checked]:
    """Check every upload before anything is written; refuse them all with one message per
    refused file if any is refused (R-INTAKE-1)."""
    allowed: dict[str, str] = settings.XINFANG_ATTACHMENT_TYPES
    checked: list[Checked] = []
    errors: list[str] = []
    for upload in uploads:
        name = upload.name or ""
        ext = _extension(name)
        try:
            _check(upload, name, ext)
        except _Refused as why:
            errors.append(gettext("附件“%(name)s”%(why)s。") % {"name": name, "why": why})
            continue
        digest = hashlib.sha256()
        for chunk in _chunks(upload):
            digest.update(chunk)
        content_type = next(ct for ct, e in allowed.items() if e == ext)
        checked.append(
            Checked(upload, name, ext, content_type, upload.size or 0, digest.hexdigest())
        )
    if errors:
        # The rule named for machines (the API's `rules`); the messages stay plain Chinese.
        raise RuleViolation(errors, rules=("R-INTAKE-1",))
    return checked
