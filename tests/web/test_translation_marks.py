"""Every word a user reads on the handlers' pages is marked for translation: the templates of
xinfang/web hold no Chinese outside {% translate %}, {% blocktranslate %} and _("...")
literals (comments aside). A new template or line with bare Chinese fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import xinfang.web

TEMPLATES = Path(xinfang.web.__file__).parent / "templates"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

MARKED = [
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S),
    re.compile(r"""{%\s*trans(?:late)?\s+("[^"]*"|'[^']*')[^%]*%}"""),
    re.compile(r"""_\(("[^"]*"|'[^']*')\)"""),
]


def bare_chinese(text: str) -> list[str]:
    """The lines of `text` with Chinese left outside the translation marks."""
    for pattern in MARKED:
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    return [
        f"{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), start=1)
        if CJK.search(line)
    ]


def test_the_scan_finds_bare_chinese_and_passes_marked_text() -> None:
    assert bare_chinese("<p>工作台</p>") == ["1: <p>工作台</p>"]
    assert bare_chinese('<a title="打开">x</a>\n') == ['1: <a title="打开">x</a>']
    assert bare_chinese('{{ d|date:"Y年n月j日" }}') == ['1: {{ d|date:"Y年n月j日" }}']
    marked = (
        '<p>{% translate "工作台" %}</p>{{ d|date:_("Y年n月j日") }}\n'
        "{% blocktranslate with n=total %}共{{ n }}件{% endblocktranslate %}\n"
        "{# 注释 #}{% comment %}说明{% endcomment %}"
    )
    assert bare_chinese(marked) == []


def test_no_chinese_outside_translation_marks_in_the_web_templates() -> None:
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        lines = bare_chinese(path.read_text(encoding="utf-8"))
        if lines:
            found[name] = lines
    assert found == {}


# --- the Python modules of the layers below the pages --------------------------------------
#
# The words every layer below the pages gives them (state and category labels, queue titles,
# refusals, documents, timeline labels, warnings, the calendar's and the configuration log's
# admin pages) are marked too:
# `gettext_lazy as _` at module and class level, `gettext` inside functions, with named
# placeholders instead of f-strings (docs/decisions.md). A string literal holding a Chinese
# character (Han; punctuation alone, such as the "、" of a join, is not a word to translate)
# must be the argument of a translation function; docstrings are for engineers.

SRC = Path(xinfang.web.__file__).parent.parent
LAYERS = (
    "core",
    "configlog",
    "orgs",
    "deadlines",
    "routing",
    "petitions",
    "matching",
    "cases",
    "persistent",
    "alerts",
)
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MARKERS = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "ngettext",
        "ngettext_lazy",
        "npgettext",
        "npgettext_lazy",
    }
)

