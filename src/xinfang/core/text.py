"""Chinese text prepared once, for search and matching alike.

Chinese has no spaces and most words are two characters, so both the search index and the
near-duplicate matcher work on overlapping character n-grams of a normalised text, never on
segmented words (a segmenter splits names unpredictably: docs/decisions.md).
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, whitespace removed.

    Whitespace is dropped, not collapsed: in Chinese it carries no meaning and registrars
    type it inconsistently ("王 伟", "王伟"), so a query and a text meet on the characters.
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def ngrams(text: str, n: int) -> list[str]:
    """The overlapping n-character pieces of an already normalised text, in order.

    A text shorter than n gives itself as its one piece (if not empty), so a one-character
    text can still be indexed and compared.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if len(text) <= n:
        return [text] if text else []
    return [text[i : i + n] for i in range(len(text) - n + 1)]
