"""Measure the suggestion model (routing/textmodel.py) on a labelled message file
(docs/suggestions.md). It prints figures only, never a message, and writes nothing.

    PYTHONPATH=src .venv/bin/python tools/suggest_eval.py PATH/TO/labelled-sample.csv \
        [--keywords PATH/TO/categories.csv] [--folds 5] [--method cnb] [--alpha 0.1] \
        [--ngrams 1-3] [--min-df 2] [--curve] [--compare]

The labelled file has the columns id, user, title, posted_at, text, category (the data
folder's README); the model reads the title (as a registration's summary, weighted as
`textmodel.document` does) and the text, and the category is the label to recover.

--keywords names a CSV whose first column is a label and whose other columns are words for
it (the board's own category tree: 一级分类, 二级分类, 三级分类). Each row's words are added to
every training fold as a short text of its label, KEYWORD_WEIGHT times, as `xinfang
suggest_train` adds the referral rules' keywords: rule data that names keywords.

Stratified k-fold cross-validation (the texts of each label dealt round the folds in file
order, so every run gives the same figure): macro-F1, accuracy, per-label F1, and with
--curve the learning curve (macro-F1 training on 20 %, 40 %, ... of each training fold).
--compare runs the variants docs/suggestions.md reports.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from typing import Any

from xinfang.routing.textmodel import KEYWORD_WEIGHT, document, f1_by_label, macro_f1, train


def read(path: str, summary_weight: bool = True) -> tuple[list[str], list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if summary_weight:
        texts = [document(r["title"], r["text"]) for r in rows]
    else:
        texts = [f"{r['title']}。{r['text']}" for r in rows]
    return texts, [r["category"] for r in rows]


def read_keywords(path: str, labels: set[str]) -> tuple[list[str], list[str]]:
    """One short text per row of a label that occurs in the labelled file."""
    texts, names = [], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            if row and row[0] in labels:
                texts.append("。".join(w for w in row[1:] if w))
                names.append(row[0])
    return texts, names


def folds_of(labels: list[str], folds: int) -> list[int]:
    out, seen = [], Counter()
    for y in labels:
        out.append(seen[y] % folds)
        seen[y] += 1
    return out


def run(
    texts: list[str],
    labels: list[str],
    folds: int,
    extra: tuple[list[str], list[str]],
    share: float = 1.0,
    **options: Any,
) -> list[str]:
    """Cross-validated predictions; `extra` (keyword texts) joins every training fold."""
    fold = folds_of(labels, folds)
    kw_texts = [t for t in extra[0] for _ in range(KEYWORD_WEIGHT)]
    kw_labels = [y for y in extra[1] for _ in range(KEYWORD_WEIGHT)]
    predicted = [""] * len(texts)
    for k in range(folds):
        per: dict[str, list[int]] = {}
        for i in range(len(texts)):
            if fold[i] != k:
                per.setdefault(labels[i], []).append(i)
        chosen = [i for y in sorted(per) for i in per[y][: max(1, round(len(per[y]) * share))]]
        model = train(
            [texts[i] for i in chosen] + kw_texts,
            [labels[i] for i in chosen] + kw_labels,
            **options,
        )
        for i in range(len(texts)):
            if fold[i] == k:
                predicted[i] = model.predict(texts[i])
    return predicted


def main() -> int:
    p = argparse.ArgumentParser(description="Measure the suggestion model (macro-F1).")
    p.add_argument("path")
    p.add_argument("--keywords")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--method", default="cnb", choices=["cnb", "mnb"])
    p.add_argument("--alpha", type=float, default=0.1)
    p.add_argument("--ngrams", default="1-3")
    p.add_argument("--min-df", type=int, default=2)
    p.add_argument("--curve", action="store_true")
    p.add_argument("--compare", action="store_true")
    a = p.parse_args()
    texts, labels = read(a.path)
    extra: tuple[list[str], list[str]] = ([], [])
    if a.keywords:
        extra = read_keywords(a.keywords, set(labels))
    low, high = (int(x) for x in a.ngrams.split("-"))
    options = {"method": a.method, "alpha": a.alpha, "low": low, "high": high, "min_df": a.min_df}
    print(f"{len(texts)} texts, {len(set(labels))} labels, {a.folds}-fold stratified")
    print(f"keyword texts: {len(extra[0])} rows x {KEYWORD_WEIGHT}")
    if a.compare:
        plain = read(a.path, summary_weight=False)[0]
        variants: list[tuple[str, list[str], tuple[list[str], list[str]], dict[str, Any]]] = [
            ("MNB 1-3, title once, no keywords", plain, ([], []), {**options, "method": "mnb"}),
            ("CNB 1-3, title once, no keywords", plain, ([], []), options),
            ("CNB 1-3, title x3, no keywords", texts, ([], []), options),
            ("CNB 2-3, title x3, no keywords", texts, ([], []), {**options, "low": 2}),
            ("MNB 1-3, title x3, keywords", texts, extra, {**options, "method": "mnb"}),
            ("CNB 1-3, title x3, keywords", texts, extra, options),
            ("CNB 1-3, title x3, keywords, alpha 0.3", texts, extra, {**options, "alpha": 0.3}),
        ]
        for name, t, e, o in variants:
            print(f"  {name}: macro-F1 {macro_f1(labels, run(t, labels, a.folds, e, **o)):.3f}")
        return 0
    start = time.perf_counter()
    predicted = run(texts, labels, a.folds, extra, **options)
    took = time.perf_counter() - start
    right = sum(1 for t, q in zip(labels, predicted, strict=True) if t == q)
    print(f"{options}")
    print(f"macro-F1 {macro_f1(labels, predicted):.3f}, accuracy {right / len(texts):.3f}")
    for label, f1 in f1_by_label(labels, predicted).items():
        print(f"  {label}: F1 {f1:.3f} ({labels.count(label)} texts)")
    print(f"{a.folds} trainings and {len(texts)} predictions in {took:.1f} s")
    if a.curve:
        for share in (0.2, 0.4, 0.6, 0.8, 1.0):
            n = round(len(texts) * (a.folds - 1) / a.folds * share)
            f1 = macro_f1(labels, run(texts, labels, a.folds, extra, share, **options))
            print(f"  {share:>4.0%} of each training fold (~{n} texts): macro-F1 {f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
