"""The history of imported items: the records the database copies for new items are the records
django-simple-history itself would write, with the same user; anything the copy cannot reproduce
goes through simple_history."""
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import transaction
from simple_history.models import HistoricalRecords

from tasks.importers.history import create_with_history
from tasks.importers.load import import_appendix
from tasks.models import Plan, PlanItem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DOCUMENT = Path(settings.BASE_DIR) / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"
History = PlanItem.history.model
# Differ between any two writes of the same record.
VOLATILE = {"history_id", "history_date"}


class _Rollback(Exception):
    pass


def _records(plan) -> list[dict]:
    rows = History.objects.filter(plan_id=plan.pk, history_type="+").order_by("id").values()
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]


def _records_simple_history_would_write(plan) -> list[dict]:
    """simple_history's own bulk_history_create on the same items, rolled back."""
    try:
        with transaction.atomic():
            History.objects.filter(plan_id=plan.pk).delete()
            # As bulk_create_with_history calls it: no change reason unless an item has one.
            PlanItem.history.bulk_history_create(list(PlanItem.objects.filter(plan=plan)), default_change_reason=None)
            records = _records(plan)
            raise _Rollback
    except _Rollback:
        return records


def test_each_new_item_gets_the_record_simple_history_would_write():
    plan = Plan.objects.get(code=import_appendix(DOCUMENT).plan_code)
    records = _records(plan)
    assert len(records) == PlanItem.objects.filter(plan=plan).count() > 100
    assert records == _records_simple_history_would_write(plan)
    assert all(r["history_user_id"] is None and r["history_change_reason"] is None for r in records)


def test_the_records_name_the_user_of_the_request():
    """In the admin, simple_history's middleware puts the request where the history finds it."""
    user = UserFactory(username="nhap-lieu")
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        plan = Plan.objects.get(code=import_appendix(DOCUMENT).plan_code)
    finally:
        del HistoricalRecords.context.request
    assert set(History.objects.filter(plan_id=plan.pk).values_list("history_user_id", flat=True)) == {user.pk}


def test_an_item_with_its_own_reason_is_recorded_by_simple_history():
    plan = Plan.objects.get(code=import_appendix(DOCUMENT).plan_code)
    item = PlanItem(plan=plan, code="99", level="theme", title="Chủ đề bổ sung")
    item.prepare()
    item._change_reason = "bổ sung theo văn bản điều chỉnh"
    [created] = create_with_history([item], PlanItem)
    record = History.objects.get(id=created.pk)
    assert (record.history_type, record.history_change_reason) == ("+", "bổ sung theo văn bản điều chỉnh")
    assert record.title == "Chủ đề bổ sung"
