from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from reporting import urls as reporting_urls
from reporting.dashboards import views as views_dashboard

from . import views

admin.site.site_header = _("greenplan – Quản trị")
admin.site.site_title = "greenplan"

urlpatterns = [
    path("", views.home, name="home"),
    path("attention/", views.attention, name="attention"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("reports/", include("reporting.urls")),
    path("plans/", include("tasks.urls")),
    path("agencies/", include("tasks.agency_urls")),
    path("dashboard/", include(reporting_urls.dashboard)),
    path("notifications/", include(reporting_urls.notifications)),
    path("public/<slug:code>/", views_dashboard.public_plan, name="public_plan"),
    path("admin/", admin.site.urls),
]
