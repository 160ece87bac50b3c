"""Reporting models, one module per area; Django finds them all through this package."""
from .reports import (  # noqa: F401
    VN, Attachment, ContributionRequest, Extension, Report, ReportEvent, ReportingCycle, attachment_path, end_of_day,
)
from .province_report import *  # noqa: F401,E402,F403
from .notices import *  # noqa: F401,E402,F403
