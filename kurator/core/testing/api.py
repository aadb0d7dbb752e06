"""Calling the JSON API in tests as a person of the cast, with a real personal token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django.utils import translation

from kurator.accounts.models import User
from kurator.accounts.tokens import api_token_create

API = "/api/v1"


class ApiClient:
    """A Django test client that sends the person's token and JSON bodies."""

    def __init__(self, raw_token: str | None) -> None:
        headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}
        self.client = Client(headers=headers)
        self.raw_token = raw_token

    # A request switches the thread's language to the person's; put it back, so that it does not leak
    # into the test (the web's middleware does the same switch at the start of every request).
    def get(self, path: str, **params: Any) -> Any:
        with translation.override(translation.get_language()):
            return self.client.get(API + path, params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        with translation.override(translation.get_language()):
            return self.client.post(API + path, json.dumps(body or {}), content_type="application/json")

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        with translation.override(translation.get_language()):
            return self.client.patch(API + path, json.dumps(body), content_type="application/json")


def api_as(person: User, *, language: str | None = None) -> ApiClient:
    if language is not None:
        person.language = language
        person.save(update_fields=["language"])
    _token, raw = api_token_create(person=person, name="tests")
    return ApiClient(raw)
