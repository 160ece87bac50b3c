"""A plan adopts an indicator: its baseline, targets and responsible agency, checked and written
together (nothing half written when one target is refused)."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from reporting.models import Indicator, PlanIndicator, Target


def _decimal(value):
    """A float as written (4.2, not 4.2000000000000002); anything else as it is."""
    return Decimal(str(value)) if isinstance(value, float) else value


@transaction.atomic
def adopt_indicator(plan, indicator: Indicator, *, code: str = "", baseline=None, lead_agency=None, item=None,
                    targets=(), territories=(), tolerance=None, sort_order: int = 0) -> PlanIndicator:
    """`baseline`: (value, year) or None; `targets`: dicts with year, kind and value/min/max/base_year.
    Every refusal is a ValidationError naming the field (and the target's year)."""
    value, year = baseline if baseline else (None, None)
    value = _decimal(value)
    pi = PlanIndicator(plan=plan, indicator=indicator, code=code or indicator.code, baseline_value=value,
                       baseline_year=year, lead_agency=lead_agency, item=item, territories=list(territories),
                       tolerance=tolerance, sort_order=sort_order)
    if not pi.code:
        raise ValidationError({"code": "Cần mã của chỉ tiêu trong kế hoạch (chỉ tiêu này chưa có mã)."})
    pi.full_clean()
    pi.save()
    for spec in targets:
        spec = {k: _decimal(v) if k in ("value", "min", "max") else v for k, v in spec.items()}
        target = Target(plan_indicator=pi, **spec)
        try:
            target.full_clean()
        except ValidationError as exc:
            raise ValidationError({f"targets[{spec.get('year')}].{k}": v for k, v in exc.message_dict.items()}) from None
        target.save()
    return pi
