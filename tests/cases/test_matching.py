"""Same person and same matter at registration (issue 11): candidates with scores and
reasons, through the protection policy; the automatic repeat link, its window and its undo;
unmerge; the 2022 not-accepted reasons (《信访工作条例》第十九条、第三十六条); and the
incremental index against a rebuild. Generated data only; every expected value is written
here."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.builders import PetitionerInput, RespondentInput, at, register, registration, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.matching import (
    RespondentFacts,
    matter_candidates,
    person_candidates,
    person_facts,
)
from xinfang.cases.models import Case, CaseEvent, IdentityRead, State
from xinfang.cases.timeline import verify_chains
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate
from xinfang.matching.index import rebuild
from xinfang.matching.models import MatterBand, MatterText, PersonKey
from xinfang.orgs.models import User
from xinfang.orgs.services import cadre_create
from xinfang.petitions.models import Petition

VALID_ID = "110101199003074477"
# Twenty different characters: 18 pieces of three; changing the last character keeps 17 of
# them and adds one, so the Jaccard similarity is 17 / 19 = 89%.
TEXT = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"
NEAR = TEXT[:-1] + "戌"
OTHER = "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往"
ADDRESS = "河口县城关镇解放路12号"


def _person(**kw: str) -> PetitionerInput:
    args = {"name": "王建华", "address": ADDRESS}
    args.update(kw)
    return PetitionerInput(**args)


def _own_department_cadre(tree: Tree) -> RespondentInput:
    """A respondent in the county organization department itself: its staff may not see who
    accused him (R-PROTECT-1)."""
    cadre = cadre_create(
        name="邵斌",
        title="干部科科长",
        jurisdiction=tree.hekou,
        managing_jurisdiction=tree.hekou,
        rank="section",
        department=tree.county_org,
    )
    return RespondentInput(cadre=cadre)


# --- same matter ---------------------------------------------------------------------------


def test_a_near_text_is_a_candidate_with_its_score_and_reasons(tree: Tree) -> None:
    case = register(
        tree.county_staff,
        content=TEXT,
        respondents=[
            RespondentInput(name="赵六", unit="河口县交通运输局", jurisdiction=tree.hekou)
        ],
    )
    register(tree.county_staff, content=OTHER, petitioners=[_person(name="李梅")])
    found = matter_candidates(
        tree.county_staff,
        text=NEAR,
        category="misconduct",
        respondents=[RespondentFacts(name="赵六")],
    )
    assert [(c.case.pk, c.similarity, c.score, c.reasons) for c in found] == [
        (
            case.pk,
            0.8947,
            # 0.8947 + 0.15 (respondent) + 0.05 (category), capped at 1
            1.0,
            ("内容文字相似度89%", "被反映人相同：赵六", "问题类别相同"),
        )
    ]
    only_text = matter_candidates(tree.county_staff, text=NEAR, category="policy")
    assert [(c.score, c.reasons) for c in only_text] == [(0.8947, ("内容文字相似度89%",))]
    place = matter_candidates(
        tree.county_staff,
        text=NEAR,
        category="misconduct",
        respondents=[RespondentFacts(name="孙八", place="河口县")],
    )
    assert [(c.score, c.reasons) for c in place] == [
        (0.9947, ("内容文字相似度89%", "涉及地方相同：河口县", "问题类别相同"))
    ]


def test_the_same_respondent_in_other_words_is_a_candidate(tree: Tree) -> None:
    """Issue 11 item 3, "the same respondent": a letter about the same person of the same
    unit or place, worded otherwise (no text in common), is offered with those reasons and
    no text similarity; the same name alone (a common name elsewhere) is not."""
    case = register(
        tree.county_staff,
        content=TEXT,
        category="misconduct",
        respondents=[
            RespondentInput(name="赵六", unit="河口县交通运输局", jurisdiction=tree.hekou)
        ],
    )
    register(
        tree.county_staff,
        content="天地玄黄",
        respondents=[RespondentInput(name="赵六", unit="白沙县水利局", jurisdiction=tree.baisha)],
    )
    found = matter_candidates(
        tree.county_staff,
        text=OTHER,
        category="misconduct",
        respondents=[RespondentFacts(name="赵六", unit="河口县交通运输局")],
    )
    assert [(c.case.pk, c.similarity, c.score, c.reasons) for c in found] == [
        (
            case.pk,
            0.0,
            # 0.15 (respondent) + 0.10 (unit) + 0.05 (category)
            0.3,
            ("被反映人相同：赵六", "被反映单位相同：河口县交通运输局", "问题类别相同"),
        )
    ]
    by_place = matter_candidates(
        tree.county_staff, text=OTHER, respondents=[RespondentFacts(name="赵六", place="河口县")]
    )
    assert [(c.case.pk, c.score, c.reasons) for c in by_place] == [
        (case.pk, 0.2, ("被反映人相同：赵六", "涉及地方相同：河口县"))
    ]
    # The name alone, or the name with another unit: no candidate.
    assert (
        matter_candidates(tree.county_staff, text=OTHER, respondents=[RespondentFacts(name="赵六")])
        == []
    )
    assert (
        matter_candidates(
            tree.county_staff,
            text=OTHER,
            respondents=[RespondentFacts(name="赵六", unit="河口县财政局")],
        )
        == []
    )
    # Another department does not see it; a respondent of the user's own department hides
    # the accuser, and so the case (R-PROTECT-1).
    assert (
        matter_candidates(
            tree.baisha_staff,
            text=OTHER,
            respondents=[RespondentFacts(name="赵六", unit="河口县交通运输局")],
        )
        == []
    )


def test_a_respondent_candidate_hidden_by_the_policy_is_not_shown(tree: Tree) -> None:
    register(tree.county_staff, content=TEXT, respondents=[_own_department_cadre(tree)])
    found = matter_candidates(
        tree.county_staff,
        text=OTHER,
        respondents=[RespondentFacts(name="邵斌", unit="河口县委组织部", place="河口县")],
    )
    assert found == []


def test_no_candidate_for_a_department_that_cannot_see_the_case(tree: Tree) -> None:
    register(tree.county_staff, content=TEXT)
    assert matter_candidates(tree.baisha_staff, text=TEXT) == []


def test_a_matter_whose_text_is_protected_from_the_user_is_not_shown(tree: Tree) -> None:
    register(tree.county_staff, content=TEXT, respondents=[_own_department_cadre(tree)])
    assert matter_candidates(tree.county_staff, text=TEXT) == []


# --- same person ---------------------------------------------------------------------------


def test_person_candidates_with_score_and_reasons(tree: Tree) -> None:
    case = register(tree.county_staff, petitioners=[_person(phone="13800000000")])
    found = person_candidates(
        tree.county_staff,
        person_facts(name="汪建华", phone="138 0000 0000", address=ADDRESS + "院"),
    )
    # 1 - (1 - 0.8) * (1 - 0.6): the phone typed with spaces is the same number.
    assert [(c.person.name, c.score, c.reasons, c.cases) for c in found] == [
        ("王建华", 0.92, ("电话号码相同", "姓名同音，住址相近（相似度96%）"), [case])
    ]


def test_a_name_candidate_never_reveals_a_protected_accuser(tree: Tree) -> None:
    register(
        tree.county_staff,
        petitioners=[_person(id_number=VALID_ID)],
        respondents=[_own_department_cadre(tree)],
    )
    for facts in (
        person_facts(name="王建华", address=ADDRESS),
        person_facts(name="汪剑华", address=ADDRESS),
        person_facts(name="王建华", id_number=VALID_ID),
    ):
        assert person_candidates(tree.county_staff, facts) == []
    # The same person on a case the registrar may read is found, and only that case.
    open_case = register(tree.county_staff, petitioners=[_person(id_number=VALID_ID)])
    found = person_candidates(tree.county_staff, person_facts(name="王建华", address=ADDRESS))
    assert [(c.person.name, c.score, c.reasons, c.cases) for c in found] == [
        ("王建华", 0.7, ("姓名相同，住址相近（相似度100%）",), [open_case])
    ]


def test_other_departments_and_roles_see_no_person(tree: Tree) -> None:
    register(tree.county_staff, petitioners=[_person(id_number=VALID_ID)])
    facts = person_facts(id_number=VALID_ID)
    assert person_candidates(tree.baisha_staff, facts) == []
    assert person_candidates(tree.city_supervisor, facts) == []


# --- statements per look-up (issue 11: p95 20 ms at 1,000,000 cases) --------------------
#
# Each statement costs Django and the driver 1-3 ms of CPU whatever the database does with
# it (docs/matching.md), so a look-up must not pay statements per candidate: the policy
# (R-PROTECT-1) is decided for all candidate cases in one statement, the petitioners shown
# read in one and their reads logged in one insert.


def _statements(fn: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return len(captured.captured_queries), result


def _fresh(user: User) -> User:
    """The user as a new request has it: nothing cached on the object, so that two counts
    start alike."""
    return User.objects.get(pk=user.pk)


def test_a_matter_look_up_runs_the_same_statements_for_two_candidates_or_six(
    tree: Tree,
) -> None:
    accused = _own_department_cadre(tree)

    def two_cases() -> Case:
        """One case the registrar may read, one whose accuser is hidden from them."""
        shown = register(tree.county_staff, content=TEXT)
        register(tree.county_staff, content=TEXT, respondents=[accused])
        return shown

    shown = [two_cases()]
    two, found = _statements(lambda: matter_candidates(_fresh(tree.county_staff), text=TEXT))
    assert [c.case.pk for c in found] == [shown[0].pk]
    shown += [two_cases(), two_cases()]
    six, found = _statements(lambda: matter_candidates(_fresh(tree.county_staff), text=TEXT))
    # All three as similar (the same text): the newest case first.
    assert [c.case.pk for c in found] == [c.pk for c in reversed(shown)]
    assert two == six


def test_a_person_look_up_runs_the_same_statements_for_two_candidates_or_six(
    tree: Tree,
) -> None:
    accused = _own_department_cadre(tree)
    phones = (f"1380000{n:04d}" for n in range(1, 100))

    def two_people() -> Case:
        """Two people of the same name and address (no ID number, other phones): one on a
        case the registrar may read, one accusing a cadre of the registrar's department."""
        shown = register(tree.county_staff, petitioners=[_person(phone=next(phones))])
        register(
            tree.county_staff, petitioners=[_person(phone=next(phones))], respondents=[accused]
        )
        return shown

    facts = person_facts(name="王建华", address=ADDRESS)
    shown = [two_people()]
    two, found = _statements(lambda: person_candidates(_fresh(tree.county_staff), facts))
    assert [(c.person.name, c.cases) for c in found] == [("王建华", [shown[0]])]
    shown += [two_people(), two_people()]
    IdentityRead.objects.all().delete()
    six, found = _statements(lambda: person_candidates(_fresh(tree.county_staff), facts))
    assert sorted((c.person.phone, c.score, c.reasons, c.cases[0].pk) for c in found) == [
        ("13800000001", 0.7, ("姓名相同，住址相近（相似度100%）",), shown[0].pk),
        ("13800000003", 0.7, ("姓名相同，住址相近（相似度100%）",), shown[1].pk),
        ("13800000005", 0.7, ("姓名相同，住址相近（相似度100%）",), shown[2].pk),
    ]
    # Each shown candidate's read is logged (R-PROTECT-1), the hidden ones' never.
    assert sorted(IdentityRead.objects.values_list("case_id", flat=True)) == [c.pk for c in shown]
    assert two == six


