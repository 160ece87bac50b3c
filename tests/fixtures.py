"""Domain fixtures shared by the whole suite (loaded from conftest via pytest_plugins)."""
import pytest


@pytest.fixture(scope="session", autouse=True)
def _plain_http_for_the_session():
    """The test client and the live server speak plain HTTP; production's proxy terminates TLS.

    Session-scoped and autouse so it runs before the (session-scoped) live server builds its
    middleware, which reads these once."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _test_http_settings(settings):
    # The test client speaks plain HTTP; production redirects to HTTPS behind the proxy.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    # The manifest storage needs collectstatic; tests use the plain storage.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.WHITENOISE_AUTOREFRESH = True
    # Real hashing costs ~0.2 s per user; tests that check hashing strength set their own.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager_jobs():
    """Run Celery jobs in-process for a test that is about a page, not about the broker (CI sets
    REDIS_URL, which otherwise sends them to a queue nobody reads)."""
    from greenplan.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before
