"""R-ROUTE-3 on every path that leaves a case with a department (issue 8, item 1).

不要把反映主要领导干部问题的来信转给同级组织部门查处: a main leader's own organization
department (a unit's personnel department, R-COUNTY-5) never holds a case about him. The
proposal says so; these tests prove that no decision can go against it: handling here with a
routing note, keeping for reference, sending down, referring, taking a case back after an
objection, a review sent back, a merge, a repeat linked to a case handled there. Each refusal
cites R-ROUTE-3 and names the department the case should go to.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.builders import complete_closure, register, to_closed, to_handling, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import (
    Assignment,
    Case,
    Objection,
    ObjectionStatus,
    RoutingDecision,
    State,
)
from xinfang.cases.routing import facts_for_case
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate
from xinfang.orgs.models import Department
from xinfang.orgs.services import cadre_create, department_create
from xinfang.petitions.models import Petition, Respondent
from xinfang.petitions.services import RespondentInput
from xinfang.routing import proposal, rules
from xinfang.routing.proposal import propose_routing

SECRETARY_REFUSED = "周建国（主要领导干部）的问题，河口县委组织部是其同级组织部门"
GO_TO_CITY = "应由临江市委组织部办理（R-ROUTE-3）"


def _about_secretary(tree: Tree) -> Case:
    """A letter about the county party secretary, received by his own county's department."""
    case = register(tree.county_staff, respondents=[RespondentInput(cadre=tree.county_secretary)])
    return to_read(case, tree.county_staff)


def _township_org(tree: Tree) -> Department:
    return department_create(
        jurisdiction=tree.shiqiao, kind="organization", name="石桥镇党委组织办"
    )


def test_proposal_and_services_share_one_rule() -> None:
    """The rule is written once (routing/rules.py); the proposal uses that function."""
    assert proposal.is_own_organization_department is rules.is_own_organization_department


def test_handle_here_is_refused_even_with_a_routing_note(tree: Tree) -> None:
    case = _about_secretary(tree)
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        cs.case_handle_here(
            actor=tree.county_staff,
            handler=tree.county_staff,
            case=case,
            routing_note="县委书记指示由本部自行核查",
        )
    assert SECRETARY_REFUSED in str(err.value)
    assert "不能自办" in str(err.value) and GO_TO_CITY in str(err.value)
    assert err.value.rules == ("R-ROUTE-3",)
    # Nothing half-written: still waiting to be routed, no decision recorded.
    assert Case.objects.get(pk=case.pk).state == State.READ
    assert RoutingDecision.objects.filter(case=case).count() == 0
    # What the proposal says is still open to it: report it up.
    p = propose_routing(facts_for_case(case))
    assert p.department is not None and p.department.id == tree.city_org.pk
    cs.case_refer(
        actor=tree.county_staff,
        case=case,
        reason="按干部管理权限报送",
        to_department=tree.city_org,
        explanation="您反映的问题已报送临江市委组织部办理。",
        explained_on=timezone.localdate(),
        explained_how="书面告知",
    )
    assert Case.objects.get(pk=case.pk).state == State.REFERRED


def test_other_departments_handle_such_cases_as_before(tree: Tree) -> None:
    """The rule is about the leader's *own* department: the city, which manages him, and
    the county for an ordinary cadre, still handle here."""
    city_case = register(
        tree.city_staff, respondents=[RespondentInput(cadre=tree.county_secretary)]
    )
    assert to_handling(city_case, tree.city_staff).state == State.HANDLING
    chief = register(
        tree.county_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)]
    )
    assert to_handling(chief, tree.county_staff).state == State.HANDLING


def test_keeping_for_reference_is_refused(tree: Tree) -> None:
    case = _about_secretary(tree)
    with pytest.raises(RuleViolation, match="不能存查") as err:
        cs.case_file(actor=tree.county_staff, case=case, reason="内容笼统", routing_note="存查")
    assert GO_TO_CITY in str(err.value)
    assert Case.objects.get(pk=case.pk).state == State.READ


def test_vague_anonymous_letter_about_own_leader_is_not_proposed_for_filing(tree: Tree) -> None:
    """R-INTAKE-4 gives way to R-ROUTE-3: the proposal reports it up instead of 存查."""
    case = register(
        tree.county_staff,
        petitioners=[],
        is_anonymous=True,
        anonymous_treatment="keep",
        anonymous_reason="内容笼统，无具体事实",
        respondents=[RespondentInput(cadre=tree.county_secretary)],
    )
    p = propose_routing(facts_for_case(case))
    assert p.mode == "refer" and p.department_name == "临江市委组织部"
    assert "R-ROUTE-3" in p.rules
    # The same letter about an ordinary cadre is still kept for reference.
    other = register(
        tree.county_staff,
        petitioners=[],
        is_anonymous=True,
        anonymous_treatment="keep",
        anonymous_reason="内容笼统，无具体事实",
        respondents=[RespondentInput(cadre=tree.county_bureau_chief)],
    )
    assert propose_routing(facts_for_case(other)).mode == "file"


