"""A small world of three cases whose protected material carries recognisable markers, and the
answer key of who may read which case's markers (R-PROTECT-1), written out here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.builders import PetitionerInput, RespondentInput, register, to_read, visit_interview
from tests.orgtree import Tree
from xinfang.alerts.models import EarlyWarning, Kind
from xinfang.cases import actions as cs
from xinfang.cases.actions import attachment_add
from xinfang.cases.models import Case
from xinfang.orgs.models import User
from xinfang.orgs.services import cadre_create
from xinfang.persistent import services as longterm
from xinfang.persistent.models import Entry
from xinfang.petitions.models import Petition, Petitioner
from xinfang.petitions.services import ConcernedCadreInput, InterviewInput

SIGNED_ID = "110101198501011239"
UNIT_ID = "440304199202154564"

# Each case's protected material, as it must never appear to a user not allowed to read it.
SIGNED_MARKERS = (
    "甄秘言",
    SIGNED_ID,
    "13911112222",
    "秘密村一组",
    "信件绝密线索甲一",
    "面谈绝密线索甲",
)
UNIT_MARKERS = ("柯隐名", UNIT_ID, "13933334444", "信件绝密线索乙二", "柯隐名身份证")
ANONYMOUS_MARKERS = ("匿名绝密线索丙三",)
# A personal request: the cadre it concerns (当事干部) is the petitioner himself.
PERSONAL_MARKERS = ("郝当事丁", "当事绝密单位丁")


@dataclass
class World:
    tree: Tree
    signed: Case  # a visit accusing 河口县委书记, handled by 临江市委组织部
    unit: Case  # a letter accusing a cadre of 东川能源集团, received by the province
    unit_child: Case  # the same, transferred down to the group's personnel department
    anonymous: Case  # an anonymous letter about a county bureau chief, at 河口县委组织部
    personal: Case  # a cadre's own request about his working date, at 河口县委组织部
    admin: User  # a superuser of the province without case roles
    clerk: User  # 临江市委组织部 staff without a case role
    # The signed visitor on the register of long-standing petitioners (xinfang.persistent).
    longterm_entry: Entry | None = None
    # An early warning of 临江市委组织部 counting the signed visit (xinfang.alerts).
    warning: EarlyWarning | None = None

    def users(self) -> dict[str, User]:
        t = self.tree
        return {
            "prov": t.prov_staff,
            "city": t.city_staff,
            "county": t.county_staff,
            "baisha": t.baisha_staff,
            "county_hr": t.county_hr_staff,
            "city_supervisor": t.city_supervisor,
            "prov_supervisor": t.prov_supervisor,
            "energy": t.energy_staff,
            "admin": self.admin,
            "clerk": self.clerk,
        }

    def markers(self) -> dict[str, tuple[str, ...]]:
        return {
            "signed": SIGNED_MARKERS,
            "unit": UNIT_MARKERS,
            "anonymous": ANONYMOUS_MARKERS,
            "personal": PERSONAL_MARKERS,
        }


# The answer key: whose protected material each user may read. Everyone else reads none.
MAY_READ: dict[str, set[str]] = {
    "city": {"signed"},  # registered and handles it; the accused is a county leader
    "prov": {"unit"},  # received the letter; the accused works in the group, not here
    "county": {"anonymous", "personal"},  # responsible for both
}


def _interview(user: User) -> InterviewInput:
    data = visit_interview(user)
    data.statement = "面谈绝密线索甲：本人甄秘言当面反映"
    return data


@pytest.fixture
def world(tree: Tree, settings: object, tmp_path: object) -> World:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    return build_world(tree)


def build_world(tree: Tree) -> World:
    """The world, built through the actions (MEDIA_ROOT must point at a scratch folder: the
    unit letter has an attachment). The fixture above builds one per test; a module that
    only reads can build it once (tests/protection/test_access_matrix.py)."""
    signed = register(
        tree.city_staff,
        channel="visit",
        summary="反映县主要领导违规插手干部调整",
        content="信件绝密线索甲一：我是秘密村一组村民。",
        petitioners=[
            PetitionerInput(
                name="甄秘言", id_number=SIGNED_ID, phone="13911112222", address="秘密村一组"
            )
        ],
        respondents=[RespondentInput(cadre=tree.county_secretary)],
        interview=_interview(tree.city_staff),
    )
    unit_cadre = cadre_create(
        name="赵德明",
        title="副总经理",
        jurisdiction=tree.energy,
        managing_jurisdiction=tree.energy,
        rank="section",
    )
    unit = register(
        tree.prov_staff,
        summary="反映集团副总经理违规用人",
        content="信件绝密线索乙二：集团副总经理安排亲属进入集团。",
        petitioners=[PetitionerInput(name="柯隐名", id_number=UNIT_ID, phone="13933334444")],
        respondents=[RespondentInput(cadre=unit_cadre)],
    )
    attachment_add(
        actor=tree.prov_staff,
        petition=Petition.objects.get(case=unit),
        upload=SimpleUploadedFile("柯隐名身份证.pdf", b"%PDF-1.4 test", "application/pdf"),
    )
    unit = to_read(unit, tree.prov_staff)
    child = cs.case_assign_down(
        actor=tree.prov_staff, case=unit, to_department=tree.energy_personnel
    ).child
    anonymous = register(
        tree.county_staff,
        summary="反映县交通运输局局长工作作风问题",
        content="匿名绝密线索丙三：局长经常不在岗。",
        petitioners=[],
        is_anonymous=True,
        anonymous_treatment="investigate",
        anonymous_reason="反映的问题具体，可以查证",
        respondents=[RespondentInput(cadre=tree.county_bureau_chief)],
    )
    personal = register(
        tree.county_staff,
        category="personal_request",
        nature="request",
        summary="要求更正参加工作时间",
        content="本人要求按原始档案更正参加工作时间。",
        petitioners=[PetitionerInput(name="郝当事丁")],
        concerned_cadre=ConcernedCadreInput(
            name="郝当事丁",
            unit="当事绝密单位丁",
            post_title="科员",
            rank="other",
            managing_jurisdiction=tree.hekou,
        ),
    )
    admin = User.objects.create_superuser(
        username="admin", password="x", department=tree.prov_org, full_name="管理员"
    )
    longterm_entry = longterm.entry_register(
        actor=tree.city_staff,
        case=signed,
        petitioner=Petitioner.objects.get(name="甄秘言"),
        analysis="反复来访，对调查结论不满意。",
        measures="包案领导当面答复。",
        leader=tree.city_staff,
        officer=tree.city_staff,
        target_on=dt.date.today() + dt.timedelta(days=30),
    )
    warning = EarlyWarning.objects.create(
        kind=Kind.RESPONDENT,
        key="被反映人|",
        label="多名群众反映的同一干部",
        department=tree.city_org,
        window_start=dt.date.today() - dt.timedelta(days=6),
        window_end=dt.date.today(),
        petitioners=5,
        petitions=5,
        baseline=0.5,
        growth=10.0,
        score=50.0,
        explanation={
            "petition_ids": list(signed.petitions.values_list("pk", flat=True))
            + list(unit.petitions.values_list("pk", flat=True)),
            "history": [1, 0, 0, 1, 0, 1, 0, 1],
        },
        created_at=timezone.now(),
    )
    return World(
        longterm_entry=longterm_entry,
        warning=warning,
        tree=tree,
        signed=Case.objects.get(pk=signed.pk),
        unit=Case.objects.get(pk=unit.pk),
        unit_child=child,
        anonymous=anonymous,
        personal=personal,
        admin=admin,
        clerk=tree.staff(tree.city_org, name="clerk"),
    )
