"""What can go wrong when Kurator talks to a network, sorted by what the publisher must do next
(ARCHITECTURE.md "Publishing, exactly once", R-PUB-2, R-PUB-4):

- `TransientError`: nothing happened on the network's side, or it asked us to come back later; the
  same request may be sent again after a pause (`retry_after` when the network named one).
- `PermanentError`: the network refused, and sending the same request again would be refused again;
  a person must act (fix the text, renew the token, solve a captcha).
- `AmbiguousError`: the request left us and no answer came back, so the network may have accepted it.
  Never resend blindly: read back, rely on an idempotency key (VK `guid`), or ask a person.

`token_problem` marks the errors that a new token or restored administrator rights would fix, so that
they reach the person who can fix them before the next post is due (R-PUB-4)."""

from __future__ import annotations

from typing import ClassVar


class NetworkError(Exception):
    kind: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        retry_after: float | None = None,
        token_problem: bool = False,
        method: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after
        self.token_problem = token_problem
        self.method = method

    def __str__(self) -> str:
        where = f"{self.method}: " if self.method else ""
        code = f"[{self.code}] " if self.code is not None else ""
        return f"{where}{code}{self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self!s}, token_problem={self.token_problem}, retry_after={self.retry_after})"


class TransientError(NetworkError):
    kind = "transient"


class PermanentError(NetworkError):
    kind = "permanent"


class AmbiguousError(NetworkError):
    kind = "ambiguous"
