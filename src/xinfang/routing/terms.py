"""The words the routing rules decide with: what kind of matter, what the petitioner does,
how an anonymous letter is treated, and the handling modes.

They live here, below petitions and cases, because the pure routing rules (proposal.py)
reason in them and may import nothing above routing; petitions and cases use them for their
fields' choices.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """R-CAT-1 to R-CAT-5: the notice's four kinds of matter, and matters outside the remit."""

    ORGANIZATION_WORK = "organization_work", _("党的建设、领导班子和组织干部制度")
    MISCONDUCT = "misconduct", _("领导干部和组织干部工作中的不正之风")
    POLICY_HISTORY = "policy_history", _("落实政策和历史遗留问题")
    PERSONAL_REQUEST = "personal_request", _("入党和参加工作时间、离退休、职级待遇")
    OUTSIDE_REMIT = "outside_remit", _("不属于组织部门业务范围")


class Nature(models.TextChoices):
    """What the petitioner does: decides which closure records are required (R-CLOSE-4/5)."""

    ACCUSATION = "accusation", _("检举揭发")
    APPEAL = "appeal", _("申诉")
    REQUEST = "request", _("要求解决个人问题")
    SUGGESTION = "suggestion", _("意见建议")
    OTHER = "other", _("其他")


class AnonymousTreatment(models.TextChoices):
    """R-INTAKE-4: 区别对待 — investigate specific, verifiable facts; otherwise keep."""

    INVESTIGATE = "investigate", _("反映问题具体、可查，予以调查")
    KEEP = "keep", _("内容笼统、无从查证，存查备考")


class HandlingMode(models.TextChoices):
    """R-ROUTE-7: the five handling modes; handling here is the default suggestion."""

    SELF = "self", _("自办")
    TRANSFER = "transfer", _("转办")
    ASSIGN = "assign", _("交办")
    REFER = "refer", _("转其他部门")
    FILE = "file", _("存查")
