"""Generated import files, for measuring the import at any size (docs/imports.md):
`xinfang import sample messages|registers FILE --rows N`. Deterministic from a seed; every
name, place, account and ID number is made up. Messages follow the columns of an online
board; registers the documented register columns, with a few rows the form refuses."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from xinfang.core.idnumber import check_digit
from xinfang.petitions.imports import MESSAGE_COLUMNS, REGISTER_COLUMNS

PLACES = ["东城区", "西城区", "南湖区", "北山县", "清水镇", "白石乡", "新华街道", "长安社区"]
TOPICS = [
    ("物业公司多收停车费", "小区物业公司擅自提高停车费，业主多次协商无果"),
    ("拖欠农民工工资", "施工单位拖欠工资已有半年，工人多次讨要未果"),
    ("学校乱收费", "学校以资料费名义向学生收取费用，家长意见很大"),
    ("道路长期失修", "道路坑洼不平，雨天积水严重，居民出行困难"),
    ("噪音扰民", "附近工地夜间施工，噪音严重影响居民休息"),
    ("干部作风问题", "有关干部办事拖拉，群众反映问题长期得不到答复"),
    ("退休待遇未落实", "本人退休后职级待遇一直没有按政策落实"),
    ("违规提拔干部", "有关单位提拔干部不按程序，群众议论较多"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建华国强秀英海燕志明丽娟红梅永刚春生玉兰德胜"


def _text(rng: random.Random, place: str, topic: tuple[str, str]) -> str:
    parts = [
        f"我是{place}的居民，",
        topic[1] + "。",
        rng.choice(
            ["希望有关部门尽快调查处理。", "请领导重视，给群众一个答复。", "恳请依法依规处理。"]
        ),
        rng.choice(["", "此前已向有关单位反映过，至今没有结果。", "相关情况可以到现场核实。"]),
    ]
    return "".join(parts)


def sample_messages(rows: int, *, seed: int = 1) -> Iterator[list[str]]:
    """Messages from about rows/3 accounts (people write again), over the first half of 2019."""
    rng = random.Random(seed)
    start = dt.datetime(2019, 1, 1)
    accounts = max(1, rows // 3)
    for n in range(1, rows + 1):
        place, topic = rng.choice(PLACES), rng.choice(TOPICS)
        posted = start + dt.timedelta(seconds=rng.randrange(181 * 86400))
        yield [
            f"S{n:07d}",
            f"A{rng.randrange(accounts):08d}",
            f"{place}{topic[0]}",
            posted.strftime("%Y-%m-%d %H:%M:%S"),
            _text(rng, place, topic),
        ]


def _id_number(rng: random.Random) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
    first = f"110101{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first + check_digit(first)


def _wrong(id_number: str) -> str:
    """The same number with a wrong check character: a typing slip the form refuses."""
    return id_number[:17] + ("1" if id_number[17] == "0" else "0")


def sample_registers(rows: int, *, seed: int = 1, receiver: str = "") -> Iterator[list[str]]:
    """Register lines: letters, calls and online messages, visits with their interview when
    `receiver` (a staff name of the importing department) is given, some anonymous letters,
    and about one row in fifty the form refuses (an impossible ID number)."""
    rng = random.Random(seed)
    people = [
        (rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), _id_number(rng))
        for _ in range(max(1, rows // 2))
    ]
    start = dt.date(2010, 1, 1)
    for n in range(1, rows + 1):
        place, topic = rng.choice(PLACES), rng.choice(TOPICS)
        name, id_number = rng.choice(people)
        channel = rng.choice(["来信", "来信", "来电", "网上信访"] + (["来访"] if receiver else []))
        received = start + dt.timedelta(days=rng.randrange(15 * 365))
        anonymous = channel == "来信" and rng.random() < 0.1
        row = {
            "external_id": f"R{n:07d}",
            "channel": channel,
            "received_on": received.isoformat(),
            "name": "" if anonymous else name,
            "id_number": ""
            if anonymous
            else (id_number if rng.random() < 0.98 else _wrong(id_number)),
            "phone": "" if anonymous else f"139{rng.randrange(10**8):08d}",
            "address": place,
            "is_anonymous": "是" if anonymous else "否",
            "anonymous_treatment": "存查备考" if anonymous else "",
            "anonymous_reason": "内容笼统，无从查证" if anonymous else "",
            "summary": f"{place}{topic[0]}",
            "content": _text(rng, place, topic),
            "category": rng.choice(
                [
                    "领导干部和组织干部工作中的不正之风",
                    "不属于组织部门业务范围",
                    "落实政策和历史遗留问题",
                ]
            ),
            "nature": rng.choice(["检举揭发", "申诉", "意见建议", "其他"]),
        }
        if channel == "来访":
            row.update(
                receivers=receiver,
                interviewed_at=f"{received.isoformat()} 09:30",
                statement=topic[1],
                requests="请求调查处理",
                answer="登记在案，按程序办理",
            )
        yield [row.get(c.key, "") for c in REGISTER_COLUMNS]


def write_sample(kind: str, path: Path, rows: int, *, seed: int = 1, receiver: str = "") -> int:
    columns = MESSAGE_COLUMNS if kind == "messages" else REGISTER_COLUMNS
    lines = (
        sample_messages(rows, seed=seed)
        if kind == "messages"
        else sample_registers(rows, seed=seed, receiver=receiver)
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.label for c in columns])
        writer.writerows(lines)
    return rows
