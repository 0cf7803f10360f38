"""Cases (信访事项), their lifecycle records and the append-only timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.routing.terms import Category, HandlingMode, Nature


class State(models.TextChoices):
    REGISTERED = "registered", "已登记"
    READ = "read", "已阅批"
    HANDLING = "handling", "办理中"
    CLOSING = "closing", "待审核"
    CLOSED = "closed", "已结案"
    ARCHIVED = "archived", "已归档"
    REFERRED = "referred", "已转其他部门"
    TRANSFERRED = "transferred", "已转办"
    FILED = "filed", "存查"
    MERGED = "merged", "已并案"
    WITHDRAWN = "withdrawn", "已撤回重新分办"
    REVIEWING = "reviewing", "复查中"
    REREVIEWING = "rereviewing", "复核中"


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

    NONE = "", "未申请复查"
    REVIEWED = "reviewed", "已复查"
    FINAL = "final", "已复核终结"


class Step(models.IntegerChoices):
    """R-INTAKE-1: the six steps of the notice; every case shows where it stands."""

    REGISTRATION = 1, "登记"
    INTERVIEW = 2, "接谈"
    READING = 3, "阅看"
    HANDLING = 4, "办理"
    CLOSING = 5, "结案"
    ARCHIVING = 6, "归档"


class Case(models.Model):
    """The matter handled by exactly one responsible department (R-ROUTE-1).

    A case sent down (转办/交办) gets a child case at the receiving department; `parent`
    points back at the sender's case and `root` at the first case, whose petitions both share.
    """

    number = models.CharField("案件编号", max_length=40, unique=True)
    department = models.ForeignKey(
        "orgs.Department", verbose_name="责任部门", on_delete=models.PROTECT, related_name="cases"
    )
    root = models.ForeignKey(
        "self",
        verbose_name="首办案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="descendants",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    previous_case = models.ForeignKey(
        "self",
        verbose_name="原案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="later_cases",
        help_text="原案件已归档后再次信访的，另立新案并指向原案件",
    )
    title = models.CharField("事项摘要", max_length=200)
    category = models.CharField("问题类别", max_length=24, choices=Category.choices)
    nature = models.CharField("信访性质", max_length=16, choices=Nature.choices)
    state = models.CharField(
        "状态", max_length=16, choices=State.choices, default=State.REGISTERED, db_index=True
    )
    handling_mode = models.CharField(
        "处理方式", max_length=16, choices=HandlingMode.choices, blank=True, default=""
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_handled",
    )
    mode_decided_at = models.DateTimeField("决定处理方式时间", null=True, blank=True, db_index=True)
    is_collective = models.BooleanField("集体访", default=False)
    report_upward = models.BooleanField(
        "需向上反映",
        default=False,
        help_text="涉及背离党的路线方针政策的倾向，应及时向上反映（R-CAT-1）",
    )
    is_key_case = models.BooleanField("重点案件", default=False, db_index=True)
    review_stage = models.CharField(
        "复查复核阶段", max_length=16, choices=ReviewStage.choices, blank=True, default=""
    )
    follow_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="上一级过问部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_cases",
        help_text="组织、干部工作中的重要问题，上一级组织部门应当过问（R-ROUTE-4）",
    )
    result_required = models.BooleanField("上级要报结果", default=False)
    registered_at = models.DateTimeField("登记时间", db_index=True)
    due_on = models.DateField("办理期限", null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True, db_index=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    archive_number = models.CharField("档案号", max_length=40, null=True, blank=True, unique=True)
    # Head of the hash chain (R-PROTECT-2): removal of trailing events is detected.
    event_count = models.PositiveIntegerField(default=0, editable=False)
    last_event_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = "信访事项"
        verbose_name_plural = "信访事项"
        ordering = ["-registered_at"]
        indexes = [
            models.Index(fields=["department", "state"], name="case_dept_state"),
            models.Index(fields=["department", "registered_at"], name="case_dept_registered"),
            # Queues and counts touch only open cases (issue 10): a few per cent of all cases
            # ever registered, by department and due date.
            models.Index(
                fields=["department", "due_on"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_open_dept_due",
            ),
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
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("事件", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_state = models.CharField("原状态", max_length=16, blank=True)
    to_state = models.CharField("新状态", max_length=16, blank=True)
    payload = models.JSONField("内容", default=dict)
    created_at = models.DateTimeField("时间")
    # The case's fields as this event left them (timeline.SNAPSHOT_FIELDS): verification
    # compares the case row with its last event, so a row changed behind the services'
    # back is found (R-PROTECT-2).
    case_after = models.JSONField("案件状况", default=list)
    # [kind, id, digest] of each record this event created or changed (petition, respondent,
    # instruction, closure, ...): the content a decision rests on is covered by the chain.
    records = models.JSONField("所涉材料", default=list)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="caseevent_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"


class CaseLedgerEntry(models.Model):
    """One row per case created, hash-chained (R-PROTECT-2): a deleted case stays visible.

    `case_id` is a plain number, not a foreign key: the entry must outlive its case."""

    seq = models.PositiveIntegerField("序号", unique=True)
    case_id = models.BigIntegerField("案件ID", unique=True)
    number = models.CharField("案件编号", max_length=40)
    created_at = models.DateTimeField("立案时间")
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "立案登记簿"
        verbose_name_plural = "立案登记簿"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.number}"


class CaseLedgerHead(models.Model):
    """The single row holding the ledger's count and last hash. Locking it serializes the
    appends, as the case row does for a case's events."""

    count = models.PositiveIntegerField(default=0)
    head = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "立案登记簿链头"
        verbose_name_plural = "立案登记簿链头"

    def __str__(self) -> str:
        return f"{self.count} {self.head[:12]}"


