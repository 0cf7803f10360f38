"""Inserting many rows of one model in few statements, for the batch import.

Django's `bulk_create` compiles every value through the query compiler; on the import's
rows that cost three quarters of the run (measured, docs/imports.md). `insert_rows` writes
the same values, prepared by the same model fields, as multi-row INSERT statements, and
sets the new ids from RETURNING in order, as `bulk_create` does on SQLite 3.35+ and
PostgreSQL. Values are what the fields store: plain text, numbers and booleans as they are,
every other field (dates and times, JSON, decimals) through its `get_db_prep_save`.

The rows may be model instances or `Row`s: a row's values by column attribute name, with
the defaults `Model.__init__` would fill, built without it (`new_row`). Building the case,
petition, petitioner and event instances of a batch cost the import about a tenth of its
time (docs/imports.md, "Measured").
"""

from __future__ import annotations

import contextlib
import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

T = TypeVar("T")

# The values one `__in` list carries: SQLite allows 999 parameters in a statement (the
# limit builds before 3.32 keep, and a deployment's SQLite may be one of them).
IN_CHUNK = 500


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """`items` in slices of `size` (the last shorter), for `__in` look-ups and batches."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Fields whose value goes to the database as it is (None, str, int or bool).
_PLAIN = {
    "CharField",
    "TextField",
    "BooleanField",
    "IntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "ForeignKey",
    "OneToOneField",
}


# Fields whose values are immutable objects often shared by a batch's rows.
_SHARED = {"DateTimeField", "DateField"}


# The types a plain column's value goes to the drivers as it is.
_EXACT = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> Any:
    # A choices enum is a str subclass: the drivers want the plain value.
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    return str(value)


def _converter(
    field: models.Field[Any, Any], connection: BaseDatabaseWrapper
) -> Callable[[Any], Any] | None:
    """How `insert_rows` prepares the field's value from a row; None for a value that goes
    as it is (plain text, numbers, booleans, ids)."""
    attname = field.attname
    auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if auto:
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    if field.get_internal_type() in _PLAIN and not field.is_relation:
        return None  # read as it is (`_plain` for a choices enum)
    if field.is_relation:
        target = field.target_field  # type: ignore[attr-defined]
        if target.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField"):
            return None  # an id or None
    if field.get_internal_type() in _SHARED:
        # A batch's rows share their time stamps (the registration time is one `now` for
        # the whole batch): each distinct value object is prepared once. By identity, with
        # the value kept, so a new object never meets an old one's prepared value.
        memo: dict[int, tuple[Any, Any]] = {}

        def shared(obj: Any) -> Any:
            value = getattr(obj, attname)
            known = memo.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            prepared = field.get_db_prep_save(value, connection)
            memo[id(value)] = (value, prepared)
            return prepared

        return shared
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)


class Row:
    """One row of `model` as plain values by column attribute name (`case_id`, not `case`)
    in its `__dict__`: read as attributes like a model instance's columns (`row.content`,
    `row.pk`), written by `insert_rows`, which sets its id. No relations, no methods."""

    __slots__ = ("__dict__", "model")

    def __init__(self, model: type[models.Model], values: dict[str, Any]) -> None:
        self.model = model
        self.__dict__ = values

    @property
    def pk(self) -> Any:
        return self.__dict__[self.model._meta.pk.attname]

    @pk.setter
    def pk(self, value: Any) -> None:
        self.__dict__[self.model._meta.pk.attname] = value

    if TYPE_CHECKING:  # the columns are attributes: typed as Any

        def __getattr__(self, name: str) -> Any: ...

        def __setattr__(self, name: str, value: Any) -> None: ...


@functools.cache
def _defaults(
    model: type[models.Model],
) -> tuple[frozenset[str], dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]:
    """The model's column attribute names, its constant defaults (`get_default`, as
    `Model.__init__` takes them), and its defaults called for every row."""
    names = []
    constant: dict[str, Any] = {}
    called = []
    for f in model._meta.concrete_fields:
        names.append(f.attname)
        if f.has_default() and callable(f.default):
            called.append((f.attname, f.default))
        else:
            constant[f.attname] = f.get_default()
    return frozenset(names), constant, tuple(called)


def new_row(model: type[models.Model], values: dict[str, Any]) -> Row:
    """A row of `model` with `values` (by column attribute name) and the fields' defaults
    for the others, as `model(**values)` would hold them; a name that is not a column of
    the model is refused (a misspelt field would be lost)."""
    names, constant, called = _defaults(model)
    if not values.keys() <= names:
        raise TypeError(f"{model.__name__}: {sorted(values.keys() - names)}")
    row = dict(constant)
    for name, make in called:
        if name not in values:
            row[name] = make()
    row.update(values)
    return Row(model, row)


def draw_ids(model: type[models.Model], count: int) -> list[int]:
    """PostgreSQL: `count` new ids of `model`'s table drawn from its sequence, ascending, for
    rows to be written later under them (`insert_rows(..., ids_drawn=True)`). SQLite gives
    ids only as it inserts, so it has none to draw."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        raise RuntimeError("draw_ids: only PostgreSQL draws ids before the rows exist")
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(meta.db_table), meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def insert_rows(
    objs: Sequence[models.Model | Row], *, returning: bool = True, ids_drawn: bool = False
) -> None:
    """INSERT `objs` (all of one model, model instances not yet saved or `Row`s, ids unset)
    and set their ids; with `ids_drawn`, the rows hold ids from `draw_ids` and are written
    under them."""
    if not objs:
        return
    first = objs[0]
    model = first.model if isinstance(first, Row) else type(first)
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key or ids_drawn]
    if ids_drawn:
        returning = False
        if any(obj.pk is None for obj in objs):
            raise ValueError(f"{meta.label}: a row without its drawn id")
    convert = [_converter(f, connection) for f in fields]
    # The plain columns read in one call; the others prepared by their converters.
    plain = [i for i, c in enumerate(convert) if c is None]
    get = operator.attrgetter(*[fields[i].attname for i in plain]) if plain else None
    special = [(i, c) for i, c in enumerate(convert) if c is not None]
    width = len(fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = "INSERT INTO {} ({}) VALUES ".format(
        qn(meta.db_table), ", ".join(qn(f.column) for f in fields)
    )
    tail = f" RETURNING {qn(meta.pk.column)}" if returning else ""

    def lines(chunk: Sequence[models.Model | Row]) -> Iterator[list[Any]]:
        for obj in chunk:
            line: list[Any] = [None] * width
            if get is not None:
                got = get(obj)
                if len(plain) == 1:
                    got = (got,)
                for i, value in zip(plain, got, strict=True):
                    line[i] = value if type(value) in _EXACT else _plain(value)
            for i, c in special:
                line[i] = c(obj)
            yield line

    if connection.vendor == "postgresql" and len(objs) >= COPY_FROM:
        count = len(objs) if returning else 0
        ids = _copy(connection, meta, [f.column for f in fields], lines(objs), count)
        if returning:
            for obj, pk in zip(objs, ids, strict=True):
                obj.pk = pk
    else:
        # SQLite 3.32+ accepts 32766 parameters a statement, PostgreSQL 65535.
        per = max(1, min(1000, 30000 // len(fields)))
        with connection.cursor() as cursor:
            for chunk in chunks(objs, per):
                params = [v for line in lines(chunk) for v in line]
                cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)
                if returning:
                    got_ids = [row[0] for row in cursor.fetchall()]
                    if len(got_ids) != len(chunk):
                        raise RuntimeError(
                            f"{meta.label}: {len(got_ids)} ids for {len(chunk)} rows"
                        )
                    for obj, pk in zip(chunk, got_ids, strict=True):
                        obj.pk = pk
    for obj in objs:
        if not isinstance(obj, Row):
            obj._state.adding = False
            obj._state.db = connection.alias


# On PostgreSQL, this many rows or more go by COPY instead of a multi-row INSERT: psycopg
# turns a statement's `%s` into `$n` with a regular expression and caches the result only
# for statements under 4 KB, so a batch's INSERT of a thousand rows was parsed anew each
# time: 45 % of the import's client CPU at 300,000 cases (docs/imports.md).
COPY_FROM = 20


def _copy(
    connection: BaseDatabaseWrapper,
    meta: Any,
    columns: list[str],
    lines: Iterable[Sequence[Any]],
    count: int,
) -> list[int]:
    """COPY `lines` into `meta`'s table; with `count`, the rows get `count` new ids drawn
    from the table's sequence first (ascending, in the rows' order, as the INSERT's
    RETURNING gave them), which are returned. Database errors (a unique key already taken
    by another import) come out as Django's, as from `cursor.execute`."""
    qn = connection.ops.quote_name
    ids: list[int] = []
    if count:
        ids = draw_ids(meta.model, count)
        columns = [meta.pk.column, *columns]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        head = f"COPY {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(head) as copy:
            if count:
                for pk, line in zip(ids, lines, strict=True):
                    copy.write_row([pk, *line])
            else:
                for line in lines:
                    copy.write_row(line)
    return ids


def insert_values(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT plain rows of `model` (values already as stored: ids, text, numbers, and
    datetimes prepared with `prepare_datetime`): for link and log rows no one reads back,
    where building a model instance each would cost more than the insert."""
    if not rows:
        return
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    by_name = {f.name: f for f in meta.concrete_fields}
    head = "INSERT INTO {} ({}) VALUES ".format(
        qn(meta.db_table), ", ".join(qn(by_name[c].column) for c in columns)
    )
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
        _copy(connection, meta, [by_name[c].column for c in columns], rows, 0)
        return
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per = max(1, min(1000, 30000 // len(columns)))
    with connection.cursor() as cursor:
        for chunk in chunks(rows, per):
            cursor.execute(
                head + ", ".join([row_sql] * len(chunk)), [v for row in chunk for v in row]
            )


def prepare_datetime(model: type[models.Model], field: str, value: Any) -> Any:
    """A datetime as `model.field` stores it on the database in use."""
    connection = connections[router.db_for_write(model)]
    return model._meta.get_field(field).get_db_prep_save(value, connection)  # type: ignore[union-attr]


# SQLite's page cache while a bulk writer runs (the generator, demo/bulk.py; the import,
# cases/imports.py), in KiB: the indexes on random keys (the matching bands, the search's
# bigrams, the petitioners' hashes) outgrow the default 2 MB at a few tens of thousands of
# cases, and each insert then reads and writes back pages through the operating system: at
# 500,000 cases that was 60 % of the generator's time (docs/benchmarks.md, "The
# generator"), and a tenth of the import's CPU at 20,000 (docs/imports.md).
SQLITE_CACHE_KIB = 1024 * 1024


@contextlib.contextmanager
def sqlite_cache(using: str = "default") -> Iterator[None]:
    """A large page cache for this connection while a bulk writer writes, as before after.
    Nothing on PostgreSQL (its shared buffers are the server's)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")
