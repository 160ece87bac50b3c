"""Project-wide request policies."""
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.middleware.locale import LocaleMiddleware as _DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Every page needs a login unless its view is marked `@login_not_required`
    (the login page, the health check and the public plan page)."""

    def handle_no_permission(self, request, view_func):
        response = super().handle_no_permission(request, view_func)
        # A session cookie that opens no session: the session expired. The login page says so (the
        # cookie itself is gone by then: the session middleware deletes an empty session's cookie).
        if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            response["Location"] += "&expired=1"
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy without inline script: every asset is served by us."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The Django admin ships inline scripts (django-celery-beat's forms); it keeps its own, looser
        # policy, which still forbids framing, foreign scripts and posting forms elsewhere.
        policy = settings.ADMIN_CONTENT_SECURITY_POLICY if request.path.startswith("/admin/") else settings.CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class LocaleMiddleware(_DjangoLocaleMiddleware):
    """Vietnamese unless the user picked English with the VI/EN switch (the language cookie).

    The browser's Accept-Language is ignored on purpose: officials often run an English browser,
    yet the portal, like the documents it handles, speaks Vietnamese first."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreForLoggedInMiddleware:
    """Pages seen while logged in are never stored by the browser or a proxy (`Cache-Control:
    no-store`): after logging out, Back or a shared computer's cache shows no report or name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
