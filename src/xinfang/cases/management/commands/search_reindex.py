"""`xinfang search_reindex`: (re)build the search index (cases/search.py, docs/search.md).

Without options it indexes every petition that has no entry or one written by an older
version of the preparation, in batches of `--batch-size` petitions in id order, each batch
one transaction: stopped half-way, it is run again and continues with what is left.
`--all` first empties the index (entries and the bigram index, so rows left by anything
else go too), then indexes every petition the same way; interrupted, it is continued by
running the command again without `--all`. Then it tags the entries written before the
department tags (migration 0018) or before their family's newest month (0023) with their
families' departments and month, in batches the same way.
Searches find less until it has finished.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from xinfang.cases.models import SearchEntry
from xinfang.cases.search import VERSION, clear_index, index_petitions, tag_petitions
from xinfang.petitions.models import Petition


class Command(BaseCommand):
    help = gettext("重建全文检索索引：默认只补建缺少或版本过旧的条目，可中断后重新运行继续。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help=gettext("先清空索引再全部重建（中断后不带 --all 重新运行即可继续）"),
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help=gettext("每批条数（默认 1000）")
        )

    def _in_batches(
        self,
        rows: QuerySet[Any],
        size: int,
        work: Callable[[list[int]], int],
        progress: str,
    ) -> int:
        """`work` over the ids of `rows` (ordered by id), `size` at a time, each batch one
        transaction, the progress written after each; the sum of what `work` returned."""
        last = 0
        done = 0
        while True:
            ids = list(rows.filter(pk__gt=last).values_list("pk", flat=True)[:size])
            if not ids:
                return done
            with transaction.atomic():
                done += work(ids)
            last = ids[-1]
            self.stdout.write(progress % {"done": done, "last": last})

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        if size < 1:
            raise CommandError(gettext("每批条数必须是正整数。"))
        if options["all"]:
            with transaction.atomic():
                clear_index()
            self.stdout.write(gettext("已清空检索索引，开始全部重建。"))
        started = time.monotonic()
        petitions = Petition.objects.order_by("pk").exclude(search_entry__version=VERSION)
        done = self._in_batches(
            petitions, size, index_petitions, gettext("已索引 %(done)s 条，至编号 %(last)s")
        )
        # Entries written before the department tags (migration 0018) or before their
        # family's newest month (0023): tagged from their families; the tagged search and the
        # slices wait for the last of them (cases/search.py).
        tagged = self._in_batches(
            SearchEntry.objects.filter(Q(tagged=False) | Q(newest__isnull=True)).order_by("pk"),
            size,
            tag_petitions,
            gettext("已标注部门 %(done)s 条，至编号 %(last)s"),
        )
        seconds = time.monotonic() - started
        self.stdout.write(
            gettext("完成：共索引 %(done)s 条，标注部门 %(tagged)s 条，用时 %(seconds)s 秒。")
            % {"done": done, "tagged": tagged, "seconds": format(seconds, ".1f")}
        )