def test_each_person_shown_logs_one_read_of_the_petition_it_was_read_from(tree: Tree) -> None:
    """R-PROTECT-1: a look-up logs one IdentityRead per petition shown and case it was shown
    on: two people of one letter, one read; a person of two cases, read from the newest; a
    case sent down, logged on the registrar's own case."""
    both = register(
        tree.county_staff,
        received_on=dt.date(2025, 5, 1),
        petitioners=[_person(phone="13800000011"), _person(phone="13800000012")],
    )
    older = register(
        tree.county_staff,
        received_on=dt.date(2025, 5, 2),
        petitioners=[_person(id_number=VALID_ID)],
    )
    newer = register(
        tree.county_staff,
        received_on=dt.date(2025, 5, 3),
        petitioners=[_person(id_number=VALID_ID)],
    )
    city = register(
        tree.city_staff,
        received_on=dt.date(2025, 5, 4),
        petitioners=[_person(phone="13800000013")],
    )
    sent = cs.case_assign_down(
        actor=tree.city_staff,
        case=to_read(city, tree.city_staff),
        to_department=tree.county_org,
        routing_note="按实际情况分办",
    ).child
    IdentityRead.objects.all().delete()
    found = person_candidates(tree.county_staff, person_facts(name="王建华", address=ADDRESS))
    assert sorted((c.person.phone, [case.pk for case in c.cases]) for c in found) == [
        ("", [newer.pk, older.pk]),
        ("13800000011", [both.pk]),
        ("13800000012", [both.pk]),
        ("13800000013", [sent.pk]),
    ]
    petition = {c.pk: Petition.objects.get(case=c).pk for c in (both, newer, city)}
    rows = IdentityRead.objects.order_by("pk").values_list("user_id", "petition_id", "case_id")
    assert sorted(rows) == sorted(
        [
            (tree.county_staff.pk, petition[both.pk], both.pk),
            (tree.county_staff.pk, petition[newer.pk], newer.pk),
            (tree.county_staff.pk, petition[city.pk], sent.pk),
        ]
    )


