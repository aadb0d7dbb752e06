"""The HTTP underneath every network client: one way to build an httpx client with explicit timeouts,
one place where tests plug in another transport, and one reading of transport failures as transient
(the request never left), ambiguous (it left and no answer came) or permanent (it could not be built)."""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from kurator.networks.errors import AmbiguousError, NetworkError, PermanentError, TransientError

# A network that does not answer within these is treated as down (connect, pool) or as having maybe
# accepted the request (read, write); never wait forever, or a worker's lease runs out silently.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)

# These fail before a single byte of the request reaches the network.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
# These are our own mistakes (a wrong base URL, an illegal header): resending cannot help.
CANNOT_SEND = (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL)

# Process-wide on purpose: the publishing workers run in threads, and a test that installs the
# in-process sandbox must reach them too.
_installed: httpx.BaseTransport | None = None


class _SharedTransport(httpx.BaseTransport):
    """Lends the installed transport to one client without letting that client's close() end it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        pass


@contextmanager
def use_transport(transport: httpx.BaseTransport | None) -> Iterator[None]:
    """Every client made inside the block sends through `transport` (None: the real network)."""
    global _installed
    previous, _installed = _installed, transport
    try:
        yield
    finally:
        _installed = previous


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every client: building one reads the whole CA bundle, and with a client per
    publication that was a quarter of a worker's CPU in a campaign (bench/publishing.py --profile)."""
    return httpx.create_ssl_context()


def make_client(base_url: str, *, timeout: httpx.Timeout | None = None) -> httpx.Client:
    transport = _SharedTransport(_installed) if _installed is not None else None
    return httpx.Client(base_url=base_url, timeout=timeout or DEFAULT_TIMEOUT, transport=transport, verify=_tls())


def hide(text: str, secret: str) -> str:
    """Tokens travel in URLs and bodies; they must never reach a message shown or logged."""
    return text.replace(secret, "***") if secret else text


def transport_error(error: Exception, *, method: str, read_only: bool, secret: str = "") -> NetworkError:
    message = hide(f"{type(error).__name__}: {error}".rstrip(": "), secret)
    if isinstance(error, NEVER_SENT):
        return TransientError(message, method=method)
    if isinstance(error, CANNOT_SEND):
        return PermanentError(message, method=method)
    # A read cannot be duplicated, so a lost answer only means "try again".
    if read_only:
        return TransientError(message, method=method)
    return AmbiguousError(message, method=method)


def post(
    client: httpx.Client, path: str, *, method: str, read_only: bool, secret: str = "", **request: Any
) -> httpx.Response:
    """POST and read the whole answer, turning every transport failure into a NetworkError."""
    try:
        return client.post(path, **request)
    except (httpx.TransportError, httpx.DecodingError, httpx.InvalidURL) as error:
        raise transport_error(error, method=method, read_only=read_only, secret=secret) from error


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON answer, or None when the body is not JSON (a proxy's or a gateway's page)."""
    try:
        return response.json()
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        return None


def unreadable_answer(response: httpx.Response, *, method: str, read_only: bool) -> NetworkError:
    """A 2xx answer we cannot read: something answered, and for a write it may be the network
    confirming what it did."""
    message = f"HTTP {response.status_code}: the answer is not the network's JSON envelope"
    if read_only:
        return TransientError(message, code=response.status_code, method=method)
    return AmbiguousError(message, code=response.status_code, method=method)


def status_error(response: httpx.Response, *, method: str) -> NetworkError | None:
    """The error an HTTP status alone says, before the body is read: 5xx and 429 come back later,
    other 4xx will be refused again, and a redirect means the base URL is wrong (a POST is not
    followed, so nothing was done). None for a 2xx answer."""
    status = response.status_code
    text = f"HTTP {status} {response.reason_phrase}".strip()
    if status >= 500 or status == 429:
        return TransientError(text, code=status, method=method)
    if status >= 400:
        return PermanentError(text, code=status, method=method)
    if status >= 300:
        return PermanentError(f"{text}: redirected; check the base URL", code=status, method=method)
    return None
