from django.contrib import admin

from tasks.models import Plan

from reporting.notices.admin import *  # noqa: F401,F403
from reporting.province.admin import *  # noqa: F401,F403
from reporting.indicators.admin import *  # noqa: F401,F403
from reporting.reports.admin import *  # noqa: F401,F403
from reporting.reports.admin import create_plan_cycles

# The plan's admin lives in tasks/, which knows nothing of reports: the action is added here.
admin.site._registry[Plan].actions = [*(admin.site._registry[Plan].actions or []), create_plan_cycles]
