"""Cases (信访事项), their lifecycle records and the append-only timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.routing.terms import Category, HandlingMode, Nature


class State(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    READ = "read", _("已阅批")
    HANDLING = "handling", _("办理中")
    CLOSING = "closing", _("待审核")
    CLOSED = "closed", _("已结案")
    ARCHIVED = "archived", _("已归档")
    REFERRED = "referred", _("已转其他部门")
    TRANSFERRED = "transferred", _("已转办")
    FILED = "filed", _("存查")
    MERGED = "merged", _("已并案")
    WITHDRAWN = "withdrawn", _("已撤回重新分办")
    REVIEWING = "reviewing", _("复查中")
    REREVIEWING = "rereviewing", _("复核中")


# The states in which a case is still being worked on (every state but
# lifecycle.FINISHED_STATES; tests/cases/test_query_budgets.py holds them to it), in a fixed
# order: the partial index on open cases is used only by a query whose condition is written
# exactly as the index's, and a frozenset's order changes from one process to the next.
OPEN_STATES: tuple[str, ...] = (
    State.CLOSING.value,
    State.HANDLING.value,
    State.READ.value,
    State.REGISTERED.value,
    State.REREVIEWING.value,
    State.REVIEWING.value,
)


class ReviewStage(models.TextChoices):
    """The 2022 review chain: after re-review the same matter is not accepted again."""

    NONE = "", _("未申请复查")
    REVIEWED = "reviewed", _("已复查")
    FINAL = "final", _("已复核终结")


class Step(models.IntegerChoices):
    """R-INTAKE-1: the six steps of the notice; every case shows where it stands."""

    REGISTRATION = 1, _("登记")
    INTERVIEW = 2, _("接谈")
    READING = 3, _("阅看")
    HANDLING = 4, _("办理")
    CLOSING = 5, _("结案")
    ARCHIVING = 6, _("归档")


class Case(models.Model):
    """The matter handled by exactly one responsible department (R-ROUTE-1).

    A case sent down (转办/交办) gets a child case at the receiving department; `parent`
    points back at the sender's case and `root` at the first case, whose petitions both share.
    """

    number = models.CharField(_("案件编号"), max_length=40, unique=True)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    root = models.ForeignKey(
        "self",
        verbose_name=_("首办案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="descendants",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    previous_case = models.ForeignKey(
        "self",
        verbose_name=_("原案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="later_cases",
        help_text=_("原案件已归档后再次信访的，另立新案并指向原案件"),
    )
    title = models.CharField(_("事项摘要"), max_length=200)
    category = models.CharField(_("问题类别"), max_length=24, choices=Category.choices)
    nature = models.CharField(_("信访性质"), max_length=16, choices=Nature.choices)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.REGISTERED, db_index=True
    )
    handling_mode = models.CharField(
        _("处理方式"), max_length=16, choices=HandlingMode.choices, blank=True, default=""
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_handled",
    )
    mode_decided_at = models.DateTimeField(
        _("决定处理方式时间"), null=True, blank=True, db_index=True
    )
    is_collective = models.BooleanField(_("集体访"), default=False)
    # R-CAT-1; the help text reaches the admin's page, so it carries no rule ID.
    report_upward = models.BooleanField(
        _("需向上反映"),
        default=False,
        help_text=_("涉及背离党的路线方针政策的倾向，应及时向上反映"),
    )
    is_key_case = models.BooleanField(_("重点案件"), default=False, db_index=True)
    review_stage = models.CharField(
        _("复查复核阶段"), max_length=16, choices=ReviewStage.choices, blank=True, default=""
    )
    follow_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("上一级过问部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_cases",
        help_text=_("组织、干部工作中的重要问题，上一级组织部门应当过问"),  # R-ROUTE-4
    )
    result_required = models.BooleanField(_("上级要报结果"), default=False)
    # The department that sent this case down (R-SUPER-2): its assignment's from_department,
    # set when `_send_down` creates the case and never changed; empty for a first case. The
    # sender's open children are then one range of `case_sent_down_state` (issue 10), where
    # the assignments gave every child of all years, each looked up by id.
    sent_down_by = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("交办转办部门"),
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("登记时间"), db_index=True)
    due_on = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True, db_index=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archive_number = models.CharField(
        _("档案号"), max_length=40, null=True, blank=True, unique=True
    )
    # Head of the hash chain (R-PROTECT-2): removal of trailing events is detected.
    event_count = models.PositiveIntegerField(default=0, editable=False)
    last_event_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("信访事项")
        verbose_name_plural = _("信访事项")
        ordering = ["-registered_at"]
        indexes = [
            # A department's cases in a state, oldest registration first: the queues of one
            # state (to read, to route, closures) and their first page, without walking
            # the department's cases of all years in registration order (issue 10).
            models.Index(
                fields=["department", "state", "registered_at"], name="case_dept_state_registered"
            ),
            # Key figures (年终结案率) read handling_mode and closed_at of a year's range: in the
            # index, so that the range is read from it alone (at 1,000,000 cases SQLite spent
            # most of the supervisor's view fetching the rows: docs/benchmarks.md).
            models.Index(
                fields=["department", "registered_at", "handling_mode", "closed_at"],
                name="case_dept_registered",
            ),
            # Key figures (自办案件率): a department's cases by the day their mode was decided,
            # with the mode (read from the index alone, as above).
            models.Index(
                fields=["department", "mode_decided_at", "handling_mode"], name="case_dept_decided"
            ),
            # The cases sent down from a first case (a family, cases/family.py), read by the
            # search for every family it finds. Most cases are first cases (root empty): the
            # plain index's statistics then make SQLite scan; this one holds only the others.
            models.Index(
                fields=["root"],
                condition=models.Q(root__isnull=False),
                name="case_sent_down_root",
            ),
            # Queues and counts touch only open cases (issue 10): a few per cent of all cases
            # ever registered, by department and due date.
            models.Index(
                fields=["department", "due_on"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_open_dept_due",
            ),
            # The cases a department sent down (R-SUPER-2), by state: its open children (the
            # counts, the second part of the visible cases) and those not frozen (the
            # sent-down queue) are a few ranges of it, however many it sent over the years.
            # Not a partial index of open cases (`case_open_dept_due`), which SQLite never
            # uses for Django's statements (see below) and which would not hold the finished
            # children the sent-down queue lists; only the cases sent down are in it.
            # With the id on PostgreSQL (SQLite's indexes hold it anyway), so that the ids of
            # all the cases a department sent, the visibility's reason (`access._others`),
            # are read from the index alone rather than one heap row per child.
            models.Index(
                fields=["sent_down_by", "state"],
                include=["id"],
                condition=models.Q(sent_down_by__isnull=False),
                name="case_sent_down_state",
            ),
            # The cases a department sent down, newest first: the search walks them in this
            # order when a word has many hits, stopping at the page or the capped total
            # (cases/search.py: `_walks`), where it read all of them, 33,949 for the
            # busiest county at 1,000,000 cases. Only the cases sent down are in it, so
            # registering and importing first cases never write to it.
            models.Index(
                fields=["sent_down_by", "registered_at"],
                condition=models.Q(sent_down_by__isnull=False),
                name="case_sent_down_registered",
            ),
            # A handler's open cases (我承办的), not all he has handled in thirty years: by
            # state, not a partial index of open cases, which SQLite never uses for Django's
            # statements (their IN list is bound parameters: docs/benchmarks.md, "The
            # workbench counts and SQLite's statistics").
            models.Index(fields=["handler", "state"], name="case_handler_state"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def petitions_root_id(self) -> int:
        return self.root_id or self.pk

    @property
    def step(self) -> Step:
        """Position in the six steps of R-INTAKE-1, derived from the state."""
        return {
            State.REGISTERED: Step.REGISTRATION,
            State.READ: Step.READING,
            State.HANDLING: Step.HANDLING,
            State.CLOSING: Step.CLOSING,
            State.CLOSED: Step.CLOSING,
            State.ARCHIVED: Step.ARCHIVING,
            State.REFERRED: Step.HANDLING,
            State.TRANSFERRED: Step.HANDLING,
            State.FILED: Step.HANDLING,
            State.MERGED: Step.REGISTRATION,
            State.WITHDRAWN: Step.HANDLING,
            State.REVIEWING: Step.CLOSING,
            State.REREVIEWING: Step.CLOSING,
        }[State(self.state)]


class CaseNumberSequence(models.Model):
    """Per department and year counter for readable case numbers."""

    department = models.ForeignKey("orgs.Department", on_delete=models.PROTECT)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="casenumber_unique")
        ]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.year}: {self.last_value}"


class CaseEvent(models.Model):
    """One append-only, hash-chained timeline entry (R-PROTECT-2)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("事件"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    payload = models.JSONField(_("内容"), default=dict)
    created_at = models.DateTimeField(_("时间"))
    # The case's fields as this event left them (timeline.SNAPSHOT_FIELDS): verification
    # compares the case row with its last event, so a row changed behind the services'
    # back is found (R-PROTECT-2).
    case_after = models.JSONField(_("案件状况"), default=list)
    # [kind, id, digest] of each record this event created or changed (petition, respondent,
    # instruction, closure, ...): the content a decision rests on is covered by the chain.
    records = models.JSONField(_("所涉材料"), default=list)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="caseevent_seq")]

    def __str__(self) -> str:
        # Shown above each row of the case admin's timeline, whose columns give the event's
        # Chinese name (never its stored kind: no code on a page).
        return f"#{self.seq}"


class CaseLedgerEntry(models.Model):
    """One row per case created, hash-chained (R-PROTECT-2): a deleted case stays visible.

    `case_id` is a plain number, not a foreign key: the entry must outlive its case."""

    seq = models.PositiveIntegerField(_("序号"), unique=True)
    case_id = models.BigIntegerField(_("案件ID"), unique=True)
    number = models.CharField(_("案件编号"), max_length=40)
    created_at = models.DateTimeField(_("立案时间"))
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("立案登记簿")
        verbose_name_plural = _("立案登记簿")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.number}"


class CaseLedgerHead(models.Model):
    """The single row holding the ledger's count and last hash. Locking it serializes the
    appends, as the case row does for a case's events."""

    count = models.PositiveIntegerField(default=0)
    head = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("立案登记簿链头")
        verbose_name_plural = _("立案登记簿链头")

    def __str__(self) -> str:
        return f"{self.count} {self.head[:12]}"


class AuditCheckpoint(models.Model):
    """A sealed set of chain heads (R-PROTECT-2): an HMAC-SHA256 with a key kept outside
    the database over (case id, event count, head) of every case and the ledger's head.
    `line` is exactly the JSON line also appended to the checkpoint file."""

    seq = models.PositiveIntegerField(_("序号"), unique=True)
    created_at = models.DateTimeField(_("封存时间"))
    case_count = models.PositiveIntegerField(_("案件数"))
    event_count = models.PositiveIntegerField(_("办理记录数"))
    line = models.TextField(_("封存内容"))

    class Meta:
        verbose_name = _("审计封存点")
        verbose_name_plural = _("审计封存点")
        ordering = ["seq"]

    def __str__(self) -> str:
        return gettext("封存点 #%(seq)s") % {"seq": self.seq}


