"""Undoing what matching joined (issue 11): a repeat link (automatic or by hand) and a merge.

Both keep both timelines whole: nothing is deleted or rewritten; each side gets its own
event, and the petitions' rows are digested again on the case they now belong to
(R-PROTECT-2). The other case is named by `to_case` / `from_case` in the payloads, not
`to` / `from`, which the timeline's text reads as departments (web/views/timeline_text.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.actions.base import lock_case, transition
from xinfang.cases.lifecycle import FROZEN_STATES
from xinfang.cases.models import Case, CaseEvent, State
from xinfang.cases.numbering import next_case_number
from xinfang.cases.search import tag_petitions
from xinfang.cases.timeline import append_event, append_record
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition, Petitioner
from xinfang.petitions.services import earlier_petition_count, petitions_restore


def repeat_unlink(*, actor: User, petition: Petition, reason: str) -> Case:
    """A petition linked to a case as a repeat (R-REPEAT-4; by hand or automatically) is
    taken out and opens a case of its own, as if registered unlinked. The old case records
    `repeat_unlinked`, the new one starts with `unlinked_in`. Returns the new case."""
    if not reason.strip():
        raise RuleViolation(gettext("请填写撤销关联的理由。"))
    with transaction.atomic():
        # The petition's case as it is now (a merge may have moved it since it was read).
        current = Case.objects.get(
            pk=Petition.objects.values("case_id").get(pk=petition.pk)["case_id"]
        )
        case = lock_case(current, actor=actor, action="unlink_repeat")
        row = Petition.objects.select_for_update().get(pk=petition.pk)
        if row.case_id != case.pk or not row.is_repeat:
            raise RuleViolation(gettext("该信访件不是关联到本案件的重信重访，无需撤销关联。"))
        if not Petition.objects.filter(case=case).exclude(pk=row.pk).exists():
            raise RuleViolation(gettext("这是本案件唯一的信访件，不能撤销关联。"))
        now = timezone.now()
        new = Case.objects.create(
            number=next_case_number(case.department, timezone.localdate(now).year),
            department=case.department,
            title=row.summary,
            category=row.category,
            nature=row.nature,
            is_collective=row.is_collective,
            registered_at=now,
            report_upward=False,
        )
        people = list(Petitioner.objects.filter(petitions=row))
        # R-INTAKE-5: first petition unless these people petitioned before this one.
        is_first = earlier_petition_count(people) <= 1
        covered = petitions_restore(
            {row.pk: (False, is_first)}, to_case_id=new.pk, clear_not_accepted=True
        )
        tag_petitions([row.pk])  # now found through the new case's family (cases/search.py)
        payload = {"petition": row.pk, "reason": reason.strip()}
        append_record(
            case, kind="repeat_unlinked", actor=actor, payload={**payload, "to_case": new.pk}
        )
        append_event(
            new,
            kind="unlinked_in",
            actor=actor,
            from_state="",
            to_state=new.state,
            payload={**payload, "from_case": case.pk},
            records=covered,
        )
    return new


def case_unmerge(*, actor: User, case: Case, reason: str) -> Case:
    """R-REPEAT-4 undone: a merged case gets back the petitions it brought to the target,
    with their first/repeat marks as they were, and returns to the state it was merged
    from. The target records `unmerged_out`, the case `unmerge`; petitions registered on
    the target since stay there. The move goes through the transition helper: the way back
    is `lifecycle.RETURNS`, the one exit of the frozen 已并案 state."""
    if not reason.strip():
        raise RuleViolation(gettext("请填写撤销并案的理由。"), rules=("R-REPEAT-4",))
    with transition(
        case,
        "unmerge",
        actor=actor,
        refused=gettext("只有已并案的案件可以撤销并案（案件当前状态为“{state}”）。"),
    ) as step:
        locked = step.case
        if locked.merged_into_id is None:
            raise RuleViolation(gettext("找不到并案记录，不能撤销并案。"), rules=("R-REPEAT-4",))
        target = Case.objects.select_for_update().get(pk=locked.merged_into_id)
        if target.state in FROZEN_STATES:
            raise RuleViolation(
                (
                    gettext("并入的案件%(number)s%(label)s，不能撤销并案。")
                    % {"number": target.number, "label": State(target.state).label}
                ),
                rules=("R-REPEAT-4",),
            )
        merged_in = (
            CaseEvent.objects.filter(case=target, kind="merged_in", payload__from=locked.pk)
            .order_by("-seq")
            .first()
        )
        if merged_in is None:
            raise RuleViolation(gettext("找不到并案记录，不能撤销并案。"), rules=("R-REPEAT-4",))
        ids = [int(pk) for pk in merged_in.payload.get("petitions", [])]
        marks = merged_in.payload.get("flags") or {}
        # Merges recorded before the marks were kept: the first petition opened the case.
        flags = {
            pk: (bool(marks[str(pk)][0]), bool(marks[str(pk)][1]))
            if str(pk) in marks
            else (i > 0, i == 0)
            for i, pk in enumerate(sorted(ids))
        }
        flags = {
            pk: f for pk, f in flags.items() if Petition.objects.filter(pk=pk, case=target).exists()
        }
        covered = petitions_restore(flags, to_case_id=locked.pk)
        tag_petitions(list(flags))  # back in this case's family (cases/search.py)
        append_record(
            target,
            kind="unmerged_out",
            actor=actor,
            payload={"to_case": locked.pk, "petitions": list(flags), "reason": reason.strip()},
        )
        locked.merged_into = None
        step.write(
            payload={"from_case": target.pk, "reason": reason.strip()},
            fields=["merged_into"],
            records=covered,
        )
    return locked
