"""A plan keeps the territory it was issued for, is carried by the jurisdiction that territory
merged into, and can be superseded by another plan with a mapping of its activities."""
import datetime as dt

import pytest

from tasks.models import ActivityMapping, PlanSupersession
from tasks.selectors import carried_plans
from tasks.supersession import ItemLineage, SupersessionError, supersede_plan


def test_a_plan_keeps_its_territory_and_is_carried_by_the_city_after_the_merger(merged_city):
    plan = merged_city.legacy_plan
    assert plan.territory == merged_city.province
    assert plan.carried_by(dt.date(2025, 6, 30)) == merged_city.province
    assert plan.carried_by(dt.date(2025, 7, 1)) == merged_city.city
    assert plan.display_name(dt.date(2025, 6, 30)) == "Kế hoạch 396/KH-UBND của UBND tỉnh Bình Dương"
    assert plan.display_name(dt.date(2026, 1, 1)) == "Kế hoạch 396/KH-UBND của UBND tỉnh Bình Dương (cũ)"
    assert merged_city.city_plan.display_name(dt.date(2026, 1, 1)) == (
        "Kế hoạch 3797/QĐ-UBND của UBND thành phố Hồ Chí Minh")
    # The city carries both plans in 2026; in 2024 Bình Dương still carried its own.
    assert {p.code for p in carried_plans(merged_city.city, 2026)} == {"bd-396", "hcm-3797"}
    assert {p.code for p in carried_plans(merged_city.city, 2024)} == {"hcm-3797"}
    assert {p.code for p in carried_plans(merged_city.province, 2024)} == {"bd-396"}
    assert carried_plans(merged_city.province, 2026) == []


def test_a_mapping_follows_old_activities_to_the_new_plan_or_ends_them(merged_city):
    supersede_plan(old_plan=merged_city.legacy_plan, new_plan=merged_city.city_plan, effective_on=dt.date(2026, 1, 1),
                   mapping={"1.1.1": "1.1.2", "1.1.2": "1.1.1", "1.1.3": "ended"})
    old = {i.code: i.pk for i in merged_city.legacy_plan.items.all()}
    new = {i.code: i.pk for i in merged_city.city_plan.items.all()}
    lineage = ItemLineage.load()
    assert lineage.follow(old["1.1.1"], 2025) == old["1.1.1"]
    assert lineage.follow(old["1.1.1"], 2026) == new["1.1.2"]
    assert lineage.follow(old["1.1.3"], 2026) is None
    assert lineage.earlier(new["1.1.2"]) == {old["1.1.1"]}


def test_a_mapping_naming_an_unknown_code_is_refused_and_nothing_is_written(merged_city):
    with pytest.raises(SupersessionError) as err:
        supersede_plan(old_plan=merged_city.legacy_plan, new_plan=merged_city.city_plan,
                       effective_on=dt.date(2026, 1, 1), mapping={"1.1.1": "1.1.2", "9.9.9": "ended", "1.1.2": "7.7"})
    assert "9.9.9" in str(err.value) and "7.7" in str(err.value)
    assert not PlanSupersession.objects.exists() and not ActivityMapping.objects.exists()


def test_the_command_reads_a_reviewed_mapping_file_and_refuses_a_bad_one(merged_city, tmp_path):
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    spec = {"old_plan": "bd-396", "new_plan": "hcm-3797", "effective_on": "2026-01-01",
            "legal_basis": "Quyết định 3797/QĐ-UBND", "activities": {"1.1.1": "1.1.2", "1.1.3": "ended"}}
    path = tmp_path / "thay-the.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    call_command("supersede_plan", str(path), stdout=open("/dev/null", "w"))
    assert {(m.old_item.code, m.new_item.code if m.new_item else None)
            for m in ActivityMapping.objects.all()} == {("1.1.1", "1.1.2"), ("1.1.3", None)}
    spec["activities"]["4.4"] = "1.1.1"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("supersede_plan", str(path))
    assert "4.4" in str(err.value) and ActivityMapping.objects.count() == 2
