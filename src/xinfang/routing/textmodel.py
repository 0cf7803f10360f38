"""A small text classifier for suggestions from the text (issue 11 item 4; docs/suggestions.md).

Pure Python, no database: a naive Bayes model over the character n-grams of the normalised
text (`core/text.py`), trained from (text, label) pairs and kept as JSON. Chinese has no
spaces and most words are two characters, so 1- to 3-character pieces carry the words without
a segmenter, as the matcher and search do.

Two variants, both measured in docs/suggestions.md:

- ``"mnb"``: multinomial naive Bayes with Laplace/Lidstone smoothing;
- ``"cnb"`` (the default): complement naive Bayes with TF-IDF weighting and length
  normalisation (Rennie et al. 2003). Each class's weights are estimated from the documents
  of all *other* classes, which keeps a small class from being drowned by a large one, and
  the weights are normalised per class.

`TextModel.explain` returns the n-grams that weighed most towards the label chosen (the words
that led to it), longer pieces preferred over the pieces inside them.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from xinfang.core.text import normalize

FORMAT = 1

# Punctuation and symbols separate n-grams: a piece across "，" is not a word.
_BREAKS = re.compile(r"[^\w]+|_")
_DIGITS = re.compile(r"\d+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def grams(text: str, low: int = 1, high: int = 3) -> Counter[str]:
    """Counts of the character n-grams (low..high) of a text, never across punctuation.

    Runs of digits become "0" (dates, amounts and numbers identify no topic); single
    characters that are not Han are dropped (stray letters carry nothing).
    """
    counts: Counter[str] = Counter()
    for run in _BREAKS.split(_DIGITS.sub("0", normalize(text))):
        for n in range(low, high + 1):
            for i in range(len(run) - n + 1):
                piece = run[i : i + n]
                if n == 1 and not _HAN.match(piece):
                    continue
                counts[piece] += 1
    return counts


# The summary (a registration's 内容摘要, a message's title) names the matter in a few words;
# counted three times it outweighs the greetings and story of the letter (measured:
# docs/suggestions.md).
SUMMARY_WEIGHT = 3

# Each keyword of a rule is taught to the model as a short text of its label this many
# times, so that rule data weighs as a few petitions would (docs/suggestions.md: measured).
KEYWORD_WEIGHT = 10


def document(summary: str, content: str) -> str:
    """The text the model reads for a petition: the summary thrice, then the content."""
    return "。".join([summary] * SUMMARY_WEIGHT + [content])


@dataclass(frozen=True)
class Suggestion:
    """A label and the pieces of text that led to it, strongest first."""

    label: str
    words: tuple[str, ...]
    margin: float  # log-score of the label chosen minus the runner-up's; 0 when only one


@dataclass
class TextModel:
    """A trained model: per label, the weight of each n-gram, and one weight for unseen ones.

    ``weights[label][gram]`` is the log-probability-like score of the gram for the label
    (higher is more typical of the label); a gram missing from a label's table takes the
    label's ``unseen`` weight. Scores of a text are sums over its (weighted) grams.
    """

    labels: tuple[str, ...]
    method: str
    low: int
    high: int
    weights: dict[str, dict[str, float]]
    unseen: dict[str, float]
    priors: dict[str, float]
    idf: dict[str, float] = field(default_factory=dict)
    documents: int = 0

    # --- features ------------------------------------------------------------------------

    def _features(self, text: str) -> dict[str, float]:
        counts = grams(text, self.low, self.high)
        if self.method != "cnb":
            return {g: float(c) for g, c in counts.items() if g in self.idf}
        return _tfidf(counts, self.idf)

    # --- scoring -------------------------------------------------------------------------

    def scores(self, text: str) -> dict[str, float]:
        feats = self._features(text)
        out = {}
        for label in self.labels:
            table, unseen = self.weights[label], self.unseen[label]
            out[label] = self.priors[label] + sum(
                v * table.get(g, unseen) for g, v in feats.items()
            )
        return out

    def predict(self, text: str) -> str:
        scores = self.scores(text)
        # Ties go to the label first in sorted order, so the answer never depends on a dict.
        return max(self.labels, key=lambda label: (scores[label], -self.labels.index(label)))

    def explain(self, text: str, count: int = 5) -> Suggestion:
        """The label and the stretches of text that pushed it towards the label most.

        A gram's push is its weight in the label chosen minus its mean weight in the other
        labels, times its weight in the text; the strongest grams' occurrences are joined
        where they overlap, so a phrase is shown once and not as its pieces.
        """
        scores = self.scores(text)
        label = self.predict(text)
        others = [x for x in self.labels if x != label]
        ranked = sorted(scores.values(), reverse=True)
        margin = ranked[0] - ranked[1] if len(ranked) > 1 else 0.0
        if not others:
            return Suggestion(label, (), margin)
        feats = self._features(text)
        push: dict[str, float] = {}
        for g, v in feats.items():
            mine = self.weights[label].get(g, self.unseen[label])
            theirs = sum(self.weights[o].get(g, self.unseen[o]) for o in others) / len(others)
            if mine > theirs and len(g) > 1:
                push[g] = v * (mine - theirs)
        top = sorted(push, key=lambda g: (-push[g], g))[: 3 * count]
        # Overlapping pieces of one phrase ("干部选", "选拔任", "拔任用") are shown as the
        # phrase: the text's stretches covered by the strongest pieces, ranked by the push
        # of the pieces inside them.
        spans: dict[str, float] = {}
        for run in _BREAKS.split(_DIGITS.sub("0", normalize(text))):
            covered = [False] * len(run)
            for g in top:
                at = run.find(g)
                while at != -1:
                    covered[at : at + len(g)] = [True] * len(g)
                    at = run.find(g, at + 1)
            i = 0
            while i < len(run):
                if not covered[i]:
                    i += 1
                    continue
                j = i
                while j < len(run) and covered[j]:
                    j += 1
                phrase = run[i:j]
                spans[phrase] = sum(push[g] for g in top if g in phrase)
                i = j
        chosen = sorted(spans, key=lambda p: (-spans[p], p))[:count]
        return Suggestion(label, tuple(chosen), margin)

    # --- JSON ----------------------------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "labels": list(self.labels),
                "method": self.method,
                "ngrams": [self.low, self.high],
                "documents": self.documents,
                "priors": self.priors,
                "unseen": self.unseen,
                "idf": self.idf,
                "weights": self.weights,
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> TextModel:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown text model format {data.get('format')!r}")
        low, high = data["ngrams"]
        return cls(
            labels=tuple(data["labels"]),
            method=data["method"],
            low=low,
            high=high,
            weights=data["weights"],
            unseen=data["unseen"],
            priors=data["priors"],
            idf=data["idf"],
            documents=data["documents"],
        )


def _tfidf(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """log(1 + tf) · idf, scaled to unit length; grams never seen in training are dropped."""
    feats = {g: math.log1p(c) * idf[g] for g, c in counts.items() if g in idf}
    norm = math.sqrt(sum(v * v for v in feats.values())) or 1.0
    return {g: v / norm for g, v in feats.items()}


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    method: str = "cnb",
    alpha: float = 0.1,
    low: int = 1,
    high: int = 3,
    min_df: int = 2,
    max_features: int = 50_000,
) -> TextModel:
    """Train on (text, label) pairs. Deterministic: the same pairs give the same JSON.

    ``min_df``: grams in fewer documents are dropped (one-off names, places and typos,
    which would only memorise the training texts); of the rest, the ``max_features`` in
    most documents are kept (ties by the gram), which bounds the stored JSON (about 25 bytes
    per gram and label) whatever the number of petitions.
    """
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    if method not in ("cnb", "mnb"):
        raise ValueError(f"unknown method {method!r}")
    names = tuple(sorted(set(labels)))
    if not names:
        raise ValueError("nothing to train on")
    docs = [grams(t, low, high) for t in texts]
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    kept = sorted((g for g, n in df.items() if n >= min_df), key=lambda g: (-df[g], g))
    vocab = set(kept[:max_features])
    n_docs = len(docs)
    idf = {g: math.log((1 + n_docs) / (1 + df[g])) + 1.0 for g in sorted(vocab)}
    per_label: dict[str, Counter[str]] = {x: Counter() for x in names}
    for d, y in zip(docs, labels, strict=True):
        if method == "cnb":
            per_label[y].update(_tfidf(d, idf))
        else:
            per_label[y].update({g: c for g, c in d.items() if g in vocab})
    size = len(vocab)
    label_count = Counter(labels)
    priors = {x: math.log(label_count[x] / n_docs) for x in names}
    weights: dict[str, dict[str, float]] = {}
    unseen: dict[str, float] = {}
    if method == "mnb":
        for x in names:
            total = sum(per_label[x].values()) + alpha * size
            weights[x] = {g: math.log((v + alpha) / total) for g, v in sorted(per_label[x].items())}
            unseen[x] = math.log(alpha / total)
        return TextModel(names, method, low, high, weights, unseen, priors, idf, n_docs)
    # Complement NB: a label's weights come from every other label's documents; a gram
    # frequent elsewhere is untypical here, so the weight is minus the log of its share of
    # the other labels' text (higher is more typical of the label), normalised by the sum of
    # the label's weights so that labels with more text do not win by length (Rennie et al.
    # 2003, "weight normalisation"; scaled by the vocabulary size only to keep the numbers
    # readable). Priors are left out, as there.
    everything: Counter[str] = Counter()
    for c in per_label.values():
        everything.update(c)
    grand = sum(everything.values())
    for x in names:
        rest_total = grand - sum(per_label[x].values()) + alpha * size
        raw = {
            g: -math.log((everything[g] - per_label[x][g] + alpha) / rest_total)
            for g in sorted(vocab)
        }
        base = -math.log(alpha / rest_total)
        norm = sum(abs(v) for v in raw.values()) or 1.0
        weights[x] = {g: round(v / norm * size, 6) for g, v in raw.items()}
        unseen[x] = round(base / norm * size, 6)
    zero = dict.fromkeys(names, 0.0)
    return TextModel(names, method, low, high, weights, unseen, zero, idf, n_docs)


def cross_validate(
    texts: Sequence[str], labels: Sequence[str], folds: int = 5, **options: object
) -> list[str]:
    """Predictions for every text from a model trained without its fold (stratified: the
    texts of each label are dealt round the folds in order, so the split is fixed)."""
    fold_of: list[int] = [0] * len(texts)
    seen: Counter[str] = Counter()
    for i, y in enumerate(labels):
        fold_of[i] = seen[y] % folds
        seen[y] += 1
    predicted = [""] * len(texts)
    for k in range(folds):
        train_idx = [i for i in range(len(texts)) if fold_of[i] != k]
        model = train(
            [texts[i] for i in train_idx],
            [labels[i] for i in train_idx],
            **options,  # type: ignore[arg-type]
        )
        for i in range(len(texts)):
            if fold_of[i] == k:
                predicted[i] = model.predict(texts[i])
    return predicted


def f1_by_label(truth: Iterable[str], predicted: Iterable[str]) -> dict[str, float]:
    pairs = list(zip(truth, predicted, strict=True))
    out = {}
    for x in sorted({t for t, _ in pairs}):
        tp = sum(1 for t, p in pairs if t == x and p == x)
        fp = sum(1 for t, p in pairs if t != x and p == x)
        fn = sum(1 for t, p in pairs if t == x and p != x)
        out[x] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def macro_f1(truth: Iterable[str], predicted: Iterable[str]) -> float:
    scores = f1_by_label(truth, predicted)
    return sum(scores.values()) / len(scores) if scores else 0.0
