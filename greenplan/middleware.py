"""Project-wide request policies."""
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Every page needs a login unless its view is marked `@login_not_required`
    (the login page, the health check and the public plan page)."""


class SecurityHeadersMiddleware:
    """Content-Security-Policy without inline script: every asset is served by us."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The Django admin ships inline scripts; it keeps its own, looser policy.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
