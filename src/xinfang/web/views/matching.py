"""Same matter and same person while registering (issue 11): an htmx fragment of the
registration page, fed with the form as it stands. Candidates come only through
cases/matching.py (cases_visible_to and the protection policy)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from xinfang.cases.lifecycle import require_action_role
from xinfang.cases.matching import (
    PersonCandidate,
    RespondentFacts,
    matter_candidates,
    person_candidates,
    person_facts,
)
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Jurisdiction
from xinfang.web.views.common import staff_page, staff_user

MAX_TEXT = 20000  # characters of the letter compared; a longer letter is cut here
MAX_ROWS = 10  # petitioner and respondent rows read from the form


def _rows(data: QueryDict, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    rows = []
    for i in range(MAX_ROWS):
        row = {f: data.get(f"{prefix}-{i}-{f}", "")[:200].strip() for f in fields}
        if any(row.values()):
            rows.append(row)
    return rows


@staff_page
def register_matches(request: HttpRequest) -> HttpResponse:
    """Cases that may be the same matter and earlier petitioners who may be the same
    person, each with its score and reasons (htmx fragment of /register/)."""
    user = staff_user(request)
    try:
        require_action_role(user, "register")
    except RuleViolation:
        return HttpResponse("", status=403)
    data = request.POST if request.method == "POST" else request.GET
    text = (data.get("content", "") or data.get("statement", ""))[:MAX_TEXT]
    places = {
        str(j.pk): j.name
        for j in Jurisdiction.objects.filter(
            pk__in=[
                r["jurisdiction"]
                for r in _rows(data, "r", ("jurisdiction",))
                if r["jurisdiction"].isdigit()
            ]
        )
    }
    respondents = [
        RespondentFacts(name=r["name"], unit=r["unit"], place=places.get(r["jurisdiction"], ""))
        for r in _rows(data, "r", ("name", "unit", "jurisdiction"))
    ]
    matters = matter_candidates(
        user,
        text=text,
        category=data.get("category", "")[:24],
        respondents=respondents,
        place=data.get("collective_origin", "")[:100],
    )
    people: list[PersonCandidate] = []
    seen: set[str] = set()
    for row in _rows(data, "p", ("name", "id_number", "phone", "address", "work_unit", "account")):
        for found in person_candidates(
            user,
            person_facts(
                name=row["name"][:50],
                id_number=row["id_number"][:24],
                phone=row["phone"][:30],
                account=row["account"][:100],
                address=row["address"],
                work_unit=row["work_unit"][:100],
            ),
        ):
            key = f"{found.person.name}|{[c.pk for c in found.cases]}"
            if key not in seen:
                seen.add(key)
                people.append(found)
    return render(
        request,
        "web/matching/candidates.html",
        {"matters": matters, "people": people, "asked": bool(text.strip()) or bool(people)},
    )
