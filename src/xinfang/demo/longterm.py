"""The demo's register of long-standing petitioners (信访老户台账): at the end of the build,
two entries at the department of the demo leader (lingdao), through the services like every
other step: one being worked on, with a periodic review, and, where a closed case allows it,
one concluded with its position statement (R-REPEAT-1..3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count

from xinfang.cases.models import Case, State
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User
from xinfang.persistent import services
from xinfang.petitions.models import Petitioner, PetitionPetitioner

LEADER = "lingdao"
OFFICER = "chengban"


def _pairs(department_id: int, states: Sequence[str]) -> list[tuple[Case, int]]:
    """(case, petitioner) of the department's cases in `states`, most petitions first."""
    rows = (
        PetitionPetitioner.objects.filter(
            petition__case__department_id=department_id, petition__case__state__in=states
        )
        .values("petition__case_id", "petitioner_id")
        .annotate(n=Count("petition_id"))
        .order_by("-n", "petition__case_id")[:1]
    )
    cases = Case.objects.in_bulk([r["petition__case_id"] for r in rows])
    return [(cases[r["petition__case_id"]], r["petitioner_id"]) for r in rows]


def build_register(today: dt.date) -> list[str]:
    """Put up to two entries on the register; returns the refusals, if any (shown by the
    demo command like the other steps' failures)."""
    leader = User.objects.filter(username=LEADER).first()
    officer = User.objects.filter(username=OFFICER).first()
    if leader is None or officer is None or leader.department_id is None:
        return []
    failures: list[str] = []
    open_states = [State.HANDLING, State.READ, State.CLOSING]
    for case, petitioner_id in _pairs(leader.department_id, open_states):
        try:
            entry = services.entry_register(
                actor=leader,
                case=case,
                # The person of the case's petitions (a repeat petitioner appears on several).
                petitioner=Petitioner.objects.get(pk=petitioner_id),
                analysis="诉求涉及历史遗留问题，原处理意见与现行政策衔接不够，本人对答复不满意。",
                measures="包案领导每月约谈一次；承办人会同相关单位逐项核实，书面答复。",
                leader=leader,
                officer=officer,
                target_on=today + dt.timedelta(days=60),
            )
            services.entry_review(
                actor=officer,
                entry=entry,
                reviewed_on=today,
                progress="已约谈信访人，核实材料已调齐。",
                next_steps="两周内形成书面答复意见报包案领导。",
            )
        except RuleViolation as exc:
            failures.append(f"信访老户台账：{exc}")
    for case, petitioner_id in _pairs(leader.department_id, [State.CLOSED]):
        try:
            entry = services.entry_register(
                actor=leader,
                case=case,
                # The person of the case's petitions (a repeat petitioner appears on several).
                petitioner=Petitioner.objects.get(pk=petitioner_id),
                analysis="问题已按政策解决，本人仍坚持过高要求，反复来访。",
                measures="由包案领导再次当面答复，统一各级答复口径。",
                leader=leader,
                officer=officer,
                target_on=today,
            )
            services.entry_conclude(
                actor=leader,
                entry=entry,
                ended_on=today,
                text="经复核，原处理意见符合政策，已当面答复本人。",
                position_statement="该问题已按政策处理完毕，原答复意见不变；同一诉求不再重新办理，"
                "各级按此口径答复。",
            )
        except RuleViolation as exc:
            failures.append(f"信访老户台账：{exc}")
    return failures
