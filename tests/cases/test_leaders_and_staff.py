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
from xinfang.cases.models import Case, CaseEvent, Instruction, Referral, Step
from xinfang.cases.selectors import case_step, staff_workload
from xinfang.core.errors import RuleViolation
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
