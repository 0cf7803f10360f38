"""The demo province's organization tree, built with the org services."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from xinfang.demo import text as T
from xinfang.demo.accounts import DEMO_PASSWORD
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
    # The departments matters outside the remit most often go to (docs/suggestions.md).
    DepartmentKind.HOUSING: "{n}住房和城乡建设局",
    DepartmentKind.EDUCATION: "{n}教育局",
    DepartmentKind.HEALTH: "{n}卫生健康委员会",
    DepartmentKind.TRANSPORT: "{n}交通运输局",
    DepartmentKind.COMMERCE: "{n}商务局",
    DepartmentKind.ECOLOGY: "{n}生态环境局",
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
