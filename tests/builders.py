"""Short ways to put a case in a given state through the real services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.utils import timezone

from xinfang.cases import actions as cs
from xinfang.cases.actions import Registration, petition_register
from xinfang.cases.closure import closure_requirements_of
from xinfang.cases.models import Case
from xinfang.orgs.models import User
from xinfang.petitions.services import InterviewInput, PetitionerInput, RespondentInput

VALID_ID = "110101199003074477"  # a GB 11643-valid test number (fictional)


def registration(actor: User, **kw: Any) -> Registration:
    """Register through the service with realistic defaults; `kw` overrides any of them."""
    args: dict[str, Any] = {
        "channel": "letter",
        "received_on": timezone.localdate() - dt.timedelta(days=1),
        "summary": "反映某局长在干部选拔中搞亲属关系",
        "content": "我单位局长在提拔干部时优先安排亲属，群众意见很大，请组织上调查。",
        "category": "misconduct",
        "nature": "accusation",
        "petitioners": [PetitionerInput(name="王建华", id_number=VALID_ID, phone="13800000000")],
    }
    args.update(kw)
    return petition_register(actor=actor, **args)


def register(actor: User, **kw: Any) -> Case:
    return registration(actor, **kw).case


def visit_interview(actor: User) -> InterviewInput:
    return InterviewInput(
        receivers=[actor],
        interviewed_at=timezone.now(),
        statement="反映职级待遇未落实",
        requests="按政策落实待遇",
        answer="登记在案，按程序办理并答复",
    )


def complete_closure(case: Case) -> dict[str, Any]:
    """Closure data with exactly the parts `case` needs (cases.closure: R-CLOSE-3..5, R-CAT-4)."""
    need = closure_requirements_of(case)
    today = timezone.localdate()
    data: dict[str, Any] = {
        "facts": "经调查，反映的问题基本属实。",
        "decision": "对相关人员进行诫勉谈话。",
        "policy_basis": "《党政领导干部选拔任用工作条例》",
        "procedure": list(need.procedure),
    }
    if need.personal_outcome:
        data["personal_outcome"] = "granted"
    if need.petitioner_opinion:
        data["petitioner_opinion"] = "本人对处理结果表示认可。"
        data["conclusion_shown_on"] = today
        data["conclusion_shown_how"] = "当面谈话"
    if need.accuser_feedback:
        data["feedback_on"] = today
        data["feedback_how"] = "电话告知"
    return data


def to_read(case: Case, leader: User) -> Case:
    return cs.case_read(actor=leader, case=case, text="请组织科调查核实后报我。")


def to_handling(case: Case, leader: User, handler: User | None = None) -> Case:
    """Read and decided 自办, named to `handler` (the leader himself when he is one)."""
    return cs.case_handle_here(actor=leader, handler=handler or leader, case=to_read(case, leader))


def to_closing(case: Case, leader: User, handler: User) -> Case:
    case = to_handling(case, leader, handler)
    cs.closure_submit(actor=handler, case=case, **complete_closure(case))
    return Case.objects.get(pk=case.pk)


def to_closed(case: Case, leader: User, handler: User) -> Case:
    case = to_closing(case, leader, handler)
    cs.closure_approve(actor=leader, case=case)
    return Case.objects.get(pk=case.pk)


__all__ = ["PetitionerInput", "RespondentInput", "register", "visit_interview"]


@contextmanager
def at(year: int, month: int, day: int, hour: int = 10) -> Iterator[None]:
    """Run the services as if it were that local date and time."""
    when = timezone.make_aware(dt.datetime(year, month, day, hour))
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield
