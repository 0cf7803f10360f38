"""Every action on a case, split by flow. Callers import from here:

    from xinfang.cases import actions
    actions.case_read(actor=..., case=..., text=...)

Each state change goes through `base.transition` (one helper: lock, table, actor, change and
its one event); the modules are named by the flow they serve."""

from __future__ import annotations

from xinfang.cases.actions.archive import case_archive
from xinfang.cases.actions.base import lock_case
from xinfang.cases.actions.clocks import (
    extension_grant,
    overdue_explain,
    pause_end,
    pause_start,
    rederive_open_due_dates,
)
from xinfang.cases.actions.closure import closure_approve, closure_return, closure_submit
from xinfang.cases.actions.intake import (
    Registration,
    attachment_add,
    attachments_add,
    interview_record,
    petition_register,
)
from xinfang.cases.actions.matching import case_unmerge, repeat_unlink
from xinfang.cases.actions.objections import objection_accept, objection_raise, objection_reject
from xinfang.cases.actions.reading import (
    case_flag_report_upward,
    case_instruct,
    case_read,
    instruction_report,
    progress_report,
)
from xinfang.cases.actions.report import report_accept, report_return
from xinfang.cases.actions.review import (
    rereview_apply,
    rereview_decide,
    review_apply,
    review_decide,
)
from xinfang.cases.actions.routing import (
    assignment_receive,
    case_assign_down,
    case_file,
    case_handle_here,
    case_merge,
    case_name_handler,
    case_refer,
    case_transfer_down,
)

__all__ = [
    "Registration",
    "assignment_receive",
    "attachment_add",
    "attachments_add",
    "case_archive",
    "case_assign_down",
    "case_file",
    "case_flag_report_upward",
    "case_handle_here",
    "case_instruct",
    "case_merge",
    "case_name_handler",
    "case_read",
    "case_refer",
    "case_transfer_down",
    "case_unmerge",
    "closure_approve",
    "closure_return",
    "closure_submit",
    "extension_grant",
    "instruction_report",
    "interview_record",
    "lock_case",
    "objection_accept",
    "objection_raise",
    "objection_reject",
    "overdue_explain",
    "pause_end",
    "pause_start",
    "petition_register",
    "progress_report",
    "rederive_open_due_dates",
    "repeat_unlink",
    "report_accept",
    "report_return",
    "rereview_apply",
    "rereview_decide",
    "review_apply",
    "review_decide",
]