@pytest.mark.parametrize("send", ["case_transfer_down", "case_assign_down"])
def test_sending_down_from_the_leaders_own_department_is_refused(tree: Tree, send: str) -> None:
    """Deciding which office below investigates him is deciding on the case too."""
    township = _township_org(tree)
    case = _about_secretary(tree)
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        getattr(cs, send)(
            actor=tree.county_staff, case=case, to_department=township, routing_note="下转"
        )
    assert GO_TO_CITY in str(err.value)
    # The refusal names what was refused, in the button's words.
    done = {"case_transfer_down": "转办", "case_assign_down": "交办"}[send]
    assert f"河口县委组织部是其同级组织部门，不能{done}，" in str(err.value)
    assert Assignment.objects.count() == 0


def test_sending_down_to_the_leaders_own_department_names_where_it_goes(tree: Tree) -> None:
    case = register(tree.city_staff, respondents=[RespondentInput(cadre=tree.county_secretary)])
    case = to_read(case, tree.city_staff)
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        cs.case_assign_down(
            actor=tree.city_staff, case=case, to_department=tree.county_org, routing_note="交县里"
        )
    # The city manages him (R-ROUTE-2): the case stays with the city.
    assert GO_TO_CITY in str(err.value)


def test_unit_personnel_department_and_its_own_leader(tree: Tree) -> None:
    """R-COUNTY-5: a unit's personnel department is its organization department."""
    secretary = cadre_create(
        name="刘国栋",
        title="党委书记",
        jurisdiction=tree.energy,
        managing_jurisdiction=tree.province,
        rank="bureau",
        is_main_leader=True,
    )
    case = to_read(
        register(tree.energy_staff, respondents=[RespondentInput(cadre=secretary)]),
        tree.energy_staff,
    )
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        cs.case_handle_here(
            actor=tree.energy_staff, handler=tree.energy_staff, case=case, routing_note="集团自查"
        )
    assert "东川能源集团人力资源部是其同级组织部门" in str(err.value)
    assert "应由东川省委组织部办理" in str(err.value)


def test_merge_into_a_case_handled_here_is_refused(tree: Tree) -> None:
    handled = to_handling(
        register(tree.county_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)]),
        tree.county_staff,
    )
    about_secretary = register(
        tree.county_staff, respondents=[RespondentInput(cadre=tree.county_secretary)]
    )
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        cs.case_merge(
            actor=tree.county_staff, case=about_secretary, into=handled, reason="同一事项"
        )
    assert "不能将本案并入其办理的案件" in str(err.value) and GO_TO_CITY in str(err.value)
    assert Case.objects.get(pk=about_secretary.pk).state == State.REGISTERED
    assert Petition.objects.filter(case=handled).count() == 1
    # Two letters about him both waiting to be routed may be merged: the merged case is then
    # routed once, and upwards.
    second = register(tree.county_staff, respondents=[RespondentInput(cadre=tree.county_secretary)])
    cs.case_merge(actor=tree.county_staff, case=second, into=about_secretary, reason="同一事项")
    assert Case.objects.get(pk=second.pk).state == State.MERGED


def test_repeat_linked_to_a_case_handled_here_is_refused(tree: Tree) -> None:
    handled = to_handling(
        register(tree.county_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)]),
        tree.county_staff,
    )
    before = Petition.objects.count()
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        register(
            tree.county_staff,
            repeat_of=handled,
            respondents=[RespondentInput(cadre=tree.county_secretary)],
        )
    assert "不能接收反映其问题的重信重访并入其办理的案件" in str(err.value)
    assert GO_TO_CITY in str(err.value)
    # One transaction: nothing of the refused registration is kept.
    assert Petition.objects.count() == before
    assert not Respondent.objects.filter(cadre=tree.county_secretary).exists()
    # A repeat about the same cadre as before is linked as usual (R-REPEAT-4).
    again = register(
        tree.county_staff,
        repeat_of=handled,
        respondents=[RespondentInput(cadre=tree.county_bureau_chief)],
    )
    assert again.pk == handled.pk


def _city_case_handled_by_county(tree: Tree) -> Case:
    """The city assigned a case about a bureau chief to the county, which handles it."""
    parent = to_read(
        register(tree.city_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)]),
        tree.city_staff,
    )
    assignment = cs.case_assign_down(
        actor=tree.city_staff, case=parent, to_department=tree.county_org, routing_note="属地"
    )
    to_handling(Case.objects.get(pk=assignment.child_id), tree.county_staff)
    return Case.objects.get(pk=parent.pk)


