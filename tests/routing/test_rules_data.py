"""Referral rules as data (R-ROUTE-6): seeded defaults, editing, the Chinese description,
the admin page, and the adapter's query budget."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.orgtree import Tree
from tests.routing.conftest import MakeCase
from xinfang.cases.models import Case
from xinfang.cases.routing import facts_for_case
from xinfang.orgs.models import User
from xinfang.routing.models import ReferralRule
from xinfang.routing.proposal import propose_routing
from xinfang.routing.selectors import PRINCIPLES, describe_rules
from xinfang.routing.terms import Category, HandlingMode

pytestmark = pytest.mark.django_db


def test_r_route_6_defaults_are_seeded() -> None:
    """R-ROUTE-6: the data migrations seed the five default rules, fallback last; the first
    (issue 11 item 4) applies to accusations whatever the category."""
    rules = list(ReferralRule.objects.all())
    assert [r.department_kind for r in rules] == [
        "discipline",
        "discipline",
        "court",
        "human_resources",
        "petition_bureau",
    ]
    assert rules[-1].keyword_list == ()
    assert rules[0].keyword_list[:3] == ("受贿", "贪污", "挪用")
    assert (rules[0].nature, rules[0].any_category) == ("accusation", True)
    assert [(r.nature, r.any_category) for r in rules[1:]] == [("any", False)] * 4
    assert "受贿" in rules[1].keyword_list


def test_keywords_accept_chinese_and_ascii_separators() -> None:
    rule = ReferralRule(keywords="工资、社保，工伤, 仲裁  辞退;招聘")
    assert rule.keyword_list == ("工资", "社保", "工伤", "仲裁", "辞退", "招聘")


def test_describe_rules_in_chinese() -> None:
    """R-ROUTE-6: administrators read the rules as sentences; the principles cite their
    grounds in Chinese, never a rule ID."""
    ReferralRule.objects.filter(department_kind="court").update(is_active=False)
    sentences = describe_rules()
    assert len(sentences) == 5 + len(PRINCIPLES)
    assert sentences[0].startswith(
        "检举揭发的内容涉及“受贿、贪污、挪用、索贿、行贿、侵吞、私分国有资产”等的，"
        "不论登记的问题类别，登记时建议按“检举贪污受贿等职务违法犯罪问题”转纪委监委办理"
    )
    assert sentences[1].startswith("不属于组织部门业务范围的来信来访，内容涉及“贪污、受贿")
    assert "转纪委监委办理" in sentences[1]
    assert not [s for s in sentences if "R-" in s]
    assert "（匹配顺序" in sentences[0]
    assert sentences[2].endswith("（已停用）")
    assert "其他规则都不适用" in sentences[4]
    # R-ROUTE-3's grounds, where the principle of main leaders cited its ID.
    assert any("不要把反映主要领导干部问题的来信转给同级组织部门查处" in s for s in sentences[5:])


def test_r_route_6_edited_rule_changes_the_proposal(tree: Tree, make_case: MakeCase) -> None:
    """R-ROUTE-6: the data carries the local details: an office that sends wage matters to
    the petition bureau edits one row, and the proposal follows."""
    case = make_case(
        receiving=tree.county_org, category=Category.OUTSIDE_REMIT, title="反映企业拖欠工资"
    )
    assert propose_routing(facts_for_case(case)).department_name == "河口县人社局"

    ReferralRule.objects.filter(department_kind="human_resources").update(
        department_kind="petition_bureau"
    )
    p = propose_routing(facts_for_case(case))
    assert p.mode == HandlingMode.REFER and p.department_name == "东川省信访局"

    ReferralRule.objects.filter(department_kind="petition_bureau", keywords="").update(
        is_active=False
    )
    ReferralRule.objects.filter(topic="劳动和社会保障问题").update(is_active=False)
    p = propose_routing(facts_for_case(case))
    # No active rule matches and no fallback row: the code's own fallback, the petition bureau.
    assert p.department_name == "东川省信访局"


def test_facts_for_case_query_budget(
    tree: Tree, make_case: MakeCase, django_assert_num_queries: object
) -> None:
    """The adapter makes at most seven queries however many petitions and respondents a case
    has: six when the case is not outside the remit (no referral rules needed), five when the
    case comes with its department and jurisdiction loaded (as the deciding service does)."""
    case = make_case(
        receiving=tree.prov_org,
        respondents=[tree.county_secretary, tree.township_secretary, tree.county_bureau_chief],
    )
    bare = type(case).objects.get(pk=case.pk)
    with django_assert_num_queries(6):  # type: ignore[operator]
        facts = facts_for_case(bare)
    assert len(facts.respondents) == 3
    loaded = type(case).objects.select_related("department__jurisdiction").get(pk=case.pk)
    with django_assert_num_queries(5):  # type: ignore[operator]
        facts_for_case(loaded)
    loaded.category = "outside_remit"
    with django_assert_num_queries(6):  # type: ignore[operator]
        facts_for_case(loaded)


def test_facts_for_case_collects_repeat_petitions(tree: Tree, make_case: MakeCase) -> None:
    """R-INTAKE-4: a case is anonymous only if none of its petitions is signed."""
    case = make_case(
        receiving=tree.county_org,
        respondents=[tree.county_bureau_chief],
        is_anonymous=True,
        anonymous_treatment="keep",
    )
    assert facts_for_case(case).anonymous_treatment == "keep"
    first = case.petitions.get()
    first.pk = None
    first.is_anonymous = False
    first.anonymous_treatment = ""
    first.save()
    facts = facts_for_case(case)
    assert not facts.is_anonymous
    assert propose_routing(facts).mode == HandlingMode.SELF


def test_admin_shows_rules_in_chinese(tree: Tree) -> None:
    """The admin change list opens with the current rules in Chinese (R-ROUTE-6)."""
    admin = User.objects.create_superuser("admin", password="x")
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/routing/referralrule/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "现行分办规则" in body
    assert "转其他部门规则" in body
    assert "按“违纪违法问题”转纪委监委办理" in body
    add = client.get("/admin/routing/referralrule/add/")
    assert "向信访人解释要点" in add.content.decode()
    # Issue 11 item 4: the keyword rule's nature and whether it applies whatever the category.
    assert "适用的信访性质" in add.content.decode() and "仅检举揭发" in add.content.decode()
    assert "不论问题类别" in add.content.decode()


def test_child_case_sent_down_is_handled_there(tree: Tree, make_case: MakeCase) -> None:
    """R-ROUTE-2 / R-ROUTE-7: once the prefecture assigns a township secretary's case to the
    county, the county's own proposal for the child case is to handle it, from the family's
    petitions."""
    parent = make_case(receiving=tree.city_org, respondents=[tree.township_secretary])
    assert propose_routing(facts_for_case(parent)).mode == HandlingMode.ASSIGN
    child = Case.objects.create(
        number=f"{parent.number}-1",
        department=tree.county_org,
        root=parent,
        parent=parent,
        title=parent.title,
        category=parent.category,
        nature=parent.nature,
        registered_at=parent.registered_at,
    )
    p = propose_routing(facts_for_case(child))
    assert p.mode == HandlingMode.SELF and p.department_name == "河口县委组织部"
    assert {"R-ROUTE-2", "R-ROUTE-4", "R-ROUTE-7"} == set(p.rules)