# --- the automatic link, its window and its undo -----------------------------------------


@override_settings(XINFANG_AUTO_REPEAT=True, XINFANG_REPEAT_WINDOW_DAYS=30)
@pytest.mark.parametrize(
    ("days_after", "linked"),
    [(0, True), (30, True), (31, False)],
    ids=["first day", "last day", "day after"],
)
def test_identical_text_from_the_same_person_within_the_window(
    tree: Tree, days_after: int, linked: bool
) -> None:
    first_day = dt.date(2025, 5, 1)
    with at(2025, 6, 30):
        first = register(tree.county_staff, content=TEXT, received_on=first_day)
        again = registration(
            tree.county_staff,
            # Whitespace and width do not make a text different.
            content=" ".join(TEXT),
            received_on=first_day + dt.timedelta(days=days_after),
        )
    assert (again.case.pk == first.pk) is linked
    assert again.is_repeat is linked
    event = CaseEvent.objects.filter(case=again.case).latest("seq")
    if linked:
        earlier = Petition.objects.get(case=first, is_repeat=False)
        assert event.kind == "add_petition"
        assert event.payload["automatic_repeat_of"] == earlier.pk
        assert event.payload["window_days"] == 30
        assert any("自动作为重信重访关联到案件" in n for n in again.notes)
    else:
        assert event.kind == "register"
        assert "automatic_repeat_of" not in event.payload


