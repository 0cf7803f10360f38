"""Who may open what: every page of the site and every operation of the JSON API, for every
user of the protection world (tests/protection/conftest.py), an account without a
department and an anonymous client, against an answer key written out below.

- Enumeration: every URL pattern of the site (django.urls.get_resolver) and every operation
  of the API's OpenAPI schema must be in the answer key (PAGES, API_GET, API_POST) or named
  in the exclusions; a page or endpoint added tomorrow fails this test until its row is
  written.
- Outcomes: anonymous → sent to sign in (pages) or 401 (API); signed in without the role →
  the Chinese 403 page; a case the user may not see → 404, the same answer as a case that
  does not exist; allowed → 200. Case pages are opened for every world case; the cases each
  user may open are written in VISIBLE, the flows open to each user on each case in
  OPEN_FLOWS, the documents each case has in DOCUMENTS.
- Lists (work queues, supervision drill-down, API lists): the set of world cases each user
  sees, compared exactly (QUEUES_SEEN, SUPERVISION_SEEN, VISIBLE).
- Writes: every flow POST and every API action POST a user may not make answers 403/404
  (pages) or 404/422 (API, docs/api.md "Errors") and writes no CaseEvent.
- R-PROTECT-1: no 200 answer fetched here carries the name, ID number or phone of an accuser
  the user may not read (MAY_READ of conftest.py). The full marker walk stays in
  test_every_door.py and tests/api/test_every_endpoint.py.

The world is built once for the module (it only reads; each test's writes are rolled back),
with one case of the module's own beside the protection world's five: "here", handled at
the county (自办), where the flows of a case being handled are open.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.api.conftest import Api
from tests.builders import PetitionerInput, RespondentInput, register, to_handling
from tests.clients import staff_client
from tests.orgtree import build_tree
from tests.protection.conftest import MAY_READ, SIGNED_ID, UNIT_ID, World, build_world
from tests.protection.test_every_door import response_text
from xinfang.api.api import api
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.queues import QUEUES
from xinfang.orgs.models import User
from xinfang.orgs.services import cadre_create
from xinfang.petitions.models import Petition
from xinfang.web.forms.flows import FLOWS

# --- The people ---------------------------------------------------------------------------

ANON = "anon"  # no session, no token
NODEPT = "nodept"  # signed in, active, staff, but in no department
WORLD_USERS = [
    "prov",  # 东川省委组织部, registrar + handler + leader
    "city",  # 临江市委组织部, all three roles
    "county",  # 河口县委组织部, all three roles
    "baisha",  # 白沙县委组织部, all three roles, no world case
    "county_hr",  # 河口县人社局, all three roles, no world case
    "city_supervisor",  # 临江市委组织部, supervisor only
    "prov_supervisor",  # 东川省委组织部, supervisor only
    "energy",  # 东川能源集团人力资源部, all three roles
    "admin",  # superuser of 东川省委组织部 without a case role
    "clerk",  # 临江市委组织部 without a role
]
USERS = [ANON, NODEPT, *WORLD_USERS]
CASE_ROLES = {"prov", "city", "county", "baisha", "county_hr", "energy"}  # registrar+handler+leader
SUPERVISORS = {"city_supervisor", "prov_supervisor"}

# --- The cases ----------------------------------------------------------------------------

CASES = ["signed", "unit", "unit_child", "anonymous", "personal", "here"]
# "here" is this module's own: a letter of a named accuser at 河口县委组织部, read and handled
# there (自办) by its one staff member, so that the flows of a case being handled here
# (指定承办人 among them) are open to someone (the matrix fixture below).
HERE_ID = "430102198803154527"
HERE_ACCUSER = ("闻在办", HERE_ID, "13955556666")
MISSING = "missing"  # an id no case has
MISSING_ID = 999_999

# The world cases each user may open (cases/access.py). Everyone else: 404.
VISIBLE: dict[str, set[str]] = {
    ANON: set(),
    NODEPT: set(),  # no department, no case
    "prov": {"unit", "unit_child"},  # its own letter and the child it assigned down
    "city": {"signed"},  # its own visit
    "county": {"anonymous", "personal", "here"},  # its own three
    "baisha": set(),
    "county_hr": set(),  # same jurisdiction as the county's cases, another department
    # R-SUPER-1: the own department's cases and those of organization departments below.
    "city_supervisor": {"signed", "anonymous", "personal", "here"},
    "prov_supervisor": {"signed", "unit", "unit_child", "anonymous", "personal", "here"},
    "energy": {"unit_child"},  # the case assigned to it, not the province's parent
    "admin": {"unit", "unit_child"},  # a superuser sees no more than its department
    "clerk": {"signed"},  # the department's cases, though it may act on none
}

# The cases each department holds itself (the register of long-standing petitioners is kept
# by the department responsible for the case).
OWN_CASES: dict[str, set[str]] = {
    "prov": {"unit"},
    "city": {"signed"},
    "county": {"anonymous", "personal", "here"},
    "energy": {"unit_child"},
}

# The flows (web/forms/flows.py) open to a user on a case; every other flow of a case the
# user sees answers the Chinese 403 page.
FLOW_NAMES = {
    "read",
    "instruct",
    "report_instruction",
    "report_progress",
    "report_upward",
    "handle_here",
    "name_handler",  # R-STAFF-1: open on "here" to its department's leader
    "transfer_down",
    "assign_down",
    "refer",
    "file",
    "merge",
    "unmerge",  # issue 11: no world case is merged or holds a repeat, so both are closed
    "unlink_repeat",
    "receive_assignment",
    "raise_objection",
    "decide_objection",
    "submit_closure",
    "approve_closure",
    "return_closure",
    "accept_report",
    "return_report",
    "explain_overdue",
    "extend_deadline",
    "pause_clock",
    "resume_clock",
    "review_apply",
    "rereview_apply",
    "review_decide",
    "rereview_decide",
    "archive",
    "add_interview",
    "add_attachment",
}
REGISTERED_HERE = {"read", "instruct", "merge", "report_upward", "add_interview", "add_attachment"}
OPEN_FLOWS: dict[tuple[str, str], set[str]] = {
    ("city", "signed"): REGISTERED_HERE,
    ("county", "anonymous"): REGISTERED_HERE,
    ("county", "personal"): REGISTERED_HERE,
    # Assigned down (交办): the province waits for the report; no merge of a sent case.
    ("prov", "unit"): {"instruct", "report_upward", "add_interview", "add_attachment"},
    # Handled here (自办) and being handled: the leader names the handler (R-STAFF-1) and
    # instructs, the handler submits the closure (R-CLOSE-3); no merge once read and routed,
    # no progress report (asked only of a case sent down: 交办).
    ("county", "here"): {
        "instruct",
        "report_upward",
        "name_handler",
        "submit_closure",
        "add_interview",
        "add_attachment",
    },
    # Received from above: read, take in or object; never merged away.
    ("energy", "unit_child"): {
        "read",
        "instruct",
        "receive_assignment",
        "raise_objection",
        "report_progress",
        "report_upward",
    },
}
# The documents each case has (cases/documents.py; the 1987 rules: no acceptance notice).
DOCUMENTS = {
    "signed": {"registration"},
    "unit": {"registration", "letter"},  # it was assigned down
    "unit_child": {"registration"},
    "anonymous": {"registration"},
    "personal": {"registration"},
    "here": {"registration"},  # handled here: no letter sends it anywhere
}
DOCUMENT_KINDS = ["registration", "acceptance", "letter", "closure", "dossier"]

# --- The lists ----------------------------------------------------------------------------

DEPARTMENT_QUEUES = [
    "to_read",
    "my_cases",
    "closures_awaiting_approval",
    "reports_awaiting_acceptance",
    "sent_down",
    "to_route",  # leaders: read, not yet routed (the world's read cases are all routed)
    "objections_awaiting_decision",  # leaders: no objection is pending in the world
]
CLOCK_QUEUES = [
    "due_within_7_days",
    "half_time_used",
    "overdue_without_explanation",
    "overdue_with_explanation",
]
# Who has each queue (cases/queues.py): the department queues for the case roles, the clock
# queues also for supervisors. The cases each user sees in each queue; empty when not named.
QUEUE_USERS = {
    **{q: CASE_ROLES for q in DEPARTMENT_QUEUES},
    **{q: CASE_ROLES | SUPERVISORS for q in CLOCK_QUEUES},
}
QUEUES_SEEN: dict[tuple[str, str], set[str]] = {
    ("to_read", "city"): {"signed"},
    ("to_read", "county"): {"anonymous", "personal"},
    ("to_read", "energy"): {"unit_child"},  # the province's own letter was read already
    ("sent_down", "prov"): {"unit_child"},
    ("my_cases", "county"): {"here"},  # the county's staff member is its 承办人
}
# 督导 drill-down (supervision/cases/, default list 在办): organization departments below.
SUPERVISION_SEEN = {
    "city_supervisor": {"anonymous", "personal", "here"},
    "prov_supervisor": {"signed", "anonymous", "personal", "here"},
}

# --- The outcomes -------------------------------------------------------------------------

OK, LOGIN, ADMIN_LOGIN, HOME, DENIED, HIDDEN, NOT_ALLOWED = (
    "200",
    "302 /login/",
    "302 /admin/login/",
    "302 /",
    "403",
    "404",
    "405",
)


def staff_page(allowed: set[str]) -> dict[str, str]:
    """A page of web/views: anonymous signs in, no department is 403, `allowed` 200, the
    other signed-in users 403."""
    return {
        ANON: LOGIN,
        NODEPT: DENIED,
        **{u: OK if u in allowed else DENIED for u in WORLD_USERS},
    }


EVERYONE = set(WORLD_USERS)
# Pages without a case: route → user → outcome.
PAGES: dict[str, dict[str, str]] = {
    "": staff_page(EVERYONE),
    "login/": {ANON: OK, **{u: HOME for u in (NODEPT, *WORLD_USERS)}},
    "logout/": {u: NOT_ALLOWED for u in USERS},  # signing out is a POST
    "reviews/apply/": staff_page(CASE_ROLES),  # registrars only
    "register/": staff_page(CASE_ROLES),
    "register/lookup/": staff_page(CASE_ROLES),  # earlier petitioners: registrars only
    "register/idnumber/": staff_page(EVERYONE),  # checks a typed number, reads nothing
    "register/cadres/": staff_page(EVERYONE),  # the cadre directory
    "supervision/": staff_page(SUPERVISORS),
    "supervision/cases/": staff_page(SUPERVISORS),
    # The case search (cases/search.py): every staff member of a department; what it finds
    # is each one's visible cases (tests/protection/test_search.py).
    "search/": staff_page(EVERYONE),
    # Registration's helpers: same matter and person (registrars), the live routing proposal
    # (a POST: GET is refused to everyone signed in), the department search (any staff).
    "register/matches/": staff_page(CASE_ROLES),
    "register/routing/": {ANON: LOGIN, NODEPT: DENIED, **{u: NOT_ALLOWED for u in WORLD_USERS}},
    # Suggestion from the text (issue 11 item 4): POST only, like the routing preview; the
    # generated walk posts it for every user (test_every_door.posted_forms).
    "register/suggest/": {ANON: LOGIN, NODEPT: DENIED, **{u: NOT_ALLOWED for u in WORLD_USERS}},
    "register/departments/": staff_page(EVERYONE),
    # The register of long-standing petitioners: leaders and handlers (persistent/).
    "longterm/": staff_page(CASE_ROLES),
    # Early warnings (alerts/): leaders and supervisors (and anyone a warning is assigned to).
    "warnings/": staff_page(CASE_ROLES | SUPERVISORS),
}
# The world's one register entry (on the signed case, protection conftest): route → user →
# outcome. Leaders and handlers who see its case open it; anyone else signed in with a
# department: the register's 403 for those without the roles, 404 for the rest.
ENTRY_PAGES: dict[str, dict[str, str]] = {
    route: {
        ANON: LOGIN,
        NODEPT: DENIED,
        **{u: HIDDEN for u in CASE_ROLES},
        **{u: DENIED for u in SUPERVISORS | {"admin", "clerk"}},
        "city": OK,
    }
    for route in ("longterm/<int:entry_id>/", "longterm/<int:entry_id>/<str:step>/")
}
# The world's one warning (of 临江市委组织部, protection conftest): its leaders and the
# province's supervisor (who oversees it) open it; other leaders and the city's supervisor
# (who oversees the counties only) get 404; those without the roles the warnings' 403.
WARNING_PAGES: dict[str, dict[str, str]] = {
    route: {
        ANON: LOGIN,
        NODEPT: DENIED,
        **{u: HIDDEN for u in CASE_ROLES | {"city_supervisor"}},
        **{u: DENIED for u in ("admin", "clerk")},
        "city": OK,
        "prov_supervisor": OK,
    }
    for route in ("warnings/<int:warning_id>/", "warnings/<int:warning_id>/<str:step>/")
}
# Pages of one case: route → how the user's visibility of the case decides the outcome.
CASE_PAGES = {
    "cases/<int:case_id>/",
    "cases/<int:case_id>/file/",  # the admin's case file: staff_member_required
    "cases/<int:case_id>/do/<str:flow>/",
    "cases/<int:case_id>/closure-check/",
    "register/<int:case_id>/done/",
    "documents/<int:case_id>/",
    "documents/<int:case_id>/<dockind:kind>/",
    "documents/<int:case_id>/<dockind:kind>.<docfmt:fmt>",
    "longterm/cases/<int:case_id>/new/",  # register a case's petitioner (leaders, handlers)
}
QUEUE_PAGE = "queues/<slug:queue>/"
# Named exclusions: Django's and the API's own pages, checked elsewhere.
NOT_PAGES = {
    "favicon.ico",  # a redirect to a static file
    "api/docs",  # Swagger UI (tests/api/test_docs.py)
    "api/openapi.json",  # the schema itself (tests/api/test_docs.py)
    "api/",  # django-ninja's root: no operation
    "api/^(?P<rest>.*)$",  # any other /api/ path: JSON 404 (tests/api/test_unknown_paths.py)
}


def case_page_outcome(route: str, user: str, case: str, params: dict[str, str]) -> str:
    """The answer key for a page of one case (a world case or MISSING)."""
    if route == "cases/<int:case_id>/file/":
        # Served to admin staff (is_staff); the account without department sees no case.
        if user == ANON:
            return ADMIN_LOGIN
        return OK if case in VISIBLE[user] else HIDDEN
    if user == ANON:
        return LOGIN
    if user == NODEPT:
        return DENIED
    if route == "longterm/cases/<int:case_id>/new/":
        # The roles first (the same 403 whatever the id), then the department's own cases.
        if user not in CASE_ROLES:
            return DENIED
        return OK if case in OWN_CASES.get(user, set()) else HIDDEN
    if case not in VISIBLE[user]:
        return HIDDEN
    flows = OPEN_FLOWS.get((user, case), set())
    if route == "cases/<int:case_id>/do/<str:flow>/":
        if params["flow"] not in FLOW_NAMES:
            return HIDDEN
        return OK if params["flow"] in flows else DENIED
    if route == "cases/<int:case_id>/closure-check/":
        return OK if "submit_closure" in flows else DENIED
    if "kind" in params:
        return OK if params["kind"] in DOCUMENTS[case] else HIDDEN
    return OK


def queue_outcome(user: str, queue: str) -> str:
    if user == ANON:
        return LOGIN
    if user == NODEPT:
        return DENIED
    if queue not in QUEUE_USERS:
        return HIDDEN
    return OK if user in QUEUE_USERS[queue] else DENIED


# --- The API ------------------------------------------------------------------------------

# GET operations: path → user → outcome; case paths are decided by VISIBLE.
API_OK, API_ANON, API_NODEPT = "200", "401", "403"
API_LISTS = {"/api/cases", "/api/archive"}
API_GET_PLAIN = {"/api/me", "/api/cases", "/api/archive", "/api/queues", "/api/figures"}
API_GET_CASE = {
    "/api/cases/{case_id}",
    "/api/cases/{case_id}/petitions",
    "/api/cases/{case_id}/petitioners",
    "/api/cases/{case_id}/timeline",
    "/api/cases/{case_id}/assignments",
    "/api/cases/{case_id}/instructions",
    "/api/cases/{case_id}/closures",
}
API_GET_QUEUE = "/api/queues/{queue_key}"
# The actions of the API (api/writes.py) and the flow each one is the API's form of.
API_ACTIONS = {
    **{f: f for f in FLOW_NAMES - {"add_attachment", "decide_objection"}},
    "accept_objection": "decide_objection",
    "reject_objection": "decide_objection",
}
API_REGISTER = "/api/petitions"
API_SEARCH = "/api/search"  # needs ?q=: every account in a department (like /search/)
API_ATTACH = "/api/cases/{case_id}/attachments"  # multipart, the add_attachment flow's form
# Actions the API takes that the case page does not offer: the page offers pausing a clock
# only under a rule set with the 2022 handling clock (cases/available.py), while the action
# pauses any running main clock, here the 1987 result-report clock of the case assigned down
# (cases/actions/clocks.py: pause_start; tests/deadlines/test_extensions_and_pauses.py
# pauses under the 1987 set on purpose). The responsible department's leader: no access gap.
API_ONLY: dict[tuple[str, str], set[str]] = {
    ("energy", "unit_child"): {"pause_clock", "resume_clock"},
}


def api_case_outcome(user: str, case: str) -> str:
    if user == ANON:
        return API_ANON
    if user == NODEPT:
        return API_NODEPT
    return API_OK if case in VISIBLE[user] else "404"


def api_action_outcome(user: str, case: str, action: str) -> str | None:
    """What an action POST answers; None where the user may take it (not posted: it would
    write; tests/api/test_actions.py takes the actions)."""
    if user == ANON:
        return API_ANON
    if user == NODEPT:
        return API_NODEPT
    if case not in VISIBLE[user]:
        return "404"
    allowed = OPEN_FLOWS.get((user, case), set()) | API_ONLY.get((user, case), set())
    if API_ACTIONS[action] in allowed:
        return None
    return "422"  # a refusal of the action (role, state) or of the body: docs/api.md


# --- The accuser --------------------------------------------------------------------------

# Name, ID number and phone of each case's accuser, as the world registered them.
ACCUSER = {
    "signed": ("甄秘言", SIGNED_ID, "13911112222"),
    "unit": ("柯隐名", UNIT_ID, "13933334444"),
    "here": HERE_ACCUSER,
}
# Who may read each accuser: the protection world's key (conftest), and the county reads
# the accuser of the case it handles.
MAY_READ_HERE = {**MAY_READ, "county": MAY_READ["county"] | {"here"}}


# The check reads the right text: the one allowed reader of each accuser does see the name.
ACCUSER_SHOWN = {"city": "甄秘言", "prov": "柯隐名", "county": "闻在办"}


def hidden_accusers(user: str) -> list[str]:
    allowed = MAY_READ_HERE.get(user, set())
    return [v for case, values in ACCUSER.items() if case not in allowed for v in values]


# --- The world, once ----------------------------------------------------------------------


@dataclass
class Matrix:
    world: World
    ids: dict[str, int]  # world case key (and MISSING) → id
    keys: dict[int, str]  # id → world case key
    pages: dict[str, Client]  # user → session client
    apis: dict[str, Client]  # user → token client (session for NODEPT, none for ANON)


@pytest.fixture(scope="module")
def matrix(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Matrix]:
    media = str(tmp_path_factory.mktemp("media"))
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # thousands of expected 403/404: no traceback each
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        world = build_world(build_tree())
        tree = world.tree
        # A cadre who is no leader: the county handles it alone (no 上一级过问, R-ROUTE-4).
        clerk_cadre = cadre_create(
            name="钱办事",
            title="科员",
            jurisdiction=tree.hekou,
            managing_jurisdiction=tree.hekou,
            rank="other",
        )
        here = register(
            tree.county_staff,
            summary="反映县委组织部科员办事拖延",
            content="来信反映该科员多次拖延办理档案转递。",
            petitioners=[PetitionerInput(name="闻在办", id_number=HERE_ID, phone="13955556666")],
            respondents=[RespondentInput(cadre=clerk_cadre)],
        )
        here = to_handling(here, tree.county_staff)
        nodept = User.objects.create_user(username="nodept", password="x", full_name="无部门")
        users = {**world.users(), NODEPT: nodept}
        pages = {ANON: Client(), **{k: staff_client(u) for k, u in users.items()}}
        apis = {ANON: Client(), NODEPT: pages[NODEPT]}
        apis.update({k: Api(u).client for k, u in world.users().items()})
        ids = {case: getattr(world, case).pk for case in CASES if case != "here"}
        ids |= {"here": here.pk, MISSING: MISSING_ID}
        yield Matrix(world, ids, {v: k for k, v in ids.items()}, pages, apis)
        transaction.set_rollback(True)
    request_log.setLevel(level)


# --- Enumeration --------------------------------------------------------------------------


def site_routes() -> list[str]:
    def walk(entries: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for entry in entries:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue  # the admin has its own tests (tests/admin)
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            else:
                yield prefix + str(entry.pattern)

    return list(walk(get_resolver().url_patterns, ""))


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/")
    return {(method, path) for path, ops in schema["paths"].items() for method in ops}


def api_route(path: str) -> str:
    """/api/cases/{case_id} → api/cases/<case_id>, as django-ninja writes its URL patterns."""
    return re.sub(r"{(\w+)}", r"<\1>", path.removeprefix("/"))


def test_every_page_and_operation_is_in_the_answer_key() -> None:
    assert len(site_routes()) > 30  # the walk reaches the site, not an empty list
    keyed = (
        set(PAGES) | CASE_PAGES | set(ENTRY_PAGES) | set(WARNING_PAGES) | {QUEUE_PAGE} | NOT_PAGES
    )
    api_routes = {api_route(p) for _m, p in api_operations()}
    unkeyed = [r for r in site_routes() if r not in keyed and r not in api_routes]
    assert not unkeyed, f"write the answer key of {unkeyed}"
    # Every row of the key is a page that exists (no stale rows).
    assert keyed - set(site_routes()) == set()
    expected = (
        {("get", p) for p in API_GET_PLAIN | API_GET_CASE | {API_GET_QUEUE, API_SEARCH}}
        | {("post", API_REGISTER), ("post", API_ATTACH)}
        | {("post", f"/api/cases/{{case_id}}/actions/{a}") for a in API_ACTIONS}
    )
    assert api_operations() == expected
    assert set(FLOWS) == FLOW_NAMES
    assert set(QUEUE_USERS) == set(DEPARTMENT_QUEUES + CLOCK_QUEUES)


def test_the_queues_are_every_queue() -> None:
    assert {q.key for q in QUEUES} == set(QUEUE_USERS)


# --- Checking one answer ------------------------------------------------------------------


def outcome(response: HttpResponse) -> str:
    if response.status_code == 302:
        location = response["Location"]
        return f"302 {location.split('?')[0]}"
    return str(response.status_code)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def normalised(response: HttpResponse) -> str:
    return CSRF.sub("csrf", response.content.decode())


def check_accuser(response: HttpResponse, user: str, url: str) -> str:
    """No 200 answer shows an accuser the user may not read. PDFs are left to the document
    walk (test_documents.py reads every PDF for every user): reading their text here would
    double this file's time."""
    if response.status_code != 200 or response.get("Content-Type") == "application/pdf":
        return ""
    text = response_text(response)
    if response.get("Content-Type", "").startswith("application/json"):
        text += json.dumps(response.json(), ensure_ascii=False)
    leaked = [v for v in hidden_accusers(user) if v in text]
    assert not leaked, f"{user} {url} shows the accuser's {leaked}"
    return text


