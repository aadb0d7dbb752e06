"""The built-in sandbox served inside the test process, for the network adapters to talk to.

Two things a real network elsewhere would never do to the caller have to be undone here, as Django's own
test client does: the request's LocaleMiddleware switches this thread's language, and the end of a
request closes "old" database connections — which, inside a test's transaction on PostgreSQL, is the
test's own connection (its autocommit differs from the setting), so everything after it would fail."""

from __future__ import annotations

from typing import Any

import httpx
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import translation


class InProcessSandbox(httpx.WSGITransport):
    def __init__(self) -> None:
        super().__init__(app=WSGIHandler())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        language = translation.get_language()
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = super().handle_request(request)
            response.read()  # the WSGI response closes (and signals the request's end) when read through
            return response
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            if language:
                translation.activate(language)
            else:
                translation.deactivate()


def in_process_sandbox() -> Any:
    return InProcessSandbox()
