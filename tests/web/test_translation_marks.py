"""Every word a user reads on the handlers' pages is marked for translation: the templates of
xinfang/web hold no Chinese outside {% translate %}, {% blocktranslate %} and _("...")
literals (comments aside). A new template or line with bare Chinese fails here."""

from __future__ import annotations

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