@override_settings(XINFANG_AUTO_REPEAT=True, XINFANG_REPEAT_WINDOW_DAYS=30)
def test_no_automatic_link_for_another_person_or_another_text(tree: Tree) -> None:
    first = register(tree.county_staff, content=TEXT)
    other_person = register(tree.county_staff, content=TEXT, petitioners=[_person(name="李梅")])
    other_text = register(tree.county_staff, content=NEAR)
    assert len({first.pk, other_person.pk, other_text.pk}) == 3


@override_settings(XINFANG_AUTO_REPEAT=True, XINFANG_REPEAT_WINDOW_DAYS=30)
def test_the_same_phone_is_the_same_person_for_the_automatic_link(tree: Tree) -> None:
    first = register(tree.county_staff, content=TEXT, petitioners=[_person(phone="13800000001")])
    again = register(
        tree.county_staff, content=TEXT, petitioners=[_person(name="王华", phone="13800000001")]
    )
    assert again.pk == first.pk


@override_settings(XINFANG_AUTO_REPEAT=True, XINFANG_REPEAT_WINDOW_DAYS=30)
def test_an_automatic_link_is_undone_with_an_event_on_both_cases(tree: Tree) -> None:
    first = register(tree.county_staff, content=TEXT)
    again = registration(tree.county_staff, content=TEXT)
    assert again.case.pk == first.pk
    with pytest.raises(RuleViolation, match="撤销关联的理由"):
        cs.repeat_unlink(actor=tree.county_staff, petition=again.petition, reason=" ")
    first_petition = Petition.objects.get(case=first, is_repeat=False)
    with pytest.raises(RuleViolation, match="不是关联到本案件的重信重访"):
        cs.repeat_unlink(actor=tree.county_staff, petition=first_petition, reason="误关联")
    new = cs.repeat_unlink(
        actor=tree.county_staff, petition=again.petition, reason="内容相同但另有诉求"
    )
    petition = Petition.objects.get(pk=again.petition.pk)
    assert (petition.case_id, petition.is_repeat, petition.is_first) == (new.pk, False, False)
    assert new.state == State.REGISTERED
    old_events = list(CaseEvent.objects.filter(case=first).values_list("kind", flat=True))
    assert old_events == ["register", "add_petition", "repeat_unlinked"]
    new_events = list(CaseEvent.objects.filter(case=new).values_list("kind", "payload"))
    assert new_events == [
        (
            "unlinked_in",
            {"petition": petition.pk, "reason": "内容相同但另有诉求", "from_case": first.pk},
        )
    ]
    assert list(verify_chains()) == []


