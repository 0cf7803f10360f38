"""Suggestions from the text (issue 11 item 4; docs/suggestions.md): a category and, for a
matter outside the remit, a referral target, each with the words that led to it.

Advice only: the registration page shows it beside the category field and the registrar
applies it or not; nothing is changed without them. Pure: the caller passes the referral
rules (selectors.referral_rules) and the trained models (selectors.suggestion_model_for).

Order:

1. Keyword rules that apply whatever the category (`any_category`, R-ROUTE-6): the first
   active one, in matching order, whose keywords are found and whose nature fits suggests
   "outside the remit" (R-CAT-5) and its target, even against the category picked and the
   model (an accusation of bribery is for the discipline commission).
2. The model (textmodel.py) suggests the category, with its weightiest n-grams.
3. A matter outside the remit (suggested, or picked by the registrar) gets the target of the
   first ordinary keyword rule found in the text, else the referral model's department kind
   (trained on past referrals and the rules' keywords), else the fallback rule (R-ROUTE-6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xinfang.orgs.models import DepartmentKind
from xinfang.routing.proposal import ReferralRuleFacts
from xinfang.routing.terms import Category
from xinfang.routing.textmodel import TextModel

RULE = "rule"
MODEL = "model"


@dataclass(frozen=True)
class TextSuggestion:
    """What the text suggests; empty strings where it suggests nothing."""

    category: str = ""
    category_words: tuple[str, ...] = ()
    category_from: str = ""  # RULE or MODEL
    referral_kind: str = ""  # a DepartmentKind value
    referral_topic: str = ""
    referral_words: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()  # the rule IDs it rests on, for engineers (never on screen)

    @property
    def empty(self) -> bool:
        return not self.category and not self.referral_kind


def suggest(
    text: str,
    *,
    nature: str,
    picked_category: str,
    rules: Sequence[ReferralRuleFacts],
    model: TextModel | None,
    referral_model: TextModel | None = None,
) -> TextSuggestion:
    """The suggestion for a registration's text (summary and content)."""
    text = text.strip()
    if not text:
        return TextSuggestion()
    # 1. R-ROUTE-6: a rule naming keywords that apply whatever the category wins.
    for rule in rules:
        if rule.any_category and rule.keywords and rule.matches(text, nature):
            words = rule.words_in(text)
            return TextSuggestion(
                category=Category.OUTSIDE_REMIT.value,
                category_words=words,
                category_from=RULE,
                referral_kind=rule.department_kind,
                referral_topic=rule.topic,
                referral_words=words,
                rules=("R-ROUTE-6", "R-CAT-5"),
            )
    # 2. The model, if the office (or the deployment) has one.
    category, source = "", ""
    category_words: tuple[str, ...] = ()
    if model is not None:
        found = model.explain(text)
        if found.label in Category.values:
            category, category_words, source = found.label, found.words, MODEL
    # 3. R-CAT-5 → R-ROUTE-6: where a matter outside the remit goes.
    if Category.OUTSIDE_REMIT not in (category, picked_category):
        return TextSuggestion(category, category_words, source, rules=_ids(category))
    ordinary = [r for r in rules if not r.any_category]
    hit = next((r for r in ordinary if r.keywords and r.matches(text, nature)), None)
    if hit is None and referral_model is not None:
        found = referral_model.explain(text)
        if found.label in DepartmentKind.values:
            return TextSuggestion(
                category=category,
                category_words=category_words,
                category_from=source,
                referral_kind=found.label,
                referral_words=found.words,
                rules=("R-CAT-5", "R-ROUTE-6"),
            )
    if hit is None:
        hit = next((r for r in ordinary if not r.keywords), None)
    if hit is None:
        return TextSuggestion(category, category_words, source, rules=_ids(category))
    return TextSuggestion(
        category=category,
        category_words=category_words,
        category_from=source,
        referral_kind=hit.department_kind,
        referral_topic=hit.topic,
        referral_words=hit.words_in(text),
        rules=("R-CAT-5", "R-ROUTE-6"),
    )


def _ids(category: str) -> tuple[str, ...]:
    # The category rules R-CAT-1..5 in the order of terms.Category.
    if not category:
        return ()
    return (f"R-CAT-{list(Category.values).index(category) + 1}",)
