"""A realistic, deterministic demo province built only through the services.

How it works
------------
1. The organization tree (jurisdictions, departments, cadres, staff) is created with the
   org services (`jurisdiction_create`, `department_create`, `cadre_create`, `staff_create`).
2. A *plan* is drawn for every case with one `random.Random(seed)`: the receiving
   department, the matter, the petitioners, the route (handle here, assign or transfer down,
   refer, keep) and the fate (how far along its life it has come by today), plus repeats and
   duplicate registrations. Each plan is a list of timed steps.
3. All steps of all cases are executed in one global chronological order (a heap keyed by
   time), each step calling one service. So case numbers, `is_first` (R-INTAKE-5) and the
   per-case timelines all agree with the dates.

Dates: the services stamp `django.utils.timezone.now()`. `FrozenClock` replaces that module
attribute for the duration of the build with a function returning the time of the step being
executed, and restores the original afterwards (also on error). Every caller that goes through
`timezone.now()` / `timezone.localdate()` (the services, `auto_now_add` fields, Django's date
checks) sees the frozen time, so `received_on <= today` and the other date rules hold in the
past exactly as they do live, and the hash chain stores the frozen `created_at`.

All demo activity ends before today's midnight (local time), so two builds on the same day
produce the same data. Nothing writes Case, Petition or CaseEvent rows directly.
"""

from __future__ import annotations

import datetime as dt
import gc
import heapq
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from xinfang.cases import actions as cs
from xinfang.cases.actions import petition_register
from xinfang.cases.models import Assignment, Case, State
from xinfang.core.errors import RuleViolation
from xinfang.core.idnumber import check_digit
from xinfang.demo import text as T
from xinfang.orgs.models import (
    Cadre,
    CadreRank,
    Department,
    DepartmentKind,
    Jurisdiction,
    Level,
    PetitionDuty,
    Role,
    User,
)
from xinfang.orgs.services import cadre_create, department_create, jurisdiction_create, staff_create
from xinfang.petitions.models import Channel, Source
from xinfang.petitions.services import InterviewInput, PetitionerInput, RespondentInput
from xinfang.routing.terms import AnonymousTreatment, Category, Nature

SEED = 19870729  # the founding notice's date
DEMO_PASSWORD = "demo12345"
DEFAULT_PETITIONS = 5000
HISTORY_DAYS = 730  # two years before today


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    department: str
    note: str


# The accounts printed by `xinfang demo`; every other staff member has the same password.
DEMO_ACCOUNTS = (
    DemoAccount("dengji", "登记员", "望江市委组织部", "登记来信来访、接谈"),
    DemoAccount("chengban", "承办人", "望江市委组织部", "调查办理、提交结案"),
    DemoAccount(
        "lingdao", "部领导", "望江市委组织部", "分管信访工作的副部长：阅批、交办、审批结案"
    ),
    DemoAccount("dudao", "上级督导", "清江省委组织部", "查看下级组织部门的案件"),
    DemoAccount("admin", "系统管理员", "清江省委组织部", "Django 超级用户"),
)


# --- The frozen clock -------------------------------------------------------------------


class FrozenClock:
    """Replaces `django.utils.timezone.now` while active; `set()` moves the hands.

    `timezone.localdate()` and `timezone.localtime()` look `now` up in the module's globals at
    call time, and the services call `timezone.now()` through the module, so one attribute
    swap covers them all. The original is restored on exit, even after an exception.
    """

    def __init__(self) -> None:
        self._current: dt.datetime | None = None
        self._original: Callable[[], dt.datetime] | None = None

    def set(self, when: dt.datetime) -> None:
        if timezone.is_naive(when):
            raise ValueError("FrozenClock needs an aware datetime")
        self._current = when.astimezone(dt.UTC)

    def _now(self) -> dt.datetime:
        if self._current is None:
            assert self._original is not None
            return self._original()
        return self._current

    def __enter__(self) -> FrozenClock:
        self._original = timezone.now
        setattr(timezone, "now", self._now)  # noqa: B010 - module attribute swap
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(timezone, "now", self._original)  # noqa: B010
        self._original = None
        self._current = None


# --- The organization tree --------------------------------------------------------------


@dataclass
class Org:
    """One jurisdiction with its departments, cadres and petition staff."""

    jur: Jurisdiction
    slug: str
    code: str
    parent: Org | None
    handling: Department  # the organization or personnel department that handles petitions
    depts: dict[str, Department] = field(default_factory=dict)
    children: list[Org] = field(default_factory=list)
    registrar: User | None = None
    handlers: list[User] = field(default_factory=list)
    leaders: list[User] = field(default_factory=list)
    officials: list[Cadre] = field(default_factory=list)  # cadres with posts here
    village_secretaries: list[Cadre] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)

    @property
    def level(self) -> str:
        return self.jur.level

    @property
    def name(self) -> str:
        return self.jur.name

    def subtree(self) -> Iterator[Org]:
        yield self
        for child in self.children:
            yield from child.subtree()

    def dept_of_kind(self, kind: str) -> Department | None:
        """This jurisdiction's department of a kind, or the nearest upper one's."""
        org: Org | None = self
        while org is not None:
            if kind in org.depts:
                return org.depts[kind]
            org = org.parent
        return None

    def leader(self, rng: random.Random) -> User:
        # The leader in charge of petition work (leaders[1]) reads most letters.
        return self.leaders[1] if rng.random() < 0.75 else self.leaders[0]

    def handler(self, rng: random.Random) -> User:
        return rng.choice(self.handlers)

    def reg(self) -> User:
        assert self.registrar is not None
        return self.registrar


@dataclass
class CadreInfo:
    cadre: Cadre
    display: str  # e.g. 江源县交通运输局局长
    unit: str  # e.g. 江源县交通运输局
    org: Org  # where the post is
    managing: Org  # whose party committee manages the holder (R-ROUTE-2)