class Instruction(models.Model):
    """A leader's reading and instruction (阅批/批示, R-COUNTY-3)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="instructions")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批示领导"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("批示内容"))
    due_on = models.DateField(_("要求完成日期"), null=True, blank=True)
    report_required = models.BooleanField(_("要求报告结果"), default=False)
    created_at = models.DateTimeField(_("批示时间"))
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    report_text = models.TextField(_("报告内容"), blank=True)

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return gettext("%(leader)s批示：%(value)s") % {
            "leader": self.leader,
            "value": self.text[:30],
        }


class Assignment(models.Model):
    """A case sent down: 转办 (no result asked) or 交办 (result required, R-CLOSE-1)."""

    case = models.ForeignKey(
        Case, verbose_name=_("交转办案件"), on_delete=models.PROTECT, related_name="assignments"
    )
    child = models.OneToOneField(
        Case, verbose_name=_("承办案件"), on_delete=models.PROTECT, related_name="assignment_in"
    )
    mode = models.CharField(_("方式"), max_length=16, choices=HandlingMode.choices)
    from_department = models.ForeignKey(
        "orgs.Department", verbose_name=_("交办部门"), on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        "orgs.Department", verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("交办意见"), blank=True)
    sent_at = models.DateTimeField(_("发出时间"))
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    due_on = models.DateField(_("报结期限"), null=True, blank=True)
    reported_at = models.DateTimeField(_("报结时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reasons = models.TextField(_("退回理由"), blank=True)

    class Meta:
        verbose_name = _("交办转办")
        verbose_name_plural = _("交办转办")
        indexes = [
            # 下级报结待审核 (R-CLOSE-6, cases/queues.py: reports_awaiting_acceptance): the
            # sender's reports not yet accepted, a few rows, not every assignment it ever
            # sent. IS [NOT] NULL is written into the statement as it is, so SQLite uses a
            # partial index on it (unlike a condition on bound values).
            models.Index(
                fields=["from_department"],
                include=["case_id"],
                condition=models.Q(reported_at__isnull=False, accepted_at__isnull=True),
                name="assignment_reported_pending",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(get_mode_display)s至%(to_department)s") % {
            "get_mode_display": self.get_mode_display(),
            "to_department": self.to_department,
        }


class Referral(models.Model):
    """Referral outside the remit with the explanation given to the petitioner (R-ROUTE-6)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="referral")
    to_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("接收部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_department_name = models.CharField(_("接收部门名称"), max_length=100)
    reason = models.TextField(_("转交理由"))
    explanation = models.TextField(_("向信访人解释的内容"))
    explained_on = models.DateField(_("解释日期"))
    explained_how = models.CharField(_("解释方式"), max_length=50)
    created_at = models.DateTimeField(_("转交时间"))

    class Meta:
        verbose_name = _("转其他部门")
        verbose_name_plural = _("转其他部门")

    def __str__(self) -> str:
        return gettext("转%(to_department_name)s") % {"to_department_name": self.to_department_name}


class OverdueExplanation(models.Model):
    """R-CLOSE-2: why an overdue case is late and when it is now expected."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="overdue_explanations")
    reason = models.TextField(_("逾期原因"))
    new_expected_on = models.DateField(_("预计办结日期"))
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("说明人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("说明时间"))

    class Meta:
        verbose_name = _("逾期说明")
        verbose_name_plural = _("逾期说明")

    def __str__(self) -> str:
        return gettext("逾期说明：%(value)s") % {"value": self.reason[:30]}


class ClosureStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")


class PersonalOutcome(models.TextChoices):
    """R-CAT-4: the three answers to a personal request."""

    GRANTED = "granted", _("符合政策，予以解决")
    SPECIAL = "special", _("个别特殊问题，参照政策精神酌情处理")
    REFUSED = "refused", _("要求过高，不符合政策规定，不予解决")


# R-CLOSE-3: 手续完备 — the procedure every closure must show as done.
PROCEDURE_CHECKLIST: dict[str, StrOrPromise] = {
    "registered": _("登记并经领导阅批"),
    "investigated": _("调查核实，取得证据"),
    "respondent_heard": _("听取被反映人或有关单位的说明"),
    "decision_approved": _("处理意见经领导审批或集体研究"),
    "materials_complete": _("案卷材料齐全"),
}


class Closure(models.Model):
    """A closure submitted for approval; a returned one stays as history (R-CLOSE-3 to 6)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closures")
    status = models.CharField(
        _("审核状态"), max_length=16, choices=ClosureStatus.choices, default=ClosureStatus.SUBMITTED
    )
    facts = models.TextField(_("查明的事实"))
    decision = models.TextField(_("处理意见"))
    policy_basis = models.TextField(_("政策依据"))
    procedure = models.JSONField(_("办理手续"), default=list)
    personal_outcome = models.CharField(
        _("个人问题处理结果"), max_length=16, choices=PersonalOutcome.choices, blank=True
    )
    petitioner_opinion = models.TextField(_("本人对处理的意见"), blank=True)
    conclusion_shown_on = models.DateField(_("结论与本人见面日期"), null=True, blank=True)
    conclusion_shown_how = models.CharField(_("见面方式"), max_length=50, blank=True)
    feedback_on = models.DateField(_("向检举人反馈日期"), null=True, blank=True)
    feedback_how = models.CharField(_("反馈方式"), max_length=50, blank=True)
    no_feedback_reason = models.TextField(_("未反馈的理由"), blank=True)
    review_opinion = models.TextField(_("审查意见"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reasons = models.TextField(_("退回理由"), blank=True)

    class Meta:
        verbose_name = _("结案材料")
        verbose_name_plural = _("结案材料")
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return gettext("结案材料（%(get_status_display)s）") % {
            "get_status_display": self.get_status_display()
        }


class YearlyTarget(models.Model):
    """R-COUNTY-2: a department's responsibility targets for one year (percentages)."""

    department = models.ForeignKey(
        "orgs.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveIntegerField(_("年度"))
    self_handled_rate = models.DecimalField(_("自办案件率目标(%)"), max_digits=5, decimal_places=2)
    repeat_rate = models.DecimalField(_("重信重访率上限(%)"), max_digits=5, decimal_places=2)
    closure_rate = models.DecimalField(_("年终结案率目标(%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("责任目标")
        verbose_name_plural = _("责任目标")
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="target_unique")]

    def __str__(self) -> str:
        return gettext("%(department)s %(year)s年责任目标") % {
            "department": self.department,
            "year": self.year,
        }


class ReviewKind(models.TextChoices):
    REVIEW = "review", _("复查")
    REREVIEW = "rereview", _("复核")


class ReviewOutcome(models.TextChoices):
    UPHELD = "upheld", _("维持原处理意见")
    CHANGED = "changed", _("变更原处理意见")
    REDO = "redo", _("撤销原处理意见，责令重新办理")


class Review(models.Model):
    """A 复查 or 复核 (2022 rules): applied for within 30 days, decided within 30 days, by the
    department one level up (for 复核, one level above the reviewing one)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(_("类别"), max_length=16, choices=ReviewKind.choices)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("复查（复核）机关"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    applied_on = models.DateField(_("申请日期"))
    request = models.TextField(_("申请事项和理由"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("登记时间"))
    due_on = models.DateField(_("答复期限"))
    outcome = models.CharField(_("结论"), max_length=16, choices=ReviewOutcome.choices, blank=True)
    opinion = models.TextField(_("复查（复核）意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("复查复核")
        verbose_name_plural = _("复查复核")
        ordering = ["registered_at"]

    def __str__(self) -> str:
        return gettext("%(get_kind_display)s（%(department)s）") % {
            "get_kind_display": self.get_kind_display(),
            "department": self.department,
        }


# --- Routing decisions and objections (R-ROUTE-1) ----------------------------------------


class RoutingDecision(models.Model):
    """R-ROUTE-1: the proposal shown, the decision taken, and why they differ when they do.

    Written by cases/routing.py (`routing_decision_record`) in the action's transaction that
    decides the handling mode."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("案件"),
        on_delete=models.PROTECT,
        related_name="routing_decisions",
    )
    proposed_mode = models.CharField(_("建议处理方式"), max_length=16)
    proposed_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("建议承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_department_name = models.CharField(_("建议承办部门名称"), max_length=100, blank=True)
    proposal_reasons = models.JSONField(_("建议理由"), default=list)
    proposal_rules = models.JSONField(_("依据条款"), default=list)
    proposed_key_case = models.BooleanField(_("建议列为重点案件"), default=False)
    decided_mode = models.CharField(_("决定处理方式"), max_length=16)
    decided_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("决定承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_department_name = models.CharField(_("决定承办部门名称"), max_length=100, blank=True)
    followed = models.BooleanField(_("采纳建议"))
    deviation_reason = models.TextField(_("未采纳建议的理由"), blank=True)
    decided_by = models.ForeignKey(
        "orgs.User", verbose_name=_("决定人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"))

    class Meta:
        # Kept from when the model lived in the routing app: the move changed no table.
        db_table = "routing_routingdecision"
        verbose_name = _("分办决定")
        verbose_name_plural = _("分办决定")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_decided_mode_label()}"

    def get_proposed_mode_label(self) -> str:
        return str(HandlingMode(self.proposed_mode).label)

    def get_decided_mode_label(self) -> str:
        return str(HandlingMode(self.decided_mode).label)


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已同意，重新分办")
    REJECTED = "rejected", _("不同意，维持交转办")


class Objection(models.Model):
    """A lower department's objection to a case sent to it wrongly (issue 3), within the
    objection window; the sender accepts (the case is routed again) or rejects it."""

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("交转办"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    reasons = models.TextField(_("异议理由"))
    suggested_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("建议承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_by = models.ForeignKey(
        "orgs.User", verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("提出时间"))
    status = models.CharField(
        _("处理结果"),
        max_length=16,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        "orgs.User",
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_reasons = models.TextField(_("处理意见"), blank=True)

    class Meta:
        # Kept from when the model lived in the routing app: the move changed no table.
        db_table = "routing_objection"
        verbose_name = _("交转办异议")
        verbose_name_plural = _("交转办异议")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return gettext("异议：%(value)s") % {"value": self.reasons[:30]}


# --- Clock extensions and pauses (2022 rules) ---------------------------------------------


class Extension(models.Model):
    """A handling-time extension approved by the department's head, told to the petitioner."""

    case = models.ForeignKey(
        Case, verbose_name=_("信访事项"), on_delete=models.PROTECT, related_name="extensions"
    )
    rule_set = models.ForeignKey(
        "deadlines.RuleSet",
        verbose_name=_("批准时施行的规则集"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    days = models.PositiveIntegerField(_("延长天数"))
    reason = models.TextField(_("延期理由"))
    legal_basis = models.TextField(_("依据"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField(_("批准日期"))
    petitioner_told_on = models.DateField(_("告知信访人日期"))
    petitioner_told_how = models.CharField(_("告知方式"), max_length=50)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        # Kept from when the model lived in the deadlines app: the move changed no table.
        db_table = "deadlines_extension"
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["case", "approved_on", "pk"]

    def __str__(self) -> str:
        # The case by its number: the admin's page title, where an id means nothing.
        return gettext("%(number)s 延期%(days)s日") % {
            "number": self.case.number,
            "days": self.days,
        }


class Pause(models.Model):
    """A period during which the case's clocks stand still (中止计时); open while end_on is empty.

    Days from start_on up to the day before end_on are not counted.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("信访事项"), on_delete=models.PROTECT, related_name="pauses"
    )
    reason = models.TextField(_("中止理由"))
    legal_basis = models.TextField(_("依据"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_on = models.DateField(_("中止日期"))
    end_on = models.DateField(_("恢复计时日期"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("恢复计时批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        # Kept from when the model lived in the deadlines app: the move changed no table.
        db_table = "deadlines_pause"
        verbose_name = _("中止计时")
        verbose_name_plural = _("中止计时")
        ordering = ["case", "start_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(end_on__isnull=True),
                name="pause_one_open_per_case",
            )
        ]

    def __str__(self) -> str:
        return gettext("%(number)s 中止计时 %(start_on)s–%(value)s") % {
            "number": self.case.number,
            "start_on": self.start_on,
            "value": self.end_on or "",
        }


# --- The protection policy's read log (R-PROTECT-1) ---------------------------------------


class IdentityRead(models.Model):
    """R-PROTECT-1: each read of a petitioner's identity, by whom and when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(_("查看时间"))

    class Meta:
        # Kept from when the model lived in the petitions app: the move changed no table.
        db_table = "petitions_identityread"
        verbose_name = _("信访人身份查看记录")
        verbose_name_plural = _("信访人身份查看记录")

    def __str__(self) -> str:
        return gettext("%(user)s 查看 %(read_at)s") % {
            "user": self.user,
            "read_at": format(self.read_at, "%Y-%m-%d %H:%M"),
        }


class SearchEntry(models.Model):
    """One petition's text as the search reads it (cases/search.py, docs/search.md): the
    fields normalised (core/text.py) and joined with a separator no query can contain, in two
    parts, because only one of them is protected (cases/protection.py):

    - `public_text`: the petition's summary and its respondents' names, units and posts;
    - `protected_text`: the letter's full text and the petitioners' names, searchable only
      by users who may see the petitioner's identity on the case.

    The bigram index beside it is not a model: an FTS5 table on SQLite and a tsvector column
    on PostgreSQL (migration 0010), written only by cases/search.py."""

    petition = models.OneToOneField(
        "petitions.Petition",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    public_text = models.TextField()
    protected_text = models.TextField()
    # The version of the preparation the row was written with: `xinfang search_reindex`
    # rewrites rows of an older one.
    version = models.PositiveSmallIntegerField(default=1)
    # The departments holding a case of the petition's family (the first case and those
    # sent down from it), as sorted ids separated by spaces; each is also a token of the
    # bigram index, so a department's staff ask the index for the words in their own
    # department's families only (cases/search.py, "department tags").
    departments = models.TextField(blank=True, default="")
    # False: written before migration 0018, not yet tagged; `xinfang search_reindex` tags it.
    tagged = models.BooleanField(default=True)
    # The id of the petition's family root: the first case of the family its case belongs to
    # (the case's root, or the case itself; cases/family.py). Kept with the tags (the same
    # calls change both), so that a search's hits give their families without reading the
    # petitions and their cases (cases/search.py, docs/search.md "The family in the entry").
    # No foreign key: written and read by cases/search.py only, never joined.
    family = models.BigIntegerField(null=True)
    # The month (local time, yyyymm) the newest case of the family was registered in: its
    # cases' registration times are all before that month's end. Also a token of the bigram
    # index, so that a search with many hits asks for the hits of the newest months first and
    # stops when they hold enough cases (cases/search.py, "slices"). Kept with the tags (the
    # same calls change both: a case sent down is the family's newest). 0: the petition has
    # no case; NULL: written before migration 0023, `xinfang search_reindex` fills it.
    newest = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = _("检索索引")
        verbose_name_plural = _("检索索引")
        indexes = [
            # Whether any entry still lacks its newest month, one probe (the search reads
            # the hits by slices only when none does).
            models.Index(
                fields=["petition"],
                condition=models.Q(newest__isnull=True),
                name="searchentry_unsliced",
            ),
            # Whether any entry is still untagged, one probe (the tagged search is used
            # only when none is).
            models.Index(
                fields=["petition"],
                condition=models.Q(tagged=False),
                name="searchentry_untagged",
            ),
        ]

    def __str__(self) -> str:
        return gettext("检索索引 %(petition_id)s") % {"petition_id": self.petition_id}
