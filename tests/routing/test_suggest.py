"""Suggestions from the text (issue 11 item 4): the keyword rules first (R-ROUTE-6), then the
model (R-CAT-1..5), each with the words that led to it; the model's JSON and training."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.orgtree import Tree
from xinfang.core.errors import RuleViolation
from xinfang.routing.models import ReferralRule, SuggestionModel
from xinfang.routing.proposal import ReferralRuleFacts
from xinfang.routing.selectors import referral_rules, suggestion_model_for
from xinfang.routing.services import suggestion_model_train
from xinfang.routing.suggest import suggest
from xinfang.routing.terms import Category
from xinfang.routing.textmodel import TextModel, document, grams, macro_f1, train

# A made-up corpus: three texts per category, the words of each category recurring.
CORPUS = [
    ("反映某局长在干部选拔任用中搞暗箱操作，任人唯亲", "misconduct"),
    ("反映领导干部任人唯亲，干部选拔任用不公", "misconduct"),
    ("反映某书记作风霸道，干部选拔任用中打招呼", "misconduct"),
    ("要求更改参加工作时间，办理退休手续", "personal_request"),
    ("本人参加工作时间记载有误，影响退休待遇", "personal_request"),
    ("申请核定职级待遇和参加工作时间", "personal_request"),
    ("建议加强基层党组织建设，党支部长期不开组织生活", "organization_work"),
    ("村党支部换届选举不规范，基层党组织软弱涣散", "organization_work"),
    ("反映党支部组织生活流于形式，党员发展不规范", "organization_work"),
    ("小区楼下饭店油烟噪音扰民，物业不管", "outside_remit"),
    ("公交车班次太少，道路拥堵噪音扰民", "outside_remit"),
    ("学校乱收费，小区物业费上涨", "outside_remit"),
]
TEXTS = [t for t, _ in CORPUS]
LABELS = [y for _, y in CORPUS]


def rule(topic: str, words: str, kind: str, **extra: object) -> ReferralRuleFacts:
    return ReferralRuleFacts(
        topic=topic,
        keywords=tuple(words.split("、")) if words else (),
        department_kind=kind,
        explanation="",
        **extra,  # type: ignore[arg-type]
    )


RULES = (
    rule("贪污受贿", "受贿、贪污、挪用", "discipline", nature="accusation", any_category=True),
    rule("劳动", "拖欠工资、工资、社保", "human_resources"),
    rule("兜底", "", "petition_bureau"),
)


def test_model_suggests_a_category_with_the_words_that_led_to_it() -> None:
    model = train(TEXTS, LABELS)
    found = model.explain("反映某副局长在干部选拔任用中任人唯亲")
    assert found.label == "misconduct"
    # Overlapping pieces are joined into the phrase they come from.
    assert found.words[0] == "干部选拔任用中"
    assert "人唯亲" in found.words  # 任人 is also in 任用: not as typical of misconduct
    assert not any(a != b and a in b for a in found.words for b in found.words)
    assert model.explain("要求办理退休，参加工作时间有误").label == "personal_request"


def test_r_route_6_accusation_keyword_rule_wins_over_the_model_and_the_category() -> None:
    """R-ROUTE-6: an accusation describing bribery suggests the discipline commission, though
    the registrar picked misconduct and the model says misconduct."""
    model = train(TEXTS, LABELS)
    text = "检举某局长在干部选拔任用中任人唯亲，收受贿赂，贪污公款"
    assert model.predict(text) == "misconduct"
    s = suggest(text, nature="accusation", picked_category="misconduct", rules=RULES, model=model)
    assert (s.category, s.category_from) == ("outside_remit", "rule")
    assert (s.referral_kind, s.referral_topic) == ("discipline", "贪污受贿")
    assert s.referral_words == ("受贿", "贪污")
    assert s.rules == ("R-ROUTE-6", "R-CAT-5")
    # The rule is for accusations only: an appeal with the same words gets the model's advice.
    s = suggest(text, nature="appeal", picked_category="misconduct", rules=RULES, model=model)
    assert (s.category, s.category_from, s.referral_kind) == ("misconduct", "model", "")
    assert s.category_words == ("干部选拔任用中任人唯亲",)
    assert s.rules == ("R-CAT-2",)


def test_r_route_6_seeded_rule_suggests_the_discipline_commission(db: None) -> None:
    """R-ROUTE-6: the seeded keyword rule, read from the database, without any model."""
    s = suggest(
        "检举某局长挪用公款",
        nature="accusation",
        picked_category="organization_work",
        rules=referral_rules(),
        model=None,
    )
    assert (s.category, s.referral_kind, s.referral_words) == (
        "outside_remit",
        "discipline",
        ("挪用",),
    )
    ReferralRule.objects.filter(any_category=True).update(is_active=False)
    s = suggest(
        "检举某局长挪用公款",
        nature="accusation",
        picked_category="organization_work",
        rules=referral_rules(),
        model=None,
    )
    assert s.empty


def test_r_cat_5_outside_the_remit_gets_the_target_of_the_ordinary_rules() -> None:
    """R-CAT-5 → R-ROUTE-6: a matter the model (or the registrar) puts outside the remit
    goes where the first matching ordinary rule says, else to the fallback."""
    model = train(TEXTS, LABELS)
    s = suggest(
        "小区物业拖欠工资，噪音扰民", nature="other", picked_category="", rules=RULES, model=model
    )
    assert (s.category, s.referral_kind, s.referral_topic) == (
        "outside_remit",
        "human_resources",
        "劳动",
    )
    assert s.referral_words == ("拖欠工资",)
    s = suggest("小区楼下油烟扰民", nature="other", picked_category="", rules=RULES, model=model)
    assert (s.category, s.referral_kind, s.referral_words) == (
        "outside_remit",
        "petition_bureau",
        (),
    )
    # No model: the category picked decides whether a target is suggested.
    s = suggest(
        "单位拖欠工资", nature="other", picked_category="outside_remit", rules=RULES, model=None
    )
    assert (s.category, s.referral_kind) == ("", "human_resources")
    s = suggest(
        "单位拖欠工资", nature="other", picked_category="misconduct", rules=RULES, model=None
    )
    assert s.empty
    assert suggest("  ", nature="accusation", picked_category="", rules=RULES, model=model).empty


def test_model_round_trips_through_json() -> None:
    model = train(TEXTS, LABELS)
    again = TextModel.from_json(model.to_json())
    assert again.to_json() == model.to_json()
    for text in ["反映任人唯亲", "办理退休", "噪音扰民", "党支部"]:
        assert again.explain(text) == model.explain(text)
    with pytest.raises(ValueError, match="unknown text model format 9"):
        TextModel.from_json('{"format": 9}')


def test_training_is_deterministic() -> None:
    assert train(TEXTS, LABELS).to_json() == train(TEXTS, LABELS).to_json()
    assert (
        train(TEXTS, LABELS, method="mnb").to_json() == train(TEXTS, LABELS, method="mnb").to_json()
    )
    # The vocabulary is capped by document frequency: the stored JSON stays bounded.
    # Of the 2-grams, "反映" is the one in most texts (4: the three accusations and the
    # first party-building text; every other 2-gram is in at most 3).
    small = train(TEXTS, LABELS, low=2, high=2, max_features=1)
    assert set(small.idf) == {"反映"}
    assert all(list(t) == ["反映"] for t in small.weights.values())
    with pytest.raises(ValueError, match="unknown method 'svm'"):
        train(TEXTS, LABELS, method="svm")
    with pytest.raises(ValueError, match="texts and labels differ in length"):
        train(TEXTS, LABELS[:-1])


def test_grams_and_document() -> None:
    # Digits become 0; pieces never cross punctuation; single non-Han characters dropped.
    assert sorted(grams("A区3号，楼")) == sorted(
        ["区", "号", "楼", "a区", "区0", "0号", "a区0", "区0号"]
    )
    assert document("摘要", "全文") == "摘要。摘要。摘要。全文"


def test_macro_f1_by_hand() -> None:
    # a: tp 1, fp 0, fn 1 → 2/3; b: tp 1, fp 1, fn 0 → 2/3; mean 2/3.
    assert macro_f1(["a", "a", "b"], ["a", "b", "b"]) == pytest.approx(2 / 3)


def test_trained_model_is_stored_per_office_with_a_global_fallback(db: None, tree: Tree) -> None:
    when = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert suggestion_model_for(tree.county_org.pk) is None
    suggestion_model_train(office=None, texts=TEXTS, labels=LABELS, now=when)
    county = TEXTS[:3] + TEXTS[3:6]
    suggestion_model_train(office=tree.county_org, texts=county, labels=LABELS[:6], now=when)
    own = suggestion_model_for(tree.county_org.pk)
    assert own is not None and own.labels == ("misconduct", "outside_remit", "personal_request")
    shared = suggestion_model_for(tree.city_org.pk)
    assert shared is not None and "organization_work" in shared.labels
    # Retraining replaces the office's model.
    suggestion_model_train(office=tree.county_org, texts=county, labels=LABELS[:6], now=when)
    assert SuggestionModel.objects.filter(office=tree.county_org).count() == 1
    row = SuggestionModel.objects.get(office=tree.county_org)
    assert row.documents == 6
    # Three texts of one category, plus the rules' keywords as "outside the remit": two.
    suggestion_model_train(office=None, texts=TEXTS[:3], labels=LABELS[:3], now=when)
    ReferralRule.objects.update(is_active=False)
    with pytest.raises(RuleViolation, match="至少需要两种问题类别或转交部门类别"):
        suggestion_model_train(office=None, texts=TEXTS[:3], labels=LABELS[:3], now=when)


def test_suggest_train_command(db: None, tree: Tree) -> None:
    with pytest.raises(CommandError, match="没有编号为 999999 的部门"):
        call_command("suggest_train", "--department", "999999")
    # No petitions yet: the category model has one label only (the keywords' "outside the
    # remit") and is not trained; the referral model learns the seeded rules' keywords.
    out = StringIO()
    call_command("suggest_train", "--department", str(tree.county_org.pk), stdout=out)
    assert "问题类别模型未训练：训练文本建议模型至少需要两种" in out.getvalue()
    assert "转交部门模型已训练（河口县委组织部）：已转其他部门的案件 0 件" in out.getvalue()
    rows = SuggestionModel.objects.filter(office=tree.county_org).order_by("purpose")
    assert [(r.purpose, r.documents) for r in rows] == [("referral", 0)]
    referral = suggestion_model_for(tree.county_org.pk, "referral")
    assert referral is not None
    assert referral.labels == ("court", "discipline", "human_resources")
    assert referral.predict("法院判决以后对方拒不执行") == "court"
    ReferralRule.objects.update(is_active=False)
    with pytest.raises(CommandError, match="至少需要两种问题类别或转交部门类别"):
        call_command("suggest_train")


def test_r_route_6_referral_model_names_the_target_when_no_keyword_is_found() -> None:
    """R-ROUTE-6: outside the remit, no ordinary keyword in the text: the referral model
    (past referrals) names the department kind with its words; a keyword still wins."""
    referral = train(
        [
            "学校乱收费，学生减负",
            "教师体罚学生，学校管理混乱",
            "公交班次少，道路拥堵",
            "出租车拒载，道路施工",
        ],
        ["education", "education", "transport", "transport"],
    )
    s = suggest(
        "反映某学校乱收费",
        nature="other",
        picked_category="outside_remit",
        rules=RULES,
        model=None,
        referral_model=referral,
    )
    assert (s.referral_kind, s.referral_topic) == ("education", "")
    assert s.referral_words == ("学校",)  # the only 2+-character piece in two of its texts
    s = suggest(
        "学校拖欠工资",
        nature="other",
        picked_category="outside_remit",
        rules=RULES,
        model=None,
        referral_model=referral,
    )
    assert (s.referral_kind, s.referral_words) == ("human_resources", ("拖欠工资",))


def test_every_category_rule_id_is_named() -> None:
    """The suggestion cites R-CAT-1..5 in the order of terms.Category."""
    model = train(TEXTS, LABELS)
    expected = {
        "organization_work": "R-CAT-1",
        "misconduct": "R-CAT-2",
        "personal_request": "R-CAT-4",
        "outside_remit": "R-CAT-5",
    }
    for text, label in CORPUS:
        s = suggest(text, nature="other", picked_category="", rules=(), model=model)
        assert s.category == label
        assert s.rules[0] == expected[label]
    assert list(Category.values)[2] == "policy_history"
