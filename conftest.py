import pytest

from kurator.core.testing.cast import build_cast

pytest_plugins = ["kurator.core.testing.browser"]


@pytest.fixture
def cast(db):
    """Two networks with a person in every role (see kurator/core/testing/cast.py)."""
    return build_cast()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()  # login rate limits and the worker heartbeat must not leak from one test to the next
    # Pages render without `collectstatic`; production uses the hashed manifest (see settings).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True, scope="session")
def _huey_runs_tasks_at_once():
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
