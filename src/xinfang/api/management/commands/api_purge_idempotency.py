"""`xinfang api_purge_idempotency`: delete the API's idempotency records older than
`XINFANG_API_IDEMPOTENCY_HOURS` (docs/api.md, "Idempotency"). Run it from cron, e.g. daily;
each keyed write also deletes its caller's own expired records."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from xinfang.api.idempotency import purge_expired


class Command(BaseCommand):
    help = "删除数据接口中超过保留时间的幂等记录。"

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_expired()
        hours = settings.XINFANG_API_IDEMPOTENCY_HOURS
        self.stdout.write(f"已删除 {deleted} 条超过 {hours} 小时的幂等记录。")
