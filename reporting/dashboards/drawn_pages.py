"""Dashboards drawn once per state of their data.

A leadership dashboard aggregates a cycle's reports in about ten queries and draws ~220 kB of charts
and tables: 40–50 ms of work that yields the same page until a row behind it changes. The drawn body
of the page is cached under a fingerprint of exactly those rows, taken from PostgreSQL itself: each
row's id with its `xmin` (the transaction that last wrote it) and its `ctid` (where that version of
the row lies: every UPDATE writes a new version, even twice in one transaction). Any change, however it
was made (a workflow move, a bulk update, the admin, an import, a hand-written UPDATE), gives the rows a
new fingerprint and so the page a new key: there is nothing to invalidate by hand and nothing for a
new write path to forget. Keys that are no longer used expire.

Why reading the fingerprint before drawing is safe: the figures are computed after it, so they are at
least as new as the rows it describes; a page stored under an older fingerprint than its figures is
only ever served to a reader that saw that older fingerprint.

The fingerprint needs PostgreSQL (`xmin`, `ctid`); elsewhere (SQLite, the embedded default) every view draws
the page afresh, as before. The cache is Django's default one (per process memory unless configured):
each worker keeps its own copies, which only costs a first drawing per worker.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation

from reporting.models import ReportingCycle

KEEP_SECONDS = 3600  # unused keys go; a used key never holds stale figures (see above)

# What the dashboard of a cycle shows: the plan and its cycles (title, period, deadlines, the cycle
# menu), the reports of this cycle and of the earlier cycles of the same kind (the comparison), the
# plan's items (themes, groups, timelines, priorities) and the agencies that report in the cycle.
DASHBOARD_ROWS = """
SELECT concat_ws('|',
  (SELECT xmin::text || ctid::text FROM tasks_plan WHERE id = %(plan)s),
  (SELECT string_agg(id || ':' || xmin::text || ctid::text, ',' ORDER BY id) FROM reporting_reportingcycle WHERE plan_id = %(plan)s),
  (SELECT string_agg(r.id || ':' || r.xmin::text || r.ctid::text, ',' ORDER BY r.id) FROM reporting_report r
     WHERE r.cycle_id IN (SELECT c.id FROM reporting_reportingcycle c
                          WHERE c.plan_id = %(plan)s AND c.kind = %(kind)s AND c.year <= %(year)s)),
  (SELECT string_agg(id || ':' || xmin::text || ctid::text, ',' ORDER BY id) FROM tasks_planitem WHERE plan_id = ANY(%(plans)s)),
  (SELECT string_agg(a.id || ':' || a.xmin::text || a.ctid::text, ',' ORDER BY a.id) FROM agencies_agency a
     WHERE a.id IN (SELECT r.agency_id FROM reporting_report r WHERE r.cycle_id = %(cycle)s))
)
"""


def dashboard_fingerprint(cycle: ReportingCycle) -> str | None:
    """A digest of every row the cycle's dashboard is drawn from; None where it cannot be taken."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(DASHBOARD_ROWS, {"plan": cycle.plan_id, "plans": cycle.plan_ids(), "cycle": cycle.pk,
                                        "kind": cycle.kind, "year": cycle.year})
        (rows,) = cursor.fetchone()
    return hashlib.blake2b((rows or "").encode(), digest_size=16).hexdigest()


def _kept(key: str, draw):
    """What the cache holds under `key`, else `draw()`, kept there for the next reader."""
    value = cache.get(key)
    if value is None:
        value = draw()
        cache.set(key, value, KEEP_SECONDS)
    return value


def drawn_dashboard(cycle: ReportingCycle, draw, *, scope: str = "") -> str:
    """The dashboard body of `cycle`: from the cache when its rows have not changed since it was
    drawn, else `draw()` (and kept). The language and the day are part of the key: the page is
    translated, and its timeline marks today; `scope` names the one plan shown of a
    jurisdiction-wide cycle."""
    fingerprint = dashboard_fingerprint(cycle)
    if fingerprint is None:
        return draw()
    key = f"dashboard:{cycle.pk}:{scope}:{translation.get_language()}:{timezone.localdate():%Y%m%d}:{fingerprint}"
    return _kept(key, draw)


# The indicators section of a plan (dashboard and public page). Drawn once per state of its rows,
# like the body, and each indicator's part (its status, method, chart and table) once per state of
# its own rows: the plan indicator, its catalogue entry and item, its targets and its values. A
# change to one figure redraws that indicator's part; the others are taken as they were drawn. The
# arrangement (which indicators, in which order, under which theme) is kept per state of the plan,
# its themes and groups and the indicators' own rows (not their figures).
INDICATOR_ROWS = """
SELECT 0, md5(concat_ws('|',
  (SELECT xmin::text || ctid::text FROM tasks_plan WHERE id = %(plan)s),
  (SELECT string_agg(id || ':' || xmin::text || ctid::text, ',' ORDER BY id) FROM tasks_planitem
     WHERE plan_id = %(plan)s AND level IN ('theme', 'group')))), ''
UNION ALL
SELECT r.id, md5(r.own), md5(concat_ws('|', r.own,
  (SELECT string_agg(t.id || ':' || t.xmin::text || t.ctid::text, ',' ORDER BY t.id) FROM reporting_target t
     WHERE t.plan_indicator_id = r.id),
  (SELECT string_agg(v.id || ':' || v.xmin::text || v.ctid::text, ',' ORDER BY v.id) FROM reporting_indicatorvalue v
     WHERE v.plan_indicator_id = r.id)))
FROM (SELECT pi.id, concat_ws('|', pi.xmin::text || pi.ctid::text, i.xmin::text || i.ctid::text,
                              it.xmin::text || it.ctid::text) AS own
      FROM reporting_planindicator pi JOIN reporting_indicator i ON i.id = pi.indicator_id
      LEFT JOIN tasks_planitem it ON it.id = pi.item_id WHERE pi.plan_id = %(plan)s) r
"""


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class IndicatorRows:
    """The fingerprint of a plan's indicators section: of the whole, of its arrangement, and of
    each indicator's rows."""

    section: str
    arrangement: str
    by_indicator: dict  # plan indicator id → digest of its rows


