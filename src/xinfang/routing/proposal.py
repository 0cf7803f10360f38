"""Which department should handle a case, and how: a pure function of plain data.

"分级负责、归口办案" (R-ROUTE-1): the code carries the principles of the 1987 notice, the
data (`RoutingFacts`, built by `cases.routing.facts_for_case`) carries the local tree and the
referral rules. Nothing here touches the database, so every rule is testable on its own and
the case actions can record the proposal next to the decision actually taken
(cases/routing.py, `routing_decision_record`).

Order of the principles, first match wins:
1. R-INTAKE-4  anonymous letter kept for reference → 存查.
2. R-ROUTE-6 / R-CAT-5  outside the remit → refer to the competent department.
3. R-CAT-4 / R-ROUTE-2  a personal request with its cadre concerned (当事干部) → the
   organization department of the jurisdiction that manages that cadre.
4. R-ROUTE-2  about a cadre → the organization department of the managing jurisdiction,
   never the own organization department of a main leader (R-ROUTE-3); key cases at
   prefecture level and above handled directly (R-ROUTE-5); important matters followed by
   the organization department one level up (R-ROUTE-4).
5. R-ROUTE-7  otherwise handle here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext

from xinfang.orgs.models import LEVEL_RANK, CadreRank, DepartmentKind, Level
from xinfang.routing.rules import (
    at_prefecture_or_above,
    following_department,
    is_own_organization_department,
    organization_department_kinds,
    same_level_main_leader_conflicts,
)
from xinfang.routing.terms import AnonymousTreatment, Category, HandlingMode

# --- facts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class JurisdictionFacts:
    id: int
    name: str
    level: str
    path: str
    parent_id: int | None = None

    @property
    def rank(self) -> int:
        """Smaller is higher up (orgs.models.LEVEL_RANK)."""
        return LEVEL_RANK[Level(self.level)]

    def is_within(self, other: JurisdictionFacts) -> bool:
        """True if self is other or below it."""
        return self.path.startswith(other.path)


@dataclass(frozen=True)
class DepartmentFacts:
    id: int
    name: str
    kind: str
    jurisdiction: JurisdictionFacts

    @property
    def jurisdiction_id(self) -> int:
        return self.jurisdiction.id

    @property
    def is_unit_personnel(self) -> bool:
        """A unit's personnel department running petition work (R-COUNTY-5)."""
        return self.jurisdiction.level == Level.UNIT


@dataclass(frozen=True)
class RespondentFacts:
    name: str
    jurisdiction: JurisdictionFacts | None
    managing_jurisdiction: JurisdictionFacts | None
    is_main_leader: bool = False
    rank: str = ""
    post_title: str = ""
    department_id: int | None = None

    @property
    def jurisdiction_id(self) -> int | None:
        return self.jurisdiction.id if self.jurisdiction else None

    @property
    def label(self) -> str:
        """ "河口县" + "县委书记" reads "河口县委书记周建国", as people write it."""
        return f"{self.post_label}{self.name}"

    @property
    def post_label(self) -> str:
        """The post without the name, e.g. "河口县委书记"."""
        where = self.jurisdiction.name if self.jurisdiction else ""
        title = self.post_title
        if where and title and where[-1] == title[0]:
            title = title[1:]
        return f"{where}{title}"


@dataclass(frozen=True)
class ReferralRuleFacts:
    """One row of routing.ReferralRule (R-ROUTE-6)."""

    topic: str
    keywords: tuple[str, ...]
    department_kind: str
    explanation: str
    # Issue 11 item 4: keywords that apply to accusations only ("accusation") or to any
    # petition ("any"), and whether a hit suggests the referral whatever the category.
    nature: str = "any"
    any_category: bool = False

    def matches(self, text: str, nature: str = "") -> bool:
        if self.nature == "accusation" and nature != "accusation":
            return False
        return any(k in text for k in self.keywords)

    def words_in(self, text: str) -> tuple[str, ...]:
        """The keywords found in `text`, leaving out one inside another found ("拖欠工资"
        found makes "工资" redundant)."""
        found = [k for k in self.keywords if k in text]
        return tuple(k for k in found if not any(k != o and k in o for o in found))