class Names:
    """Unique, deterministic Chinese names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def person(self, female: bool | None = None) -> tuple[str, bool]:
        for _ in range(50):
            is_female = self.rng.random() < 0.35 if female is None else female
            given = self.rng.choice(T.GIVEN_FEMALE if is_female else T.GIVEN_MALE)
            name = self.rng.choice(T.SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name, is_female
        return name, is_female  # a common name may repeat, as in life

    def any(self) -> str:
        return self.person()[0]


DEPT_NAMES = {
    DepartmentKind.ORGANIZATION: "{p}委组织部",
    DepartmentKind.DISCIPLINE: "{n}纪委监委",
    DepartmentKind.PETITION_BUREAU: "{n}信访局",
    DepartmentKind.POLITICAL_LEGAL: "{p}委政法委",
    DepartmentKind.HUMAN_RESOURCES: "{n}人力资源和社会保障局",
    DepartmentKind.PROCURATORATE: "{n}人民检察院",
    DepartmentKind.OTHER: "{n}自然资源和规划局",
}
COURT_NAMES = {
    Level.PROVINCE: "{n}高级人民法院",
    Level.PREFECTURE: "{n}中级人民法院",
    Level.COUNTY: "{n}人民法院",
}


class OrgBuilder:
    def __init__(self, rng: random.Random, names: Names) -> None:
        self.rng = rng
        self.names = names
        self.orgs: list[Org] = []
        self.cadres: list[CadreInfo] = []
        self.staff: list[User] = []
        self.accounts: dict[str, User] = {}

    def build(self) -> Org:
        pname, pslug, pcode = T.PROVINCE
        province = self._jurisdiction(pname, Level.PROVINCE, None, pslug, pcode)
        townships = iter(T.TOWNSHIP_NAMES)
        prefectures = []
        for pi, (name, slug, counties) in enumerate(T.PREFECTURES):
            pref = self._jurisdiction(name, Level.PREFECTURE, province, slug, f"39{pi + 1:02d}00")
            prefectures.append(pref)
            for ci, (cname, cslug) in enumerate(counties):
                county = self._jurisdiction(
                    cname, Level.COUNTY, pref, cslug, f"39{pi + 1:02d}{ci + 1:02d}"
                )
                for ti in range(2):
                    tname = next(townships)
                    self._jurisdiction(
                        tname,
                        Level.TOWNSHIP,
                        county,
                        f"{cslug}{ti + 1}",
                        f"{county.code}{ti + 1:03d}",
                    )
        for uname, uslug, parent_key in T.UNITS:
            parent = province if parent_key == "province" else prefectures[int(parent_key)]
            self._jurisdiction(uname, Level.UNIT, parent, uslug, parent.code)
        for org in province.subtree():
            self._cadres(org)
            self._staff(org)
        # R-STAFF-1 and the demo accounts: everyone logs in with the demo password.
        hashed = make_password(DEMO_PASSWORD)
        User.objects.filter(pk__in=[u.pk for u in self.staff]).update(password=hashed)
        User.objects.filter(username="admin").update(is_superuser=True)
        return province

    def _jurisdiction(self, name: str, level: str, parent: Org | None, slug: str, code: str) -> Org:
        jur = jurisdiction_create(
            name=name,
            level=level,
            parent=parent.jur if parent else None,
            code=code if level != Level.UNIT else "",
        )
        depts: dict[str, Department] = {}
        if level in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY):
            for kind, pattern in DEPT_NAMES.items():
                depts[kind] = department_create(
                    jurisdiction=jur,
                    kind=kind,
                    name=pattern.format(p=name, n=name),
                    handles_petitions=kind == DepartmentKind.ORGANIZATION,
                )
            depts[DepartmentKind.COURT] = department_create(
                jurisdiction=jur,
                kind=DepartmentKind.COURT,
                name=COURT_NAMES[Level(level)].format(n=name),
                handles_petitions=False,
            )
            handling = depts[DepartmentKind.ORGANIZATION]
        elif level == Level.TOWNSHIP:
            # A township committee's organization office (组织委员) takes village matters.
            handling = depts[DepartmentKind.ORGANIZATION] = department_create(
                jurisdiction=jur,
                kind=DepartmentKind.ORGANIZATION,
                name=f"{name}党委组织办",
            )
            depts[DepartmentKind.DISCIPLINE] = department_create(
                jurisdiction=jur,
                kind=DepartmentKind.DISCIPLINE,
                name=f"{name}纪委",
                handles_petitions=False,
            )
        else:
            # R-COUNTY-5: a unit's personnel department runs the same workflow.
            handling = depts[DepartmentKind.PERSONNEL] = department_create(
                jurisdiction=jur,
                kind=DepartmentKind.PERSONNEL,
                name=f"{name}党委组织部（人事处）",
            )
            depts[DepartmentKind.DISCIPLINE] = department_create(
                jurisdiction=jur,
                kind=DepartmentKind.DISCIPLINE,
                name=f"{name}纪委",
                handles_petitions=False,
            )
        org = Org(jur=jur, slug=slug, code=code, parent=parent, handling=handling, depts=depts)
        if parent is not None:
            parent.children.append(org)
        self.orgs.append(org)
        return org

    def _cadre(
        self,
        org: Org,
        title: str,
        rank: str,
        *,
        up: bool,
        main: bool = False,
        unit: str = "",
        department: Department | None = None,
        display: str = "",
        runit: str = "",
    ) -> Cadre:
        """Main leaders and leadership-team members are managed one level up (R-ROUTE-2)."""
        managing = org.parent if up and org.parent is not None else org
        cadre = cadre_create(
            name=self.names.any(),
            title=title,
            jurisdiction=org.jur,
            managing_jurisdiction=managing.jur,
            rank=rank,
            is_main_leader=main,
            department=department,
            unit_name=unit,
        )
        self.cadres.append(
            CadreInfo(
                cadre=cadre,
                display=display or f"{org.name}{unit}{title}",
                unit=runit or f"{org.name}{unit}",
                org=org,
                managing=managing,
            )
        )
        return cadre

    def _cadres(self, org: Org) -> None:
        rng = self.rng
        c = self._cadre
        n = org.name
        lvl = org.level
        if lvl == Level.PROVINCE:
            for bureau in ("交通运输厅", "教育厅", "自然资源厅", "农业农村厅"):
                org.officials.append(c(org, "厅长", CadreRank.BUREAU, up=False, unit=bureau))
            return
        if lvl in (Level.PREFECTURE, Level.COUNTY):
            s = "市" if lvl == Level.PREFECTURE else "县"
            rank = CadreRank.BUREAU if lvl == Level.PREFECTURE else CadreRank.DIVISION
            low = CadreRank.DIVISION if lvl == Level.PREFECTURE else CadreRank.SECTION
            gov = f"{n}人民政府"
            team = [
                (f"{s}委书记", True, "", f"{n}委书记", f"{n}委"),
                (f"{s}长", False, "人民政府", f"{n}{s}长", gov),
                (f"{s}委副书记", False, "", f"{n}委副书记", f"{n}委"),
                (f"常务副{s}长", False, "人民政府", f"{n}常务副{s}长", gov),
                (f"副{s}长", False, "人民政府", f"{n}副{s}长", gov),
            ]
            for title, main, unit, display, runit in team:
                org.officials.append(
                    c(org, title, rank, up=True, main=main, unit=unit, display=display, runit=runit)
                )
            org.officials.append(
                c(
                    org,
                    "组织部部长",
                    rank,
                    up=True,
                    department=org.handling,
                    display=f"{org.handling.name}部长",
                    runit=org.handling.name,
                )
            )
            bureaus = rng.sample(T.BUREAUS, 6 if lvl == Level.PREFECTURE else 8)
            for bureau in bureaus:
                org.officials.append(c(org, "局长", low, up=False, unit=bureau))
            for bureau in bureaus[:4]:
                org.officials.append(c(org, "副局长", low, up=False, unit=bureau))
            return
        if lvl == Level.TOWNSHIP:
            s = n[-1]  # 镇 or 乡
            party, gov = f"{n}党委", f"{n}人民政府"
            for title, main, runit in (
                (f"{s}党委书记", True, party),
                (f"{s}长", False, gov),
                (f"{s}党委副书记", False, party),
                (f"{s}纪委书记", False, party),
            ):
                org.officials.append(
                    c(
                        org,
                        title,
                        CadreRank.SECTION,
                        up=True,
                        main=main,
                        display=n + title[1:]
                        if title.startswith(s + "党") or title.startswith(s + "纪")
                        else n + title,
                        runit=runit,
                    )
                )
            villages: list[str] = []
            while len(villages) < 4:
                v = rng.choice(T.VILLAGE_PARTS_1) + rng.choice(T.VILLAGE_PARTS_2) + "村"
                if v not in villages:
                    villages.append(v)
            org.villages = villages
            for v in villages:
                org.village_secretaries.append(
                    c(org, "党支部书记", CadreRank.OTHER, up=False, unit=v, runit=v)
                )
            return
        # A unit: its top leaders are managed by the parent committee, the rest by the unit.
        for title, main in (("党委书记、董事长", True), ("总经理", False), ("党委副书记", False)):
            org.officials.append(c(org, title, CadreRank.DIVISION, up=True, main=main, runit=n))
        for section in rng.sample(T.UNIT_SECTIONS, 4):
            title = "处长" if section.endswith("处") else "经理"
            org.officials.append(c(org, title, CadreRank.SECTION, up=False, unit=section))

    def _staff(self, org: Org) -> None:
        dept = org.handling
        upper = org.level in (Level.PROVINCE, Level.PREFECTURE)
        is_demo = org.slug == "wj"

        def make(suffix: str, roles: tuple[str, ...], duty: str = "", demo: str = "") -> User:
            full_name = self.names.any()
            username = demo if is_demo and demo else f"{org.slug}.{suffix}"
            user = staff_create(
                username=username,
                full_name=full_name,
                department=dept,
                roles=roles,
                petition_duty=duty,
                is_staff=True,
            )
            self.staff.append(user)
            return user

        org.registrar = make(
            "dengji",
            (Role.REGISTRAR,),
            PetitionDuty.FULL_TIME if upper else PetitionDuty.PART_TIME,
            "dengji",
        )
        org.handlers = [
            make("chengban1", (Role.HANDLER,), PetitionDuty.FULL_TIME, "chengban"),
            make("chengban2", (Role.HANDLER,), PetitionDuty.PART_TIME),
        ]
        org.leaders = [
            make("buzhang", (Role.LEADER,)),
            make("fenguan", (Role.LEADER,), PetitionDuty.LEADER_IN_CHARGE, "lingdao"),
        ]
        if org.children:
            demo_sup = org.level == Level.PROVINCE
            self.staff.append(
                staff_create(
                    username="dudao" if demo_sup else f"{org.slug}.dudao",
                    full_name=self.names.any(),
                    department=dept,
                    roles=(Role.SUPERVISOR,),
                    is_staff=True,
                )
            )
        if org.level == Level.PROVINCE:
            self.staff.append(
                staff_create(
                    username="admin",
                    full_name=self.names.any(),
                    department=dept,
                    roles=(Role.ADMINISTRATOR,),
                    is_staff=True,
                )
            )


# --- Plans ------------------------------------------------------------------------------

# Fates: how far a case has come by today. Self-handled (自办) ...
SELF_FATES = (
    "registered",
    "read",
    "handling",
    "handling_returned",
    "closing",
    "closed",
    "archived",
)
# ... assigned down with result required (交办) ...
ASSIGN_FATES = (
    "a_sent",
    "a_handling",
    "a_overdue",
    "a_overdue_explained",
    "a_closing",
    "a_reported",
    "a_report_returned",
    "a_accepted",
    "a_archived",
)
# ... transferred down (转办), referred (转其他部门), kept (存查).
TRANSFER_FATES = ("t_handling", "t_closed", "t_archived")
REFER_FATES = ("referred", "referred_archived")
FILE_FATES = ("filed", "filed_archived")


def _pick(rng: random.Random, table: list[tuple[str, float]]) -> str:
    names = [n for n, _ in table]
    weights = [w for _, w in table]
    return rng.choices(names, weights)[0]


def fate_for(route: str, age: int, rng: random.Random) -> str:
    """A fate that fits the route and the age in days (older cases are mostly finished)."""
    if age <= 3 and route != "self" and rng.random() < 0.4:
        return rng.choice(("registered", "read"))
    if route == "self":
        if age <= 3:
            return _pick(rng, [("registered", 5), ("read", 3), ("handling", 2)])
        if age <= 15:
            return _pick(
                rng,
                [
                    ("read", 1.5),
                    ("handling", 5.5),
                    ("closing", 1.5),
                    ("handling_returned", 0.5),
                    ("closed", 1),
                ],
            )
        if age <= 60:
            return _pick(
                rng,
                [
                    ("handling", 3),
                    ("handling_returned", 1),
                    ("closing", 1.5),
                    ("closed", 3.5),
                    ("archived", 1),
                ],
            )
        if age <= 180:
            return _pick(
                rng, [("handling", 0.5), ("closing", 0.3), ("closed", 2.5), ("archived", 6.7)]
            )
        return _pick(rng, [("closed", 0.5), ("archived", 9.5)])
    if route == "assign":
        if age <= 5:
            return _pick(rng, [("a_sent", 6), ("a_handling", 4)])
        if age <= 85:
            return _pick(
                rng,
                [
                    ("a_handling", 3.5),
                    ("a_closing", 1.5),
                    ("a_reported", 1.5),
                    ("a_report_returned", 1),
                    ("a_accepted", 2.5),
                ],
            )
        if age <= 100:
            return _pick(rng, [("a_accepted", 7), ("a_archived", 3)])
        if age <= 400:
            return _pick(
                rng,
                [
                    ("a_overdue", 1.2),
                    ("a_overdue_explained", 1.2),
                    ("a_accepted", 1.6),
                    ("a_archived", 6),
                ],
            )
        return _pick(rng, [("a_archived", 9.7), ("a_overdue_explained", 0.3)])
    if route == "transfer":
        if age <= 60:
            return _pick(rng, [("t_handling", 5), ("t_closed", 4), ("t_archived", 1)])
        return _pick(rng, [("t_closed", 1.5), ("t_archived", 8.5)])
    if route == "refer":
        return "referred" if age <= 30 or rng.random() < 0.3 else "referred_archived"
    return "filed" if age <= 30 or rng.random() < 0.4 else "filed_archived"


# Age windows (days ago) used when a fate is required for coverage.
FATE_AGES: dict[str, tuple[int, int]] = {
    "registered": (1, 3),
    "read": (1, 8),
    "handling": (5, 50),
    "handling_returned": (20, 60),
    "closing": (10, 40),
    "closed": (20, 150),
    "archived": (90, 700),
    "a_sent": (1, 4),
    "a_handling": (10, 70),
    "a_overdue": (110, 300),
    "a_overdue_explained": (120, 400),
    "a_closing": (30, 80),
    "a_reported": (40, 80),
    "a_report_returned": (50, 85),
    "a_accepted": (60, 200),
    "a_archived": (150, 700),
    "t_handling": (5, 40),
    "t_closed": (30, 200),
    "t_archived": (100, 700),
    "referred": (3, 30),
    "referred_archived": (60, 700),
    "filed": (3, 30),
    "filed_archived": (60, 700),
}
FATE_ROUTE = {
    **{f: "self" for f in SELF_FATES},
    **{f: "assign" for f in ASSIGN_FATES},
    **{f: "transfer" for f in TRANSFER_FATES},
    **{f: "refer" for f in REFER_FATES},
    **{f: "file" for f in FILE_FATES},
}


@dataclass
class Person:
    name: str
    female: bool
    id_number: str
    phone: str
    address: str
    work_unit: str
    identity: str


@dataclass(frozen=True)
class Coverage:
    """A case the small build must contain, so every state and feature is shown."""

    fate: str
    anonymous: bool = False
    collective: bool = False
    repeats: int = 0
    merge: bool = False
    with_return: bool = False
    visit: bool = False


COVERAGE = (
    Coverage("registered", visit=True),
    Coverage("read"),
    Coverage("handling", repeats=2),
    Coverage("handling_returned"),
    Coverage("closing", collective=True, visit=True),
    Coverage("closed", merge=True),
    Coverage("archived", with_return=True, repeats=1),
    Coverage("archived", repeats=3),
    Coverage("a_sent"),
    Coverage("a_handling", anonymous=True),
    Coverage("a_overdue"),
    Coverage("a_overdue_explained"),
    Coverage("a_closing"),
    Coverage("a_reported"),
    Coverage("a_report_returned"),
    Coverage("a_accepted", collective=True, visit=True),
    Coverage("a_archived", with_return=True),
    Coverage("t_handling"),
    Coverage("t_closed"),
    Coverage("t_archived"),
    Coverage("referred", visit=True),
    Coverage("referred_archived"),
    Coverage("filed", anonymous=True),
    Coverage("filed_archived", anonymous=True),
)


@dataclass
class PetitionPlan:
    """Everything `petition_register` needs, drawn in advance."""

    when: dt.datetime
    channel: str
    received_on: dt.date
    summary: str
    content: str
    petitioners: list[Person]
    representatives: int
    anonymous_treatment: str = ""
    anonymous_reason: str = ""
    head_count: int = 1
    collective_origin: str = ""
    source: str = Source.DIRECT
    source_department: Department | None = None
    source_reference: str = ""
    interview: tuple[str, str, str, str] | None = None  # statement, requests, answer, place
    leader_receives: bool = False


@dataclass
class CasePlan:
    index: int
    org: Org  # the receiving department's organization
    issue: T.Issue
    respondent: CadreInfo | None
    target: Org | None  # where the case goes down, if it does
    route: str
    fate: str
    anonymous: bool
    collective: bool
    first: PetitionPlan
    vars: dict[str, str]
    repeats: list[PetitionPlan] = field(default_factory=list)
    duplicate: PetitionPlan | None = None
    with_return: bool = False
    refer_to: Department | None = None


class _Vars(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _fmt(template: str, values: dict[str, str]) -> str:
    return template.format_map(_Vars(values))


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class Planner:
    def __init__(
        self,
        rng: random.Random,
        names: Names,
        province: Org,
        orgs: list[Org],
        cadres: list[CadreInfo],
        today: dt.date,
    ) -> None:
        self.rng = rng
        self.names = names
        self.province = province
        self.orgs = orgs
        self.cadres_by_id = {c.cadre.pk: c for c in cadres}
        self.today = today
        self.tz = timezone.get_current_timezone()
        # The last moment of demo activity: yesterday evening, so builds are deterministic.
        self.end = dt.datetime.combine(today, dt.time(0, 0), tzinfo=self.tz) - dt.timedelta(
            minutes=1
        )
        self.people: list[Person] = []
        self.id_serial = itertools.count(1)
        # Receiving departments, weighted by level (most petitions concern county level).
        weights = {
            Level.PROVINCE: 6,
            Level.PREFECTURE: 4.5,
            Level.COUNTY: 5.5,
            Level.TOWNSHIP: 0.5,
            Level.UNIT: 2.5,
        }
        self.receivers = orgs
        self.receiver_weights = [weights[Level(o.level)] for o in orgs]
        self.issue_keys = list(T.ISSUE_WEIGHTS)
        self.issue_weights = [T.ISSUE_WEIGHTS[k] for k in self.issue_keys]
        self.subtree: dict[int, list[Org]] = {o.jur.pk: list(o.subtree()) for o in orgs}
        # Archived fates need the case finished in an earlier year (see batch_archive).
        day_of_year = today.timetuple().tm_yday
        self.fate_ages = dict(FATE_AGES)
        for fate in ("archived", "a_archived", "t_archived", "referred_archived", "filed_archived"):
            self.fate_ages[fate] = (min(day_of_year + 150, HISTORY_DAYS - 60), HISTORY_DAYS)
        self._candidate_cache: dict[int, list[CadreInfo]] = {}

    # People -------------------------------------------------------------------------

    def _id_number(self, region: str, female: bool) -> str:
        rng = self.rng
        birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(0, 65 * 365))
        serial = next(self.id_serial) % 500 * 2 + (0 if female else 1)
        first17 = f"{region}{birth:%Y%m%d}{serial:03d}"
        return first17 + check_digit(first17)

    def person(self, home: Org) -> Person:
        rng = self.rng
        if self.people and rng.random() < 0.04:
            return rng.choice(self.people)  # someone who petitions on several matters
        name, female = self.names.person()
        region = (home.code or (home.parent.code if home.parent else "") or "390000")[:6]
        village = rng.choice(home.villages) if home.villages else ""
        identity = rng.choice(T.IDENTITIES_SIGNED)
        if home.level == Level.UNIT:
            identity = rng.choice(("职工", "退休职工", "中层干部", "离休干部"))
        person = Person(
            name=name,
            female=female,
            id_number=self._id_number(region, female) if rng.random() < 0.8 else "",
            phone=f"1990000{rng.randrange(10000):04d}" if rng.random() < 0.7 else "",
            address=f"{home.name}{village}" if village else home.name,
            work_unit=home.name if home.level == Level.UNIT else "",
            identity=identity,
        )
        self.people.append(person)
        return person

    # Time ---------------------------------------------------------------------------

    def office_time(self, day: dt.date) -> dt.datetime:
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        minutes = self.rng.randrange(8 * 60 + 30, 17 * 60 + 30)
        return dt.datetime.combine(
            day, dt.time(minutes // 60, minutes % 60, self.rng.randrange(60)), tzinfo=self.tz
        )

    def snap(self, t: dt.datetime) -> dt.datetime:
        """Move a step into office hours on a weekday (never backwards)."""
        local = t.astimezone(self.tz)
        if local.hour >= 18:
            local = dt.datetime.combine(
                local.date() + dt.timedelta(days=1), dt.time(8, 40), tzinfo=self.tz
            )
        elif local.hour < 8:
            local = local.replace(hour=8, minute=40)
        while local.weekday() >= 5:
            local += dt.timedelta(days=1)
        return local

    # Cases --------------------------------------------------------------------------

    def _route(self, org: Org, issue: T.Issue, target: Org | None, anonymous_keep: bool) -> str:
        if issue.refer_kind:
            return "refer"
        if anonymous_keep:
            return "file"
        if target is None or target is org:
            return "self"
        return "assign" if self.rng.random() < 0.6 else "transfer"

    def _allowed_issue(self, org: Org, key: str) -> bool:
        lvl = org.level
        if lvl == Level.TOWNSHIP:
            return key in (
                "village_election",
                "weak_branch",
                "party_date",
                "work_date",
                "land",
                "labor",
            )
        if lvl == Level.UNIT:
            return key not in ("village_election", "weak_branch", "land")
        return True

    def draw_case(self, index: int, want: Coverage | None) -> CasePlan:
        rng = self.rng
        for _attempt in range(200):
            org = rng.choices(self.receivers, self.receiver_weights)[0]
            key = rng.choices(self.issue_keys, self.issue_weights)[0]
            if not self._allowed_issue(org, key):
                continue
            issue = T.ISSUES_BY_KEY[key]
            respondent, home = self._respondent_and_home(org, issue)
            if issue.needs_cadre and respondent is None:
                continue
            accusation = issue.nature == Nature.ACCUSATION
            anonymous = accusation and rng.random() < 0.15
            if want is not None:
                anonymous = want.anonymous and accusation
                if want.anonymous and not accusation:
                    continue
            keep = anonymous and (
                (want is not None and FATE_ROUTE[want.fate] == "file")
                or (want is None and rng.random() < 0.4)
            )
            target = self._target(org, issue, respondent, home)
            route = self._route(org, issue, target, keep)
            if want is not None:
                wanted_route = FATE_ROUTE[want.fate]
                if want.fate in ("registered", "read"):
                    wanted_route = route
                if route in ("assign", "transfer") and wanted_route in ("assign", "transfer"):
                    route = wanted_route
                if route != wanted_route:
                    continue
                lo, hi = self.fate_ages[want.fate]
                age = rng.randint(lo, hi)
                fate = want.fate
            else:
                age = rng.randint(1, HISTORY_DAYS)
                fate = fate_for(route, age, rng)
            collective = (
                (want.collective if want is not None else rng.random() < 0.1)
                and (not anonymous)
                and (
                    key
                    in (
                        "village_election",
                        "weak_branch",
                        "land",
                        "labor",
                        "retirement",
                        "selection",
                    )
                )
            )
            if want is not None and want.collective and not collective:
                continue
            return self._case(
                index,
                org,
                issue,
                respondent,
                home,
                target,
                route,
                fate,
                age,
                anonymous,
                keep,
                collective,
                want,
            )
        raise RuntimeError("could not draw a case")  # pragma: no cover - weights allow all

    def _respondent_and_home(self, org: Org, issue: T.Issue) -> tuple[CadreInfo | None, Org]:
        rng = self.rng
        below = self.subtree[org.jur.pk]
        if issue.key == "village_election":
            townships = [o for o in below if o.level == Level.TOWNSHIP]
            if not townships:
                return None, org
            home = rng.choice(townships)
            return self.cadres_by_id[rng.choice(home.village_secretaries).pk], home
        if issue.needs_cadre:
            # A cadre the receiving department's jurisdiction or one below manages.
            candidates = self._candidates(org)
            if not candidates:
                return None, org
            info = rng.choice(candidates)
            return info, info.org
        homes = [o for o in below if o.level in (Level.COUNTY, Level.TOWNSHIP, Level.UNIT)]
        if issue.key == "weak_branch":
            homes = [o for o in homes if o.level == Level.TOWNSHIP]
        return None, (rng.choice(homes) if homes else org)

    def _candidates(self, org: Org) -> list[CadreInfo]:
        """Cadres of this jurisdiction or below whose managers are here or below (R-ROUTE-2)."""
        found = self._candidate_cache.get(org.jur.pk)
        if found is None:
            found = [
                self.cadres_by_id[c.pk]
                for o in self.subtree[org.jur.pk]
                for c in o.officials
                if self.cadres_by_id[c.pk].managing.jur.path.startswith(org.jur.path)
            ]
            self._candidate_cache[org.jur.pk] = found
        return found

    def _target(self, org: Org, issue: T.Issue, resp: CadreInfo | None, home: Org) -> Org | None:
        """The department that should handle it (R-ROUTE-2): the managing jurisdiction's, or
        for personal matters the county (or unit) where the petitioner lives."""
        if issue.refer_kind:
            return None
        if resp is not None:
            if org.level in (Level.PREFECTURE, Level.PROVINCE) and self.rng.random() < 0.1:
                return org  # R-ROUTE-5: the upper level handles some key cases itself
            return resp.managing
        if issue.key == "weak_branch" or home.level != Level.TOWNSHIP:
            target = home
        else:
            target = home.parent or home
        if target.jur.pk != org.jur.pk and not target.jur.path.startswith(org.jur.path):
            return org
        return target

    def _case(
        self,
        index: int,
        org: Org,
        issue: T.Issue,
        resp: CadreInfo | None,
        home: Org,
        target: Org | None,
        route: str,
        fate: str,
        age: int,
        anonymous: bool,
        keep: bool,
        collective: bool,
        want: Coverage | None,
    ) -> CasePlan:
        rng = self.rng
        values = self._vars(org, issue, resp, home)
        when = self.office_time(self.today - dt.timedelta(days=age))
        visit = want.visit if want is not None and want.visit else None
        first = self._petition(
            org,
            issue,
            values,
            home,
            when,
            anonymous,
            keep,
            collective,
            force_visit=bool(visit) or collective,
        )
        plan = CasePlan(
            index=index,
            org=org,
            issue=issue,
            respondent=resp,
            target=target if route in ("assign", "transfer") else None,
            route=route,
            fate=fate,
            anonymous=anonymous,
            collective=collective,
            first=first,
            vars=values,
            with_return=want.with_return if want is not None else rng.random() < 0.1,
        )
        if route == "refer":
            plan.refer_to = org.dept_of_kind(issue.refer_kind)
        # R-REPEAT-4: about a third of all petitions repeat an earlier one.
        n_repeats = (
            str(want.repeats)
            if want is not None
            else _pick(rng, [("0", 70), ("1", 18), ("2", 7), ("many", 5)])
        )
        count = rng.randint(3, 6) if n_repeats == "many" else int(n_repeats)
        t = when
        for _ in range(count):
            t = t + dt.timedelta(days=rng.uniform(10, 120))
            t = self.snap(t)
            if t >= self.end:
                break
            plan.repeats.append(self._repeat(plan, home, t))
        if (want is not None and want.merge) or (want is None and rng.random() < 0.03):
            dup_when = when + dt.timedelta(days=rng.uniform(0.5, 6))
            if dup_when < self.end - dt.timedelta(days=1):
                plan.duplicate = self._petition(
                    org,
                    issue,
                    values,
                    home,
                    self.snap(dup_when),
                    anonymous,
                    keep,
                    False,
                    force_visit=False,
                )
        return plan

    def _vars(self, org: Org, issue: T.Issue, resp: CadreInfo | None, home: Org) -> dict[str, str]:
        rng = self.rng
        year = rng.randint(1950, 1985)
        values = {
            "org": org.handling.name,
            "place": home.name,
            "village": rng.choice(home.villages)
            if home.villages
            else rng.choice(T.VILLAGE_PARTS_1) + rng.choice(T.VILLAGE_PARTS_2) + "村",
            "rel": rng.choice(T.RELATIVES),
            "relname": self.names.any(),
            "pos": rng.choice(T.POSTS_BELOW),
            "year": str(year),
            "year2": str(rng.randint(max(year + 5, 1990), self.today.year - 1)),
            "month": str(rng.randint(1, 12)),
            "months": str(rng.randint(2, 9)),
            "amount": str(rng.choice((3, 5, 6, 8, 12, 15, 20, 36, 48))),
            "company": rng.choice(T.COMPANIES),
        }
        if resp is not None:
            values.update(r=resp.cadre.name, rpost=resp.display, runit=resp.unit)
        else:
            values.update(r="", rpost="", runit=home.name)
        return values

    def _petition(
        self,
        org: Org,
        issue: T.Issue,
        values: dict[str, str],
        home: Org,
        when: dt.datetime,
        anonymous: bool,
        keep: bool,
        collective: bool,
        *,
        force_visit: bool,
        people: list[Person] | None = None,
        earlier_on: dt.date | None = None,
    ) -> PetitionPlan:
        rng = self.rng
        channel: str
        if force_visit:
            channel = Channel.VISIT
        elif anonymous:
            channel = _pick(rng, [(Channel.LETTER, 8), (Channel.ONLINE, 2)])
        else:
            channel = _pick(
                rng,
                [
                    (Channel.LETTER, 50),
                    (Channel.VISIT, 22),
                    (Channel.PHONE, 10),
                    (Channel.ONLINE, 18),
                ],
            )
        if anonymous:
            people = []
        elif people is None:
            people = [self.person(home)]
            if collective:
                people += [self.person(home) for _ in range(rng.randint(1, 2))]
        v = dict(values)
        if people:
            p = people[0]
            identity = p.identity
            if (
                issue.key in T.IDENTITIES_BY_ISSUE
                and identity not in T.IDENTITIES_BY_ISSUE[issue.key]
            ):
                identity = T.IDENTITIES_BY_ISSUE[issue.key][len(p.name) % 2]
            v.update(name=p.name, identity=identity, home=p.address)
        head_count = rng.randint(6, 60) if collective else 1
        origin = v["village"] if collective and home.level == Level.TOWNSHIP else home.name
        summary = _fmt(rng.choice(issue.summaries), v)
        if earlier_on is not None:
            if summary.startswith(("反映", "举报", "要求")):
                summary = "再次" + summary
            else:
                summary = rng.choice(("再次反映：", "重复反映：")) + summary
        if issue.key in T.ONE_STORY:
            body = _fmt(rng.choice(issue.bodies), v)
            support = rng.choice(T.SUPPORTING)
            body = f"{body}{support}" if support else body
        else:
            k = min(len(issue.bodies), rng.choice((1, 2, 2, 3)))
            body = "\n".join(_fmt(b, v) for b in rng.sample(issue.bodies, k=k))
        request = _fmt(rng.choice(issue.requests), v)
        if channel == Channel.LETTER:
            received_on = (when - dt.timedelta(days=rng.randint(0, 3))).date()
        elif channel == Channel.ONLINE:
            received_on = (when - dt.timedelta(days=rng.randint(0, 1))).date()
        else:
            received_on = when.date()
        # A letter is dated a few days before it arrives.
        date_text = cn_date(received_on - dt.timedelta(days=rng.randint(2, 6)))
        if earlier_on is not None:
            opening = _fmt(
                rng.choice(T.REPEAT_OPENINGS), {"date": cn_date(earlier_on), "topic": issue.label}
            )
            body = f"{opening}\n{body}"
        if collective and people:
            intro = _fmt(
                rng.choice(T.COLLECTIVE_INTROS),
                {
                    **v,
                    "origin": origin,
                    "count": str(head_count),
                    "name": "、".join(x.name for x in people),
                },
            )
        elif anonymous:
            intro = _fmt(rng.choice(T.INTROS_ANONYMOUS), v)
        else:
            intro = _fmt(rng.choice(T.INTROS_SIGNED), v)
        closing = _fmt(
            rng.choice(T.CLOSINGS_ANONYMOUS if anonymous else T.CLOSINGS_SIGNED),
            {**v, "date": date_text},
        )
        salutation = _fmt(rng.choice(T.SALUTATIONS), v)
        interview = None
        if channel == Channel.VISIT:
            content = f"{intro}\n{body}\n{request}"
            answer = rng.choice(T.COLLECTIVE_ANSWERS if collective else T.INTERVIEW_ANSWERS)
            statement = _fmt(
                rng.choice(T.INTERVIEW_STATEMENTS),
                {"body": body.replace("\n", ""), "mood": rng.choice(T.MOODS)},
            )
            interview = (
                statement,
                request,
                answer,
                org.handling.name + rng.choice(T.PLACES_OF_VISIT),
            )
        elif channel == Channel.PHONE:
            content = T.PHONE_PREFIX + body.replace("\n", "") + request
        elif channel == Channel.ONLINE:
            content = f"{T.ONLINE_PREFIX}\n{intro}\n{body}\n{request}"
        else:
            content = f"{salutation}\n{intro}\n{body}\n{request}\n{closing}"
        plan = PetitionPlan(
            when=when,
            channel=channel,
            received_on=received_on,
            summary=summary[:200],
            content=content,
            petitioners=people,
            representatives=len(people) if collective else 0,
            head_count=max(head_count, len(people), 1),
            collective_origin=origin if collective else "",
            interview=interview,
            leader_receives=channel == Channel.VISIT and rng.random() < 0.2,
        )
        if anonymous:
            if keep:
                plan.anonymous_treatment = AnonymousTreatment.KEEP
                plan.anonymous_reason = rng.choice(T.ANONYMOUS_KEEP_REASONS)
            else:
                plan.anonymous_treatment = AnonymousTreatment.INVESTIGATE
                plan.anonymous_reason = rng.choice(T.ANONYMOUS_INVESTIGATE_REASONS)
        # R-INTAKE-6: some letters come forwarded by an upper level or another department.
        roll = rng.random()
        if channel == Channel.LETTER and org.parent is not None and roll < 0.12:
            plan.source = Source.UPPER_LEVEL
            plan.source_department = org.parent.handling
            plan.source_reference = (
                f"{org.parent.name[:2]}组信转〔{when.year}〕{rng.randint(1, 300)}号"
            )
        elif channel == Channel.LETTER and roll < 0.2 and "petition_bureau" in org.depts:
            plan.source = Source.OTHER_DEPARTMENT
            plan.source_department = org.depts["petition_bureau"]
            plan.source_reference = f"{org.name[:2]}信转〔{when.year}〕{rng.randint(1, 900)}号"
        return plan

    def _repeat(self, plan: CasePlan, home: Org, when: dt.datetime) -> PetitionPlan:
        return self._petition(
            plan.org,
            plan.issue,
            plan.vars,
            home,
            when,
            plan.anonymous,
            plan.first.anonymous_treatment == AnonymousTreatment.KEEP,
            False,
            force_visit=self.rng.random() < 0.3 and not plan.anonymous,
            people=list(plan.first.petitioners[:1]),
            earlier_on=plan.first.received_on,
        )


# --- Execution --------------------------------------------------------------------------

Step = Callable[[], list[tuple[dt.datetime, "Step"]] | None]


@dataclass
class BuildResult:
    petitions: int = 0
    cases: int = 0
    states: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    titles: list[str] = field(default_factory=list)
    step_seconds: dict[str, float] = field(default_factory=dict)
    step_counts: Counter[str] = field(default_factory=Counter)


class CaseRun:
    """Executes one case's plan: each step one service call at its frozen time."""

    def __init__(self, plan: CasePlan, planner: Planner, result: BuildResult) -> None:
        self.plan = plan
        self.planner = planner
        self.result = result
        self.rng = random.Random(SEED * 7919 + plan.index)
        self.case: Case | None = None
        self.child: Case | None = None
        self.assignment: Assignment | None = None
        self.dup: Case | None = None
        self.broken = False
        self.now = plan.first.when

    # Helpers --------------------------------------------------------------------------

    def register(self, pp: PetitionPlan, repeat_of: Case | None = None) -> Case:
        org = self.plan.org
        registrar = org.reg()
        interview = None
        if pp.interview is not None:
            statement, requests, answer, place = pp.interview
            receivers = [registrar, org.leader(self.rng)] if pp.leader_receives else [registrar]
            interview = InterviewInput(
                receivers=receivers,
                interviewed_at=timezone.now() - dt.timedelta(minutes=40),
                statement=statement,
                requests=requests,
                answer=answer,
                place=place,
            )
        petitioners = [
            PetitionerInput(
                name=p.name,
                id_number=p.id_number,
                phone=p.phone,
                address=p.address,
                work_unit=p.work_unit,
                is_representative=i < pp.representatives,
            )
            for i, p in enumerate(pp.petitioners)
        ]
        respondents = []
        if self.plan.respondent is not None:
            respondents = [RespondentInput(cadre=self.plan.respondent.cadre)]
        reg = petition_register(
            actor=registrar,
            channel=pp.channel,
            received_on=pp.received_on,
            summary=pp.summary,
            content=pp.content,
            category=self.plan.issue.category,
            nature=self.plan.issue.nature,
            petitioners=petitioners,
            is_anonymous=not pp.petitioners and self.plan.anonymous,
            anonymous_treatment=pp.anonymous_treatment,
            anonymous_reason=pp.anonymous_reason,
            is_collective=pp.representatives > 0,
            head_count=pp.head_count,
            collective_origin=pp.collective_origin,
            source=pp.source,
            source_department=pp.source_department,
            source_reference=pp.source_reference,
            respondents=respondents,
            interview=interview,
            repeat_of=repeat_of,
        )
        self.result.petitions += 1
        return reg.case

    def closure_data(self, case_nature: str, category: str, signed: bool) -> dict[str, Any]:
        rng = self.rng
        issue = self.plan.issue
        i = rng.randrange(min(len(issue.facts), len(issue.decisions)))
        v = self.plan.vars
        today = timezone.localdate()
        data: dict[str, Any] = {
            "facts": _fmt(issue.facts[i], v),
            "decision": _fmt(issue.decisions[i], v),
            "policy_basis": rng.choice(issue.basis),
            "procedure": [
                "registered",
                "investigated",
                "respondent_heard",
                "decision_approved",
                "materials_complete",
            ],
        }
        if category == Category.PERSONAL_REQUEST:
            data["personal_outcome"] = rng.choice(("granted", "special")) if i == 0 else "refused"
        if case_nature in (Nature.APPEAL, Nature.REQUEST) or category == Category.PERSONAL_REQUEST:
            ok = i == 0 or rng.random() < 0.5
            data["petitioner_opinion"] = rng.choice(
                T.PETITIONER_OPINIONS_OK if ok else T.PETITIONER_OPINIONS_NOT_OK
            )
            data["conclusion_shown_on"] = today
            data["conclusion_shown_how"] = rng.choice(T.SHOWN_HOW)
        if case_nature == Nature.ACCUSATION and signed:
            if rng.random() < 0.9:
                data["feedback_on"] = today
                data["feedback_how"] = rng.choice(T.FEEDBACK_HOW)
            else:
                data["no_feedback_reason"] = (
                    "反映人联系方式变更，多次联系未果，已在原单位留言告知。"
                )
        return data

    def later(self, steps: list[tuple[float, float, Step]]) -> list[tuple[dt.datetime, Step]]:
        """Schedule steps after now, each a (min, max) number of days after the previous one;
        squeezed proportionally if they would run past the end of the demo period."""
        rng = self.rng
        gaps = [rng.uniform(lo, hi) for lo, hi, _ in steps]
        total = sum(gaps)
        room = (self.planner.end - self.now).total_seconds() / 86400 * 0.9
        if total > room:
            gaps = [g * room / total for g in gaps]
        out: list[tuple[dt.datetime, Step]] = []
        t = self.now
        for gap, (_lo, _hi, step) in zip(gaps, steps, strict=True):
            nxt = t + dt.timedelta(days=gap)
            snapped = self.planner.snap(nxt)
            if snapped < self.planner.end:
                nxt = snapped
            nxt = max(nxt, t + dt.timedelta(minutes=rng.randint(3, 30)))
            if nxt >= self.planner.end:
                break
            out.append((nxt, step))
            t = nxt
        return out

    def batch_archive(self, steps: list[Step]) -> list[tuple[dt.datetime, Step]]:
        """R-CLOSE-7: files are archived once a year (年度立卷归档), between January and
        March for the matters finished the year before; this year's stay closed until then."""
        tz = self.planner.tz
        year = self.now.astimezone(tz).year + 1
        day = dt.date(year, 1, 4) + dt.timedelta(days=self.rng.randrange(0, 85))
        t = self.planner.snap(dt.datetime.combine(day, dt.time(9, self.rng.randrange(60)), tz))
        out: list[tuple[dt.datetime, Step]] = []
        for step in steps:
            if t >= self.planner.end:
                break
            out.append((t, step))
            t += dt.timedelta(minutes=self.rng.randint(5, 120))
        return out

    # Steps ----------------------------------------------------------------------------

    def start(self) -> list[tuple[dt.datetime, Step]]:
        plan = self.plan
        self.case = self.register(plan.first)
        self.result.titles.append(self.case.title)
        follow: list[tuple[dt.datetime, Step]] = []
        for rp in plan.repeats:
            follow.append((rp.when, self._repeat_step(rp)))
        if plan.duplicate is not None:
            follow.append((plan.duplicate.when, self.duplicate))
        if plan.fate == "registered":
            return follow
        return follow + self.later([(0.1, 2, self.read)])

    def read(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.case is not None
        rng = self.rng
        report = rng.random() < 0.3
        due = timezone.localdate() + dt.timedelta(days=30) if report else None
        self.case = cs.case_read(
            actor=self.plan.org.leader(rng),
            case=self.case,
            text=rng.choice(T.READ_INSTRUCTIONS),
            due_on=due,
            report_required=report,
        )
        if self.plan.fate == "read":
            return None
        return self.later([(0.1, 3, self.decide)])

    def decide(self) -> list[tuple[dt.datetime, Step]] | None:
        plan = self.plan
        rng = self.rng
        leader = plan.org.leader(rng)
        assert self.case is not None
        if plan.route == "self":
            self.case = cs.case_handle_here(
                actor=leader, case=self.case, routing_note="按照干部管理权限，由本部门自办。"
            )
            return self.self_handling()
        if plan.route == "refer":
            to = plan.refer_to
            assert to is not None
            cs.case_refer(
                actor=leader,
                case=self.case,
                reason=plan.issue.refer_reason,
                explanation=_fmt(rng.choice(T.REFERRAL_EXPLANATIONS), {"to": to.name}),
                explained_on=timezone.localdate(),
                explained_how=rng.choice(T.EXPLAIN_HOW),
                to_department=to,
                routing_note=f"{plan.issue.refer_reason}按职责转{to.name}办理（R-ROUTE-6）。",
            )
            if plan.fate == "referred_archived":
                return self.batch_archive([self.archive])
            return None
        if plan.route == "file":
            cs.case_file(
                actor=leader,
                case=self.case,
                reason=rng.choice(T.FILE_REASONS_ANONYMOUS),
                routing_note="匿名信内容笼统、无从查证，按规定存查（R-INTAKE-4）。",
            )
            if plan.fate == "filed_archived":
                return self.batch_archive([self.archive])
            return None
        target = plan.target
        assert target is not None
        managing = plan.respondent.managing.name if plan.respondent else target.name
        note = _fmt(
            rng.choice(T.ROUTING_NOTES_DOWN), {"managing": managing, "to": target.handling.name}
        )
        if plan.route == "assign":
            self.assignment = cs.case_assign_down(
                actor=leader,
                case=self.case,
                to_department=target.handling,
                note=rng.choice(T.ASSIGN_NOTES),
                routing_note=note,
            )
        else:
            self.assignment = cs.case_transfer_down(
                actor=leader,
                case=self.case,
                to_department=target.handling,
                note=rng.choice(T.TRANSFER_NOTES),
                routing_note=note,
            )
        self.child = self.assignment.child
        if plan.fate == "a_sent":
            return None
        return self.later([(0.3, 4, self.receive)])

    # Self-handled ----------------------------------------------------------------------

    def self_handling(self) -> list[tuple[dt.datetime, Step]] | None:
        fate = self.plan.fate
        if fate == "handling":
            if self.rng.random() < 0.3:
                return self.later([(3, 20, self.instruct)])
            return None
        steps: list[tuple[float, float, Step]] = [(10, 40, self.submit)]
        if fate == "handling_returned" or (
            self.plan.with_return and fate in ("closed", "archived")
        ):
            steps.append((1, 5, self.return_closure))
            if fate == "handling_returned":
                return self.later(steps)
            steps.append((3, 15, self.submit))
        if fate == "closing":
            return self.later(steps)
        steps.append((1, 5, self.approve))
        return self.later(steps)

    def instruct(self) -> None:
        assert self.case is not None
        cs.case_instruct(
            actor=self.plan.org.leaders[0],
            case=self.case,
            text=self.rng.choice(T.INSTRUCTIONS_FOLLOWUP),
        )

    def _signed(self) -> bool:
        return bool(self.plan.first.petitioners)

    def submit(self) -> None:
        assert self.case is not None
        cs.closure_submit(
            actor=self.plan.org.handler(self.rng),
            case=self.case,
            **self.closure_data(self.case.nature, self.case.category, self._signed()),
        )

    def return_closure(self) -> None:
        assert self.case is not None
        cs.closure_return(
            actor=self.plan.org.leader(self.rng),
            case=self.case,
            reasons=self.rng.choice(T.CLOSURE_RETURN_REASONS),
        )

    def approve(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.case is not None
        cs.closure_approve(actor=self.plan.org.leader(self.rng), case=self.case)
        if self.plan.fate == "archived":
            return self.batch_archive([self.archive])
        return None

    def archive(self) -> None:
        assert self.case is not None
        cs.case_archive(actor=self.plan.org.reg(), case=self.case)

    # Sent down -------------------------------------------------------------------------

    def _t(self) -> Org:
        assert self.plan.target is not None
        return self.plan.target

    def receive(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.assignment is not None
        self.assignment = cs.assignment_receive(actor=self._t().reg(), assignment=self.assignment)
        return self.later([(0.1, 2, self.child_read), (0.1, 2, self.child_handle)])

    def child_read(self) -> None:
        assert self.child is not None
        self.child = cs.case_read(
            actor=self._t().leader(self.rng),
            case=self.child,
            text=self.rng.choice(T.READ_INSTRUCTIONS),
        )

    def child_handle(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.child is not None
        self.child = cs.case_handle_here(
            actor=self._t().leader(self.rng),
            case=self.child,
            routing_note="上级交转办，本部门自办。",
        )
        fate = self.plan.fate
        if fate in ("a_handling", "t_handling"):
            if self.rng.random() < 0.3:
                return self.later([(2, 20, self.parent_instruct)])
            return None
        if fate in ("a_overdue", "a_overdue_explained"):
            if fate == "a_overdue":
                return None
            assert self.child.due_on is not None
            start = dt.datetime.combine(self.child.due_on, dt.time(10, 0), tzinfo=self.planner.tz)
            self.now = max(self.now, start)
            return self.later([(1, 20, self.explain_overdue)])
        steps: list[tuple[float, float, Step]] = [(15, 60, self.child_submit)]
        if fate == "a_closing":
            return self.later(steps)
        steps.append((1, 4, self.child_approve))
        if fate in ("t_closed", "a_reported"):
            return self.later(steps)
        if fate == "t_archived":
            return self.later(steps)  # archived in the yearly batch after the approval
        if fate == "a_report_returned" or (self.plan.with_return and fate == "a_archived"):
            steps.append((2, 8, self.report_return))
            if fate == "a_report_returned":
                return self.later(steps)
            steps += [(5, 20, self.child_submit), (1, 3, self.child_approve)]
        steps.append((2, 10, self.report_accept))
        return self.later(steps)

    def parent_instruct(self) -> None:
        assert self.case is not None
        cs.case_instruct(
            actor=self.plan.org.leaders[0],
            case=self.case,
            text="请下级组织部门抓紧办理，及时报告进展情况（R-SUPER-2）。",
        )

    def explain_overdue(self) -> None:
        assert self.child is not None
        today = timezone.localdate()
        cs.overdue_explain(
            actor=self._t().handler(self.rng),
            case=self.child,
            reason=self.rng.choice(T.OVERDUE_REASONS),
            new_expected_on=today + dt.timedelta(days=self.rng.randint(20, 60)),
        )

    def child_submit(self) -> None:
        assert self.child is not None
        cs.closure_submit(
            actor=self._t().handler(self.rng),
            case=self.child,
            **self.closure_data(self.child.nature, self.child.category, self._signed()),
        )

    def child_approve(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.child is not None
        review = self.rng.choice(T.REVIEW_OPINIONS) if self.child.result_required else ""
        cs.closure_approve(actor=self._t().leader(self.rng), case=self.child, review_opinion=review)
        if self.plan.fate == "t_archived":
            return self.batch_archive([self.child_archive, self.archive])
        return None

    def report_return(self) -> None:
        assert self.case is not None and self.child is not None
        self.child = cs.report_return(
            actor=self.plan.org.leader(self.rng),
            case=self.case,
            child=self.child,
            reasons=self.rng.choice(T.REPORT_RETURN_REASONS),
        )

    def report_accept(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.case is not None and self.child is not None
        self.case = cs.report_accept(
            actor=self.plan.org.leader(self.rng),
            case=self.case,
            child=self.child,
            opinion=self.rng.choice(T.ACCEPT_OPINIONS),
        )
        if self.plan.fate == "a_archived":
            return self.batch_archive([self.child_archive, self.archive])
        return None

    def child_archive(self) -> None:
        assert self.child is not None
        self.child = cs.case_archive(actor=self._t().reg(), case=self.child)

    # Repeats and duplicates (R-REPEAT-4) -----------------------------------------------

    def _repeat_step(self, pp: PetitionPlan) -> Step:
        def step() -> list[tuple[dt.datetime, Step]] | None:
            assert self.case is not None
            case = self.register(pp, repeat_of=self.case)
            if case.pk == self.case.pk:
                return None
            # The original file is sealed: the repeat opened a new case pointing back at it,
            # which the leader reads and keeps for reference.
            later = RepeatRun(self, case)
            return self.later([(0.2, 3, later.read), (0.2, 5, later.file)])

        return step

    def duplicate(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.plan.duplicate is not None
        self.dup = self.register(self.plan.duplicate)
        return self.later([(0.1, 2, self.merge)])

    def merge(self) -> None:
        assert self.case is not None and self.dup is not None
        state = Case.objects.values_list("state", flat=True).get(pk=self.case.pk)
        if state in (State.ARCHIVED, State.MERGED):
            return  # the original was sealed meanwhile; the duplicate stays on its own
        self.case.state = state
        cs.case_merge(
            actor=self.plan.org.leader(self.rng),
            case=self.dup,
            into=self.case,
            reason="经核对，与已登记案件系同一事项，予以并案（R-REPEAT-4）。",
        )


class RepeatRun:
    """A repeat of a sealed (archived) case: read, then kept for reference."""

    def __init__(self, parent: CaseRun, case: Case) -> None:
        self.parent = parent
        self.case = case

    def read(self) -> None:
        org = self.parent.plan.org
        self.case = cs.case_read(
            actor=org.leader(self.parent.rng),
            case=self.case,
            text="原案件已办结归档，请核对是否有新的事实和理由。",
        )

    def file(self) -> None:
        org = self.parent.plan.org
        cs.case_file(
            actor=org.leader(self.parent.rng),
            case=self.case,
            reason=self.parent.rng.choice(T.FILE_REASONS_REPEAT),
            routing_note="重复信访，原案件已办结归档，不再重新办理（R-REPEAT-4）。",
        )


# --- The build --------------------------------------------------------------------------


def demo_exists() -> bool:
    return Jurisdiction.objects.filter(name=T.PROVINCE[0], level=Level.PROVINCE).exists()


def conflicting_usernames() -> list[str]:
    names = [a.username for a in DEMO_ACCOUNTS]
    return sorted(User.objects.filter(username__in=names).values_list("username", flat=True))


@contextmanager
def _quiet_gc() -> Iterator[None]:
    """The build makes millions of short-lived ORM objects and no reference cycles worth
    collecting mid-way: collect rarely while it runs (about 7% of the build time)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def build_demo(
    *,
    petitions: int = DEFAULT_PETITIONS,
    seed: int = SEED,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the demo province with about `petitions` petitions; one transaction."""
    started = time.monotonic()
    today = today or timezone.localdate()
    rng = random.Random(seed)
    names = Names(rng)
    result = BuildResult()
    with _quiet_gc(), transaction.atomic(), FrozenClock() as clock:
        # The organization exists from the start of the demo period.
        clock.set(
            dt.datetime.combine(
                today - dt.timedelta(days=HISTORY_DAYS + 30),
                dt.time(9),
                tzinfo=timezone.get_current_timezone(),
            )
        )
        builder = OrgBuilder(rng, names)
        province = builder.build()
        if progress:
            progress(
                f"组织机构：{len(builder.orgs)} 个党委/单位，{len(builder.cadres)} 名干部，"
                f"{len(builder.staff)} 名工作人员。"
            )
        planner = Planner(rng, names, province, builder.orgs, builder.cadres, today)
        plans: list[CasePlan] = []
        expected = 0
        index = 0
        while expected < petitions:
            want = COVERAGE[index] if index < len(COVERAGE) else None
            plan = planner.draw_case(index, want)
            plans.append(plan)
            expected += 1 + len(plan.repeats) + (1 if plan.duplicate else 0)
            index += 1
        heap: list[tuple[dt.datetime, int, CaseRun, Step]] = []
        counter = itertools.count()
        for plan in plans:
            run = CaseRun(plan, planner, result)
            heapq.heappush(heap, (plan.first.when, next(counter), run, run.start))
        while heap:
            when, _n, run, step = heapq.heappop(heap)
            if run.broken:
                continue
            clock.set(when)
            run.now = when
            name = getattr(step, "__name__", "step")
            step_started = time.perf_counter()
            try:
                follow = step()
            except RuleViolation as exc:
                run.broken = True
                result.failures.append(f"案件计划{run.plan.index}（{run.plan.fate}）{name}：{exc}")
                continue
            elapsed = time.perf_counter() - step_started
            result.step_seconds[name] = result.step_seconds.get(name, 0.0) + elapsed
            result.step_counts[name] += 1
            for t, nxt in follow or ():
                heapq.heappush(heap, (t, next(counter), run, nxt))
    result.cases = Case.objects.count()
    result.states = Counter(
        {row["state"]: row["n"] for row in Case.objects.values("state").annotate(n=Count("pk"))}
    )
    result.seconds = time.monotonic() - started
    return result
