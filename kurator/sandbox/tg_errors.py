"""The Bot API's errors as the sandbox raises them: the HTTP status equals error_code, and the
description is Telegram's own English wording (never translated: adapters match on it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TgError(Exception):
    """A Bot API error: HTTP status = error_code, the description as Telegram words it."""

    code: int
    description: str
    retry_after: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


def bad_request(what: str) -> TgError:
    return TgError(400, f"Bad Request: {what}")
