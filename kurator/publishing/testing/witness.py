"""The sandbox's append-only ledger read back against the publications (R-PUB-2): every approved variant is
on its network at most once, and its publication ends published (with the id the ledger shows), failed
(and not on the network) or unconfirmed (on the network once, or not at all), never still on the way."""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from kurator.publishing import services
from kurator.publishing.choices import PublicationState
from kurator.publishing.models import Publication
from kurator.sandbox.choices import LedgerAction
from kurator.sandbox.models import LedgerEntry

MARKER = re.compile(r"\[(\d+)/(\d+)\]")
SETTLED = (PublicationState.PUBLISHED, PublicationState.FAILED, PublicationState.UNCONFIRMED)


@dataclass
class Verdict:
    states: Counter[str] = field(default_factory=Counter)
    duplicates: list[str] = field(default_factory=list)  # a variant on its network more than once
    losses: list[str] = field(default_factory=list)  # still on the way, or "published" with nothing out there
    wrong: list[str] = field(default_factory=list)  # failed yet out there, or published with another id
    unconfirmed_out: int = 0  # unconfirmed and in fact on the network once (a person will say so)

    @property
    def problems(self) -> list[str]:
        return [*self.duplicates, *self.losses, *self.wrong]

    def summary(self) -> str:
        states = ", ".join(f"{state} {count}" for state, count in sorted(self.states.items()))
        return (
            f"{states}; duplicates {len(self.duplicates)}, losses {len(self.losses)}, "
            f"wrong {len(self.wrong)}, unconfirmed yet out {self.unconfirmed_out}"
        )


def network_posts(post_ids: Iterable[int]) -> dict[tuple[int, int], list[str]]:
    """(post, page) → the ids the networks gave each copy of that variant they created."""
    wanted = {str(pk) for pk in post_ids}
    found: dict[tuple[int, int], list[str]] = defaultdict(list)
    entries = LedgerEntry.objects.filter(action=LedgerAction.CREATED, kind__in=("post", "message"))
    for object_id, payload in entries.values_list("object_id", "payload"):
        text = f"{payload.get('text') or ''} {payload.get('caption') or ''}"
        match = MARKER.search(text)
        if match and match.group(1) in wanted:
            found[(int(match.group(1)), int(match.group(2)))].append(object_id)
    return found


def verdict(publications: QuerySet[Publication]) -> Verdict:
    rows = list(publications.values("pk", "post_id", "page_id", "state", "external_id"))
    out_there = network_posts({row["post_id"] for row in rows})
    result = Verdict(states=Counter(row["state"] for row in rows))
    for row in rows:
        ids = out_there.get((row["post_id"], row["page_id"]), [])
        name = f"publication #{row['pk']} ({row['state']})"
        if len(ids) > 1:
            result.duplicates.append(f"{name}: on the network {len(ids)} times ({', '.join(ids)})")
        if row["state"] not in SETTLED:
            result.losses.append(f"{name}: still on the way")
        elif row["state"] == PublicationState.PUBLISHED:
            if not ids:
                result.losses.append(f"{name}: published, but the network has no such post")
            elif row["external_id"] not in ids:
                result.wrong.append(f"{name}: id {row['external_id']}, the network's {ids}")
        elif row["state"] == PublicationState.FAILED and ids:
            result.wrong.append(f"{name}: failed, but the network has it ({', '.join(ids)})")
        elif row["state"] == PublicationState.UNCONFIRMED and len(ids) == 1:
            result.unconfirmed_out += 1
    return result


def unsettled(publications: QuerySet[Publication]) -> str:
    """The rows still on the way, with their log and times relative to now: what a failing test shows."""
    now = timezone.now()
    lines = []
    for row in publications.exclude(state__in=SETTLED).select_related("page"):
        wait = (row.next_attempt_at - now).total_seconds()
        lines.append(f"#{row.pk} {row.page.social_network} {row.state} v{row.version} next attempt in {wait:.2f} s")
        lines.extend(f"    {(e.at - now).total_seconds():8.2f} s {e.state}: {e.message}" for e in row.events.all())
    return "\n".join(lines)


def settle(
    publications: QuerySet[Publication],
    *,
    timeout: float,
    sweep_every: float | None = 1.0,
    while_waiting: Callable[[], None] | None = None,
) -> bool:
    """Wait until every publication is published, failed or unconfirmed, playing the minutely sweeper every
    `sweep_every` seconds (None: leave it to the workers). False when time ran out."""
    deadline = time.monotonic() + timeout
    next_sweep = time.monotonic()
    while time.monotonic() < deadline:
        if not publications.exclude(state__in=SETTLED).exists():
            return True
        if sweep_every is not None and time.monotonic() >= next_sweep:
            services.sweep()
            next_sweep = time.monotonic() + sweep_every
        if while_waiting is not None:
            while_waiting()
        time.sleep(0.2)
    return not publications.exclude(state__in=SETTLED).exists()
