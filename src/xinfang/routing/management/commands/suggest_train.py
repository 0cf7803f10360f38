"""Train the category model behind the registration page's suggestion (issue 11 item 4,
docs/suggestions.md) from registered petitions: their summary and content, and the category
the registrar confirmed at registration, plus the referral rules' keywords.

    xinfang suggest_train                    # the deployment's global model, every petition
    xinfang suggest_train --department 12    # one office's own, from the petitions it received

Deterministic: the same petitions and rules give the same model. Run it again from time to
time (cron, weekly) as registrations accumulate; it replaces the model it trained before."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department
from xinfang.petitions.models import Petition
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
        if options["department"] is not None:
            office = Department.objects.filter(pk=options["department"]).first()
            if office is None:
                raise CommandError(
                    gettext("没有编号为 %(id)s 的部门。") % {"id": options["department"]}
                )
            petitions = petitions.filter(receiving_department=office)
        rows = list(petitions.order_by("pk").values_list("summary", "content", "category"))
        try:
            stored = suggestion_model_train(
                office=office,
                texts=[document(s, c) for s, c, _ in rows],
                categories=[k for _, _, k in rows],
                now=timezone.now(),
            )
        except RuleViolation as refusal:
            raise CommandError(str(refusal)) from refusal
        where = office.name if office is not None else gettext("全部部门")
        self.stdout.write(
            gettext("已训练文本建议模型（%(where)s）：信访件 %(n)s 件。")
            % {"where": where, "n": stored.documents}
        )
