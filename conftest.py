import pytest

from kurator.core.testing.cast import build_cast


@pytest.fixture
def cast(db):
    """Two networks with a person in every role (see kurator/core/testing/cast.py)."""
    return build_cast()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _huey_runs_tasks_at_once():
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