@dataclass(frozen=True)
class OrgDirectory:
    """What routing needs of the org tree: the jurisdictions around the case and their
    departments. Built by the selector from a handful of queries."""

    jurisdictions: Mapping[int, JurisdictionFacts] = field(default_factory=dict)
    departments: tuple[DepartmentFacts, ...] = ()

    def parent(self, j: JurisdictionFacts) -> JurisdictionFacts | None:
        return self.jurisdictions.get(j.parent_id) if j.parent_id is not None else None

    def organization_department(self, j: JurisdictionFacts) -> DepartmentFacts | None:
        """The organization department of a jurisdiction; for a unit, its personnel
        department (机关和企业事业单位的组织、干部部门, R-COUNTY-5)."""
        for kind in organization_department_kinds(j.level):
            for d in self.departments:
                if d.jurisdiction.id == j.id and d.kind == kind:
                    return d
        return None

    def competent_department(self, kind: str, near: JurisdictionFacts) -> DepartmentFacts | None:
        """The department of `kind` in `near` or, failing that, in the nearest jurisdiction
        above it (a county without a court sends litigation to the prefecture's court)."""
        j: JurisdictionFacts | None = near
        while j is not None:
            for d in self.departments:
                if d.jurisdiction.id == j.id and d.kind == kind:
                    return d
            j = self.parent(j)
        return None


@dataclass(frozen=True)
class RoutingFacts:
    """Everything `propose_routing` looks at; plain data, no model instances."""

    category: str
    nature: str
    receiving: DepartmentFacts
    respondents: tuple[RespondentFacts, ...] = ()
    # 当事干部 of a personal request (R-CAT-4): whom the request is about, not accused.
    concerned: tuple[RespondentFacts, ...] = ()
    text: str = ""
    is_anonymous: bool = False
    anonymous_treatment: str = ""
    directory: OrgDirectory = field(default_factory=OrgDirectory)
    referral_rules: tuple[ReferralRuleFacts, ...] = ()


# --- proposal ----------------------------------------------------------------------------


class Direction(StrEnum):
    """Where the proposed department stands from the receiving one."""

    HERE = "here"
    DOWN = "down"
    UP = "up"
    ACROSS = "across"  # another organization department, neither above nor below
    OUTSIDE = "outside"  # another kind of department (R-ROUTE-6)


@dataclass(frozen=True)
class Reason:
    """One Chinese sentence; `text` ends with the rule IDs it carries out."""

    text: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class RoutingProposal:
    """The suggestion shown to the leader who decides (R-ROUTE-1)."""

    mode: HandlingMode
    department: DepartmentFacts | None
    department_name: str
    direction: Direction
    reasons: tuple[Reason, ...]
    result_required: bool = False
    is_key_case: bool = False
    to_upper_level: bool = False
    follow_up_department: DepartmentFacts | None = None
    petitioner_explanation: str = ""

    @property
    def rules(self) -> tuple[str, ...]:
        """Rule IDs cited, in order of first citation."""
        return rule_ids(self.reasons)

    @property
    def headline(self) -> str:
        """One line for lists, e.g. "建议交办：临江市委组织部"."""
        action = {
            Direction.UP: gettext("报送上级组织部门"),
            Direction.ACROSS: gettext("转请有管理权限的组织部门"),
        }.get(self.direction, self.mode.label)
        return gettext("建议%(action)s：%(department_name)s") % {
            "action": action,
            "department_name": self.department_name,
        }


def _reason(text: str, *rules: str) -> Reason:
    return Reason(
        text=f"{text.rstrip('。')}（{'、'.join(rules)}）。",
        rules=rules,
    )


# --- criteria (documented in docs/routing.md) --------------------------------------------

_DIVISION_AND_ABOVE = {CadreRank.PROVINCE_MINISTER, CadreRank.BUREAU, CadreRank.DIVISION}
_LEADING_RANKS = _DIVISION_AND_ABOVE | {CadreRank.SECTION}
_CADRE_MATTERS = {Category.MISCONDUCT, Category.ORGANIZATION_WORK}


def _is_leading_cadre(r: RespondentFacts) -> bool:
    """领导干部: a main leader, or a post of section rank (乡科级) and above."""
    return r.is_main_leader or r.rank in _LEADING_RANKS