# Chinese that is data, not words shown: read from or written into files whose format it
# is, so a translation would break the format. Each is one module-level constant (its value
# is not scanned); a constant named here that no longer exists fails the test.
DATA_CONSTANTS: dict[tuple[str, str], str] = {
    ("petitions/imports.py", "MESSAGE_COLUMNS"): "the column headers an import file carries",
    ("petitions/imports.py", "REGISTER_COLUMNS"): "the column headers an import file carries",
    ("petitions/imports.py", "YES"): "the cell values an import reads as yes",
    ("petitions/imports.py", "NO"): "the cell values an import reads as no",
    ("petitions/imports.py", "DATE_FORMATS"): "the date formats an import parses",
    ("petitions/imports.py", "TREATMENT_WORDS"): "the words an import reads as a treatment",
    ("petitions/services.py", "DEFAULT_BOARD"): "the board name accounts are keyed by",
    ("cases/imports.py", "_MESSAGE_COLUMN"): "substrings matched in refusals, not shown",
    ("deadlines/forms.py", "_DATE"): "a pattern of the dates typed from the State Council notice",
    ("deadlines/forms.py", "_RANGE_LINE"): "a pattern of the lines typed from the notice",
    ("alerts/places.py", "_SUFFIXES"): "the suffixes cut from division names to match text",
}
# Modules that are data as a whole.
DATA_MODULES: dict[str, str] = {
    "petitions/import_samples.py": "writes made-up import files: its Chinese is their rows",
    "core/citations.py": "the notice's and the regulations' own words, quoted as the grounds",
    "core/keys.py": "refusals to start, raised before the translation catalogues can load",
    "alerts/announce.py": "the words petitioners write, matched in letters; each sign's name "
    "is stored in the warning's label as written, like a summary",
}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def bare_python_chinese(source: str, data: frozenset[str] = frozenset()) -> list[str]:
    """The Chinese string literals of a module outside the translation functions ("line:
    text"), and f-strings given to one (the text to translate must be the same whatever the
    values: named placeholders instead). `data` names module-level constants left bare."""
    tree = ast.parse(source)
    passed: set[int] = set()
    found = []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            passed.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Call) and _name(node.func) in MARKERS:
            for arg in node.args:
                if isinstance(arg, ast.JoinedStr):
                    found.append(f"{arg.lineno}: an f-string to translate")
                passed.update(id(n) for n in ast.walk(arg))
    for statement in tree.body:
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign)
            else []
        )
        if any(isinstance(t, ast.Name) and t.id in data for t in targets):
            passed.update(id(n) for n in ast.walk(statement))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and HAN.search(node.value)
            and id(node) not in passed
        ):
            found.append(f"{node.lineno}: {node.value[:40]}")
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def test_the_python_scan_finds_bare_chinese_and_passes_marked_text() -> None:
    source = '''"""模块说明"""
from django.utils.translation import gettext, gettext_lazy as _
LABELS = {"read": _("阅批"), "file": "存查"}
HEADERS = ("留言编号",)
SEPARATOR = "、"
class State:
    """状态"""
    READ = "read", _("已阅批")
def refuse(n, label):
    """拒绝"""
    ok = gettext("已并入%(number)s。") % {"number": n}
    wrong = gettext(f"已并入{n}。")
    return f"“{label}”不能为空。", ok, wrong, SEPARATOR.join([label, "x"])
'''
    assert bare_python_chinese(source) == [
        "3: 存查",
        "4: 留言编号",
        "12: an f-string to translate",
        "13: ”不能为空。",  # an f-string's text, not marked; the "“" alone is no word
    ]
    assert bare_python_chinese(source, frozenset({"HEADERS"}))[1:2] == [
        "12: an f-string to translate"
    ]


def test_no_chinese_outside_translation_marks_in_the_python_of_the_case_layers() -> None:
    found = {}
    for layer in LAYERS:
        for path in sorted((SRC / layer).rglob("*.py")):
            name = path.relative_to(SRC).as_posix()
            if "migrations" in path.parts or name in DATA_MODULES:
                continue
            data = frozenset(c for (module, c) in DATA_CONSTANTS if module == name)
            lines = bare_python_chinese(path.read_text(encoding="utf-8"), data)
            if lines:
                found[name] = lines
    assert found == {}


def test_every_data_exception_still_exists() -> None:
    """An exception left behind after its constant moved or went would let a new one in."""
    for (module, constant), reason in DATA_CONSTANTS.items():
        tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
        names = {
            t.id
            for s in tree.body
            if isinstance(s, ast.Assign | ast.AnnAssign)
            for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
            if isinstance(t, ast.Name)
        }
        assert constant in names, (module, constant, reason)
    for module in DATA_MODULES:
        assert (SRC / module).is_file(), module


# --- words read aloud: a screen reader speaks aria-label, title, alt and placeholder ---------

SPOKEN = re.compile(r"""\b(aria-label|title|alt|placeholder)="([^"{]*[A-Za-z][^"{]*)\"""")


def english_spoken(text: str) -> list[str]:
    """The attributes a screen reader reads (or a pointer shows) whose value is English:
    letters outside a template tag, where a Chinese word belongs."""
    return [f"{m.group(1)}={m.group(2)!r}" for m in SPOKEN.finditer(text)]


def test_the_spoken_scan_finds_english_and_passes_translated_labels() -> None:
    assert english_spoken('<nav aria-label="breadcrumb">') == ["aria-label='breadcrumb'"]
    assert english_spoken('<img alt="logo">') == ["alt='logo'"]
    assert english_spoken('<nav aria-label="{% translate "面包屑" %}">') == []
    assert english_spoken('<input placeholder="例：张三">') == []


def test_no_english_read_aloud_in_any_template() -> None:
    """Every template of the project (the pages, the case file, the admin's and the error
    pages): a newcomer's crawl found the case actions' breadcrumb announced as "breadcrumb"."""
    found = {}
    for path in sorted(SRC.rglob("*.html")):
        spoken = english_spoken(path.read_text(encoding="utf-8"))
        if spoken:
            found[path.relative_to(SRC).as_posix()] = spoken
    assert found == {}
