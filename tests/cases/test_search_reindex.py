"""`xinfang search_reindex` (cases/management/commands/search_reindex.py): it fills what is
missing or stale, resumes where it stopped, and `--all` rebuilds from nothing."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection

from tests.builders import register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import SearchEntry
from xinfang.cases.search import search_cases
from xinfang.petitions.models import Petition


def _run(*args: str) -> str:
    out = StringIO()
    call_command("search_reindex", *args, stdout=out)
    return out.getvalue()


def test_reindex_fills_missing_and_stale_entries_in_batches(tree: Tree) -> None:
    cases = [register(tree.county_staff, summary=f"反映工资问题{i}") for i in range(3)]
    petitions = list(Petition.objects.order_by("pk").values_list("pk", flat=True))
    # One entry lost (as after an interrupted rebuild), one of an older preparation.
    SearchEntry.objects.filter(pk=petitions[0]).delete()
    SearchEntry.objects.filter(pk=petitions[1]).update(version=0)
    out = _run("--batch-size", "1")
    assert f"已索引 1 条，至编号 {petitions[0]}" in out
    assert f"已索引 2 条，至编号 {petitions[1]}" in out
    assert "完成：共索引 2 条" in out
    assert search_cases(tree.county_staff, "工资").total == 3
    assert "完成：共索引 0 条" in _run()  # nothing left to do
    assert {c.pk for c in search_cases(tree.county_staff, "工资").cases} == {c.pk for c in cases}


def test_reindex_all_rebuilds_from_nothing(tree: Tree) -> None:
    register(tree.county_staff, summary="反映工资问题")
    out = _run("--all")
    assert "已清空检索索引，开始全部重建。" in out and "完成：共索引 1 条" in out
    assert search_cases(tree.county_staff, "工资").total == 1


def test_reindex_refuses_a_bad_batch_size(tree: Tree) -> None:
    with pytest.raises(CommandError, match="每批条数必须是正整数。"):
        _run("--batch-size", "0")


class _Editor:
    """What the data migration uses of a schema editor: the connection and execute()."""

    connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_to_tokens_with_parts_empties_the_index_until_reindexed(
    tree: Tree,
) -> None:
    """cases/0012_query_search_parts: entries of the first preparation (tokens without their
    part) would answer nothing, so the migration removes them and the documented
    `xinfang search_reindex` brings the search back."""
    register(tree.county_staff, summary="反映工资问题")
    migration = importlib.import_module("xinfang.cases.migrations.0012_query_search_parts")
    migration.empty_index(django_apps, _Editor())
    assert SearchEntry.objects.count() == 0
    assert search_cases(tree.county_staff, "工资").total == 0
    assert "完成：共索引 1 条" in _run()
    assert search_cases(tree.county_staff, "工资").total == 1


def test_the_migration_to_family_roots_fills_every_entry(tree: Tree) -> None:
    """cases/0021_search_entry_family: the entries written before it get their family root
    (the first case of the family: the case itself, or the case it was sent down from),
    which the search then reads its hits' families from."""
    first = register(tree.city_staff, summary="反映工资问题")
    child = cs.case_assign_down(
        routing_note="按实际情况分办",
        actor=tree.city_staff,
        case=to_read(first, tree.city_staff),
        to_department=tree.county_org,
    ).child
    second = register(tree.city_staff, summary="反映工资拖欠")
    # A letter held by the case sent down (as a repeat registered on it would be): its
    # family is the case it was sent down from.
    held = register(tree.county_staff, summary="再次反映工资")
    Petition.objects.filter(case=held).update(case=child)
    SearchEntry.objects.update(family=None)
    migration = importlib.import_module("xinfang.cases.migrations.0021_search_entry_family")
    migration.fill_families(django_apps, _Editor())
    families = sorted(SearchEntry.objects.values_list("family", flat=True))
    assert families == sorted([first.pk, second.pk, first.pk])
    assert {c.pk for c in search_cases(tree.city_staff, "工资").cases} == {
        first.pk,
        child.pk,
        second.pk,
    }
