"""The JSON export carries a task group's review flags as it does an activity's."""
from pathlib import Path

import pytest
from django.conf import settings

from tasks.exports import plan_json
from tasks.importers.load import import_appendix
from tasks.models import Plan, PlanItem

pytestmark = pytest.mark.django_db
SCAN = Path(settings.BASE_DIR) / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"


def test_task_groups_in_the_json_export_carry_needs_review_and_review_reasons():
    plan = Plan.objects.get(code=import_appendix(SCAN).plan_code)
    groups = {g["code"]: g for g in plan_json(plan)["task_groups"]}
    stored = {it.code: it for it in PlanItem.objects.filter(plan=plan, level="group")}
    assert set(groups) == set(stored)
    for code, item in stored.items():
        assert groups[code]["needs_review"] == item.needs_review
        assert groups[code]["review_reasons"] == [{"code": r["code"], "message": r["message"]} for r in item.review_reasons]
    for code in ("8.1", "13.2"):  # flagged in the database, dropped by the export before
        assert groups[code]["needs_review"] is True and groups[code]["review_reasons"]
    assert any(not g["needs_review"] and g["review_reasons"] == [] for g in groups.values())
