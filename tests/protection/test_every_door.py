"""R-PROTECT-1 through every door, generated: each URL pattern and each admin list, for every
role of the world in conftest.py.

- Walk: every named URL pattern of the site (parameters filled from the world; a pattern
  with a parameter this test cannot fill fails it, so a new page is covered the day it is
  added), plain and as a JSON export, and every admin list, change page and history page.
  No response shows a marker of a case whose protected material the user may not read.
- Probe: on every admin list, crafted filters on every path from the list's model to a
  protected field, and searches, with the true value and with a false one of the same length:
  the two answers are identical, so no answer depends on a protected value.
- Log: identity reads are written only for the users and cases of the answer key.

The protected fields and the answer key are written out here, not read from the code.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from django.contrib import admin
from django.db.models import ForeignObjectRel, Model
from django.http import HttpResponse
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfReader

from tests.clients import staff_client
from tests.onscreen import ASCII_WORD, RAW_CODES, RULE_ID
from tests.protection.conftest import MAY_READ, World
from xinfang.cases.models import IdentityRead
from xinfang.cases.protection import PROTECTED_FIELDS
from xinfang.petitions.models import (
    Attachment,
    ConcernedCadre,
    Interview,
    Petition,
    Petitioner,
    Respondent,
)
from xinfang.web.forms.flows import FLOWS

# What the policy must protect, written out (the policy's own table must match it).
PROTECTED: dict[type[Model], set[str]] = {
    Petitioner: {
        "name",
        "id_number_encrypted",
        "id_number_hash",
        "phone_encrypted",
        "phone_hash",
        "address",
        "work_unit",
    },
    Petition: {"content"},
    Interview: {"place", "statement", "requests", "answer"},
    Attachment: {"file", "original_name", "sha256"},
    ConcernedCadre: {
        "cadre",
        "name",
        "unit",
        "post_title",
        "rank",
        "jurisdiction",
        "managing_jurisdiction",
    },
}
# Text that is in the protected fields of the world, and a same-length text that is not.
TRUE_FALSE = [("绝密线索", "公开说明"), ("甄秘", "乙丙"), ("身份证", "驾驶证")]

# Patterns outside the site's own pages (served by Django or WhiteNoise) or covered below.
NOT_PAGES = {"favicon.ico"}

# Pages that search on what is typed: each is also asked, in each of its parameters, for
# every marker of the world (numbers in the number parameters) and, in the text ones, the
# first two characters of each (a prefix search).
SEARCHES: dict[str, tuple[str, ...]] = {
    "/register/lookup/": ("name", "id_number", "phone"),
    "/register/cadres/": ("q",),
    # Issue 11: same matter (the letter's text) and same person (a petitioner row).
    "/register/matches/": ("content", "p-0-name", "p-0-id_number", "p-0-phone"),
    "/register/departments/": ("q",),
    "/search/": ("q",),  # the case search (cases/search.py); tests/protection/test_search.py
}
# Pages that show the query back in their search box: the typed value is blanked out of the
# answer before it is read (what the user typed is not a leak; anything else still is).
ECHOES = {"/search/"}
NUMBER_PARAMS = {"id_number", "phone", "p-0-id_number", "p-0-phone"}


def search_queries(world: World, url: str) -> list[dict[str, str]]:
    markers = sorted({m for marks in world.markers().values() for m in marks})
    queries = []
    for param in SEARCHES.get(url, ()):
        if param in NUMBER_PARAMS:
            values = [m for m in markers if m.rstrip("X").isdigit()]
        else:
            values = sorted({v for m in markers for v in (m, m[:2])})
        queries += [{param: value} for value in values]
    return queries


# Endpoints that take a form by POST and answer a fragment: each is also posted, for every
# user, the facts of every case of the world (its category, nature, respondents from the
# directory, the cadre a personal request concerns) with the world's markers typed as the
# text. The answer is computed from what was typed and the directory only, so it may show
# no marker the user may not read (what was typed into the text is never echoed).
def posted_forms(world: World) -> dict[str, list[dict[str, str]]]:
    markers = "；".join(sorted({m for marks in world.markers().values() for m in marks}))
    bodies = []
    for case in (world.signed, world.unit, world.unit_child, world.anonymous, world.personal):
        body = {
            "category": case.category,
            "nature": case.nature,
            "summary": markers[:200],
            "content": markers,
            "r-TOTAL_FORMS": "0",
            "r-INITIAL_FORMS": "0",
        }
        respondents = Respondent.objects.filter(petition__case=case.root_id or case.pk)
        for i, r in enumerate(respondents.order_by("pk")):
            body.update({f"r-{i}-cadre": str(r.cadre_id or ""), f"r-{i}-name": r.name})
            body["r-TOTAL_FORMS"] = str(i + 1)
        concerned = ConcernedCadre.objects.filter(petition__case=case).first()
        if concerned is not None:  # typed as a registrar would (a name of his own)
            body.update(
                concerned_name="某干部",
                concerned_post_title=concerned.post_title,
                concerned_managing_jurisdiction=str(concerned.managing_jurisdiction_id or ""),
            )
        bodies.append(body)
    # The suggestion from the text reads the same form (summary, content, category, nature).
    return {reverse("web:register_routing"): bodies, reverse("web:register_suggest"): bodies}


# Pages that answer ?format=json with another body (the case file's export). Each is walked
# in both forms; the test below keeps this list whole.
FORMAT_PAGES = re.compile(r"^/cases/\d+/file/$")


def test_only_the_listed_pages_read_a_format_parameter() -> None:
    """A view reading `format` from the URL serves a second body the walk must also read:
    it must be under FORMAT_PAGES. Today only the case file (cases/views.py) does."""
    src = Path(__file__).resolve().parents[2] / "src" / "xinfang"
    readers = sorted(
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if "migrations" not in p.parts
        and re.search(r"""GET(?:\.get\(|\[)["']format["']""", p.read_text(encoding="utf-8"))
    )
    assert readers == ["cases/views.py"]
    assert FORMAT_PAGES.match(reverse("cases:case_file", kwargs={"case_id": 1}))
    assert not FORMAT_PAGES.match(reverse("web:case", kwargs={"case_id": 1}))


def test_the_policy_protects_what_this_test_expects() -> None:
    assert {m: set(f) for m, f in PROTECTED_FIELDS.items()} == PROTECTED


def _patterns(
    resolvers: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin is walked model by model below
            if entry.namespace == "api":
                # The JSON API is walked endpoint by endpoint, from its OpenAPI schema, for
                # every user of the same world: tests/api/test_every_endpoint.py.
                continue
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def site_pages(world: World) -> list[str]:
    """Every page of the site outside the admin, with each parameter filled every way."""
    fill = {
        "case_id": [
            world.signed.pk,
            world.unit.pk,
            world.unit_child.pk,
            world.anonymous.pk,
            world.personal.pk,
        ],
        # Every flow form of the case page (web/forms/flows.py), opened for every case.
        "flow": sorted(FLOWS),
        # The printed documents (web/document_urls.py): every kind, as .docx and PDF.
        "kind": ["registration", "acceptance", "letter", "closure", "dossier"],
        "fmt": ["docx", "pdf"],
        # The register of long-standing petitioners (web/persistent_urls.py): the world's
        # entry and every step, and one that does not exist.
        "entry_id": [world.longterm_entry.pk if world.longterm_entry else 0],
        "step": ["review", "settle", "conclude", "acknowledge", "close", "no_such_step"],
        # The world's early warning (web/alerts_urls.py).
        "warning_id": [world.warning.pk if world.warning else 0],
        # Every work queue (cases/queues.py), written out, and one that does not exist.
        "queue": [
            "to_read",
            "to_route",
            "objections_awaiting_decision",
            "my_cases",
            "closures_awaiting_approval",
            "reports_awaiting_acceptance",
            "due_within_7_days",
            "half_time_used",
            "overdue_without_explanation",
            "overdue_with_explanation",
            "sent_down",
            "no_such_queue",
        ],
    }
    urls = []
    for route, pattern in _patterns(get_resolver().url_patterns):
        if route in NOT_PAGES:
            continue
        params = list(pattern.pattern.converters)
        unknown = [p for p in params if p not in fill]
        assert not unknown, f"teach this test to fill {unknown} of {route}"
        resolver_name = _full_name(pattern, route, {p: fill[p][0] for p in params})
        if not params:
            urls.append(reverse(resolver_name))
            continue
        urls += [
            reverse(resolver_name, kwargs=dict(zip(params, values, strict=True)))
            for values in itertools.product(*(fill[p] for p in params))
        ]
    return urls


def _full_name(pattern: URLPattern, route: str, sample: dict[str, object]) -> str:
    """The reversible name of a pattern: its app's namespace, if it has one, and its name."""
    assert pattern.name, f"unnamed URL pattern {route}: name it so pages can link to it"
    for namespace in ("", *get_resolver().namespace_dict):
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        try:
            reverse(name, kwargs=sample)
        except NoReverseMatch:
            continue
        return name
    raise AssertionError(f"cannot reverse {route}")


def admin_pages() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        # Every case record of the world; a few rows of the large reference tables.
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:6]:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
            urls.append(reverse("admin:{}_{}_history".format(*info), args=[pk]))
    return urls


# What a person reads of a page: its text, without scripts, styles, tags and entities.
TAG = re.compile(r"<script.*?</script>|<style.*?</style>|<!--.*?-->|<[^>]+>|&\w+;", re.S)


def forbidden_markers(world: World, user_key: str) -> list[str]:
    allowed = MAY_READ.get(user_key, set())
    return [m for case, marks in world.markers().items() if case not in allowed for m in marks]


def response_text(response: HttpResponse) -> str:
    """What a person reads in a response: a page's HTML, a .docx's XML parts, a PDF's text
    (without white space: letter-spaced titles come out of a PDF as "交 办 函")."""
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/pdf"):
        pages = PdfReader(io.BytesIO(response.content)).pages
        return "".join("".join(page.extract_text() for page in pages).split())
    if "wordprocessingml" in content_type:
        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    return response.content.decode()


def _check(
    response: HttpResponse,
    url: str,
    user_key: str,
    forbidden: list[str],
    echoed: tuple[str, ...] = (),
) -> None:
    assert response.status_code < 500, f"{user_key} {url}: {response.status_code}"
    body = response_text(response)
    for value in echoed:
        body = body.replace(value, "VALUE")
    leaked = [m for m in forbidden if m in body]
    assert not leaked, f"{user_key} {url} shows {leaked}"
    # No page shows a rule by its ID: the grounds in Chinese instead (core/citations.py);
    # nor a stored code where its Chinese name belongs (the words a person reads).
    if response.get("Content-Type", "").startswith("text/html"):
        assert not RULE_ID.findall(body), f"{user_key} {url} shows {RULE_ID.findall(body)}"
        words = set(ASCII_WORD.findall(TAG.sub(" ", body)))
        codes = sorted(w for w in words if w.lower() in RAW_CODES)
        assert not codes, f"{user_key} {url} shows the codes {codes}"
        # A select's empty choice reads —— 请选择 —— on the staff pages, not Django's dashes
        # (the admin site keeps Django's).
        if not url.startswith("/admin/"):
            assert ">---------</option>" not in body, f"{user_key} {url} shows an empty choice"


@pytest.mark.parametrize(
    "user_key",
    [
        "prov",
        "city",
        "county",
        "baisha",
        "county_hr",
        "city_supervisor",
        "prov_supervisor",
        "energy",
        "admin",
        "clerk",
    ],
)
def test_r_protect_1_no_page_shows_what_the_user_may_not_read(world: World, user_key: str) -> None:
    user = world.users()[user_key]
    client = staff_client(user)
    forbidden = forbidden_markers(world, user_key)
    for url in site_pages(world):
        json = [{"format": "json"}] if FORMAT_PAGES.match(url) else []
        for query in ({}, *json, *search_queries(world, url)):
            echoed = tuple(query.values()) if url in ECHOES else ()
            _check(client.get(url, query), url, user_key, forbidden, echoed)
    for url, bodies in posted_forms(world).items():
        for body in bodies:
            _check(client.post(url, body), url, user_key, forbidden)
    for url in admin_pages():
        _check(client.get(url), url, user_key, forbidden)
    # Identity reads are logged for exactly the cases of the answer key that were opened.
    read_cases = set(IdentityRead.objects.filter(user=user).values_list("case__root_id", "case_id"))
    allowed_roots = {getattr(world, case).pk for case in MAY_READ.get(user_key, set())}
    assert {root or pk for root, pk in read_cases} <= allowed_roots
    if user_key in MAY_READ:
        assert read_cases, f"{user_key} opened its cases: each display of identity is logged"


def protected_paths(model: type[Model], depth: int = 2) -> list[str]:
    """Every lookup path from `model` to a protected field, through at most `depth`
    relations in either direction."""
    paths: list[str] = []

    def walk(current: type[Model], prefix: str, hops: int, seen: tuple[type[Model], ...]) -> None:
        for name in PROTECTED.get(current, ()):
            paths.append(prefix + name)
        if hops == depth:
            return
        for field in current._meta.get_fields():
            if not field.is_relation or field.related_model is None:
                continue
            if isinstance(field, ForeignObjectRel):
                if field.hidden:  # related_name="+": no lookup goes that way
                    continue
                name = field.field.related_query_name()
            else:
                name = field.name
            target = field.related_model
            if not isinstance(target, type) or target in seen:
                continue
            walk(target, f"{prefix}{name}__", hops + 1, (*seen, target))

    walk(model, "", 0, (model,))
    return paths


NORMALISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), "csrf"),
    (re.compile(r"csrftoken=[^;]*"), "csrf"),
]


