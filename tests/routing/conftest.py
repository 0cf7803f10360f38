"""Fixtures for routing: a few more cadres, and a factory for registered cases."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.orgtree import Tree
from xinfang.cases.models import Case
from xinfang.orgs.models import Cadre, Department
from xinfang.orgs.services import cadre_create
from xinfang.petitions.models import Channel, Petition, Respondent
from xinfang.routing.terms import Category, Nature


@dataclass
class RoutingTree:
    """The shared tree plus the cadres these tests need besides its four."""

    tree: Tree
    township_clerk: Cadre  # 石桥镇党政办干事: no leading post, managed by 河口县
    energy_secretary: (
        Cadre  # 东川能源集团党委书记: main leader of the unit, managed by the province
    )
    energy_manager: Cadre  # 东川能源集团发电公司经理: managed by the unit itself (R-COUNTY-5)


@pytest.fixture
def rtree(tree: Tree) -> RoutingTree:
    return RoutingTree(
        tree=tree,
        township_clerk=cadre_create(
            name="赵小梅",
            title="党政办干事",
            jurisdiction=tree.shiqiao,
            managing_jurisdiction=tree.hekou,
            rank="other",
        ),
        energy_secretary=cadre_create(
            name="刘国栋",
            title="党委书记、董事长",
            jurisdiction=tree.energy,
            managing_jurisdiction=tree.province,
            rank="bureau",
            is_main_leader=True,
        ),
        energy_manager=cadre_create(
            name="王海涛",
            title="经理",
            unit_name="发电公司",
            jurisdiction=tree.energy,
            managing_jurisdiction=tree.energy,
            rank="section",
        ),
    )


MakeCase = Callable[..., Case]
_numbers = itertools.count(1)


@pytest.fixture
def make_case(tree: Tree) -> MakeCase:
    """Register a case with one petition, as the intake service will (R-INTAKE-1)."""

    def make(
        *,
        receiving: Department,
        respondents: Sequence[Cadre] = (),
        category: str = Category.MISCONDUCT,
        nature: str = Nature.ACCUSATION,
        title: str = "反映干部问题",
        content: str = "",
        is_anonymous: bool = False,
        anonymous_treatment: str = "",
    ) -> Case:
        now = timezone.now()
        case = Case.objects.create(
            number=f"R-{next(_numbers):05d}",
            department=receiving,
            title=title,
            category=category,
            nature=nature,
            registered_at=now,
        )
        petition = Petition.objects.create(
            case=case,
            channel=Channel.LETTER,
            received_on=now.date(),
            registered_at=now,
            receiving_department=receiving,
            registrar=tree.staff(receiving, "registrar"),
            summary=title,
            content=content or title,
            category=category,
            nature=nature,
            is_anonymous=is_anonymous,
            anonymous_treatment=anonymous_treatment,
        )
        for cadre in respondents:
            post = cadre.post
            assert post is not None
            Respondent.objects.create(
                petition=petition,
                cadre=cadre,
                name=cadre.name,
                unit=post.unit_name,
                post_title=f"{post.unit_name}{post.title}",
                rank=post.rank,
                jurisdiction=post.jurisdiction,
                department=post.department,
                managing_jurisdiction=post.managing_jurisdiction,
                is_main_leader=post.is_main_leader,
            )
        return case

    return make
