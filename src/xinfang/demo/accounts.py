"""The demo accounts printed by `xinfang demo` and their password."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "demo12345"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    department: str
    note: str


# The accounts printed by `xinfang demo`; every other staff member has the same password.
DEMO_ACCOUNTS = (
    DemoAccount("dengji", "登记员", "望江市委组织部", "登记来信来访、接谈"),
    DemoAccount("chengban", "承办人", "望江市委组织部", "调查办理、提交结案"),
    DemoAccount(
        "lingdao", "部领导", "望江市委组织部", "分管信访工作的副部长：阅批、交办、审批结案"
    ),
    DemoAccount("dudao", "上级督导", "清江省委组织部", "查看下级组织部门的案件"),
    DemoAccount("admin", "系统管理员", "清江省委组织部", "Django 超级用户"),
)
