"""Admin wiring of the project's own records: the API tokens' admin lives with the API."""
from greenplan.api import admin as api_admin  # noqa: F401 (registers ApiTokenAdmin)
