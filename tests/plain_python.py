"""For test modules that are plain Python (run with `-p no:django`): the suite's conftest installs
Django-only autouse fixtures; a module that imports these names shadows them with no-ops.

    from tests.plain_python import _isolated_media_and_mail, _test_http_settings  # noqa: F401
"""
import pytest


@pytest.fixture(autouse=True)
def _test_http_settings():
    yield


@pytest.fixture(scope="session", autouse=True)
def _isolated_media_and_mail():
    yield