def test_only_the_responsible_registrar_or_leader_unlinks(tree: Tree) -> None:
    first = register(tree.county_staff)
    again = registration(tree.county_staff, repeat_of=first)
    handler = tree.staff(tree.county_org, "handler")
    with pytest.raises(RuleViolation, match="撤销重信重访关联"):
        cs.repeat_unlink(actor=handler, petition=again.petition, reason="误关联")
    with pytest.raises(RuleViolation, match="只有责任部门"):
        cs.repeat_unlink(actor=tree.baisha_staff, petition=again.petition, reason="误关联")


# --- merge and unmerge keep both timelines whole -----------------------------------------


def test_unmerge_gives_back_the_petitions_and_the_state(tree: Tree) -> None:
    target = register(tree.county_staff, content=TEXT)
    merged = register(tree.county_staff, content=OTHER)
    repeat = registration(tree.county_staff, content=OTHER, repeat_of=merged).petition
    original = Petition.objects.get(case=merged, is_repeat=False)
    cs.case_merge(actor=tree.county_staff, case=merged, into=target, reason="同一事项")
    assert Petition.objects.filter(case=target).count() == 3
    with pytest.raises(RuleViolation, match="撤销并案的理由"):
        cs.case_unmerge(actor=tree.county_staff, case=merged, reason="")
    back = cs.case_unmerge(actor=tree.county_staff, case=merged, reason="并案有误")
    assert (back.state, back.merged_into_id) == (State.REGISTERED, None)
    rows = {p.pk: (p.case_id, p.is_repeat, p.is_first) for p in Petition.objects.all()}
    # Not a first petition: the same person (ID number) had written before (R-INTAKE-5).
    assert rows[original.pk] == (merged.pk, False, False)
    assert rows[repeat.pk] == (merged.pk, True, False)
    assert Petition.objects.filter(case=target).count() == 1
    assert list(CaseEvent.objects.filter(case=merged).values_list("kind", flat=True)) == [
        "register",
        "add_petition",
        "merge",
        "unmerge",
    ]
    assert list(CaseEvent.objects.filter(case=target).values_list("kind", flat=True)) == [
        "register",
        "merged_in",
        "unmerged_out",
    ]
    with pytest.raises(
        RuleViolation, match="只有已并案的案件可以撤销并案（案件当前状态为“已登记”）"
    ):
        cs.case_unmerge(actor=tree.county_staff, case=merged, reason="再撤一次")
    assert list(verify_chains()) == []


