"""POST /api/cases/{id}/attachments: multipart upload through the page's action
(actions.attachments_add: the checks of petitions/attachments.py, R-INTAKE-1), with the same
access, error shape and Idempotency-Key as every other write."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from tests.api.conftest import Api
from tests.builders import register
from tests.orgtree import Tree
from xinfang.cases.models import Case
from xinfang.petitions.models import Attachment, Petition

NOT_FOUND = {"code": "not_found", "rules": [], "message": "案件不存在或无权查看", "fields": {}}
PDF = b"%PDF-1.7 a scanned letter"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def upload(api: Api, case_id: int, *files: tuple[str, bytes], **extra: Any) -> HttpResponse:
    headers = extra.pop("headers", {})
    data: dict[str, Any] = {
        "files": [
            SimpleUploadedFile(n, b, content_type="application/octet-stream") for n, b in files
        ],
        **extra,
    }
    response: HttpResponse = api.client.post(
        f"/api/cases/{case_id}/attachments", data, headers=headers
    )
    return response


def test_files_are_attached_through_the_action_and_answered_by_reference(tree: Tree) -> None:
    case = register(tree.city_staff)
    petition = Petition.objects.get(case=case)
    response = upload(
        Api(tree.city_staff), case.pk, ("来信.pdf", PDF), ("照片.png", b"\x89PNG\r\n\x1a\n.")
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    stored = list(Attachment.objects.filter(petition=petition).order_by("pk"))
    assert [a.original_name for a in stored] == ["来信.pdf", "照片.png"]
    assert data["action"] == "add_attachment"
    assert data["label"] == "上传附件"
    assert data["case"]["id"] == case.pk
    # References only: the file names are the petitioner's and read through the policy.
    assert data["records"] == [{"kind": "attachment", "id": a.pk} for a in stored]
    assert "来信" not in response.content.decode()
    assert case.events.filter(kind="attachment").count() == 2


def test_missing_and_forbidden_cases_answer_the_same_404_and_store_nothing(tree: Tree) -> None:
    case = register(tree.city_staff)
    other = Api(tree.baisha_staff)
    forbidden = upload(other, case.pk, ("来信.pdf", PDF))
    missing = upload(other, case.pk + 1000, ("来信.pdf", PDF))
    assert (forbidden.status_code, forbidden.json()) == (404, NOT_FOUND)
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    assert Attachment.objects.count() == 0


def test_r_intake_1_a_disguised_file_is_refused_in_the_error_shape_and_none_is_kept(
    tree: Tree,
) -> None:
    case = register(tree.city_staff)
    response = upload(
        Api(tree.city_staff),
        case.pk,
        ("来信.pdf", PDF),
        ("说明.txt", b"<script>alert(1)</script>"),
    )
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "rule_violation"
    assert data["rules"] == ["R-INTAKE-1"]
    assert "说明.txt" in data["message"]
    assert "R-INTAKE" not in data["message"]
    assert data["fields"] == {}
    assert Attachment.objects.count() == 0  # all or none: the good PDF is not kept


def test_no_file_and_a_petition_of_another_case_are_validation_errors(tree: Tree) -> None:
    case = register(tree.city_staff)
    other = register(tree.city_staff, summary="另一件来信")
    api = Api(tree.city_staff)
    response = api.client.post(f"/api/cases/{case.pk}/attachments", {})
    assert response.status_code == 422
    assert response.json()["fields"] == {"files": ["请选择要上传的文件。"]}
    foreign = Petition.objects.get(case=other)
    response = upload(api, case.pk, ("来信.pdf", PDF), petition_id=foreign.pk)
    assert (response.status_code, response.json()["fields"]) == (
        422,
        {"petition_id": ["本案没有这件来信来访。"]},
    )
    assert Attachment.objects.count() == 0


def test_a_user_without_the_role_is_refused_by_the_action(tree: Tree) -> None:
    case = register(tree.city_staff)
    leader_only = tree.staff(tree.city_org, "leader")
    response = upload(Api(leader_only), case.pk, ("来信.pdf", PDF))
    assert response.status_code == 422
    assert response.json()["code"] == "rule_violation"
    assert "上传附件" in response.json()["message"]
    assert Attachment.objects.count() == 0


def test_a_retried_upload_stores_once_and_a_reused_key_is_refused(tree: Tree) -> None:
    case = register(tree.city_staff)
    api = Api(tree.city_staff)
    key = {"Idempotency-Key": "up-1"}
    first = upload(api, case.pk, ("来信.pdf", PDF), headers=key)
    again = upload(api, case.pk, ("来信.pdf", PDF), headers=key)  # another boundary
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Attachment.objects.count() == 1
    other = upload(api, case.pk, ("来信.pdf", PDF + b" another page"), headers=key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Attachment.objects.count() == 1
    assert Case.objects.get(pk=case.pk).events.filter(kind="attachment").count() == 1
