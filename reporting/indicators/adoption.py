"""A plan adopts an indicator: its baseline, targets and responsible agency, checked and written
together (nothing half written when one target is refused)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from reporting.models import Indicator, PlanIndicator, Target


@transaction.atomic
def adopt_indicator(plan, indicator: Indicator, *, code: str = "", baseline=None, lead_agency=None, item=None,
                    targets=(), territories=(), tolerance=None, sort_order: int = 0) -> PlanIndicator:
    """`baseline`: (value, year) or None; `targets`: dicts with year, kind and value/min/max/base_year.
    Every refusal is a ValidationError naming the field (and the target's year)."""
    value, year = baseline if baseline else (None, None)
    pi = PlanIndicator(plan=plan, indicator=indicator, code=code or indicator.code, baseline_value=value,
                       baseline_year=year, lead_agency=lead_agency, item=item, territories=list(territories),
                       tolerance=tolerance, sort_order=sort_order)
    if not pi.code:
        raise ValidationError({"code": "Cần mã của chỉ tiêu trong kế hoạch (chỉ tiêu này chưa có mã)."})
    pi.full_clean()
    pi.save()
    for spec in targets:
        target = Target(plan_indicator=pi, **spec)
        try:
            target.full_clean()
        except ValidationError as exc:
            raise ValidationError({f"targets[{spec.get('year')}].{k}": v for k, v in exc.message_dict.items()}) from None
        target.save()
    return pi