# --- 2022 rules: not accepted again (《信访工作条例》第十九条、第三十六条) ---------------------


def _rules_2022(tree: Tree) -> None:
    rule_set_activate(
        actor=tree.staff(tree.prov_org, "administrator"),
        rule_set=RuleSet.objects.get(code="2022"),
    )


def test_a_repeat_of_a_matter_being_handled_is_not_accepted_under_the_2022_rules(
    tree: Tree,
) -> None:
    case = register(tree.county_staff)
    before = registration(tree.county_staff, repeat_of=case).petition
    assert before.not_accepted_reason == ""  # the 1987 notice has no such rule
    _rules_2022(tree)
    after = registration(tree.county_staff, repeat_of=case)
    assert after.petition.not_accepted_reason == (
        "该信访事项已经受理，正在办理中；依据《信访工作条例》第十九条，对同一信访事项不再重复受理，"
        "本次信访已登记并随原事项一并办理。"
    )
    assert after.petition.not_accepted_reason in after.notes


def test_a_repeat_of_a_matter_finally_reviewed_cites_article_36(tree: Tree) -> None:
    case = register(tree.county_staff)
    # The whole 复查/复核 chain is walked in tests/cases/test_review.py; here only its end
    # state matters, set directly.
    Case.objects.filter(pk=case.pk).update(review_stage="final")
    again = registration(tree.county_staff, repeat_of=case).petition
    assert again.not_accepted_reason == (
        "该信访事项已经复核终结；依据《信访工作条例》第三十六条，"
        "对同一事实和理由提出的信访请求不再受理。"
    )


def test_a_repeat_unlinked_is_accepted_again(tree: Tree) -> None:
    _rules_2022(tree)
    case = register(tree.county_staff)
    again = registration(tree.county_staff, repeat_of=case).petition
    assert "第十九条" in again.not_accepted_reason
    cs.repeat_unlink(actor=tree.county_staff, petition=again, reason="不是同一事项")
    assert Petition.objects.get(pk=again.pk).not_accepted_reason == ""


# --- the index kept up one registration at a time equals a rebuild -----------------------


@override_settings(XINFANG_AUTO_REPEAT=True)
def test_the_incremental_index_equals_a_rebuild(tree: Tree) -> None:
    register(tree.county_staff, content=TEXT)
    register(tree.county_staff, content=TEXT)  # linked automatically
    register(tree.county_staff, content=NEAR, petitioners=[_person(name="汪炜")])
    register(tree.baisha_staff, content=OTHER, petitioners=[_person(name="李梅")])
    merged = register(tree.county_staff, content=OTHER, petitioners=[_person(name="赵六")])
    target = register(tree.county_staff, content=NEAR, petitioners=[_person(name="钱七")])
    cs.case_merge(actor=tree.county_staff, case=merged, into=target, reason="同一事项")

    def snapshot() -> tuple[set[tuple[int, int]], set[tuple[int, str]], set[tuple[int, str]]]:
        return (
            set(MatterBand.objects.values_list("petition_id", "key")),
            set(MatterText.objects.values_list("petition_id", "digest")),
            set(PersonKey.objects.values_list("petitioner_id", "sound_hash")),
        )

    incremental = snapshot()
    assert len(incremental[0]) == 16 * Petition.objects.count()
    assert rebuild() == (6, 5)
    assert snapshot() == incremental


def test_the_rebuild_command_says_what_it_indexed(tree: Tree) -> None:
    register(tree.county_staff, content=TEXT)
    out = io.StringIO()
    call_command("matching_rebuild", stdout=out)
    assert out.getvalue().strip() == "已重建索引：信访件 1 件，信访人 1 人。"
    assert MatterBand.objects.count() == 16
