"""The append-only ledger: the witness of what the sandbox accepted."""

from __future__ import annotations

from typing import Any

from kurator.sandbox.models import LedgerEntry

# In the payload of an entry made in a Telegram private dialog: the user id of the bot it is with.
DIALOG_KEY = "dialog_bot"


def ledger_record(
    *,
    network: str,
    action: str,
    kind: str,
    place: str | int,
    object_id: str | int,
    actor: str = "",
    key: str = "",
    payload: dict[str, Any] | None = None,
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        network=network,
        action=action,
        kind=kind,
        place=str(place),
        object_id=str(object_id),
        actor=actor[:60],
        key=str(key)[:80],
        payload=payload or {},
    )


def token_hint(token: str) -> str:
    """Enough of a token to tell tokens apart in the ledger, never the whole secret."""
    return f"{token[:6]}…" if token else ""
