"""With KURATOR_REDIS_URL (README), the login rate limit is kept in Redis, shared by every web process."""

import os

import pytest
from django.urls import reverse

from kurator.core.testing.cast import PASSWORD

REDIS_URL = os.environ.get("KURATOR_TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="no Redis (set KURATOR_TEST_REDIS_URL; make test does when Redis runs)")
def test_failed_logins_are_counted_in_redis_and_lock_the_account_for_every_browser(client, cast, settings):
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"kurator-test-{os.getpid()}",
        }
    }
    from django.core.cache import cache

    cache.clear()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "staff@north.test", "password": "wrong"})
    assert any(b"kurator-test" in key for key in redis.Redis.from_url(REDIS_URL).keys("*"))
    # Another browser is refused too: the count is per account, in Redis, not in this session.
    from django.test import Client

    other = Client()
    response = other.post(reverse("account_login"), {"login": "staff@north.test", "password": PASSWORD})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    cache.clear()
