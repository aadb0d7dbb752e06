"""The core of the sandbox VK (networks.md §1): one API call (its token and parameters), VK's error
shape, token kinds and revocation, the per-token rate limits, communities and administrator rights,
numbering within a community, and the ledger record every write leaves."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from kurator.sandbox.choices import Network, VkTokenKind
from kurator.sandbox.ledger import ledger_record, token_hint
from kurator.sandbox.models import (
    VkCommunity,
    VkToken,
)

# VK's limits (networks.md §1.5). A module constant so that tests of other behaviour can lift it.
REQUESTS_PER_SECOND = {VkTokenKind.USER: 3, VkTokenKind.COMMUNITY: 20}


class VkError(Exception):
    """An API error as VK reports it: a code, VK's own text and, for captcha, extra fields."""

    def __init__(self, code: int, message: str, **extra: Any) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.extra = extra


def invalid_param(name: str, problem: str = "is undefined") -> VkError:
    return VkError(100, f"One of the parameters specified was missing or invalid: {name} {problem}")


def access_denied() -> VkError:
    return VkError(15, "Access denied")


@dataclass
class Call:
    """One API call: the authorised token, the merged parameters, and this server's address (for
    upload and long-poll URLs, which VK hands out as absolute addresses)."""

    token: VkToken
    params: dict[str, str]
    site: str = ""
    actor: str = field(init=False)

    def __post_init__(self) -> None:
        self.actor = token_hint(self.token.token)

    def text(self, name: str, default: str = "") -> str:
        return self.params.get(name, default)

    def integer(self, name: str, default: int | None = None) -> int:
        raw = self.params.get(name, "").strip()
        if raw == "":
            if default is None:
                raise invalid_param(name)
            return default
        try:
            return int(raw)
        except ValueError:
            raise invalid_param(name, "not integer") from None

    def optional_integer(self, name: str) -> int | None:
        return self.integer(name) if self.params.get(name, "").strip() else None

    def flag(self, name: str) -> bool:
        return self.params.get(name, "").strip() not in ("", "0", "false")

    def count(self, default: int, maximum: int) -> int:
        return max(0, min(self.integer("count", default), maximum))


# --- Tokens ---------------------------------------------------------------------------------------


def authorize(raw_token: str) -> VkToken:
    """Error 5 with VK's wording for a missing, unknown or revoked token."""
    if not raw_token:
        raise VkError(5, "User authorization failed: no access_token passed.")
    token = VkToken.objects.select_related("community").filter(token=raw_token).first()
    if token is None:
        raise VkError(5, "User authorization failed: invalid access_token (4).")
    if token.revoked_at is not None:
        raise VkError(5, "User authorization failed: user revoke access for this token.")
    return token


def check_token_kind(token: VkToken, kinds: frozenset[str]) -> None:
    """Error 27: a user-only method with a community token (VK's own text), or the reverse."""
    if token.kind in kinds:
        return
    if token.kind == VkTokenKind.COMMUNITY:
        raise VkError(27, "Group authorization failed: method is unavailable with group auth.")
    raise VkError(27, "Group authorization failed: method is available only with group auth.")


def over_rate_limit(token: VkToken) -> bool:
    """Requests counted per token and calendar second in the shared cache, so every process agrees."""
    key = f"sandbox:vk:rps:{token.pk}:{int(time.time())}"
    cache.add(key, 0, timeout=3)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3)
        used = 1
    return used > REQUESTS_PER_SECOND.get(VkTokenKind(token.kind), 3)


def check_rate_limit(token: VkToken) -> None:
    if over_rate_limit(token):
        raise VkError(6, "Too many requests per second")


def revoke_token(raw_token: str) -> None:
    VkToken.objects.filter(token=raw_token, revoked_at__isnull=True).update(revoked_at=timezone.now())


def remove_admin_rights(raw_token: str, place: str) -> None:
    token = VkToken.objects.filter(token=raw_token).first()
    community = community_for_place(place)
    if token is not None and community is not None:
        token.admin_of.remove(community)


# --- Communities and rights -----------------------------------------------------------------------


def community_for_place(place: str) -> VkCommunity | None:
    try:
        return VkCommunity.objects.filter(group_id=abs(int(place))).first()
    except ValueError:
        return None


def community_by_owner(call: Call) -> VkCommunity:
    """The sandbox has only community walls: owner_id is the negative group id."""
    owner_id = call.integer("owner_id")
    community = VkCommunity.objects.filter(group_id=-owner_id).first() if owner_id < 0 else None
    if community is None:
        raise access_denied()
    return community


def community_by_group(call: Call, name: str = "group_id") -> VkCommunity:
    """group_id may be a number or a short address; a community token means its own community."""
    raw = call.text(name).strip().lstrip("-")
    if not raw:
        if call.token.kind == VkTokenKind.COMMUNITY and call.token.community is not None:
            return call.token.community
        raise invalid_param(name)
    query = Q(group_id=int(raw)) if raw.isdigit() else Q(screen_name=raw.removeprefix("club"))
    community = VkCommunity.objects.filter(query).first()
    if community is None:
        raise invalid_param(name, "is invalid")
    return community


def may_manage(token: VkToken, community: VkCommunity) -> bool:
    if token.kind == VkTokenKind.COMMUNITY:
        return token.community_id == community.pk
    return token.admin_of.filter(pk=community.pk).exists()


def require_admin(call: Call, community: VkCommunity) -> None:
    if not may_manage(call.token, community):
        raise access_denied()


def lock_community(community: VkCommunity) -> VkCommunity:
    """Serialise writes per community (numbering, guid and random_id checks) inside a transaction."""
    return VkCommunity.objects.select_for_update().get(pk=community.pk)


def next_number(queryset: QuerySet[Any], field_name: str) -> int:
    return (queryset.aggregate(last=Max(field_name))["last"] or 0) + 1


def record(
    call_or_actor: Call | str,
    action: str,
    kind: str,
    community: VkCommunity,
    object_id: int | str,
    *,
    key: str | int = "",
    payload: dict[str, Any] | None = None,
) -> None:
    actor = call_or_actor.actor if isinstance(call_or_actor, Call) else call_or_actor
    ledger_record(
        network=Network.VK,
        action=action,
        kind=kind,
        place=community.owner_id,
        object_id=object_id,
        actor=actor,
        key=str(key) if key not in ("", 0, "0") else "",
        payload=payload,
    )


def unix_to_datetime(value: int) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)