def indicator_rows(plan) -> IndicatorRows | None:
    """One query; None where the fingerprint cannot be taken (then everything is drawn afresh)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(INDICATOR_ROWS, {"plan": plan.pk})
        found = sorted(cursor.fetchall())
    return IndicatorRows(section=_digest(",".join(f"{pk}:{own}:{part}" for pk, own, part in found)),
                         arrangement=_digest(",".join(f"{pk}:{own}" for pk, own, _ in found)),
                         by_indicator={pk: part for pk, _, part in found if pk})


def indicator_fingerprint(plan) -> str | None:
    rows = indicator_rows(plan)
    return rows.section if rows else None


def indicator_cache_key(plan, variant: str, rows: IndicatorRows | None = None) -> str | None:
    rows = rows or indicator_rows(plan)
    if rows is None:
        return None
    return f"indicators:{plan.pk}:{variant}:{translation.get_language()}:{rows.section}"


def drawn_indicators(plan, draw, *, variant: str) -> str:
    """The indicators section of `plan` (`variant`: "dashboard" or "public"), from the cache while
    its rows are unchanged, else `draw(rows)` (`rows`: the IndicatorRows, or None), and kept."""
    rows = indicator_rows(plan)
    if rows is None:
        return draw(None)
    key = indicator_cache_key(plan, variant, rows)
    return _kept(key, lambda: draw(rows))


def drawn_arrangement(plan, rows: IndicatorRows | None, arrange):
    """How the section arranges its indicators, from the cache while the plan's outline and the
    indicators' own rows are unchanged, else `arrange()` (and kept)."""
    if rows is None:
        return arrange()
    key = f"indicator-arrangement:{plan.pk}:{rows.arrangement}"
    return _kept(key, arrange)


def drawn_indicator_parts(plan, rows: IndicatorRows | None, variant: str, pks: list[int], draw) -> dict:
    """Each indicator's drawn part, pk → part: kept ones while the indicator's rows are unchanged,
    the others from `draw(pks of those missing)` (pk → part) and kept. A plan's parts are kept
    under one key (a dict pk → (digest, part)): forty small entries per plan would crowd the
    other drawn pages out of a bounded cache."""
    if rows is None:
        return draw(pks)
    key = f"indicator-parts:{plan.pk}:{variant}:{translation.get_language()}"
    kept = cache.get(key) or {}
    parts = {pk: kept[pk][1] for pk in pks if pk in kept and pk in rows.by_indicator
             and kept[pk][0] == rows.by_indicator[pk]}
    missing = [pk for pk in pks if pk not in parts]
    if missing:
        drawn = draw(missing)
        parts.update(drawn)
        cache.set(key, {pk: (rows.by_indicator[pk], part) for pk, part in parts.items() if pk in rows.by_indicator},
                  KEEP_SECONDS)
    return parts


# The national comparison of one indicator: the plans the user oversees that adopted it, their
# plan and jurisdiction rows (number, name), the plan indicators, their targets and their values,
# and the catalogue entry itself. The plans come from access.plans_overseen_by (the one rule of
# who oversees what), written into the query.
COMPARISON_ROWS = """
SELECT concat_ws('|', (SELECT xmin::text || ctid::text FROM reporting_indicator WHERE id = %%s),
  (SELECT string_agg(concat_ws(':', pi.id, pi.xmin::text || pi.ctid::text, p.xmin::text || p.ctid::text,
                               j.xmin::text || j.ctid::text,
     (SELECT string_agg(t.id || ':' || t.xmin::text || t.ctid::text, ',' ORDER BY t.id) FROM reporting_target t
        WHERE t.plan_indicator_id = pi.id),
     (SELECT string_agg(v.id || ':' || v.xmin::text || v.ctid::text, ',' ORDER BY v.id) FROM reporting_indicatorvalue v
        WHERE v.plan_indicator_id = pi.id)), ',' ORDER BY pi.id)
   FROM reporting_planindicator pi JOIN tasks_plan p ON p.id = pi.plan_id
   JOIN agencies_jurisdiction j ON j.id = p.jurisdiction_id
   WHERE pi.indicator_id = %%s AND pi.plan_id IN (%s)))
"""


def drawn_comparison(indicator, plans, draw) -> str:
    """The comparison table of `indicator` across `plans` (a queryset of the plans the user
    oversees), from the cache while its rows are unchanged, else `draw()` (and kept)."""
    if connection.vendor != "postgresql":
        return draw()
    plans_sql, plans_params = plans.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(COMPARISON_ROWS % plans_sql, [indicator.pk, indicator.pk, *plans_params])
        (rows,) = cursor.fetchone()
    key = f"comparison:{indicator.pk}:{translation.get_language()}:{_digest(rows or '')}"
    return _kept(key, draw)
