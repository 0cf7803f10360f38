"""Transactional tests see the migrations' rows whatever ran before them in the worker."""

from __future__ import annotations

import pytest

from tests.conftest import reseed_migration_data
from xinfang.cases.models import CaseLedgerHead
from xinfang.deadlines.models import RuleSet
from xinfang.routing.models import ReferralRule

# What the migrations seed (the 1987 and 2022 rule sets; the referral rules of R-ROUTE-7).
RULE_SETS = {"1987", "2022"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", [1, 2, 3])
def test_each_transactional_test_starts_with_the_seeded_rows(run: int) -> None:
    # Three runs: whichever of them comes after another in this worker, it follows a flush.
    assert set(RuleSet.objects.values_list("code", flat=True)) == RULE_SETS
    assert ReferralRule.objects.exists()
    assert CaseLedgerHead.objects.filter(pk=1).exists()


@pytest.mark.django_db(transaction=True)
def test_reseed_restores_what_a_flush_removed() -> None:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert not RuleSet.objects.exists()
    reseed_migration_data()
    assert set(RuleSet.objects.values_list("code", flat=True)) == RULE_SETS
    assert ReferralRule.objects.exists()
