"""Registration (R-INTAKE-1 to 6, R-REPEAT-4): every bad input answered in Chinese, nothing
written; good input registers the petition, its people, respondents and interview."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.builders import VALID_ID, register, registration, to_closed, visit_interview
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.actions import Registration, attachment_add, interview_record, petition_register
from xinfang.cases.models import Case, CaseEvent, Step
from xinfang.core.errors import RuleViolation
from xinfang.petitions.models import Attachment, Interview, Petition, Petitioner, Respondent
from xinfang.petitions.services import InterviewInput, PetitionerInput, RespondentInput


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Case, Petition, Petitioner, Respondent, Interview, CaseEvent)
    )


def _refused(tree: Tree, **kw: Any) -> str:
    """The refusal's text; each caller checks the words of its own rule in it."""
    before = _counts()
    with pytest.raises(RuleViolation, match=r"[\u4e00-\u9fff]") as err:
        register(tree.county_staff, **kw)
    assert _counts() == before, "a refused registration writes nothing"
    return str(err.value)


def test_r_intake_1_registration_records_everything(tree: Tree) -> None:
    reg = petition_register(
        actor=tree.county_staff,
        channel="letter",
        received_on=timezone.localdate(),
        summary="反映镇党委书记违规提拔亲属",
        content="孙立平在任镇党委书记期间提拔其侄子……",
        category="misconduct",
        nature="accusation",
        petitioners=[
            PetitionerInput(
                name="李秀英",
                id_number=VALID_ID,
                phone="13900001111",
                address="河口县石桥镇",
                work_unit="石桥镇中学",
            )
        ],
        respondents=[RespondentInput(cadre=tree.township_secretary)],
    )
    p = reg.petition
    assert (p.channel, p.receiving_department, p.registrar) == (
        "letter",
        tree.county_org,
        tree.county_staff,
    )
    assert reg.case.department == tree.county_org and reg.case.state == "registered"
    assert reg.case.step == Step.REGISTRATION
    resp = Respondent.objects.get(petition=p)
    assert (resp.name, resp.is_main_leader, resp.jurisdiction, resp.managing_jurisdiction) == (
        "孙立平",
        True,
        tree.shiqiao,
        tree.hekou,
    )
    person = Petitioner.objects.get()
    assert VALID_ID not in person.id_number_encrypted and person.id_number_hash
    event = CaseEvent.objects.get(case=reg.case)
    assert (event.seq, event.kind, event.to_state) == (1, "register", "registered")


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"summary": ""}, "内容摘要不能为空"),
        ({"content": "  "}, "全文或接谈内容不能为空"),
        ({"channel": "fax"}, "信访形式"),
        ({"category": "x"}, "问题类别"),
        ({"nature": "x"}, "信访性质"),
        ({"received_on": timezone.localdate() + dt.timedelta(days=1)}, "不能晚于今天"),
        ({"petitioners": []}, "至少填写一位信访人"),
        ({"petitioners": [PetitionerInput(name="")]}, "姓名不能为空"),
        ({"petitioners": [PetitionerInput(name="张三", id_number="110101199003074478")]}, "校验位"),
        ({"source": "upper_level"}, "R-INTAKE-6"),
        ({"respondents": [RespondentInput()]}, "被反映人"),
    ],
)
def test_bad_input_is_refused_in_chinese(tree: Tree, kw: dict[str, Any], words: str) -> None:
    assert words in _refused(tree, **kw)


def test_r_intake_2_visit_needs_interview_record(tree: Tree) -> None:
    assert "R-INTAKE-2" in _refused(tree, channel="visit")
    bad = InterviewInput(
        receivers=[tree.county_staff],
        interviewed_at=timezone.now(),
        statement="反映情况",
        requests="",
        answer="",
    )
    assert "来访人的要求" in _refused(tree, channel="visit", interview=bad)
    case = register(
        tree.county_staff, channel="visit", interview=visit_interview(tree.county_staff)
    )
    interview = Interview.objects.get(petition__case=case)
    assert list(interview.receivers.all()) == [tree.county_staff]
    assert interview.answer


def test_r_intake_2_further_interview_is_recorded_on_the_timeline(tree: Tree) -> None:
    case = register(
        tree.county_staff, channel="visit", interview=visit_interview(tree.county_staff)
    )
    petition = Petition.objects.get(case=case)
    interview_record(
        actor=tree.county_staff, petition=petition, interview=visit_interview(tree.county_staff)
    )
    assert Interview.objects.filter(petition=petition).count() == 2
    assert CaseEvent.objects.filter(case=case, kind="interview").count() == 1


