"""Token checks (R-PUB-4) — filled in next."""

from __future__ import annotations


def check_due_tokens() -> int:
    return 0