def _key_case_criterion(r: RespondentFacts) -> bool:
    """R-ROUTE-5 criterion for 重点案件: a cadre of division rank (县处级) and above, or the main
    leader of a county-level or higher party committee. A township's or small unit's main
    leader is not enough: that would pull every township secretary up to the prefecture."""
    if r.rank in _DIVISION_AND_ABOVE:
        return True
    return bool(
        r.is_main_leader
        and r.jurisdiction is not None
        and r.jurisdiction.level != Level.UNIT
        and r.jurisdiction.rank <= LEVEL_RANK[Level.COUNTY]
    )


def _is_important(facts: RoutingFacts) -> bool:
    """R-ROUTE-4 组织、干部工作中的重要问题: misconduct or organization work, about a
    leading cadre."""
    return facts.category in _CADRE_MATTERS and any(_is_leading_cadre(r) for r in facts.respondents)


# --- the function ------------------------------------------------------------------------


def propose_routing(facts: RoutingFacts) -> RoutingProposal:
    """R-ROUTE-1: compute the one department that should handle the case, the handling
    mode and the reasons, each citing its rule."""
    receiving = facts.receiving

    # R-INTAKE-4: 匿名信件区别对待 — vague anonymous letters are kept for reference, but not
    # by a main leader's own organization department (R-ROUTE-3): shelving the letter is
    # deciding on it too, so such a letter is routed like any other, upwards.
    if (
        facts.is_anonymous
        and facts.anonymous_treatment == AnonymousTreatment.KEEP
        and not same_level_main_leader_conflicts(facts.respondents, receiving)
    ):
        return RoutingProposal(
            mode=HandlingMode.FILE,
            department=receiving,
            department_name=receiving.name,
            direction=Direction.HERE,
            reasons=(
                _reason(
                    gettext(
                        "匿名信件内容笼统、无从查证，登记时已定为存查备考，建议存查，"
                        "今后收到具体可查的线索再行调查"
                    ),
                    "R-INTAKE-4",
                    "R-ROUTE-7",
                ),
            ),
        )

    # R-ROUTE-6 / R-CAT-5: not the organization department's business → refer.
    if facts.category == Category.OUTSIDE_REMIT:
        return _refer_outside(facts)

    # R-CAT-4 / R-ROUTE-2: a personal request goes to the department managing the cadre it
    # concerns (更改入党时间、离退休、职级待遇 are decided where his file is managed).
    if facts.category == Category.PERSONAL_REQUEST:
        concerned = [c for c in facts.concerned if c.managing_jurisdiction is not None]
        if concerned:
            return _route_by_management(facts, concerned, personal=True)

    cadres = [r for r in facts.respondents if r.managing_jurisdiction is not None]
    if not cadres:
        # R-ROUTE-7: 自办为主 — nothing points elsewhere.
        return _handle_here(facts, reasons=[], key=False)
    return _route_by_management(facts, cadres)


def _handle_here(
    facts: RoutingFacts,
    *,
    reasons: list[Reason],
    key: bool,
    follow_up: DepartmentFacts | None = None,
) -> RoutingProposal:
    receiving = facts.receiving
    reasons = [
        *reasons,
        _reason(
            (gettext("建议由%(name)s自办，自办为主、多办少转") % {"name": receiving.name}),
            "R-ROUTE-7",
        ),
    ]
    reasons += _unit_reason(receiving)
    return RoutingProposal(
        mode=HandlingMode.SELF,
        department=receiving,
        department_name=receiving.name,
        direction=Direction.HERE,
        reasons=tuple(reasons),
        is_key_case=key,
        follow_up_department=follow_up,
    )


def _unit_reason(d: DepartmentFacts) -> list[Reason]:
    if not d.is_unit_personnel:
        return []
    return [
        _reason(
            (
                gettext("%(name)s是%(name2)s的组织人事部门，按组织部门信访工作的同样要求办理")
                % {"name": d.name, "name2": d.jurisdiction.name}
            ),
            "R-COUNTY-5",
        )
    ]


