"""Leaders read, instruct and get reports (R-COUNTY-3); matters deviating from the line are
reported upward (R-CAT-1); petition staff and their workload (R-STAFF-1); the six steps
(R-INTAKE-1); referral and representative limits (R-ROUTE-6, R-ROUTE-3, R-INTAKE-3)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.builders import RespondentInput, register, to_read, visit_interview
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.access import cases_visible_to
from xinfang.cases.models import Case, CaseEvent, Instruction, Referral, RoutingDecision, Step
from xinfang.cases.selectors import case_step, staff_workload
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department
from xinfang.orgs.services import staff_create
from xinfang.petitions.services import PetitionerInput


def test_r_county_3_reading_records_the_leaders_instruction(tree: Tree) -> None:
    case = register(tree.county_staff)
    cs.case_read(
        actor=tree.county_staff, case=case, text="请组织科三日内核实", report_required=True
    )
    ins = Instruction.objects.get(case=case)
    assert (ins.leader, ins.text, ins.report_required) == (
        tree.county_staff,
        "请组织科三日内核实",
        True,
    )


def test_r_county_3_further_instruction_and_report(tree: Tree) -> None:
    case = to_read(register(tree.county_staff), tree.county_staff)
    ins = cs.case_instruct(
        actor=tree.county_staff, case=case, text="此事要抓紧，结果报我", report_required=True
    )
    handler = tree.staff(tree.county_org, "handler")
    with pytest.raises(RuleViolation, match="报告内容"):
        cs.instruction_report(actor=handler, instruction=ins, text="")
    cs.instruction_report(actor=handler, instruction=ins, text="已约谈当事人，正在核查")
    ins.refresh_from_db()
    assert ins.reported_at is not None and ins.report_text.startswith("已约谈")
    with pytest.raises(RuleViolation, match="已报告"):
        cs.instruction_report(actor=handler, instruction=ins, text="再报")
    registrar = tree.staff(tree.county_org, "registrar")
    with pytest.raises(RuleViolation, match="部领导"):
        cs.case_instruct(actor=registrar, case=case, text="越权批示")
    plain = cs.case_instruct(actor=tree.county_staff, case=case, text="阅")
    with pytest.raises(RuleViolation, match="未要求报告"):
        cs.instruction_report(actor=handler, instruction=plain, text="报告")
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count("instruct") == 2 and kinds.count("report_instruction") == 1


def test_r_cat_1_report_upward_puts_the_case_before_the_level_above(tree: Tree) -> None:
    case = register(tree.county_staff, category="organization_work", nature="suggestion")
    assert not cases_visible_to(tree.city_staff).filter(pk=case.pk).exists()
    with pytest.raises(RuleViolation, match="R-CAT-1"):
        cs.case_flag_report_upward(actor=tree.county_staff, case=case, reason="")
    cs.case_flag_report_upward(
        actor=tree.county_staff, case=case, reason="反映个别村党支部公开否定党的基本路线"
    )
    case.refresh_from_db()
    assert case.report_upward and case.follow_department == tree.city_org
    assert cases_visible_to(tree.city_staff).filter(pk=case.pk).exists()


def test_r_staff_1_duties_and_workload(tree: Tree) -> None:
    full = staff_create(
        username="zhuan",
        full_name="专职干部",
        department=tree.county_org,
        roles=["handler"],
        petition_duty="full_time",
    )
    part = staff_create(
        username="jian",
        full_name="兼职干部",
        department=tree.county_org,
        roles=["handler"],
        petition_duty="part_time",
    )
    staff_create(
        username="fenguan",
        full_name="分管领导",
        department=tree.county_org,
        roles=["leader"],
        petition_duty="leader_in_charge",
    )
    for _ in range(2):
        cs.case_handle_here(
            actor=tree.county_staff,
            handler=full,
            case=to_read(register(tree.county_staff), tree.county_staff),
        )
    cs.case_handle_here(
        actor=tree.county_staff,
        handler=part,
        case=to_read(register(tree.county_staff), tree.county_staff),
    )
    rows = {w.user.username: w for w in staff_workload(tree.county_org)}
    assert (rows["zhuan"].duty, rows["zhuan"].open_cases) == ("专职信访干部", 2)
    assert (rows["jian"].duty, rows["jian"].open_cases) == ("兼职信访干部", 1)
    assert rows["fenguan"].duty == "分管信访工作的领导" and rows["fenguan"].open_cases == 0
    with pytest.raises(RuleViolation, match="不是本部门的承办人"):
        cs.case_handle_here(
            actor=tree.county_staff,
            handler=tree.baisha_staff,
            case=to_read(register(tree.county_staff), tree.county_staff),
        )


def test_r_intake_1_six_steps(tree: Tree) -> None:
    letter = register(tree.county_staff)
    assert case_step(letter) == Step.REGISTRATION
    visit = register(
        tree.county_staff, channel="visit", interview=visit_interview(tree.county_staff)
    )
    assert case_step(visit) == Step.INTERVIEW
    assert case_step(to_read(letter, tree.county_staff)) == Step.READING


def _refer(tree: Tree, case: Case, **kw: object) -> Referral:
    args: dict[str, object] = {
        "routing_note": "按规定转交",
        "reason": "属劳动争议",
        "to_department": tree.county_hr,
        "explanation": "您反映的工资拖欠问题属人社部门职责，已转县人社局。",
        "explained_on": timezone.localdate(),
        "explained_how": "电话告知",
    }
    args.update(kw)
    return cs.case_refer(actor=tree.county_staff, case=case, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize("missing", ["explanation", "explained_on", "explained_how"])
def test_r_route_6_no_referral_without_explanation_to_the_petitioner(
    tree: Tree, missing: str
) -> None:
    case = to_read(
        register(tree.county_staff, category="outside_remit", nature="request"), tree.county_staff
    )
    with pytest.raises(RuleViolation, match="R-ROUTE-6"):
        _refer(tree, case, **{missing: None if missing == "explained_on" else ""})
    assert Referral.objects.count() == 0
    _refer(tree, case)
    assert Case.objects.get(pk=case.pk).state == "referred"


def test_r_route_3_referral_never_to_main_leaders_own_org_department(tree: Tree) -> None:
    case = register(tree.city_staff, respondents=[RespondentInput(cadre=tree.county_secretary)])
    case = to_read(case, tree.city_staff)
    with pytest.raises(RuleViolation, match="R-ROUTE-3"):
        cs.case_refer(
            actor=tree.city_staff,
            case=case,
            routing_note="转县里",
            reason="属地",
            to_department=tree.county_org,
            explanation="已转",
            explained_on=timezone.localdate(),
            explained_how="书面",
        )


def test_r_intake_3_at_most_five_representatives(tree: Tree) -> None:
    reps = [PetitionerInput(name=f"代表{i}", is_representative=True) for i in range(6)]
    with pytest.raises(RuleViolation, match="不超过5人"):
        register(tree.county_staff, is_collective=True, head_count=40, petitioners=reps)
    register(tree.county_staff, is_collective=True, head_count=40, petitioners=reps[:5])


def _outside(tree: Tree) -> Case:
    case = register(tree.county_staff, category="outside_remit", nature="request")
    return to_read(case, tree.county_staff)


def test_r_route_6_a_referral_keeps_what_was_typed_trimmed_in_one_name_everywhere(
    tree: Tree,
) -> None:
    """A receiving department outside the system is named by hand: the referral, the decision
    recorded beside the proposal (R-ROUTE-1) and the event all carry the same trimmed name,
    and the event covers the referral's record."""
    case = _outside(tree)
    referral = _refer(
        tree,
        case,
        to_department=None,
        to_department_name="  邻省某县人社局 ",
        reason=" 属劳动争议 ",
        explanation=" 您反映的问题属人社部门职责，已转邻省某县人社局。 ",
        explained_how=" 电话告知 ",
    )
    referral.refresh_from_db()
    assert referral.to_department is None
    assert (
        referral.to_department_name,
        referral.reason,
        referral.explanation,
        referral.explained_how,
        referral.explained_on,
    ) == (
        "邻省某县人社局",
        "属劳动争议",
        "您反映的问题属人社部门职责，已转邻省某县人社局。",
        "电话告知",
        timezone.localdate(),
    )
    decision = RoutingDecision.objects.get(case=case)
    assert (decision.decided_mode, decision.decided_department_id) == ("refer", None)
    assert decision.decided_department_name == "邻省某县人社局"
    assert decision.deviation_reason == "按规定转交"
    event = CaseEvent.objects.filter(case=case).latest("seq")
    assert event.kind == "refer" and event.to_state == "referred"
    assert event.payload["referral"] == referral.pk
    assert event.payload["to"] == "邻省某县人社局"
    assert event.payload["mode"] == "refer"
    assert ["referral", referral.pk] in [record[:2] for record in event.records]
    stored = Case.objects.get(pk=case.pk)  # the decision saved on the case row with the event
    assert stored.handling_mode == "refer" and stored.mode_decided_at == decision.decided_at


