"""The demo's early warnings (R-REPEAT-5): at the end of the build, a matter that gathers in
the last days at the department of the demo leader (six people write online about one
township's village-committee election), registered through the registration service like
every other petition; then the poll runs for the last day, as cron would, and the leader
acknowledges one warning and assigns it to the demo handler. So lingdao's home page shows
open warnings, in more than one state."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinfang.alerts import services
from xinfang.alerts.models import EarlyWarning, StepKind
from xinfang.cases.actions import petition_register
from xinfang.core.errors import RuleViolation
from xinfang.demo.clock import FrozenClock
from xinfang.orgs.models import User
from xinfang.petitions.models import Channel
from xinfang.petitions.services import PetitionerInput

LEADER = "lingdao"
REGISTRAR = "dengji"
OFFICER = "chengban"
PEOPLE = ("程立群", "范晓东", "邹玉兰", "谭国庆", "石文斌", "龙秀英")
SAYINGS = (
    "村委会换届选举前有人挨家挨户拉票，还许诺选上后给好处，请组织部门调查。",
    "换届选举中有人请客送礼拉票，村民意见很大，希望上级派人督导选举。",
    "村委会换届有人拉票贿选，选举程序不公开，请求组织部门依法纠正。",
)


def build_warnings(today: dt.date, clock: FrozenClock) -> list[str]:
    """Register the gathering matter over the six days before `today`, poll as cron would
    have the evening before, take the first steps; returns refusals."""
    registrar = User.objects.filter(username=REGISTRAR).first()
    leader = User.objects.filter(username=LEADER).first()
    officer = User.objects.filter(username=OFFICER).first()
    if registrar is None or leader is None or officer is None or registrar.department is None:
        return []
    place = registrar.department.jurisdiction.name
    zone = timezone.get_current_timezone()
    failures: list[str] = []
    # Demo activity ends the evening before the day it is built (no case is registered on
    # the build's day): received over the last six days, registered in the last minutes of
    # yesterday, after every planned step (the build's clock only moves forward).
    yesterday = today - dt.timedelta(days=1)
    for i, name in enumerate(PEOPLE):
        day = yesterday - dt.timedelta(days=len(PEOPLE) - 1 - i)
        clock.set(dt.datetime.combine(yesterday, dt.time(23, 50 + i), tzinfo=zone))
        try:
            petition_register(
                actor=registrar,
                channel=Channel.ONLINE,
                received_on=day,
                summary="反映村委会换届选举中有人拉票",
                content=f"我是{place}的村民。{SAYINGS[i % len(SAYINGS)]}"
                f"选举定在下月，我们担心结果不公。",
                category="organization_work",
                nature="suggestion",
                petitioners=[PetitionerInput(name=name, account=f"演示留言板:villager{i + 1}")],
            )
        except RuleViolation as exc:
            failures.append(f"预警演示：{exc}")
    clock.set(dt.datetime.combine(yesterday, dt.time(23, 58), tzinfo=zone))
    services.poll(yesterday)
    mine = EarlyWarning.objects.filter(department=registrar.department).order_by("-score", "pk")
    first = mine.first()
    if first is None:
        return [*failures, "预警演示：演示部门没有产生预警。"]
    clock.set(dt.datetime.combine(yesterday, dt.time(23, 59), tzinfo=zone))
    try:
        services.warning_step(
            first, kind=StepKind.ACKNOWLEDGE, actor=leader, note="请承办人了解村里选举准备情况。"
        )
        services.warning_step(
            first,
            kind=StepKind.ASSIGN,
            actor=leader,
            assignee=officer,
            note="会同乡镇党委核实，三日内报告。",
        )
    except RuleViolation as exc:
        failures.append(f"预警演示：{exc}")
    return failures