def seen(m: Matrix, response: HttpResponse) -> set[str]:
    """The world cases a list page links to."""
    pks = {int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', response.content.decode())}
    return {m.keys[pk] for pk in pks}


# --- Pages --------------------------------------------------------------------------------


def case_page_urls(m: Matrix) -> Iterator[tuple[str, str, dict[str, str], str]]:
    """(route, case, other parameters, url) for every case page, for MISSING first and every
    world case."""
    for case in [MISSING, *CASES]:
        cid = m.ids[case]
        yield "cases/<int:case_id>/", case, {}, f"/cases/{cid}/"
        yield "cases/<int:case_id>/file/", case, {}, f"/cases/{cid}/file/"
        # Every flow on every world case; on the missing id, one flow stands for all (the
        # case is looked up first: cases/access.py).
        flows = ["read"] if case == MISSING else [*sorted(FLOW_NAMES), "no_such_flow"]
        for flow in flows:
            yield (
                "cases/<int:case_id>/do/<str:flow>/",
                case,
                {"flow": flow},
                f"/cases/{cid}/do/{flow}/",
            )
        yield "cases/<int:case_id>/closure-check/", case, {}, f"/cases/{cid}/closure-check/"
        yield "register/<int:case_id>/done/", case, {}, f"/register/{cid}/done/"
        route = "longterm/cases/<int:case_id>/new/"
        yield route, case, {}, f"/longterm/cases/{cid}/new/"
        yield "documents/<int:case_id>/", case, {}, f"/documents/{cid}/"
        for kind in DOCUMENT_KINDS:
            route = "documents/<int:case_id>/<dockind:kind>/"
            yield route, case, {"kind": kind}, f"/documents/{cid}/{kind}/"
            for fmt in ("docx", "pdf"):
                route = "documents/<int:case_id>/<dockind:kind>.<docfmt:fmt>"
                yield route, case, {"kind": kind, "fmt": fmt}, f"/documents/{cid}/{kind}.{fmt}"


@pytest.mark.parametrize("user", USERS)
def test_every_page_answers_each_user_as_the_key_says(db: None, matrix: Matrix, user: str) -> None:
    m = matrix
    client = m.pages[user]
    wrong: list[str] = []
    shown = False

    def expect(url: str, expected: str) -> HttpResponse:
        nonlocal shown
        response = client.get(url)
        got = outcome(response)
        if got != expected:
            wrong.append(f"{url}: {got}, expected {expected}")
        text = check_accuser(response, user, url)
        shown |= user in ACCUSER_SHOWN and ACCUSER_SHOWN[user] in text
        return response

    for route, by_user in PAGES.items():
        expect(f"/{route}", by_user[user])
    entry = m.world.longterm_entry
    assert entry is not None
    for route, by_user in ENTRY_PAGES.items():
        url = "/" + route.replace("<int:entry_id>", str(entry.pk)).replace("<str:step>", "review")
        expected = by_user[user]
        if expected == OK and "<str:step>" in route:
            expected = f"302 /longterm/{entry.pk}/"  # a step's form lives on the entry page
        expect(url, expected)
    warning = m.world.warning
    assert warning is not None
    for route, by_user in WARNING_PAGES.items():
        url = "/" + route.replace("<int:warning_id>", str(warning.pk))
        url = url.replace("<str:step>", "close")
        expected = by_user[user]
        if expected == OK and "<str:step>" in route:
            expected = f"302 /warnings/{warning.pk}/"  # a step's form lives on the warning page
        expect(url, expected)
    # Lists: exactly the cases of the key.
    for queue in [*QUEUE_USERS, "no_such_queue"]:
        response = expect(f"/queues/{queue}/", queue_outcome(user, queue))
        if response.status_code == 200:
            assert seen(m, response) == QUEUES_SEEN.get((queue, user), set()), queue
    response = client.get("/supervision/cases/")
    if response.status_code == 200:
        assert seen(m, response) == SUPERVISION_SEEN[user]
    # Case pages: a case the user may not see answers exactly as a missing one of the same
    # page (the missing id is walked first).
    missing: dict[str, str] = {}
    for route, case, params, url in case_page_urls(m):
        response = expect(url, case_page_outcome(route, user, case, params))
        if case == MISSING:
            missing.setdefault(route, normalised(response))
        elif response.status_code == 404:
            assert normalised(response) == missing[route], url
    assert not wrong, "\n".join(wrong)
    assert shown == (user in ACCUSER_SHOWN)


def posted_cases(user: str) -> list[str]:
    """The cases writes are tried on: every case the user sees, the first world case it does
    not see and the missing one. Every case it does not see is refused by the same first
    line (get_case_for_user, before the flow or action is looked at), which the GET walks
    check for every case; the writes that matter are the refused ones on visible cases."""
    hidden = [c for c in CASES if c not in VISIBLE[user]]
    return [c for c in CASES if c in VISIBLE[user]] + hidden[:1] + [MISSING]


@pytest.mark.parametrize("user", USERS)
def test_no_flow_post_outside_the_key_writes(db: None, matrix: Matrix, user: str) -> None:
    """Every flow a user may not take, posted (posted_cases): 403 or 404 (login for the
    anonymous), and nothing written."""
    m = matrix
    client = m.pages[user]
    before = (CaseEvent.objects.count(), Case.objects.count(), Petition.objects.count())
    wrong = []
    posted = 0
    for case in posted_cases(user):
        for flow in sorted(FLOW_NAMES):
            if flow in OPEN_FLOWS.get((user, case), set()):
                continue  # allowed: tests/web/test_flows.py takes the flows
            route = "cases/<int:case_id>/do/<str:flow>/"
            expected = case_page_outcome(route, user, case, {"flow": flow})
            url = f"/cases/{m.ids[case]}/do/{flow}/"
            got = outcome(client.post(url, {}))
            posted += 1
            if got != expected:
                wrong.append(f"POST {url}: {got}, expected {expected}")
        if case == MISSING:
            continue
        url = f"/cases/{m.ids[case]}/closure-check/"
        if "submit_closure" not in OPEN_FLOWS.get((user, case), set()):
            route = "cases/<int:case_id>/closure-check/"
            got = outcome(client.post(url, {}))
            if got != (expected := case_page_outcome(route, user, case, {})):
                wrong.append(f"POST {url}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)
    assert posted >= 2 * len(FLOW_NAMES)  # at least one hidden case and the missing one
    assert (CaseEvent.objects.count(), Case.objects.count(), Petition.objects.count()) == before


# --- The API ------------------------------------------------------------------------------


def request_body(schema: dict[str, Any], node: dict[str, Any]) -> Any:
    """A body of the right form for `node` of the OpenAPI schema: the required fields only,
    each with a plain value of its type (the body must pass validation for the request to
    reach the access check)."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return request_body(schema, schema["components"]["schemas"][name])
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        return request_body(schema, options[0])
    if "allOf" in node:
        return request_body(schema, node["allOf"][0])
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties", {})
        return {k: request_body(schema, props[k]) for k in node.get("required", [])}
    if kind == "array":
        return [request_body(schema, node["items"])] * node.get("minItems", 0)
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        if node.get("format") == "date":
            return dt.date.today().isoformat()
        if node.get("format") == "date-time":
            return dt.datetime.now(dt.UTC).isoformat()
        return "测试内容"
    return None


def bodies() -> dict[str, Any]:
    """path → a request body for every POST operation."""
    schema = api.get_openapi_schema(path_prefix="/api/")
    out = {}
    for path, ops in schema["paths"].items():
        if "post" in ops and "application/json" in ops["post"]["requestBody"]["content"]:
            content = ops["post"]["requestBody"]["content"]["application/json"]
            out[path] = request_body(schema, content["schema"])
    return out


def api_post(client: Client, url: str, body: Any) -> HttpResponse:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("user", USERS)
def test_every_api_operation_answers_each_user_as_the_key_says(
    db: None, matrix: Matrix, user: str
) -> None:
    m = matrix
    client = m.apis[user]
    wrong: list[str] = []

    def expect(response: HttpResponse, url: str, expected: str) -> None:
        if (got := str(response.status_code)) != expected:
            wrong.append(f"{url}: {got}, expected {expected}")
        check_accuser(response, user, url)

    signed_in = {ANON: API_ANON, NODEPT: API_NODEPT}.get(user, API_OK)
    for path in sorted(API_GET_PLAIN):
        response = client.get(path)
        expect(response, path, signed_in)
        if path in API_LISTS and response.status_code == 200:
            got = {m.keys[item["id"]] for item in response.json()["items"]}
            assert got == (VISIBLE[user] if path == "/api/cases" else set()), path
    for queue in [*QUEUE_USERS, "no_such_queue"]:
        url = API_GET_QUEUE.replace("{queue_key}", queue)
        response = client.get(url)
        # docs/api.md: an unknown queue, or one not of the user's roles, is 404.
        has = user in QUEUE_USERS.get(queue, set())
        expected = signed_in if signed_in != API_OK else (API_OK if has else "404")
        expect(response, url, expected)
        if response.status_code == 200:
            got = {m.keys[item["id"]] for item in response.json()["items"]}
            assert got == QUEUES_SEEN.get((queue, user), set()), url
    expect(client.get(API_SEARCH, {"q": "测试"}), API_SEARCH, signed_in)
    missing: dict[str, Any] = {}
    for path in sorted(API_GET_CASE):
        missing[path] = client.get(path.replace("{case_id}", str(MISSING_ID))).json()
        for case in CASES:
            url = path.replace("{case_id}", str(m.ids[case]))
            response = client.get(url)
            expect(response, url, api_case_outcome(user, case))
            if response.status_code == 404:
                assert response.json() == missing[path], url
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("user", USERS)
def test_no_api_write_outside_the_key_writes(db: None, matrix: Matrix, user: str) -> None:
    """Every action a user may not take, posted (posted_cases) with a body of the right
    form: 401/403 without an account in a department, 404 for a case the user may not see
    (the same body as a missing case), 422 where the action refuses; nothing written."""
    m = matrix
    client = m.apis[user]
    body = bodies()
    before = (CaseEvent.objects.count(), Case.objects.count(), Petition.objects.count())
    wrong = []
    # Registration: the case roles may register (tests/api/test_actions.py); nobody else.
    if user not in CASE_ROLES:
        response = api_post(client, API_REGISTER, body[API_REGISTER])
        expected = {ANON: API_ANON, NODEPT: API_NODEPT}.get(user, "422")
        if str(response.status_code) != expected:
            wrong.append(f"POST {API_REGISTER}: {response.status_code}, expected {expected}")
    posted = 0
    for action in sorted(API_ACTIONS):
        path = f"/api/cases/{{case_id}}/actions/{action}"
        missing_url = path.replace("{case_id}", str(MISSING_ID))
        missing = api_post(client, missing_url, body[path])
        for case in posted_cases(user)[:-1]:
            expected_or_none = api_action_outcome(user, case, action)
            if expected_or_none is None:
                continue
            url = path.replace("{case_id}", str(m.ids[case]))
            response = api_post(client, url, body[path])
            posted += 1
            if str(response.status_code) != expected_or_none:
                wrong.append(f"POST {url}: {response.status_code}, expected {expected_or_none}")
                continue
            if response.status_code == 404:
                assert response.json() == missing.json(), url
            if response.status_code == 422:
                # The action (or its body's ids) refused it, not the form of the body.
                assert response.json()["code"] in ("rule_violation", "validation_error"), url

    # Attachments (multipart): a case the user may not see answers as a missing one.
    def attach(case_id: int) -> HttpResponse:
        upload = SimpleUploadedFile("说明.txt", "补充材料".encode(), content_type="text/plain")
        url = API_ATTACH.replace("{case_id}", str(case_id))
        return client.post(url, {"petition_id": 1, "files": [upload]})

    gone = attach(MISSING_ID)
    for case in CASES:
        if case in VISIBLE[user]:
            continue  # allowed uploads write: tests/api/test_attachments.py
        response = attach(m.ids[case])
        expected = {ANON: API_ANON, NODEPT: API_NODEPT}.get(user, HIDDEN)
        if str(response.status_code) != expected:
            wrong.append(f"POST attachments {case}: {response.status_code}, expected {expected}")
        elif response.status_code == 404:
            assert response.json() == gone.json(), case
    assert not wrong, "\n".join(wrong)
    assert posted >= len(API_ACTIONS)
    assert (CaseEvent.objects.count(), Case.objects.count(), Petition.objects.count()) == before