def test_r_route_6_a_referral_to_a_department_of_the_system_names_it(tree: Tree) -> None:
    case = _outside(tree)
    referral = _refer(tree, case)
    assert Referral.objects.get(pk=referral.pk).to_department == tree.county_hr
    assert Referral.objects.get(pk=referral.pk).to_department_name == "河口县人社局"
    assert RoutingDecision.objects.get(case=case).decided_department == tree.county_hr


def test_r_route_6_a_refused_explanation_cites_r_route_6_alone(tree: Tree) -> None:
    """The receiver is right: R-ROUTE-1 is not cited."""
    case = _outside(tree)
    with pytest.raises(RuleViolation) as refused:
        _refer(tree, case, explained_how="")
    assert refused.value.rules == ("R-ROUTE-6",)


def test_r_route_6_a_referral_names_its_receiver(tree: Tree) -> None:
    case = _outside(tree)
    with pytest.raises(RuleViolation) as refused:
        cs.case_refer(
            actor=tree.county_staff,
            case=case,
            reason="属劳动争议",
            explanation="已转",
            explained_on=timezone.localdate(),
            explained_how="电话告知",
            routing_note="按规定转交",
        )
    assert refused.value.messages == ["“接收部门”不能为空。"]
    assert refused.value.rules == ("R-ROUTE-6",)