def test_r_intake_3_collective_needs_head_count_and_representatives(tree: Tree) -> None:
    people = [PetitionerInput(name="赵大明"), PetitionerInput(name="钱小红")]
    assert "R-INTAKE-3" in _refused(tree, is_collective=True, head_count=1, petitioners=people)
    assert "代表" in _refused(tree, is_collective=True, head_count=30, petitioners=people)
    reps = [PetitionerInput(name="赵大明", is_representative=True), PetitionerInput(name="钱小红")]
    case = register(
        tree.county_staff,
        is_collective=True,
        head_count=30,
        petitioners=reps,
        collective_origin="河口县石桥镇下湾村",
    )
    assert case.is_collective
    petition = Petition.objects.get(case=case)
    assert (petition.head_count, petition.collective_origin) == (30, "河口县石桥镇下湾村")


def test_r_intake_4_anonymous_needs_treatment_and_reason(tree: Tree) -> None:
    anon: dict[str, Any] = {"petitioners": [], "is_anonymous": True}
    assert "R-INTAKE-4" in _refused(tree, **anon)
    assert "理由" in _refused(tree, **anon, anonymous_treatment="keep")
    message = _refused(
        tree,
        is_anonymous=True,
        anonymous_treatment="keep",
        anonymous_reason="x",
        petitioners=[PetitionerInput(name="某人")],
    )
    assert "匿名信访不应填写信访人" in message
    case = register(
        tree.county_staff,
        **anon,
        anonymous_treatment="keep",
        anonymous_reason="内容笼统，无具体事实。",
    )
    p = Petition.objects.get(case=case)
    assert (p.is_anonymous, p.anonymous_treatment) == (True, "keep")


def test_r_intake_5_first_petition_or_repeat_petitioner(tree: Tree) -> None:
    first = petition_register(
        actor=tree.county_staff,
        channel="letter",
        received_on=timezone.localdate(),
        summary="要求落实职级待遇",
        content="本人1985年参加工作……",
        category="personal_request",
        nature="request",
        petitioners=[PetitionerInput(name="刘德明", id_number=VALID_ID)],
    )
    assert first.is_first and not first.is_repeat
    assert any("初信初访" in n for n in first.notes)
    again = petition_register(
        actor=tree.county_staff,
        channel="phone",
        received_on=timezone.localdate(),
        summary="再次反映职级待遇",
        content="上次反映后仍未解决……",
        category="personal_request",
        nature="request",
        petitioners=[PetitionerInput(name="刘德明", id_number=VALID_ID.lower())],
    )
    assert not again.is_first and again.earlier_petitions == 1
    assert Petitioner.objects.count() == 1, "the same ID number is the same person"


def test_r_intake_6_source_from_upper_level_is_recorded(tree: Tree) -> None:
    case = register(
        tree.county_staff,
        source="upper_level",
        source_department=tree.city_org,
        source_reference="临组信转〔2026〕12号",
    )
    p = Petition.objects.get(case=case)
    assert (p.source, p.source_department, p.source_reference) == (
        "upper_level",
        tree.city_org,
        "临组信转〔2026〕12号",
    )


def test_r_repeat_4_repeat_is_linked_not_a_new_case(tree: Tree) -> None:
    case = register(tree.county_staff)
    reg = petition_register(
        actor=tree.county_staff,
        channel="visit",
        received_on=timezone.localdate(),
        summary="再次反映局长提拔亲属",
        content="上次来信后无人答复",
        category="misconduct",
        nature="accusation",
        petitioners=[PetitionerInput(name="王建华", id_number=VALID_ID)],
        interview=visit_interview(tree.county_staff),
        repeat_of=case,
    )
    assert reg.case.pk == case.pk and reg.is_repeat and not reg.is_first
    assert Case.objects.count() == 1
    assert Petition.objects.filter(case=case, is_repeat=True).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="add_petition").count() == 1


def test_repeat_of_another_departments_case_is_refused(tree: Tree) -> None:
    other = register(tree.baisha_staff)
    assert "本部门" in _refused(tree, repeat_of=other)


def test_repeat_after_archiving_opens_a_new_case_pointing_back(tree: Tree) -> None:
    leader2 = tree.staff(tree.county_org, "leader")
    case = to_closed(register(tree.county_staff), leader2, tree.county_staff)
    case = cs.case_archive(actor=tree.county_staff, case=case)
    events = case.event_count
    new = register(tree.county_staff, repeat_of=case).__class__.objects.exclude(pk=case.pk).get()
    assert new.previous_case_id == case.pk
    assert Petition.objects.get(case=new).is_repeat
    assert Case.objects.get(pk=case.pk).event_count == events, "the sealed file is untouched"


