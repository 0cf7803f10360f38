"""Recreate the matching index (issue 11) from every petition and petitioner.

Needed once after installing the matching app on a database with petitions, and after a
data-key rotation (the name-sound keys are keyed hashes). Registration keeps it up to date
otherwise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext

from xinfang.matching.index import rebuild


class Command(BaseCommand):
    help = gettext("重建重复信访识别索引（全部信访件的文本分带和信访人姓名读音）。")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            petitions, people = rebuild()
        self.stdout.write(
            gettext("已重建索引：信访件 %(petitions)s 件，信访人 %(people)s 人。")
            % {"petitions": petitions, "people": people}
        )