def _refer_outside(facts: RoutingFacts) -> RoutingProposal:
    """R-ROUTE-6: 及时转请其它有关部门办理，同时用适当方式给来信来访人解释明白."""
    rule = next(
        (r for r in facts.referral_rules if r.keywords and r.matches(facts.text, facts.nature)),
        None,
    )
    if rule is None:
        rule = next((r for r in facts.referral_rules if not r.keywords), None)
    reasons = [_reason(gettext("所反映问题不属于组织部门业务范围"), "R-CAT-5")]
    if rule is not None:
        kind, explanation = rule.department_kind, rule.explanation
        matched = rule.words_in(facts.text)
        if matched:
            basis = gettext("内容涉及“%(join)s”，按转其他部门规则“%(topic)s”") % {
                "join": "、".join(matched),
                "topic": rule.topic,
            }
        else:
            basis = gettext("其他规则均不适用，按兜底规则“%(topic)s”") % {"topic": rule.topic}
    else:
        # No rule data at all: the notice's own fallback, the petition bureau.
        kind, basis = DepartmentKind.PETITION_BUREAU.value, gettext("未设置转其他部门规则，按默认")
        explanation = gettext("您反映的问题不属于组织部门业务范围，已转请信访部门按有关规定办理。")
    kind_label = str(DepartmentKind(kind).label)
    target = facts.directory.competent_department(kind, facts.receiving.jurisdiction)
    if target is not None:
        name = target.name
        reasons.append(
            _reason(
                (gettext("%(basis)s，建议转%(name)s办理") % {"basis": basis, "name": name}),
                "R-ROUTE-6",
            )
        )
    else:
        name = kind_label
        reasons.append(
            _reason(
                (
                    gettext(
                        "%(basis)s应转%(kind_label)s办理，但本级及上级均未登记该类"
                        "部门，请人工确定接收部门"
                    )
                    % {"basis": basis, "kind_label": kind_label}
                ),
                "R-ROUTE-6",
            )
        )
    reasons.append(
        _reason(
            (
                gettext(
                    "转交的同时须用适当方式向信访人解释明白，并记录解释内容、日期和方式；要点：%(explanation)s"
                )
                % {"explanation": explanation}
            ),
            "R-ROUTE-6",
        )
    )
    return RoutingProposal(
        mode=HandlingMode.REFER,
        department=target,
        department_name=name,
        direction=Direction.OUTSIDE,
        reasons=tuple(reasons),
        petitioner_explanation=explanation,
    )


def _responsible_department(
    facts: RoutingFacts, start: JurisdictionFacts, reasons: list[Reason]
) -> tuple[DepartmentFacts | None, JurisdictionFacts | None]:
    """The organization department at `start` or, when `start` has none or would be a main
    leader's own (R-ROUTE-3), the nearest acceptable one above it."""
    j: JurisdictionFacts | None = start
    while j is not None:
        dept = facts.directory.organization_department(j)
        leaders = [r for r in facts.respondents if dept and is_own_organization_department(r, dept)]
        if dept is not None and not leaders:
            return dept, j
        parent = facts.directory.parent(j)
        up = parent.name if parent else gettext("上一级党委")
        if dept is None:
            reasons.append(
                _reason(
                    (
                        gettext("%(name)s未设组织部门，由%(up)s组织部门负责")
                        % {"name": j.name, "up": up}
                    ),
                    "R-ROUTE-2",
                )
            )
        else:
            names = "、".join(r.name for r in leaders)
            reasons.append(
                _reason(
                    (
                        gettext(
                            "%(names)s是%(name)s的主要领导干部，不得由%(name2)s查处"
                            "，改由%(up)s组织部门负责"
                        )
                        % {"names": names, "name": j.name, "name2": dept.name, "up": up}
                    ),
                    "R-ROUTE-3",
                )
            )
        j = parent
    return None, None


