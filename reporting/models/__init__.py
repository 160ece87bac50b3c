"""Reporting models, one module per area; Django finds them all through this package."""
from reporting.models.reports import (  # noqa: F401
    MONEY_MAX, TEXT_MAX_CHARS, VN, Attachment, ContributionRequest, Extension, Report, ReportEvent, ReportingCycle,
    attachment_path, end_of_day,
)
from reporting.models.province_report import *  # noqa: F401,E402,F403
from reporting.models.notices import *  # noqa: F401,E402,F403
from reporting.models.official_report import *  # noqa: F401,E402,F403
from reporting.models.indicators import (  # noqa: F401,E402
    Indicator, IndicatorValue, IndicatorValueEvent, PlanIndicator, Target, indicator_evidence_path,
)
