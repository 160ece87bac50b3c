"""The history (django-simple-history) of the items an import creates, copied by the database.

simple_history's `bulk_create_with_history` builds one historical model instance per new row and
sends every value to the database a second time: for a 10,000-row appendix that costs as much as
inserting the items themselves. The "created" record of a new row is a copy of the row just
inserted, so the database can make it: one INSERT … SELECT per batch writes the same records
(same columns, same type "+", same user, no change reason) without the round trip through Python.

Whatever such a copy cannot reproduce goes through simple_history as before: a user, date or
reason set on an instance, extra fields on the historical model, a database that does not return
the ids of bulk-inserted rows, or history switched off.
"""
from __future__ import annotations

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

# The columns simple_history adds to every historical table; the copy knows how to fill these.
_HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
# Set on an instance, these give its own record a user, date or reason (see bulk_history_create).
_PER_INSTANCE = ("_history_user", "_history_date", "_change_reason")


def create_with_history(objs: list, model, *, batch_size: int = 500) -> list:
    """Like simple_history's `bulk_create_with_history`: insert `objs` and their "+" history
    records in the current transaction; returns the objects with their ids."""
    if not objs:
        return []
    using = router.db_for_write(model)
    if not _can_copy(objs, model, using):
        return bulk_create_with_history(objs, model, batch_size=batch_size)
    with transaction.atomic(using=using, savepoint=False):
        created = model._default_manager.using(using).bulk_create(objs, batch_size=batch_size)
        _copy_to_history(created, model, using, batch_size)
    return created


def _can_copy(objs: list, model, using: str) -> bool:
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return False
    if not connections[using].features.can_return_rows_from_bulk_insert:
        return False  # no ids to copy by: simple_history finds the rows again itself
    history = get_history_manager_for_model(model).model
    tracked = {f.name for f in history.tracked_fields}
    if {f.name for f in history._meta.concrete_fields} - tracked - _HISTORY_FIELDS:
        return False  # e.g. a history_relation or a custom field: values only simple_history knows
    return not any(hasattr(obj, attr) for obj in objs for attr in _PER_INSTANCE)


def _copy_to_history(objs: list, model, using: str, batch_size: int) -> None:
    history = get_history_manager_for_model(model).model
    connection = connections[using]
    quote = connection.ops.quote_name
    # The constant part of every record, made the way bulk_history_create makes it. The user is
    # the request's (or none), the same for every item: this project keeps simple_history's
    # default get_user, which does not look at the item.
    record = history(history_date=timezone.now(), history_type="+", history_change_reason=None,
                     history_user=history.get_default_history_user(objs[0]))
    constants = [f for f in history._meta.concrete_fields if f.name in _HISTORY_FIELDS and f.name != "history_id"]
    targets = [history._meta.get_field(f.name).column for f in history.tracked_fields] + [f.column for f in constants]
    sources = [quote(f.column) for f in history.tracked_fields] + ["%s"] * len(constants)
    values = [f.get_db_prep_save(getattr(record, f.attname), connection) for f in constants]
    pk = quote(model._meta.pk.column)
    pks = [obj.pk for obj in objs]
    limit = connection.features.max_query_params  # SQLite caps the parameters of a query
    if limit:
        batch_size = min(batch_size, limit - len(values))
    with connection.cursor() as cursor:
        for start in range(0, len(pks), batch_size):
            chunk = pks[start:start + batch_size]
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(quote(c) for c in targets)}) "
                f"SELECT {', '.join(sources)} FROM {quote(model._meta.db_table)} "
                f"WHERE {pk} IN ({', '.join(['%s'] * len(chunk))}) ORDER BY {pk}",
                [*values, *chunk],
            )
