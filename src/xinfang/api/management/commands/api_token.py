"""`xinfang api_token create|revoke|list`: an administrator gives a staff member a personal
API token for a machine client, lists tokens, or revokes one (docs/api.md, "Tokens").

The token is printed once, by `create`; only its SHA-256 is stored.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xinfang.api.models import ApiToken
from xinfang.api.tokens import DEFAULT_DAYS, MAX_DAYS, token_create, token_revoke, tokens_of
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User


class Command(BaseCommand):
    help = "发放、列出或吊销数据接口的个人令牌。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为一名工作人员发放令牌（令牌只显示这一次）")
        create.add_argument("username", help="工作人员的登录名")
        create.add_argument("--name", required=True, help="用途，如“档案系统同步”")
        create.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"有效天数（1-{MAX_DAYS}，默认{DEFAULT_DAYS}）",
        )
        listing = sub.add_parser("list", help="列出令牌（不显示令牌本身）")
        listing.add_argument("username", nargs="?", help="只列出这名工作人员的令牌")
        revoke = sub.add_parser("revoke", help="吊销令牌")
        revoke.add_argument("token_id", type=int, help="令牌编号（见 list）")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有登录名为“{username}”的工作人员。")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = self._user(options["username"])
            try:
                new = token_create(user=user, name=options["name"], days=options["days"])
            except RuleViolation as exc:
                raise CommandError(str(exc)) from None
            expires = timezone.localtime(new.token.expires_at)
            self.stdout.write(f"令牌编号 {new.token.pk}，{expires:%Y-%m-%d %H:%M} 到期。")
            self.stdout.write("令牌只显示这一次，请立即交给使用者妥善保存：")
            self.stdout.write(new.secret)
        elif action == "list":
            owner = self._user(options["username"]) if options.get("username") else None
            now = timezone.now()
            for t in tokens_of(owner):
                if t.revoked_at is not None:
                    status = "已吊销"
                elif t.expires_at <= now:
                    status = "已过期"
                else:
                    status = "有效"
                used = (
                    f"{timezone.localtime(t.last_used_at):%Y-%m-%d %H:%M}"
                    if t.last_used_at
                    else "未使用"
                )
                self.stdout.write(
                    f"{t.pk}\t{t.user.username}\t{t.name}\t{t.prefix}…\t{status}\t"
                    f"{timezone.localtime(t.expires_at):%Y-%m-%d}到期\t最近使用：{used}"
                )
        else:
            token = ApiToken.objects.filter(pk=options["token_id"]).first()
            if token is None:
                raise CommandError(f"没有编号为 {options['token_id']} 的令牌。")
            token_revoke(token=token)
            self.stdout.write(f"令牌 {token.pk}（{token.name}）已吊销。")
