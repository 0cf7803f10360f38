"""Reads for routing: the adapter from a case to `RoutingFacts`, and the rules in Chinese."""

from __future__ import annotations

from collections.abc import Iterable

from xinfang.cases.lifecycle import FROZEN_STATES
from xinfang.cases.models import Case, Category, HandlingMode
from xinfang.orgs.models import Department, DepartmentKind, Jurisdiction
from xinfang.petitions.models import AnonymousTreatment, ConcernedCadre, Petition, Respondent
from xinfang.petitions.selectors import family_case_ids
from xinfang.routing.models import ReferralRule
from xinfang.routing.proposal import (
    DepartmentFacts,
    JurisdictionFacts,
    OrgDirectory,
    ReferralRuleFacts,
    RespondentFacts,
    RoutingFacts,
    department_instead,
)
from xinfang.routing.rules import RespondentLike, refuse_own_main_leader


def _path_ids(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def referral_rules() -> tuple[ReferralRuleFacts, ...]:
    """The active referral rules in matching order (R-ROUTE-6)."""
    return tuple(
        ReferralRuleFacts(
            topic=r.topic,
            keywords=r.keyword_list,
            department_kind=r.department_kind,
            explanation=r.explanation,
        )
        for r in ReferralRule.objects.filter(is_active=True).order_by("priority", "id")
    )


def facts_for_case(case: Case) -> RoutingFacts:
    """Everything `propose_routing` needs about `case`, in at most eight queries (seven
    unless it is a personal request), however many petitions."""
    # The whole family: the first case's petitions and those registered on cases sent down.
    # Plain id lists keep these two queries simple: this runs on every routing decision.
    family = family_case_ids(case)
    # The letters' text matters only to the referral rules (R-ROUTE-6): fetch it only then.
    outside = case.category == Category.OUTSIDE_REMIT
    columns = ["is_anonymous", "anonymous_treatment"] + (["summary", "content"] if outside else [])
    petitions = list(
        Petition.objects.filter(case_id__in=family).order_by("received_on", "id").values(*columns)
    )
    respondent_rows = list(
        Respondent.objects.filter(petition__case_id__in=family)
        .select_related("jurisdiction", "managing_jurisdiction")
        .order_by("petition_id", "id")
    )
    # R-CAT-4: only a personal request is routed by the cadre it concerns; skip the query
    # for the rest.
    concerned_rows = (
        list(
            ConcernedCadre.objects.filter(petition__case_id__in=family)
            .select_related("jurisdiction", "managing_jurisdiction")
            .order_by("petition_id")
        )
        if case.category == Category.PERSONAL_REQUEST
        else []
    )

    # Jurisdictions involved: the receiving one, the respondents' and their managers', and
    # every ancestor of those (for R-ROUTE-3's "one level up", R-ROUTE-4's follow-up and the
    # nearest competent department of R-ROUTE-6).
    # Services pass a case locked with its department and jurisdiction: reuse them.
    cached = Case.department.is_cached(case)
    receiving_dept = (
        case.department
        if cached and Department.jurisdiction.is_cached(case.department)
        else Department.objects.select_related("jurisdiction").get(pk=case.department_id)
    )
    paths = [receiving_dept.jurisdiction.path]
    for row in respondent_rows:
        paths += [j.path for j in (row.jurisdiction, row.managing_jurisdiction) if j is not None]
    for c in concerned_rows:
        paths += [j.path for j in (c.jurisdiction, c.managing_jurisdiction) if j is not None]
    ids = {i for p in paths for i in _path_ids(p)}
    # Plain rows, not model instances: this runs on every routing decision.
    jurisdictions = {
        pk: JurisdictionFacts(id=pk, name=name, level=level, path=path, parent_id=parent_id)
        for pk, name, level, path, parent_id in Jurisdiction.objects.filter(pk__in=ids).values_list(
            "pk", "name", "level", "path", "parent_id"
        )
    }
    departments = tuple(
        DepartmentFacts(id=pk, name=name, kind=kind, jurisdiction=jurisdictions[j_id])
        for pk, name, kind, j_id in Department.objects.filter(jurisdiction_id__in=ids)
        .order_by("id")
        .values_list("pk", "name", "kind", "jurisdiction_id")
    )

    def cadre_facts(rows: list[Respondent] | list[ConcernedCadre]) -> tuple[RespondentFacts, ...]:
        out: list[RespondentFacts] = []
        seen: set[tuple[object, ...]] = set()
        for r in rows:
            # The same cadre named in a first letter and its repeats counts once.
            key = (r.cadre_id or r.name, r.jurisdiction_id, r.post_title)
            if key in seen:
                continue
            seen.add(key)
            out.append(
                RespondentFacts(
                    name=r.name,
                    jurisdiction=(
                        jurisdictions.get(r.jurisdiction_id) if r.jurisdiction_id else None
                    ),
                    managing_jurisdiction=(
                        jurisdictions.get(r.managing_jurisdiction_id)
                        if r.managing_jurisdiction_id
                        else None
                    ),
                    is_main_leader=r.is_main_leader,
                    rank=r.rank,
                    post_title=r.post_title or r.unit,
                    department_id=getattr(r, "department_id", None),
                )
            )
        return tuple(out)

    # R-INTAKE-4: the case is anonymous only if no petition is signed; it is kept for
    # reference only if every anonymous petition was judged vague.
    is_anonymous = bool(petitions) and all(p["is_anonymous"] for p in petitions)
    treatments = {p["anonymous_treatment"] for p in petitions if p["is_anonymous"]}
    if is_anonymous and treatments == {AnonymousTreatment.KEEP}:
        treatment = AnonymousTreatment.KEEP.value
    elif AnonymousTreatment.INVESTIGATE in treatments:
        treatment = AnonymousTreatment.INVESTIGATE.value
    else:
        treatment = ""

    text = "\n".join(
        [case.title]
        + ([p["summary"] for p in petitions] + [p["content"] for p in petitions] if outside else [])
    )
    return RoutingFacts(
        category=case.category,
        nature=case.nature,
        receiving=DepartmentFacts(
            id=receiving_dept.pk,
            name=receiving_dept.name,
            kind=receiving_dept.kind,
            jurisdiction=jurisdictions[receiving_dept.jurisdiction_id],
        ),
        respondents=cadre_facts(respondent_rows),
        concerned=cadre_facts(concerned_rows),
        text=text,
        is_anonymous=is_anonymous,
        anonymous_treatment=treatment,
        directory=OrgDirectory(jurisdictions=jurisdictions, departments=departments),
        # Only matters outside the remit are referred by rule (R-ROUTE-6): skip the query
        # for the rest.
        referral_rules=referral_rules() if outside else (),
    )


# Handling modes in which the deciding department keeps the case in its own hands: handled
# here, kept for reference, or assigned down with the result reported back to it for
# acceptance (R-CLOSE-6). A case only received (no mode yet) is not held: letters arrive
# where they arrive, and the decision on them is checked when it is taken.
HELD_MODES = frozenset({HandlingMode.SELF, HandlingMode.FILE, HandlingMode.ASSIGN})


def respondents_of_case(case: Case) -> list[Respondent]:
    """The respondents of every petition of `case`'s family (first case and cases sent
    down share their petitions)."""
    return list(Respondent.objects.filter(petition__case_id__in=family_case_ids(case)))


def refuse_if_department_may_not_hold(
    case: Case,
    department: Department,
    *,
    doing: str,
    respondents: Iterable[RespondentLike] | None = None,
) -> None:
    """R-ROUTE-3: the one check every path that leaves `case` with `department` calls
    (handling here, sending down, referring, keeping for reference, taking a case back after
    an objection, a review sent back, a merge, a repeat linked to it). `respondents`
    defaults to those of the case's family; a merge passes both cases'."""
    rows: list[RespondentLike] = (
        list(respondents_of_case(case)) if respondents is None else list(respondents)
    )
    refuse_own_main_leader(
        rows,
        department,
        doing=doing,
        instead=lambda: department_instead(
            facts_for_case(case), department.pk, department.jurisdiction_id
        ),
    )


def refuse_if_family_holders_may_not_hold(
    case: Case, *, doing: str, respondents: Iterable[RespondentLike] | None = None
) -> None:
    """R-ROUTE-3 for the paths that add petitions to a family (a repeat, a merge): the
    petitions are shared by the first case and every case sent down from it, so each of
    them that its department holds (HELD_MODES, not sealed) is checked, the case sent down
    to a county as much as the city's own."""
    rows: list[RespondentLike] = (
        list(respondents_of_case(case)) if respondents is None else list(respondents)
    )
    holders = (
        Case.objects.filter(pk__in=family_case_ids(case), handling_mode__in=HELD_MODES)
        .exclude(state__in=FROZEN_STATES)
        .select_related("department")
        .order_by("pk")
    )
    for holder in holders:
        refuse_if_department_may_not_hold(holder, holder.department, doing=doing, respondents=rows)


def describe_rule(rule: ReferralRule) -> str:
    """One referral rule as an administrator reads it."""
    kind = DepartmentKind(rule.department_kind).label
    state = "" if rule.is_active else "（已停用）"
    if rule.keyword_list:
        words = "、".join(rule.keyword_list)
        head = (
            f"不属于组织部门业务范围的来信来访，内容涉及“{words}”等的，按“{rule.topic}”转{kind}办理"
        )
    else:
        head = f"不属于组织部门业务范围、其他规则都不适用的来信来访，按“{rule.topic}”转{kind}办理"
    return (
        f"{head}；转交时向信访人解释：{rule.explanation}"
        f"（R-ROUTE-6，匹配顺序{rule.priority}）{state}"
    )


def describe_rules() -> list[str]:
    """The current referral rules, then the fixed principles, as Chinese sentences."""
    rules = [describe_rule(r) for r in ReferralRule.objects.order_by("priority", "id")]
    return [*rules, *PRINCIPLES]


# The principles in code (proposal.py), stated for administrators; they are not editable.
PRINCIPLES: tuple[str, ...] = (
    "匿名信件经登记定为“存查备考”的，建议存查；但反映本级主要领导干部的，不由本部门存查，"
    "报送上级（R-INTAKE-4、R-ROUTE-3）。",
    "干部本人的个人问题（入党和参加工作时间、离退休、职级待遇），按登记的当事干部的管理权限，"
    "由管理该干部的党委的组织部门办理（R-CAT-4、R-ROUTE-2）。",
    "反映干部问题的，按照干部管理权限，由管理该干部的党委的组织部门调查处理；"
    "本级管理的自办，下级管理的转办或交办，上级管理的报送上级（R-ROUTE-2）。",
    "反映主要领导干部问题的，不转给其同级组织部门查处，改由上一级组织部门负责；该组织部门"
    "不能自办、存查、转办或交办，也不能通过收回、退回重办、并案或重信重访持有此类事项（R-ROUTE-3）。",
    "反映领导干部的不正之风或组织、干部工作问题属于重要问题，下级办理时上一级组织部门应当过问；"
    "交办下级并要求报结果（R-ROUTE-4、R-ROUTE-7）。",
    "被反映人为县处级以上干部或县级以上党委主要领导干部的，建议列为重点案件，"
    "由地级以上组织部门直接查办（R-ROUTE-5）。",
    "其他情况建议自办，自办为主、多办少转（R-ROUTE-7）。",
)
