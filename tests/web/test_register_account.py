"""An online petition registered at the desk carries the petitioner's board account as an
identifier (issue 11 item 1), in the stored form the message import writes, so that the
desk's registration and the board's messages are one person."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from tests.api.conftest import Api
from tests.builders import at
from tests.cases.import_files import MESSAGE_HEADER, message, write_csv
from tests.clients import staff_client
from tests.orgtree import Tree
from tests.web.test_register import form_data, post
from xinfang.cases.imports import import_messages
from xinfang.matching.index import account_hash
from xinfang.petitions import protect
from xinfang.petitions.models import Petitioner
from xinfang.petitions.services import DEFAULT_BOARD, PetitionerInput, board_account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("u001", "网上留言板:u001"),  # the account alone: the default board
        (" 省长信箱：u9 ", "省长信箱:u9"),  # a full-width colon, spaces around
        ("省长信箱:u9", "省长信箱:u9"),
        (":u1", "网上留言板:u1"),  # no board named
        ("  ", ""),  # nothing typed: no account
    ],
)
def test_what_the_registrar_types_becomes_the_stored_board_account(typed: str, stored: str) -> None:
    assert DEFAULT_BOARD == "网上留言板"
    assert board_account(typed) == stored


def test_every_way_in_stores_one_form_and_looks_it_up_by_one_hash() -> None:
    """The input itself keeps the stored form, whoever builds it (the desk's form, the API,
    the import); the look-up's hash takes what was typed or what was stored alike."""
    assert PetitionerInput(name="甲", account="u001").account == "网上留言板:u001"
    assert PetitionerInput(name="甲", account="省长信箱：u9").account == "省长信箱:u9"
    assert PetitionerInput(name="甲", account="网上留言板:u001").account == "网上留言板:u001"
    assert PetitionerInput(name="甲").account == ""
    assert account_hash("u001") == protect.match_hash("网上留言板:u001")
    assert account_hash(" 网上留言板：u001 ") == protect.match_hash("网上留言板:u001")
    assert account_hash("省长信箱:") == ""
    assert account_hash("") == ""


def test_the_desk_and_the_board_are_one_person(tree: Tree, tmp_path: Path) -> None:
    client: Client = staff_client(tree.county_staff)
    with at(2026, 3, 2):
        done = post(
            client,
            form_data(
                channel="online",
                **{
                    "p-0-name": "网民u001",
                    "p-0-id_number": "",
                    "p-0-phone": "",
                    "p-0-account": "u001",
                },
            ),
        )
        assert done.status_code == 302
        person = Petitioner.objects.get()
        assert person.account_hash == protect.match_hash("网上留言板:u001")
        path = write_csv(
            tmp_path / "board.csv", MESSAGE_HEADER, [message(1, "u001", "2026-03-01 09:00:00")]
        )
        report = import_messages(path, actor=tree.county_staff, department=tree.county_org)
    assert report.imported == 1
    # The message's account found the desk's petitioner: no second person.
    assert Petitioner.objects.count() == 1


def test_the_form_offers_the_account_field(tree: Tree) -> None:
    page = staff_client(tree.county_staff).get("/register/").content.decode()
    assert 'name="p-0-account"' in page and "网上信访账号" in page


def test_the_api_takes_the_account_in_the_same_form(tree: Tree) -> None:
    status, reg = Api(tree.county_staff).post(
        "/api/petitions",
        {
            "channel": "online",
            "received_on": "2026-03-01",
            "summary": "反映小区物业收费问题",
            "content": "物业公司多收费用，请有关部门调查处理。",
            "category": "outside_remit",
            "nature": "other",
            "petitioners": [{"name": "网民u9", "account": "省长信箱：u9"}],
        },
    )
    assert status == 201, reg
    person = Petitioner.objects.get()
    assert person.account_hash == protect.match_hash("省长信箱:u9")
