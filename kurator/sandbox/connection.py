"""Dropping a client's connection on purpose: the "connection reset" fault (issue 4 item 6), shared by
the VK and Telegram emulators.

A real network sometimes accepts a TCP connection and then resets it without any HTTP answer. Clients
see that as a transport error (httpx: RemoteProtocolError / ReadError, requests: ConnectionError), not
as an HTTP status, and that is what an adapter must learn to survive. Django has no API for it, so we
reach for the client's socket in the WSGI environment (gunicorn puts it there; the development and
live-test servers hide it behind their input stream) and close it with SO_LINGER 0, which sends a TCP
RST instead of an orderly FIN. Where no socket can be found (Django's test client, ASGI servers), the
caller gets `ConnectionReset` raised, so a test can still see that the fault fired."""

from __future__ import annotations

import socket
import struct
from typing import Any

from django.http import HttpRequest, HttpResponse


class ConnectionReset(Exception):
    """The sandbox dropped this request's connection on purpose (raised when it had no socket to drop)."""


def _socket_behind_stream(stream: Any) -> socket.socket | None:
    # Django's LimitedStream keeps only the bound `read` of what it wraps; runserver wraps twice.
    for _ in range(5):
        inner = getattr(getattr(stream, "_read", None), "__self__", None)
        if inner is None:
            break
        stream = inner
    raw = getattr(stream, "raw", None)  # a BufferedReader over socket.SocketIO
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def client_socket(request: HttpRequest) -> socket.socket | None:
    """The TCP socket this request came on, when the server lets us find it."""
    sock = request.META.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        return sock
    return _socket_behind_stream(request.META.get("wsgi.input"))


def reset_connection(request: HttpRequest) -> HttpResponse:
    """Reset the client's connection without an HTTP answer. Returns a response only for the server's
    sake (its write then fails on the dead socket, which servers treat as a client that went away)."""
    sock = client_socket(request)
    if sock is None:
        raise ConnectionReset("The sandbox reset this connection on purpose (an injected fault).")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client may already be gone; either way it gets no answer
    response = HttpResponse(status=500)
    response["Connection"] = "close"
    return response
