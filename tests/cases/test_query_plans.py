"""No service scans a whole table that grows with the caseload.

Two such scans (an OR across a join) made the demo build quadratic before they were found by
profiling. Query plans do not depend on timing, so this check is exact: every statement the
main services run is explained on SQLite, and none may SCAN a growing table.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tests.builders import RespondentInput, complete_closure, register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.petitions.services import PetitionerInput

GROWING = {
    "cases_case",
    "cases_caseevent",
    "cases_assignment",
    "cases_closure",
    "cases_instruction",
    "petitions_petition",
    "petitions_petitionpetitioner",
    "petitions_petitioner",
    "petitions_respondent",
    "routing_routingdecision",
}

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's EXPLAIN QUERY PLAN")


def _scans(statements: list[tuple[str, object]]) -> list[str]:
    found = []
    with connection.cursor() as cur:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
                continue
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            for row in cur.fetchall():
                m = re.match(r"SCAN (\w+)", row[-1])
                if m and m.group(1) in GROWING:
                    found.append(f"{row[-1]} in: {sql[:160]}")
    return found


def test_main_services_use_indexes(tree: Tree) -> None:
    statements: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        # executemany: one row's parameters give the statement's plan.
        for row in params[:1] if many else [params]:
            statements.append((sql, row))
        return execute(sql, params, many, context)

    staff, leader2 = tree.city_staff, tree.staff(tree.city_org, "leader")
    for i in range(3):  # a few rows, so a scan is not the cheaper plan by accident
        register(staff, petitioners=[PetitionerInput(name=f"张{i}", phone=f"1390000000{i}")])
    with connection.execute_wrapper(record):
        case = register(
            staff,
            respondents=[RespondentInput(cadre=tree.township_secretary)],
            petitioners=[PetitionerInput(name="李四", phone="13900000001")],
        )
        register(staff, repeat_of=case)
        case = to_read(case, staff)
        child = cs.case_assign_down(actor=staff, case=case, to_department=tree.county_org).child
        child = cs.case_handle_here(
            actor=tree.county_staff,
            handler=tree.county_staff,
            case=cs.case_read(actor=tree.county_staff, case=child, text="办"),
        )
        cs.closure_submit(actor=tree.county_staff, case=child, **complete_closure(child))
        cs.closure_approve(
            actor=tree.staff(tree.county_org, "leader"), case=child, review_opinion="同意"
        )
        cs.report_accept(actor=leader2, case=case, child=child)
        cs.case_archive(actor=staff, case=case)
    assert statements
    assert _scans(statements) == []