def test_archived_case_takes_no_interview_or_attachment(tree: Tree) -> None:
    case = register(
        tree.county_staff, channel="visit", interview=visit_interview(tree.county_staff)
    )
    case = to_closed(case, tree.staff(tree.county_org, "leader"), tree.county_staff)
    case = cs.case_archive(actor=tree.county_staff, case=case)
    petition = Petition.objects.get(case=case)
    with pytest.raises(RuleViolation, match="R-CLOSE-7"):
        interview_record(
            actor=tree.county_staff, petition=petition, interview=visit_interview(tree.county_staff)
        )
    upload = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with pytest.raises(RuleViolation, match="R-CLOSE-7"):
        attachment_add(actor=tree.county_staff, petition=petition, upload=upload)
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "ctype", "body", "words"),
    [
        ("a.exe", "application/octet-stream", b"MZ", "类型不支持"),
        ("a.pdf", "application/pdf", b"", "空文件"),
        ("a.pdf", "application/pdf", b"%PDF-" + b"x" * 2048, "超过上限"),
        ("a.pdf", "application/pdf", b"MZ\x90\x00\x03", "内容与文件类型"),
        ("a.png", "image/png", b"%PDF-1.4 disguised", "内容与文件类型"),
        ("a.txt", "text/plain", b"\x00\x01binary", "内容与文件类型"),
    ],
)
def test_attachment_limits(
    tree: Tree, settings: Any, name: str, ctype: str, body: bytes, words: str
) -> None:
    settings.XINFANG_ATTACHMENT_MAX_BYTES = 1024
    settings.MEDIA_ROOT = "/tmp/xinfang-test-media"
    case = register(tree.county_staff)
    petition = Petition.objects.get(case=case)
    with pytest.raises(RuleViolation, match=words):
        attachment_add(
            actor=tree.county_staff,
            petition=petition,
            upload=SimpleUploadedFile(name, body, content_type=ctype),
        )
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("证明.pdf", b"%PDF-1.7 ..."),
        ("照片.jpeg", b"\xff\xd8\xff\xe0 jpeg"),
        ("照片.PNG", b"\x89PNG\r\n\x1a\n..."),
        ("说明.txt", "我单位局长违规提拔亲属。".encode("gb18030")),
    ],
)
def test_attachment_types_recognised_by_content(
    tree: Tree, settings: Any, tmp_path: Any, name: str, body: bytes
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    petition = Petition.objects.get(case=register(tree.county_staff))
    # The browser's declared type does not matter: the content does.
    att = attachment_add(
        actor=tree.county_staff,
        petition=petition,
        upload=SimpleUploadedFile(name, body, content_type="application/octet-stream"),
    )
    assert att.content_type in settings.XINFANG_ATTACHMENT_TYPES


def test_attachment_is_stored_with_hash(tree: Tree, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    case = register(tree.county_staff)
    petition = Petition.objects.get(case=case)
    att = attachment_add(
        actor=tree.county_staff,
        petition=petition,
        upload=SimpleUploadedFile("举报材料.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    )
    assert att.size == 10 and len(att.sha256) == 64
    assert CaseEvent.objects.filter(case=case, kind="attachment").count() == 1


def test_r_intake_5_repeat_petitioner_found_by_phone_without_id(tree: Tree) -> None:
    def by_phone(name: str, phone: str) -> Registration:
        return registration(
            tree.county_staff, petitioners=[PetitionerInput(name=name, phone=phone)]
        )

    assert by_phone("赵老汉", "13712345678").is_first
    again = by_phone("赵某", "13712345678")
    assert not again.is_first and again.earlier_petitions == 1
    assert by_phone("钱某", "13700000000").is_first


def test_repeat_of_a_merged_case_goes_to_the_case_it_was_merged_into(tree: Tree) -> None:
    main = register(tree.county_staff)
    dup = register(tree.county_staff)
    cs.case_merge(actor=tree.county_staff, case=dup, into=main, reason="同一事项")
    reg = petition_register(
        actor=tree.county_staff,
        channel="letter",
        received_on=timezone.localdate(),
        summary="又来信",
        content="……",
        category="misconduct",
        nature="accusation",
        petitioners=[PetitionerInput(name="王建华")],
        repeat_of=dup,
    )
    assert reg.case.pk == main.pk and reg.is_repeat


def test_merge_into_a_case_archived_meanwhile_is_refused(tree: Tree) -> None:
    target = register(tree.county_staff)
    stale = Case.objects.get(pk=target.pk)  # loaded before the target was archived
    target = to_closed(target, tree.staff(tree.county_org, "leader"), tree.county_staff)
    cs.case_archive(actor=tree.county_staff, case=target)
    events = Case.objects.get(pk=target.pk).event_count
    with pytest.raises(RuleViolation, match="已归档"):
        cs.case_merge(
            actor=tree.county_staff, case=register(tree.county_staff), into=stale, reason="重复"
        )
    assert Case.objects.get(pk=target.pk).event_count == events
