"""Plain statements for the pages officers open all day on deadline day, read as the ORM reads.

The ORM builds a query anew on every request: for the officer's home and the report page, building
their ~10 small queries (the visibility filter, the joins, the ordering) cost more CPU than
PostgreSQL spent running them (BENCHMARKS.md, "Mix, fourth pass"). Those statements are written
here by hand, once; what is read comes back through the fields' own database converters (aware
datetimes, booleans and decimals on SQLite as on PostgreSQL) and, for whole rows, as model
instances, so the pages and the workflow get what a queryset would have given them. Who may see a
row is still decided by the access functions: the callers check each row read with their
predicates (reporting.reports.access.report_visible_to and its kind).
"""
from __future__ import annotations

from functools import lru_cache

from django.db import connections, models
from django.db.models.expressions import Col, Value


def quoted(name: str) -> str:
    return connections["default"].ops.quote_name(name)


def table(model) -> str:
    return quoted(model._meta.db_table)


def whole(model, alias: str) -> str:
    """The select list of every concrete column of `model`'s table under `alias`, in field order
    (what instance() takes back)."""
    return ", ".join(f"{alias}.{quoted(f.column)}" for f in model._meta.concrete_fields)


def placeholders(values) -> str:
    """`%s, %s, …` for an IN list (never empty: callers do not ask with nothing to look for)."""
    return ", ".join(["%s"] * len(values))


@lru_cache(maxsize=None)
def _converters(field: models.Field, vendor: str) -> tuple:
    connection = connections["default"]
    expression = Col("t", field) if getattr(field, "model", None) else Value(None, output_field=field)
    return tuple(connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)), expression


def converted(value, field: models.Field | None):
    """`value` as read by a cursor, converted as the ORM converts a value of `field` (None: as read)."""
    if field is None or value is None:
        return value
    connection = connections["default"]
    converters, expression = _converters(field, connection.vendor)
    for convert in converters:
        value = convert(value, expression, connection)
    return value


def fetch(sql: str, params, fields) -> list[list]:
    """The rows of one statement, each value converted for its field in `fields` (one per column;
    None for a column read as it comes)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [[converted(value, field) for value, field in zip(row, fields)] for row in rows]


def fields_of(model) -> list[models.Field]:
    """The fields of whole(model, …)'s columns, for fetch()."""
    return list(model._meta.concrete_fields)


def instance(model, values):
    """A model instance from the values of whole(model, …), as a queryset would build it."""
    return model.from_db("default", [f.attname for f in model._meta.concrete_fields], values)


class Reader:
    """Cuts a fetched row into consecutive parts: whole models (instance()) and single values."""

    def __init__(self, row):
        self.row, self.at = row, 0

    def model(self, model):
        n = len(model._meta.concrete_fields)
        values = self.row[self.at: self.at + n]
        self.at += n
        return instance(model, values)

    def maybe_model(self, model):
        """The row of a LEFT JOIN: None when its key is NULL."""
        pk_index = [f.attname for f in model._meta.concrete_fields].index(model._meta.pk.attname)
        if self.row[self.at + pk_index] is None:
            self.at += len(model._meta.concrete_fields)
            return None
        return self.model(model)

    def value(self):
        self.at += 1
        return self.row[self.at - 1]


def adapted(field: models.Field, value):
    """A parameter for a column of `field`, as the ORM would send it (a date on SQLite is text)."""
    return field.get_db_prep_value(value, connections["default"])
