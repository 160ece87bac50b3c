"""Plain statements for the pages officers open all day on deadline day, read as the ORM reads.

The ORM builds a query anew on every request: for the officer's home and the report page, building
their ~10 small queries (the visibility filter, the joins, the ordering) cost more CPU than
PostgreSQL spent running them (BENCHMARKS.md, "Mix, fourth pass"). Those statements are written
by hand (reporting/reports/reads.py) and built once per process as a Statement: its SQL, and how
each column comes back through its field's own database converters (aware datetimes, booleans and
decimals on SQLite as on PostgreSQL), worked out once rather than on every value read. Whole rows
become model instances, so the pages and the workflow get what a queryset would have given them.
Who may see a row is still decided by the access functions: the callers check each row read with
their predicates (reporting.reports.access.report_visible_to and its kind).
"""
from __future__ import annotations

from functools import cache

from django.db import connections, models
from django.db.models.expressions import Col, Value


def quoted(name: str) -> str:
    return connections["default"].ops.quote_name(name)


def table(model) -> str:
    return quoted(model._meta.db_table)


@cache
def attnames(model) -> list[str]:
    """The attribute names of `model`'s concrete fields, in the order whole() selects them."""
    return [f.attname for f in model._meta.concrete_fields]


def whole(model, alias: str) -> str:
    """The select list of every concrete column of `model`'s table under `alias`, in field order
    (what Reader.model() takes back)."""
    return ", ".join(f"{alias}.{quoted(f.column)}" for f in model._meta.concrete_fields)


def fields_of(model) -> list[models.Field]:
    """The fields of whole(model, …)'s columns, for a Statement."""
    return list(model._meta.concrete_fields)


def placeholders(n: int) -> str:
    """`%s, %s, …` for an IN list of n values (never empty: callers do not ask with nothing to look for)."""
    return ", ".join(["%s"] * n)


def _converters(field: models.Field) -> tuple[list, object]:
    connection = connections["default"]
    expression = Col("t", field) if getattr(field, "model", None) else Value(None, output_field=field)
    return connection.ops.get_db_converters(expression) + expression.get_db_converters(connection), expression


class Statement:
    """One hand-written SELECT and how its columns are read back: `fields` has one field per column
    (None for a column read as the cursor gives it). Built once per process by reads.py's cached
    builders; only the columns whose field has a converter on this database are touched per row."""

    def __init__(self, sql: str, fields):
        self.sql = sql
        self.steps = [(i, *_converters(field)) for i, field in enumerate(fields) if field is not None]
        self.steps = [(i, converters, expression) for i, converters, expression in self.steps if converters]

    def rows(self, params) -> list[list]:
        connection = connections["default"]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for i, converters, expression in self.steps:
                value = row[i]
                if value is not None:
                    for convert in converters:
                        value = convert(value, expression, connection)
                    row[i] = value
        return rows


def adapted(field: models.Field, value):
    """A parameter for a column of `field`, as the ORM would send it (a date on SQLite is text)."""
    return field.get_db_prep_value(value, connections["default"])


class Reader:
    """Cuts a row into consecutive parts: whole models (whole()'s columns) and single values."""

    def __init__(self, row):
        self.row, self.at = row, 0

    def model(self, model):
        names = attnames(model)
        values = self.row[self.at: self.at + len(names)]
        self.at += len(names)
        return model.from_db("default", names, values)

    def maybe_model(self, model):
        """The row of a LEFT JOIN: None when its key is NULL."""
        names = attnames(model)
        if self.row[self.at + names.index(model._meta.pk.attname)] is None:
            self.at += len(names)
            return None
        return self.model(model)

    def value(self):
        self.at += 1
        return self.row[self.at - 1]


def partial(model, **values):
    """An instance of `model` with only these fields loaded, as .only() gives (any other is read from
    the database if asked for, never taken from a default). Model.from_db wants the values in the
    order of the model's fields, whatever order the caller has them in: this puts them so."""
    names = [name for name in attnames(model) if name in values]
    if len(names) != len(values):
        raise TypeError(f"{model.__name__} has no field {sorted(set(values) - set(names))}")
    return model.from_db("default", names, [values[name] for name in names])
