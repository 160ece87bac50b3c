"""How a request proves it holds a token (DRF authentication) and how often it may ask (throttle)."""
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.throttling import BaseThrottle

from . import tokens

SCHEMES = ("token", "bearer")


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` or `Bearer <key>`. No header: an anonymous client (public figures
    only). A header that does not carry a live token: 401, never the anonymous answer, so a client
    whose token was revoked learns it at once instead of syncing an empty world."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() not in SCHEMES:
            raise exceptions.AuthenticationFailed(
                _("Tiêu đề Authorization phải có dạng “Token <khóa>” hoặc “Bearer <khóa>”."))
        token = tokens.use_token(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("Khóa truy cập không hợp lệ hoặc đã bị thu hồi."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'


class TokenRateThrottle(BaseThrottle):
    """At most settings.API_RATE_PER_MINUTE requests a minute per token, counted on the token's row
    by tokens.use_token (shared by every process). Anonymous clients are not counted here."""

    def allow_request(self, request, view):
        token = request.auth
        self._wait = tokens.over_limit(token) if token is not None else None
        return self._wait is None

    def wait(self):
        return self._wait


class TokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the token (drf-spectacular finds this class by its target)."""
    target_class = "greenplan.api.auth.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>` or `Bearer <key>` (python manage.py api_token create USERNAME)."}
