"""The JSON API's schema and docs are served, and schemathesis, fuzzing every operation of the live
schema with the token of an administration person, finds no server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kurator.accounts.tokens import api_token_create


def test_the_openapi_schema_is_served_at_api_v1_openapi_json(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/registry/pages" in schema["paths"]
    assert "/api/v1/people/responsible" in schema["paths"]
    assert "TokenAuth" in schema["components"]["securitySchemes"]


def test_the_documentation_page_is_served_at_api_v1_docs(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content


@pytest.fixture
def keep_the_test_connection():
    """The WSGI app is called directly (not through Django's test client), so it would close the
    test's database connection at each request's start and end, as in production; Django's own
    test client switches that off in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def administration_token(cast, keep_the_test_connection):
    _token, raw = api_token_create(person=cast["north"]["administration"], name="schemathesis")
    return raw


# Loaded while the tests are collected; fetching the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_operation_of_the_api_answers_with_a_server_error(case, administration_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {administration_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