class AuditCheckpoint(models.Model):
    """A sealed set of chain heads (R-PROTECT-2): an HMAC-SHA256 with a key kept outside
    the database over (case id, event count, head) of every case and the ledger's head.
    `line` is exactly the JSON line also appended to the checkpoint file."""

    seq = models.PositiveIntegerField("序号", unique=True)
    created_at = models.DateTimeField("封存时间")
    case_count = models.PositiveIntegerField("案件数")
    event_count = models.PositiveIntegerField("办理记录数")
    line = models.TextField("封存内容")

    class Meta:
        verbose_name = "审计封存点"
        verbose_name_plural = "审计封存点"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"封存点 #{self.seq}"


class Instruction(models.Model):
    """A leader's reading and instruction (阅批/批示, R-COUNTY-3)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="instructions")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批示领导",
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("批示内容")
    due_on = models.DateField("要求完成日期", null=True, blank=True)
    report_required = models.BooleanField("要求报告结果", default=False)
    created_at = models.DateTimeField("批示时间")
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    report_text = models.TextField("报告内容", blank=True)

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.leader}批示：{self.text[:30]}"


class Assignment(models.Model):
    """A case sent down: 转办 (no result asked) or 交办 (result required, R-CLOSE-1)."""

    case = models.ForeignKey(
        Case, verbose_name="交转办案件", on_delete=models.PROTECT, related_name="assignments"
    )
    child = models.OneToOneField(
        Case, verbose_name="承办案件", on_delete=models.PROTECT, related_name="assignment_in"
    )
    mode = models.CharField("方式", max_length=16, choices=HandlingMode.choices)
    from_department = models.ForeignKey(
        "orgs.Department", verbose_name="交办部门", on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        "orgs.Department", verbose_name="承办部门", on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("交办意见", blank=True)
    sent_at = models.DateTimeField("发出时间")
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    due_on = models.DateField("报结期限", null=True, blank=True)
    reported_at = models.DateTimeField("报结时间", null=True, blank=True)
    accepted_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    return_reasons = models.TextField("退回理由", blank=True)

    class Meta:
        verbose_name = "交办转办"
        verbose_name_plural = "交办转办"

    def __str__(self) -> str:
        return f"{self.get_mode_display()}至{self.to_department}"


class Referral(models.Model):
    """Referral outside the remit with the explanation given to the petitioner (R-ROUTE-6)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="referral")
    to_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="接收部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_department_name = models.CharField("接收部门名称", max_length=100)
    reason = models.TextField("转交理由")
    explanation = models.TextField("向信访人解释的内容")
    explained_on = models.DateField("解释日期")
    explained_how = models.CharField("解释方式", max_length=50)
    created_at = models.DateTimeField("转交时间")

    class Meta:
        verbose_name = "转其他部门"
        verbose_name_plural = "转其他部门"

    def __str__(self) -> str:
        return f"转{self.to_department_name}"


