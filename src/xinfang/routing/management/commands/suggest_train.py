"""Train the category model behind the registration page's suggestion (issue 11 item 4,
docs/suggestions.md) from registered petitions: their summary and content, and the category
the registrar confirmed at registration, plus the referral rules' keywords.

    xinfang suggest_train                    # the deployment's global model, every petition
    xinfang suggest_train --department 12    # one office's own, from the petitions it received

It trains two models: the category model (every petition's text and confirmed category) and
the referral model (the text of every case referred outside, and the kind of department it
went to). Both also learn the active referral rules' keywords.

Deterministic: the same petitions and rules give the same model. Run it again from time to
time (cron, weekly) as registrations accumulate; it replaces the model it trained before."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.models import Referral
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department
from xinfang.petitions.models import Petition
from xinfang.routing.models import SuggestionModel
from xinfang.routing.services import suggestion_model_train
from xinfang.routing.textmodel import document


class Command(BaseCommand):
    help = gettext("用已登记信访件的内容和登记员确认的问题类别训练登记页的文本建议模型。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--department", type=int, help=gettext("只用该部门收到的信访件训练该部门的模型")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        office = None
        petitions = Petition.objects.all()
        referrals = Referral.objects.filter(to_department__isnull=False)
        if options["department"] is not None:
            office = Department.objects.filter(pk=options["department"]).first()
            if office is None:
                raise CommandError(
                    gettext("没有编号为 %(id)s 的部门。") % {"id": options["department"]}
                )
            petitions = petitions.filter(receiving_department=office)
            referrals = referrals.filter(case__department=office)
        rows = list(petitions.order_by("pk").values_list("summary", "content", "category"))
        # A referred matter's text is its first petition's; its label the receiver's kind.
        sent = dict(referrals.values_list("case_id", "to_department__kind"))
        texts_of: dict[int, str] = {}
        for case_id, summary, content in (
            Petition.objects.filter(case_id__in=sent)
            .order_by("pk")
            .values_list("case_id", "summary", "content")
        ):
            texts_of.setdefault(case_id, document(summary, content))
        referred = sorted(texts_of)
        now = timezone.now()
        where = office.name if office is not None else gettext("全部部门")
        trained = 0
        try:
            stored = suggestion_model_train(
                office=office,
                texts=[document(s, c) for s, c, _ in rows],
                labels=[k for _, _, k in rows],
                now=now,
            )
            trained += 1
            self.stdout.write(
                gettext("问题类别模型已训练（%(where)s）：信访件 %(n)s 件。")
                % {"where": where, "n": stored.documents}
            )
        except RuleViolation as refusal:
            self.stdout.write(gettext("问题类别模型未训练：%(why)s") % {"why": refusal})
        try:
            stored = suggestion_model_train(
                office=office,
                texts=[texts_of[c] for c in referred],
                labels=[sent[c] for c in referred],
                now=now,
                purpose=SuggestionModel.Purpose.REFERRAL,
            )
            trained += 1
            self.stdout.write(
                gettext(
                    "转交部门模型已训练（%(where)s）：已转其他部门的案件 %(n)s 件，"
                    "另加转其他部门规则的关键词。"
                )
                % {"where": where, "n": stored.documents}
            )
        except RuleViolation as refusal:
            self.stdout.write(gettext("转交部门模型未训练：%(why)s") % {"why": refusal})
            if not trained:
                raise CommandError(str(refusal)) from refusal
