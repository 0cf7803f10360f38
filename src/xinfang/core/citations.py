"""The grounds of each rule as a user reads them: document, section and a short quote.

Rule IDs (R-ROUTE-3 ...) are for engineers (docs/rules.md); a page never shows one. Every
refusal the services raise names its rule ID in parentheses ("…（R-ROUTE-3）。"), and
`on_screen` turns those into the notice's words: 组通字〔1987〕33号《纪要》, the part and
item of it, and the sentence the rule rests on. The 1987 notice has two numbered lists: the
meeting's four kinds of matter ("会议强调" part, items (一) to (四)) and the four working
measures (items (一) to (四) of the body); `Citation.section` says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NOTICE = "组通字〔1987〕33号《纪要》"


@dataclass(frozen=True)
class Citation:
    document: str
    section: str
    quote: str

    def __str__(self) -> str:
        quote = f"：“{self.quote}”" if self.quote else ""
        return f"{self.document}{self.section}{quote}"


def _notice(section: str, quote: str) -> Citation:
    return Citation(NOTICE, section, quote)


_KINDS = "“会议强调”部分第{}项"  # the four kinds of matter
_BODY = "第{}条"  # the four working measures

CITATIONS: dict[str, Citation] = {
    "R-INTAKE-1": _notice(
        _BODY.format("（三）"), "建立和健全信访工作网络以及登记、接谈、阅看、办理、结案、归档等制度"
    ),
    "R-INTAKE-2": _notice(
        _BODY.format("（三）"),
        "登记、接谈、阅看、办理、结案、归档等制度",
    ),
    "R-INTAKE-3": _notice(
        _BODY.format("（二）"),
        "对于集体上访或有集体上访苗头的，要及时掌握动向",
    ),
    "R-INTAKE-4": _notice(
        _KINDS.format("（二）"),
        "对于匿名信件……区别对待，正确处理",
    ),
    "R-INTAKE-5": _notice(
        _BODY.format("（二）"),
        "切实好初信初访",
    ),
    "R-INTAKE-6": _notice(
        _BODY.format("（二）"),
        "上级遣送或介绍回去的上访老户",
    ),
    "R-CAT-1": _notice(
        _KINDS.format("（一）"),
        "及时处理与组织部门工作任务有关的来信来访",
    ),
    "R-CAT-2": _notice(
        _KINDS.format("（二）"), "严肃查处反映领导干部和组织、干部工作中不正之风问题的来信来访"
    ),
    "R-CAT-3": _notice(
        _KINDS.format("（三）"),
        "妥善解决要求落实干部政策、知识分子政策以及其它方面历史遗留问题的来信来访",
    ),
    "R-CAT-4": _notice(
        _KINDS.format("（四）"),
        "不能迁就，不要在政策上开新的口子",
    ),
    "R-CAT-5": _notice(
        _BODY.format("（二）"), "对不属于组织部门业务范围的来信来访，要及时转请其它有关部门办理"
    ),
    "R-ROUTE-1": _notice(
        _BODY.format("（二）"), "该哪一级组织部门处理的问题，那一级组织部门就要负责办好"
    ),
    "R-ROUTE-2": _notice(
        _KINDS.format("（二）"), "按照干部管理权限，对反映本级党委管理的干部的问题要认真调查处理"
    ),
    "R-ROUTE-3": _notice(
        _KINDS.format("（二）"), "不要把反映主要领导干部问题的来信转给同级组织部门查处"
    ),
    "R-ROUTE-4": _notice(
        _KINDS.format("（二）"), "属于反映组织、干部工作中的重要问题，上一级组织部门应当过问"
    ),
    "R-ROUTE-5": _notice(
        _BODY.format("（二）"),
        "地级以上党委组织部都要直接查办一些重点案件",
    ),
    "R-ROUTE-6": _notice(
        _BODY.format("（二）"), "要及时转请其它有关部门办理，同时用适当方式给来信来访人解释明白"
    ),
    "R-ROUTE-7": _notice(
        _BODY.format("（三）"),
        "自办为主，多办少转",
    ),
    "R-CLOSE-1": _notice(
        _BODY.format("（二）"), "对于上级要报结果的案件，应随办随报，一般应在三个月之内报结"
    ),
    "R-CLOSE-2": _notice(
        _BODY.format("（二）"),
        "因特殊情况逾期不能结案的，应及时说明",
    ),
    "R-CLOSE-3": _notice(
        _BODY.format("（二）"),
        "结案材料一定要事实清楚，处理恰当，手续完备",
    ),
    "R-CLOSE-4": _notice(
        _BODY.format("（二）"),
        "属于申诉或要求解决个人问题的结案材料，都要写明本人对处理的意见，结论要和本人见面",
    ),
    "R-CLOSE-5": _notice(
        _BODY.format("（二）"), "署名的揭发信件，查处结果，一般要向来信人说明查处情况"
    ),
    "R-CLOSE-6": _notice(
        _BODY.format("（二）"),
        "向上级转报结案材料的单位，要有明确的审查意见",
    ),
    "R-CLOSE-7": _notice(
        _BODY.format("（三）"),
        "登记、接谈、阅看、办理、结案、归档等制度",
    ),
    "R-REPEAT-1": _notice(
        _BODY.format("（二）"), "对信访老户进行一次认真清理，逐个分析长期不能结案的原因"
    ),
    "R-REPEAT-2": _notice(
        _BODY.format("（二）"),
        "确定办案人员、办案时间，一包到底，予以了结",
    ),
    "R-REPEAT-3": _notice(
        _BODY.format("（二）"), "问题已经解决，本人坚持过高要求或无理纠缠的……上下口径一致"
    ),
    "R-REPEAT-4": _notice(
        _BODY.format("（三）"), "提出自办案件率、重信重访率、年终结案率的责任目标"
    ),
    "R-REPEAT-5": _notice(
        _BODY.format("（二）"),
        "对于集体上访或有集体上访苗头的，要及时掌握动向",
    ),
    "R-COUNTY-1": _notice(
        _BODY.format("（三）"), "约有百分之八十来自县以下单位，大多数需要县级组织部门调查处理"
    ),
    "R-COUNTY-2": _notice(
        _BODY.format("（三）"), "提出自办案件率、重信重访率、年终结案率的责任目标"
    ),
    "R-COUNTY-3": _notice(
        _BODY.format("（三）"), "部领导同志要亲自阅批来信，接待来访，经常过问、处理重要信访案件"
    ),
    "R-COUNTY-4": _notice(
        _BODY.format("（三）"),
        "主动下访、及时回访、登门拜访",
    ),
    "R-COUNTY-5": _notice(
        _BODY.format("（三）"), "机关和企业事业单位的组织、干部部门，也要按照上述要求"
    ),
    "R-SUPER-1": _notice(
        _BODY.format("（三）"), "上级组织部门……要加强对县级组织部门信访工作的检查、指导"
    ),
    "R-SUPER-2": _notice(
        _BODY.format("（三）"),
        "对于转到县里去的重要信访案件，要掌握办理的情况",
    ),
    "R-INFO-1": _notice(
        _BODY.format("（四）"),
        "注意综合分析通过信访渠道反映出的组织、干部工作中带苗头性、倾向性的问题",
    ),
    "R-INFO-2": _notice(
        _BODY.format("（四）"), "上下要及时互通情况，统一认识，促进案件尽快妥善解决"
    ),
    "R-STAFF-1": _notice(
        _BODY.format("（一）"),
        "各级组织部门要确定领导同志分管信访工作",
    ),
    # Not written in the notice: the system's own protections (docs/security.md).
    "R-PROTECT-1": Citation(
        "本系统", "信访人身份保护规定", "检举人身份不向被反映人及其所在单位透露，查看留痕"
    ),
    "R-PROTECT-2": Citation(
        "本系统",
        "办理记录规定",
        "办理记录只增不改，改动可被发现",
    ),
}

_RULE = re.compile(r"R-[A-Z]+-\d+")
# "（R-ROUTE-3）", "(R-CLOSE-3, R-CLOSE-4)", "（R-INTAKE-5、R-REPEAT-4）"
_GROUP = re.compile(r"[（(]\s*(R-[A-Z]+-\d+(?:\s*[,，、]\s*R-[A-Z]+-\d+)*)\s*[）)]")


def cite(rule_id: str) -> Citation:
    """The grounds of `rule_id`; KeyError for an ID no rule has (a typo in code)."""
    return CITATIONS[rule_id]


def grounds(rule_ids: tuple[str, ...] | list[str]) -> str:
    """The grounds of several rules as one Chinese phrase, each document part once."""
    parts: list[str] = []
    for rule_id in rule_ids:
        text = str(cite(rule_id))
        if text not in parts:
            parts.append(text)
    return "；".join(parts)


def on_screen(text: str) -> str:
    """`text` with every parenthesised rule ID replaced by its grounds in Chinese, so no
    rule ID reaches a page: "…办理（R-ROUTE-3）。" becomes
    "…办理（依据：组通字〔1987〕33号《纪要》“会议强调”部分第（二）项：“…”）。"."""

    def replace(match: re.Match[str]) -> str:
        return f"（依据：{grounds(_RULE.findall(match.group(1)))}）"

    return _GROUP.sub(replace, text)
