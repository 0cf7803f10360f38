"""Plans: every case's receiving department, matter, people, route, fate and timed
petitions, drawn in advance from one `random.Random(seed)`."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from django.utils import timezone

from xinfang.core.idnumber import check_digit
from xinfang.deadlines.clocks import DUE_SOON_DAYS
from xinfang.deadlines.models import ClockCode
from xinfang.deadlines.selectors import clock_due_on
from xinfang.demo import text as T
from xinfang.demo.fates import FATE_AGES, FATE_ROUTE, Coverage, fate_for, pick
from xinfang.demo.orgtree import CadreInfo, Names, Org
from xinfang.orgs.models import Department, Level
from xinfang.petitions.models import Channel, Source
from xinfang.routing.terms import AnonymousTreatment, Nature

SEED = 19870729  # the founding notice's date
HISTORY_DAYS = 730  # two years before today


@dataclass
class Person:
    name: str
    female: bool
    id_number: str
    phone: str
    address: str
    work_unit: str
    identity: str


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
    # The day the case is sent down, when its fate needs its clock at a given point today.
    send_on: dt.date | None = None
    # The receiving organization's first handler (the demo account) handles it.
    first_handler: bool = False


class _Vars(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def fmt(template: str, values: dict[str, str]) -> str:
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
        self.by_slug = {o.slug: o for o in orgs}

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
        for _attempt in range(2000):
            org = rng.choices(self.receivers, self.receiver_weights)[0]
            if want is not None and want.receiver:
                org = self.by_slug[want.receiver]
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
                if want.target and (target is None or target.slug != want.target):
                    continue
                lo, hi = self.fate_ages[want.fate]
                age = rng.randint(lo, hi)
                fate = want.fate
                send_on = self.send_day(fate)
                if send_on is not None:
                    # Registered a few days before it is sent down on that day.
                    age = (self.today - send_on).days + 4
            else:
                age = rng.randint(1, HISTORY_DAYS)
                fate = fate_for(route, age, rng)
                send_on = None
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
            plan = self._case(
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
            plan.send_on = send_on
            plan.first_handler = want is not None and want.first_handler
            return plan
        raise RuntimeError("could not draw a case")  # pragma: no cover - weights allow all

    def send_day(self, fate: str) -> dt.date | None:
        """For the clock fates, a weekday to send the case down on so that today its result
        clock (R-CLOSE-1, the rule set in force) is due within 7 days (a_due_soon) or has
        used 60 to 80 per cent of its time and is not yet due within 7 days (a_half). None
        for other fates, or when the rule set has no result clock."""
        if fate not in ("a_due_soon", "a_half"):
            return None
        for back in range(20, 150):
            day = self.today - dt.timedelta(days=back)
            if day.weekday() >= 5:
                continue
            due = clock_due_on(ClockCode.RESULT_REPORT, day)
            if due is None:
                return None
            left = (due - self.today).days
            # The latest due date within the window: the case stays in it longest.
            if fate == "a_due_soon" and 0 <= left <= DUE_SOON_DAYS:
                return day
            if fate == "a_half" and left > DUE_SOON_DAYS and 0.6 <= back / (due - day).days <= 0.8:
                return day
        return None

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
            else pick(rng, [("0", 70), ("1", 18), ("2", 7), ("many", 5)])
        )
        count = rng.randint(3, 6) if n_repeats == "many" else int(n_repeats)
        t = when
        for _ in range(count):
            t = t + dt.timedelta(days=rng.uniform(10, 120))
            t = self.snap(t)
            if t >= self.end:
                break
            plan.repeats.append(self._repeat(plan, home, t))
        if want is not None and want.late_repeat:
            late = self.snap(self.end - dt.timedelta(days=rng.uniform(4, 9)))
            if late < self.end and (not plan.repeats or plan.repeats[-1].when < late):
                plan.repeats.append(self._repeat(plan, home, late))
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
            channel = pick(rng, [(Channel.LETTER, 8), (Channel.ONLINE, 2)])
        else:
            channel = pick(
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
        summary = fmt(rng.choice(issue.summaries), v)
        if earlier_on is not None:
            if summary.startswith(("反映", "举报", "要求")):
                summary = "再次" + summary
            else:
                summary = rng.choice(("再次反映：", "重复反映：")) + summary
        if issue.key in T.ONE_STORY:
            body = fmt(rng.choice(issue.bodies), v)
            support = rng.choice(T.SUPPORTING)
            body = f"{body}{support}" if support else body
        else:
            k = min(len(issue.bodies), rng.choice((1, 2, 2, 3)))
            body = "\n".join(fmt(b, v) for b in rng.sample(issue.bodies, k=k))
        request = fmt(rng.choice(issue.requests), v)
        if channel == Channel.LETTER:
            received_on = (when - dt.timedelta(days=rng.randint(0, 3))).date()
        elif channel == Channel.ONLINE:
            received_on = (when - dt.timedelta(days=rng.randint(0, 1))).date()
        else:
            received_on = when.date()
        # A letter is dated a few days before it arrives.
        date_text = cn_date(received_on - dt.timedelta(days=rng.randint(2, 6)))
        if earlier_on is not None:
            opening = fmt(
                rng.choice(T.REPEAT_OPENINGS), {"date": cn_date(earlier_on), "topic": issue.label}
            )
            body = f"{opening}\n{body}"
        if collective and people:
            intro = fmt(
                rng.choice(T.COLLECTIVE_INTROS),
                {
                    **v,
                    "origin": origin,
                    "count": str(head_count),
                    "name": "、".join(x.name for x in people),
                },
            )
        elif anonymous:
            intro = fmt(rng.choice(T.INTROS_ANONYMOUS), v)
        else:
            intro = fmt(rng.choice(T.INTROS_SIGNED), v)
        closing = fmt(
            rng.choice(T.CLOSINGS_ANONYMOUS if anonymous else T.CLOSINGS_SIGNED),
            {**v, "date": date_text},
        )
        salutation = fmt(rng.choice(T.SALUTATIONS), v)
        interview = None
        if channel == Channel.VISIT:
            content = f"{intro}\n{body}\n{request}"
            answer = rng.choice(T.COLLECTIVE_ANSWERS if collective else T.INTERVIEW_ANSWERS)
            statement = fmt(
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
