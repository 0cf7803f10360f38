"""A long-standing petitioner concluded below, for the R-INFO-2 tests of the selectors and
of the pages."""

from __future__ import annotations

import datetime as dt

from tests.builders import at, register, to_closed, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case
from xinfang.persistent import services
from xinfang.persistent.models import Entry
from xinfang.petitions.models import Petitioner

STATEMENT = "县里已按政策处理完毕，各级统一答复。"


def concluded_below(tree: Tree) -> tuple[Case, Case, Entry]:
    """临江市 registers a case on 2026-04-01 and sends it down to 河口县, which closes it,
    registers its petitioner as long-standing and concludes with STATEMENT: (the city's
    case, the county's, the entry)."""
    county_handler = tree.staff(tree.county_org, "handler")
    with at(2026, 4, 1):
        root = to_read(register(tree.city_staff), tree.city_staff)
        child = cs.case_transfer_down(
            actor=tree.city_staff, case=root, to_department=tree.county_org, routing_note="属地"
        ).child
        child = to_closed(child, tree.county_staff, county_handler)
        entry = services.entry_register(
            actor=tree.county_staff,
            case=child,
            petitioner=Petitioner.objects.order_by("pk").first(),
            analysis="诉求涉及历史遗留问题，政策口径不一。",
            measures="包案领导约谈，组织科会同人社部门核实。",
            leader=tree.county_staff,
            officer=county_handler,
            target_on=dt.date(2026, 6, 30),
        )
        services.entry_conclude(
            actor=tree.county_staff,
            entry=entry,
            ended_on=dt.date(2026, 4, 1),
            text="已答复",
            position_statement=STATEMENT,
        )
    return Case.objects.get(pk=root.pk), child, entry