def normalised(response: HttpResponse, values: tuple[str, ...]) -> tuple[int, str]:
    body = response.content.decode()
    for pattern, replacement in NORMALISE:
        body = pattern.sub(replacement, body)
    for value in values:  # the page echoes the query, as typed and URL-encoded (twice)
        once = (quote(value), quote_plus(value))
        for form in (*(quote(v, safe="") for v in once), *once, value):
            body = body.replace(form, "VALUE")
    return response.status_code, body


@pytest.mark.parametrize("user_key", ["energy", "city_supervisor", "county", "admin", "prov"])
def test_r_protect_1_no_list_answers_depend_on_a_protected_value(
    world: World, user_key: str
) -> None:
    client = staff_client(world.users()[user_key])
    probes = 0
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        url = reverse("admin:{}_{}_changelist".format(*info))
        if client.get(url).status_code != 200:
            continue
        queries: list[tuple[dict[str, str], dict[str, str]]] = []
        for path in protected_paths(model):
            # Substring (a guess confirmed) and order (a value found by halving).
            queries.append(({f"{path}__contains": "绝密线索"}, {f"{path}__contains": "公开说明"}))
            queries.append(({f"{path}__gt": "甄"}, {f"{path}__gt": "乙"}))
        for true, false in TRUE_FALSE:
            queries.append(({"q": true}, {"q": false}))
        for yes, no in queries:
            values = (*yes.values(), *no.values())
            assert normalised(client.get(url, yes), values) == normalised(
                client.get(url, no), values
            ), f"{user_key}: {url} answers {yes} differently from {no}"
            probes += 1
    # The probe reached the lists that lead to protected fields.
    assert probes > 100