def test_repeat_at_the_city_reaching_the_county_that_handles_it_is_refused(tree: Tree) -> None:
    """A repeat linked to the city's case joins the family the county handles below."""
    parent = _city_case_handled_by_county(tree)
    before = Petition.objects.count()
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        register(
            tree.city_staff,
            repeat_of=parent,
            respondents=[RespondentInput(cadre=tree.county_secretary)],
        )
    assert SECRETARY_REFUSED in str(err.value) and GO_TO_CITY in str(err.value)
    assert Petition.objects.count() == before


def test_merge_at_the_city_reaching_the_county_that_handles_it_is_refused(tree: Tree) -> None:
    parent = _city_case_handled_by_county(tree)
    about_secretary = register(
        tree.city_staff, respondents=[RespondentInput(cadre=tree.county_secretary)]
    )
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        cs.case_merge(actor=tree.city_staff, case=about_secretary, into=parent, reason="同一事项")
    assert SECRETARY_REFUSED in str(err.value)
    assert Case.objects.get(pk=about_secretary.pk).state == State.REGISTERED


def test_taking_a_case_back_after_an_objection_is_refused(tree: Tree) -> None:
    """The county transferred a case about a bureau chief to a township; a later letter on
    the same matter also names the county secretary (linked as a repeat: the county does not
    hold a transferred case). The township objects; the county may not take it back."""
    township = _township_org(tree)
    township_leader = tree.staff(township, "leader")
    case = to_read(
        register(tree.county_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)]),
        tree.county_staff,
    )
    assignment = cs.case_transfer_down(
        actor=tree.county_staff, case=case, to_department=township, routing_note="属地办理"
    )
    register(
        tree.county_staff,
        repeat_of=case,
        respondents=[RespondentInput(cadre=tree.county_secretary)],
    )
    objection = cs.objection_raise(
        actor=township_leader, assignment=assignment, reasons="涉及县委书记，本镇无权查处"
    )
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        cs.objection_accept(actor=tree.county_staff, objection=objection, opinion="同意")
    assert "不能收回本案重新分办" in str(err.value) and GO_TO_CITY in str(err.value)
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.PENDING
    assert Case.objects.get(pk=case.pk).state == State.TRANSFERRED


def _named_before_the_rule(tree: Tree, case: Case) -> None:
    """The county secretary on the case's letter, recorded as it could be before this rule
    was enforced (the services now refuse every way of getting there)."""
    post = tree.county_secretary.post
    assert post is not None
    Respondent.objects.create(
        petition=Petition.objects.filter(case_id=case.petitions_root_id).first(),
        cadre=tree.county_secretary,
        name="周建国",
        post_title=post.title,
        rank=post.rank,
        jurisdiction=tree.hekou,
        managing_jurisdiction=tree.linjiang,
        is_main_leader=True,
    )


def test_report_sent_back_to_the_leaders_own_department_is_refused(tree: Tree) -> None:
    """R-CLOSE-6 return: the reported case would be handled again by the county."""
    parent = _city_case_handled_by_county(tree)
    child = Case.objects.get(parent=parent)
    cs.closure_submit(actor=tree.county_staff, case=child, **complete_closure(child))
    cs.closure_approve(
        actor=tree.staff(tree.county_org, "leader"), case=child, review_opinion="同意结案。"
    )
    _named_before_the_rule(tree, parent)
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        cs.report_return(actor=tree.city_staff, case=parent, child=child, reasons="事实不清")
    assert "不能重新办理本案" in str(err.value) and GO_TO_CITY in str(err.value)
    assert Case.objects.get(pk=child.pk).state == State.CLOSED


def test_review_sent_back_to_the_leaders_own_department_is_refused(tree: Tree) -> None:
    """A case handled at the county before this rule, whose letter also names the county
    secretary (recorded as it was then): a 复查 may not send it back to the county."""
    admin = tree.staff(tree.prov_org, "administrator")
    rule_set_activate(actor=admin, rule_set=RuleSet.objects.get(code="2022"))
    case = to_closed(
        register(tree.county_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)]),
        tree.staff(tree.county_org, "leader"),
        tree.county_staff,
    )
    _named_before_the_rule(tree, case)
    cs.review_apply(
        actor=tree.city_staff, case=case, applied_on=timezone.localdate(), request="不服"
    )
    with pytest.raises(RuleViolation, match="R-ROUTE-3") as err:
        cs.review_decide(actor=tree.city_staff, case=case, outcome="redo", opinion="重新办理")
    assert "不能重新办理本案" in str(err.value) and GO_TO_CITY in str(err.value)
    assert Case.objects.get(pk=case.pk).state == State.REVIEWING
    # Upholding or changing the decision keeps the case with the reviewer's answer.
    cs.review_decide(actor=tree.city_staff, case=case, outcome="changed", opinion="改由市里处理")
    assert Case.objects.get(pk=case.pk).state == State.CLOSED
