"""An integer column as `column + 0`, which no index serves (docs/scale.md).

SQLite plans without statistics: given an indexed condition on a department, a sender or a
cadre beside a short list of ids or a date range, it may start from the index of the first
and read every row of that department (or that cadre) of all years. Written as `+ 0`, the
condition is tested on each row the other index finds instead. PostgreSQL, which plans by
statistics, reads the same statement as it would have anyway.
"""

from __future__ import annotations

from django.db.models import ExpressionWrapper, F, IntegerField, Value
from django.db.models.expressions import CombinedExpression


def unindexed(column: str) -> ExpressionWrapper[CombinedExpression]:
    """`column` (a path Django resolves, e.g. "petition__case__department_id") plus 0."""
    return ExpressionWrapper(F(column) + Value(0), output_field=IntegerField())
