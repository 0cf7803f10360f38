"""`xinfang search_reindex`: (re)build the search index (cases/search.py, docs/search.md).

Without options it indexes every petition that has no entry or one written by an older
version of the preparation, in batches of `--batch-size` petitions in id order, each batch
one transaction: stopped half-way, it is run again and continues with what is left.
`--all` rewrites every entry; it prints the last petition done after each batch, and
`--all --after ID` continues an interrupted full rebuild from there.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from xinfang.cases.search import VERSION, index_petitions
from xinfang.petitions.models import Petition


class Command(BaseCommand):
    help = "重建全文检索索引：默认只补建缺少或版本过旧的条目，可中断后重新运行继续。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="重写全部条目")
        parser.add_argument(
            "--after", type=int, default=0, help="与 --all 同用：从该编号之后的来信来访继续"
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="每批条数（默认 1000）")

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        if size < 1:
            raise CommandError("每批条数必须是正整数。")
        if options["after"] and not options["all"]:
            raise CommandError("--after 只能与 --all 一起使用。")
        petitions = Petition.objects.order_by("pk")
        if not options["all"]:
            petitions = petitions.exclude(search_entry__version=VERSION)
        last = options["after"]
        done = 0
        started = time.monotonic()
        while True:
            ids = list(petitions.filter(pk__gt=last).values_list("pk", flat=True)[:size])
            if not ids:
                break
            with transaction.atomic():
                done += index_petitions(ids)
            last = ids[-1]
            self.stdout.write(f"已索引 {done} 条，至编号 {last}")
        seconds = time.monotonic() - started
        self.stdout.write(f"完成：共索引 {done} 条，用时 {seconds:.1f} 秒。")
