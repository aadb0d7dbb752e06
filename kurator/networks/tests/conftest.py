"""The adapters' tests talk to the built-in sandbox, in-process through httpx's WSGI transport, or over a
real socket (pytest-django's live server) where a fault lives on the wire: an answer that never comes,
a connection reset."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from kurator.core.testing.in_process import InProcessSandbox
from kurator.networks.http import use_transport

# Short enough to keep the suite quick, long enough for the live server to answer an ordinary call.
IMPATIENT = httpx.Timeout(5.0, read=0.4)
HELD_ANSWER_S = 1.2


@pytest.fixture
def in_process() -> Iterator[None]:
    """Every client made in the test sends to the sandbox inside this process."""
    with use_transport(InProcessSandbox()):
        yield


@pytest.fixture
def held_answer() -> Iterator[float]:
    """How long the sandbox holds an "accept then time out" answer; the test then waits it out, so
    that the live server is not torn down under a request it is still serving."""
    started = time.monotonic()
    yield HELD_ANSWER_S
    time.sleep(max(0.0, HELD_ANSWER_S + 0.2 - (time.monotonic() - started)))


@pytest.fixture
def closed_port() -> int:
    """A local port nobody listens on: connecting is refused before any request leaves."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