def test_r_route_1_a_case_is_not_referred_to_its_own_department(tree: Tree) -> None:
    """Only the receiver is wrong: the refusal cites R-ROUTE-1 alone; with the explanation
    missing too, both rules, the explanation's first."""
    case = _outside(tree)
    with pytest.raises(RuleViolation) as refused:
        _refer(tree, case, to_department=tree.county_org)
    assert refused.value.messages == ["不能转交给本部门。"]
    assert refused.value.rules == ("R-ROUTE-1",)
    with pytest.raises(RuleViolation) as both:
        _refer(tree, case, to_department=tree.county_org, explained_how="")
    assert both.value.messages == [
        "转其他部门办理，须记录向信访人解释的内容、日期和方式（R-ROUTE-6）。",
        "不能转交给本部门。",
    ]
    assert both.value.rules == ("R-ROUTE-6", "R-ROUTE-1")
    assert Referral.objects.count() == 0


def test_r_route_6_an_explanation_dated_tomorrow_is_refused_in_words(tree: Tree) -> None:
    case = _outside(tree)
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    with pytest.raises(RuleViolation) as refused:
        _refer(tree, case, explained_on=tomorrow)
    assert refused.value.messages == ["解释日期不能晚于今天。"]


def test_r_route_1_sent_down_only_below_and_only_to_a_department_using_the_system(
    tree: Tree,
) -> None:
    case = to_read(register(tree.city_staff), tree.city_staff)
    with pytest.raises(RuleViolation) as sideways:
        cs.case_transfer_down(
            actor=tree.city_staff, case=case, to_department=tree.qingshan_org, routing_note="试"
        )
    assert sideways.value.messages == [
        "青山市委组织部不是本级以下的部门，不能向其转办或交办（R-ROUTE-1）。"
    ]
    Department.objects.filter(pk=tree.county_discipline.pk).update(handles_petitions=False)
    with pytest.raises(RuleViolation) as outside:
        cs.case_transfer_down(
            actor=tree.city_staff,
            case=case,
            to_department=Department.objects.get(pk=tree.county_discipline.pk),
            routing_note="试",
        )
    assert outside.value.messages == ["河口县纪委监委未启用本系统办理信访，请改用“转其他部门”。"]
    assert outside.value.rules == ("R-ROUTE-1",)
    with pytest.raises(RuleViolation) as itself:
        cs.case_transfer_down(
            actor=tree.city_staff, case=case, to_department=tree.city_org, routing_note="试"
        )
    assert itself.value.messages == ["不能转交给本部门。"]
    assert Case.objects.get(pk=case.pk).state == "read"
