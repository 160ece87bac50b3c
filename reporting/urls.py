"""Every page of the reporting app by namespace; greenplan/urls.py mounts them.

`reporting` at /reports/ (the report pages and the cycle workbook), `dashboard` at /dashboard/ (the
dashboards and the province report), `reporting_notices` at /notifications/."""
from reporting.dashboards import urls as dashboards_urls
from reporting.indicators import urls as indicators_urls
from reporting.notices import urls as notices_urls
from reporting.province import urls as province_urls
from reporting.reports import urls as reports_urls
from reporting.workbook import urls as workbook_urls

app_name = "reporting"
urlpatterns = [*workbook_urls.urlpatterns, *notices_urls.reporting_patterns, *indicators_urls.urlpatterns,
               *reports_urls.urlpatterns]

dashboard = ([*dashboards_urls.urlpatterns, *province_urls.urlpatterns], "dashboard")
notifications = (notices_urls.urlpatterns, "reporting_notices")