def _route_by_management(
    facts: RoutingFacts, cadres: list[RespondentFacts], *, personal: bool = False
) -> RoutingProposal:
    """R-ROUTE-2: 按照干部管理权限 — the managing jurisdiction's organization department.
    `cadres` are the respondents, or for a personal request (`personal`) the cadre it
    concerns (R-CAT-4)."""
    receiving = facts.receiving
    reasons: list[Reason] = []

    # Several respondents: the level managing the most senior one can deal with them all.
    lead = min(
        cadres, key=lambda r: r.managing_jurisdiction.rank if r.managing_jurisdiction else 99
    )
    managing = lead.managing_jurisdiction
    assert managing is not None
    if personal:
        # The cadre concerned is usually the petitioner: his name stays out of the reasons,
        # which everyone who sees the case reads (R-PROTECT-1); his post is enough.
        reasons.append(
            _reason(
                (
                    gettext(
                        "本件是当事干部（%(value)s）本人的个人问题（更改入党或参加工作时间、离退"
                        "休、职级待遇），该干部由%(name)s党委管理，按照干部管理权限由%(name)s"
                        "党委组织部门办理"
                    )
                    % {"value": lead.post_label or gettext("干部"), "name": managing.name}
                ),
                "R-CAT-4",
                "R-ROUTE-2",
            )
        )
    else:
        if len(cadres) > 1:
            reasons.append(
                _reason(
                    (
                        gettext("本件涉及多名被反映人，按其中管理权限最高的%(name)s确定承办层级")
                        % {"name": lead.name}
                    ),
                    "R-ROUTE-2",
                )
            )
        reasons.append(
            _reason(
                (
                    gettext(
                        "%(label)s由%(name)s党委管理，按照干部管理权限由%(name)s"
                        "党委组织部门调查处理"
                    )
                    % {"label": lead.label, "name": managing.name}
                ),
                "R-ROUTE-2",
            )
        )

    # R-ROUTE-3: say it plainly for every main leader, even where no conflict arises, because
    # transferring a main leader's case down to his own jurisdiction is the mistake to avoid.
    for r in facts.respondents:
        if not (r.is_main_leader and r.jurisdiction is not None):
            continue
        own = facts.directory.organization_department(r.jurisdiction)
        if own is None:
            continue
        who = gettext("%(name)s是%(name2)s的主要领导干部") % {
            "name": r.name,
            "name2": r.jurisdiction.name,
        }
        if own.id == receiving.id:
            text = gettext("%(who)s，本部门即其同级%(name)s，不得自行查处") % {
                "who": who,
                "name": own.name,
            }
        else:
            text = gettext("%(who)s，不得将反映其问题的来信转给%(name)s查处") % {
                "who": who,
                "name": own.name,
            }
        reasons.append(_reason(text, "R-ROUTE-3"))

    important = _is_important(facts)
    key = any(_key_case_criterion(r) for r in facts.respondents)
    # The petitioner's words in what he is told: a personal request is 提出, an accusation or
    # any other matter 反映.
    asked = gettext("提出") if personal else gettext("反映")

    target, target_j = _responsible_department(facts, managing, reasons)

    # R-ROUTE-5: a key case is handled directly at prefecture level or above. When the
    # managing level is below the prefecture (unusual for such cadres), a receiver at
    # prefecture level or above keeps it rather than sending it down.
    if (
        key
        and target is not None
        and not at_prefecture_or_above(target.jurisdiction.level)
        and at_prefecture_or_above(receiving.jurisdiction.level)
        and receiving.kind == DepartmentKind.ORGANIZATION
        and target.jurisdiction.is_within(receiving.jurisdiction)
        and not any(is_own_organization_department(r, receiving) for r in facts.respondents)
    ):
        target, target_j = receiving, receiving.jurisdiction
    is_key = key and target is not None and at_prefecture_or_above(target.jurisdiction.level)
    if is_key and target is not None:
        reasons.append(
            _reason(
                (
                    gettext(
                        "被反映人为县处级以上干部或县级以上党委主要领导干部，建议列为重点案件，由%(name)s"
                        "直接查办，不再下转"
                    )
                    % {"name": target.name}
                ),
                "R-ROUTE-5",
            )
        )

    follow_up = _follow_up(facts, target, important, reasons)

    if target is None or target_j is None:
        # The top of the deployed tree: the managing level is outside this system.
        reasons.append(
            _reason(
                gettext("有管理权限的组织部门不在本系统内，建议报送上一级组织部门"), "R-ROUTE-2"
            )
        )
        return RoutingProposal(
            mode=HandlingMode.REFER,
            department=None,
            department_name=gettext("上一级组织部门"),
            direction=Direction.UP,
            reasons=tuple(reasons),
            to_upper_level=True,
            petitioner_explanation=(
                gettext("您%(value)s的问题按照干部管理权限由上一级组织部门办理，已报送。")
                % {"value": asked}
            ),
        )

    if target.id == receiving.id:
        return _handle_here(facts, reasons=reasons, key=is_key, follow_up=follow_up)

    here = receiving.jurisdiction
    if target_j.id != here.id and target_j.is_within(here):
        if important or is_key:
            reasons.append(
                _reason(
                    (
                        gettext(
                            "属组织、干部工作中的重要问题，建议交办%(name)s并要求报结果，一般三个月内"
                            "报结"
                        )
                        % {"name": target.name}
                    ),
                    "R-ROUTE-7",
                    "R-CLOSE-1",
                )
            )
            mode = HandlingMode.ASSIGN
        else:
            reasons.append(
                _reason(
                    (gettext("建议转办%(name)s，不要求报结果") % {"name": target.name}), "R-ROUTE-7"
                )
            )
            mode = HandlingMode.TRANSFER
        reasons += _unit_reason(target)
        return RoutingProposal(
            mode=mode,
            department=target,
            department_name=target.name,
            direction=Direction.DOWN,
            reasons=tuple(reasons),
            result_required=mode == HandlingMode.ASSIGN,
            is_key_case=is_key,
            follow_up_department=follow_up,
        )

    # Above (上报) or in another branch of the tree (转请): either way the case leaves this
    # department, so it is a referral and the petitioner is told where it went.
    upward = target_j.id != here.id and here.is_within(target_j)
    if upward:
        text = gettext("不属本级管理，建议报送%(name)s办理，并向信访人说明去向") % {
            "name": target.name
        }
        explanation = gettext("您%(value)s的问题按照干部管理权限由%(name)s办理，已报送该部门。") % {
            "value": asked,
            "name": target.name,
        }
    else:
        text = gettext("不属本部门管理，建议转请%(name)s办理，并向信访人说明去向") % {
            "name": target.name
        }
        explanation = gettext(
            "您%(value)s的问题按照干部管理权限由%(name)s办理，已转请该部门办理。"
        ) % {"value": asked, "name": target.name}
    reasons.append(_reason(text, "R-ROUTE-2"))
    return RoutingProposal(
        mode=HandlingMode.REFER,
        department=target,
        department_name=target.name,
        direction=Direction.UP if upward else Direction.ACROSS,
        reasons=tuple(reasons),
        is_key_case=is_key,
        to_upper_level=upward,
        follow_up_department=follow_up,
        petitioner_explanation=explanation,
    )


