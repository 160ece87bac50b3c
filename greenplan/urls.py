from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from reporting import urls as reporting_urls
from reporting.dashboards import views as views_dashboard

from . import accounts, views

admin.site.site_header = _("greenplan – Quản trị")
admin.site.site_title = "greenplan"

urlpatterns = [
    path("", views.home, name="home"),
    path("attention/", views.attention, name="attention"),
    path("now/<slug:place>/", views.focus, name="focus"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", accounts.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", accounts.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/password/reset/done/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("reports/", include("reporting.urls")),
    path("plans/", include("tasks.urls")),
    path("agencies/", include("tasks.agency_urls")),
    path("dashboard/", include(reporting_urls.dashboard)),
    path("notifications/", include(reporting_urls.notifications)),
    path("public/<slug:code>/", views_dashboard.public_plan, name="public_plan"),
    path("api/", include("greenplan.api.urls")),
    path("admin/", admin.site.urls),
]