class OverdueExplanation(models.Model):
    """R-CLOSE-2: why an overdue case is late and when it is now expected."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="overdue_explanations")
    reason = models.TextField("逾期原因")
    new_expected_on = models.DateField("预计办结日期")
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="说明人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("说明时间")

    class Meta:
        verbose_name = "逾期说明"
        verbose_name_plural = "逾期说明"

    def __str__(self) -> str:
        return f"逾期说明：{self.reason[:30]}"


class ClosureStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已批准"
    RETURNED = "returned", "已退回"


class PersonalOutcome(models.TextChoices):
    """R-CAT-4: the three answers to a personal request."""

    GRANTED = "granted", "符合政策，予以解决"
    SPECIAL = "special", "个别特殊问题，参照政策精神酌情处理"
    REFUSED = "refused", "要求过高，不符合政策规定，不予解决"


# R-CLOSE-3: 手续完备 — the procedure every closure must show as done.
PROCEDURE_CHECKLIST: dict[str, str] = {
    "registered": "登记并经领导阅批",
    "investigated": "调查核实，取得证据",
    "respondent_heard": "听取被反映人或有关单位的说明",
    "decision_approved": "处理意见经领导审批或集体研究",
    "materials_complete": "案卷材料齐全",
}


class Closure(models.Model):
    """A closure submitted for approval; a returned one stays as history (R-CLOSE-3 to 6)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closures")
    status = models.CharField(
        "审核状态", max_length=16, choices=ClosureStatus.choices, default=ClosureStatus.SUBMITTED
    )
    facts = models.TextField("查明的事实")
    decision = models.TextField("处理意见")
    policy_basis = models.TextField("政策依据")
    procedure = models.JSONField("办理手续", default=list)
    personal_outcome = models.CharField(
        "个人问题处理结果", max_length=16, choices=PersonalOutcome.choices, blank=True
    )
    petitioner_opinion = models.TextField("本人对处理的意见", blank=True)
    conclusion_shown_on = models.DateField("结论与本人见面日期", null=True, blank=True)
    conclusion_shown_how = models.CharField("见面方式", max_length=50, blank=True)
    feedback_on = models.DateField("向检举人反馈日期", null=True, blank=True)
    feedback_how = models.CharField("反馈方式", max_length=50, blank=True)
    no_feedback_reason = models.TextField("未反馈的理由", blank=True)
    review_opinion = models.TextField("审查意见", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("提交时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reasons = models.TextField("退回理由", blank=True)

    class Meta:
        verbose_name = "结案材料"
        verbose_name_plural = "结案材料"
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return f"结案材料（{self.get_status_display()}）"


class YearlyTarget(models.Model):
    """R-COUNTY-2: a department's responsibility targets for one year (percentages)."""

    department = models.ForeignKey(
        "orgs.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveIntegerField("年度")
    self_handled_rate = models.DecimalField("自办案件率目标(%)", max_digits=5, decimal_places=2)
    repeat_rate = models.DecimalField("重信重访率上限(%)", max_digits=5, decimal_places=2)
    closure_rate = models.DecimalField("年终结案率目标(%)", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "责任目标"
        verbose_name_plural = "责任目标"
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="target_unique")]

    def __str__(self) -> str:
        return f"{self.department} {self.year}年责任目标"


class ReviewKind(models.TextChoices):
    REVIEW = "review", "复查"
    REREVIEW = "rereview", "复核"


class ReviewOutcome(models.TextChoices):
    UPHELD = "upheld", "维持原处理意见"
    CHANGED = "changed", "变更原处理意见"
    REDO = "redo", "撤销原处理意见，责令重新办理"


class Review(models.Model):
    """A 复查 or 复核 (2022 rules): applied for within 30 days, decided within 30 days, by the
    department one level up (for 复核, one level above the reviewing one)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField("类别", max_length=16, choices=ReviewKind.choices)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="复查（复核）机关",
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    applied_on = models.DateField("申请日期")
    request = models.TextField("申请事项和理由")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField("登记时间")
    due_on = models.DateField("答复期限")
    outcome = models.CharField("结论", max_length=16, choices=ReviewOutcome.choices, blank=True)
    opinion = models.TextField("复查（复核）意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "复查复核"
        verbose_name_plural = "复查复核"
        ordering = ["registered_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.department}）"


# --- Routing decisions and objections (R-ROUTE-1) ----------------------------------------


class RoutingDecision(models.Model):
    """R-ROUTE-1: the proposal shown, the decision taken, and why they differ when they do.

    Written by cases/routing.py (`routing_decision_record`) in the action's transaction that
    decides the handling mode."""

    case = models.ForeignKey(
        Case,
        verbose_name="案件",
        on_delete=models.PROTECT,
        related_name="routing_decisions",
    )
    proposed_mode = models.CharField("建议处理方式", max_length=16)
    proposed_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="建议承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_department_name = models.CharField("建议承办部门名称", max_length=100, blank=True)
    proposal_reasons = models.JSONField("建议理由", default=list)
    proposal_rules = models.JSONField("依据条款", default=list)
    proposed_key_case = models.BooleanField("建议列为重点案件", default=False)
    decided_mode = models.CharField("决定处理方式", max_length=16)
    decided_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="决定承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_department_name = models.CharField("决定承办部门名称", max_length=100, blank=True)
    followed = models.BooleanField("采纳建议")
    deviation_reason = models.TextField("未采纳建议的理由", blank=True)
    decided_by = models.ForeignKey(
        "orgs.User", verbose_name="决定人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间")

    class Meta:
        # Kept from when the model lived in the routing app: the move changed no table.
        db_table = "routing_routingdecision"
        verbose_name = "分办决定"
        verbose_name_plural = "分办决定"
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.decided_mode}"

    def get_proposed_mode_label(self) -> str:
        return HandlingMode(self.proposed_mode).label

    def get_decided_mode_label(self) -> str:
        return HandlingMode(self.decided_mode).label


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    ACCEPTED = "accepted", "已同意，重新分办"
    REJECTED = "rejected", "不同意，维持交转办"


class Objection(models.Model):
    """A lower department's objection to a case sent to it wrongly (issue 3), within the
    objection window; the sender accepts (the case is routed again) or rejects it."""

    assignment = models.ForeignKey(
        Assignment,
        verbose_name="交转办",
        on_delete=models.PROTECT,
        related_name="objections",
    )
    reasons = models.TextField("异议理由")
    suggested_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="建议承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_by = models.ForeignKey(
        "orgs.User", verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField("提出时间")
    status = models.CharField(
        "处理结果", max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "orgs.User",
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_reasons = models.TextField("处理意见", blank=True)

    class Meta:
        # Kept from when the model lived in the routing app: the move changed no table.
        db_table = "routing_objection"
        verbose_name = "交转办异议"
        verbose_name_plural = "交转办异议"
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"异议：{self.reasons[:30]}"


# --- Clock extensions and pauses (2022 rules) ---------------------------------------------


class Extension(models.Model):
    """A handling-time extension approved by the department's head, told to the petitioner."""

    case = models.ForeignKey(
        Case, verbose_name="信访事项", on_delete=models.PROTECT, related_name="extensions"
    )
    rule_set = models.ForeignKey(
        "deadlines.RuleSet",
        verbose_name="批准时施行的规则集",
        on_delete=models.PROTECT,
        related_name="+",
    )
    days = models.PositiveIntegerField("延长天数")
    reason = models.TextField("延期理由")
    legal_basis = models.TextField("依据")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField("批准日期")
    petitioner_told_on = models.DateField("告知信访人日期")
    petitioner_told_how = models.CharField("告知方式", max_length=50)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        # Kept from when the model lived in the deadlines app: the move changed no table.
        db_table = "deadlines_extension"
        verbose_name = "延期"
        verbose_name_plural = "延期"
        ordering = ["case", "approved_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} 延期{self.days}日"


class Pause(models.Model):
    """A period during which the case's clocks stand still (中止计时); open while end_on is empty.

    Days from start_on up to the day before end_on are not counted.
    """

    case = models.ForeignKey(
        Case, verbose_name="信访事项", on_delete=models.PROTECT, related_name="pauses"
    )
    reason = models.TextField("中止理由")
    legal_basis = models.TextField("依据")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_on = models.DateField("中止日期")
    end_on = models.DateField("恢复计时日期", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="恢复计时批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        # Kept from when the model lived in the deadlines app: the move changed no table.
        db_table = "deadlines_pause"
        verbose_name = "中止计时"
        verbose_name_plural = "中止计时"
        ordering = ["case", "start_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(end_on__isnull=True),
                name="pause_one_open_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} 中止计时 {self.start_on}–{self.end_on or ''}"


# --- The protection policy's read log (R-PROTECT-1) ---------------------------------------


class IdentityRead(models.Model):
    """R-PROTECT-1: each read of a petitioner's identity, by whom and when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    petition = models.ForeignKey("petitions.Petition", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField("查看时间")

    class Meta:
        # Kept from when the model lived in the petitions app: the move changed no table.
        db_table = "petitions_identityread"
        verbose_name = "信访人身份查看记录"
        verbose_name_plural = "信访人身份查看记录"

    def __str__(self) -> str:
        return f"{self.user} 查看 {self.read_at:%Y-%m-%d %H:%M}"


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

    class Meta:
        verbose_name = "检索索引"
        verbose_name_plural = "检索索引"

    def __str__(self) -> str:
        return f"检索索引 {self.petition_id}"