def _follow_up(
    facts: RoutingFacts,
    handler: DepartmentFacts | None,
    important: bool,
    reasons: list[Reason],
) -> DepartmentFacts | None:
    """R-ROUTE-4: 上一级组织部门应当过问 — the organization department above the handler."""
    if not important or handler is None:
        return None
    above = following_department(
        handler.jurisdiction,
        parent=facts.directory.parent,
        organization_department=facts.directory.organization_department,
    )
    if above is not None:
        reasons.append(
            _reason(
                (
                    gettext(
                        "属组织、干部工作中的重要问题，由%(name)s办理的同时，上一级%(name2)s"
                        "应当过问、掌握办理情况"
                    )
                    % {"name": handler.name, "name2": above.name}
                ),
                "R-ROUTE-4",
            )
        )
    return above


def rule_ids(reasons: Iterable[Reason]) -> tuple[str, ...]:
    """All rule IDs cited by `reasons`, in order, without repeats."""
    seen: dict[str, None] = {}
    for reason in reasons:
        for rule in reason.rules:
            seen.setdefault(rule, None)
    return tuple(seen)


def department_instead(facts: RoutingFacts, department_id: int, jurisdiction_id: int) -> str:
    """R-ROUTE-3: the name of the organization department a case should go to when the
    department `department_id` (of `jurisdiction_id`) may not hold it: the proposal's
    department when that one may, else the nearest acceptable one above."""
    proposal = propose_routing(facts)
    target = proposal.department
    if (
        target is not None
        and target.kind in (DepartmentKind.ORGANIZATION, DepartmentKind.PERSONNEL)
        and target.id != department_id
        and not same_level_main_leader_conflicts(facts.respondents, target)
    ):
        return target.name
    j = facts.directory.jurisdictions.get(jurisdiction_id)
    parent = facts.directory.parent(j) if j is not None else None
    if parent is not None:
        above, _ = _responsible_department(facts, parent, [])
        if above is not None:
            return above.name
    return gettext("上一级组织部门")


def proposal_followed(proposal: RoutingProposal, mode: str, department_id: int | None) -> bool:
    """R-ROUTE-1: the decision follows the proposal when mode and department agree; a
    referral the proposal could not name a department for follows it whatever department is
    chosen."""
    if proposal.mode != mode:
        return False
    if proposal.department is None:
        return mode == HandlingMode.REFER
    return department_id is not None and proposal.department.id == department_id
