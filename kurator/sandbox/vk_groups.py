"""Communities: bans with VK's five reasons, lookups, members, the Callback API code, token rights."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from kurator.sandbox import vk_events, vk_wire
from kurator.sandbox.choices import LedgerAction, VkTokenKind
from kurator.sandbox.models import (
    Reader,
    VkBan,
    VkCommunity,
)
from kurator.sandbox.vk_core import (
    Call,
    community_by_group,
    invalid_param,
    may_manage,
    record,
    require_admin,
    unix_to_datetime,
)

BAN_REASONS = range(0, 5)  # 0 other, 1 spam, 2 insulting participants, 3 obscene language, 4 off-topic


def groups_ban(call: Call) -> int:
    community = community_by_group(call)
    require_admin(call, community)
    user_id = call.integer("owner_id") if call.text("owner_id") else call.integer("user_id")
    reason = call.integer("reason", 0)
    if reason not in BAN_REASONS:
        raise invalid_param("reason", "is invalid")
    end_date = call.integer("end_date", 0)
    comment = call.text("comment")[:300]
    with transaction.atomic():
        _ban, created = VkBan.objects.update_or_create(
            community=community,
            user_id=user_id,
            defaults={
                "reason": reason,
                "comment": comment,
                "end_date": unix_to_datetime(end_date) if end_date else None,
            },
        )
        record(
            call, LedgerAction.CREATED if created else LedgerAction.EDITED, "ban", community, user_id,
            payload={"reason": reason, "end_date": end_date, "comment": comment},
        )  # fmt: skip
        vk_events.emit(
            community,
            "user_block",
            {
                "admin_id": call.token.user_id or 0,
                "user_id": user_id,
                "unblock_date": end_date,
                "reason": reason,
                "comment": comment,
            },
        )
    return 1


def groups_unban(call: Call) -> int:
    community = community_by_group(call)
    require_admin(call, community)
    user_id = call.integer("owner_id") if call.text("owner_id") else call.integer("user_id")
    with transaction.atomic():
        removed, _ = VkBan.objects.filter(community=community, user_id=user_id).delete()
        if removed:
            record(call, LedgerAction.DELETED, "ban", community, user_id)
            vk_events.emit(
                community, "user_unblock", {"admin_id": call.token.user_id or 0, "user_id": user_id, "by_end_date": 0}
            )
    return 1


def group_for_token(call: Call, community: VkCommunity) -> dict[str, Any]:
    """VK tells a user token how its owner stands in the community (is_admin, admin_level 3 for an
    administrator, is_member); a community token gets the community alone."""
    data = vk_wire.group_json(community)
    if call.token.kind == VkTokenKind.USER:
        is_admin = may_manage(call.token, community)
        data.update(is_admin=int(is_admin), is_member=1, is_advertiser=0)
        if is_admin:
            data["admin_level"] = 3
    return data


def groups_get_by_id(call: Call) -> dict[str, Any]:
    names = vk_wire.attachment_list(call.text("group_ids") or call.text("group_id"))
    if not names:
        if call.token.community is None:
            raise invalid_param("group_ids")
        return {"groups": [group_for_token(call, call.token.community)], "profiles": []}
    groups = []
    for name in names:
        raw = name.lstrip("-")
        community = VkCommunity.objects.filter(
            Q(group_id=int(raw)) if raw.isdigit() else Q(screen_name=raw.removeprefix("club"))
        ).first()
        if community is None:
            raise invalid_param("group_ids", "is invalid")
        groups.append(group_for_token(call, community))
    return {"groups": groups, "profiles": []}


def groups_get_members(call: Call) -> dict[str, Any]:
    """The sandbox's readers are every community's members."""
    community_by_group(call)
    readers = Reader.objects.order_by("vk_id")
    offset, count = call.integer("offset", 0), call.count(1000, 1000)
    page = list(readers[offset : offset + count])
    items: list[Any] = (
        [vk_wire.user_json(reader) for reader in page] if call.text("fields") else [r.vk_id for r in page]
    )
    return {"count": readers.count(), "items": items}


def groups_get_callback_confirmation_code(call: Call) -> dict[str, str]:
    community = community_by_group(call)
    require_admin(call, community)
    return {"code": vk_events.confirmation_code(community)}


# Community token rights as VK names them (the sandbox's community tokens have them all).
COMMUNITY_TOKEN_PERMISSIONS = [(4, "photos"), (4096, "messages"), (131072, "docs"), (262144, "manage")]


def groups_get_token_permissions(call: Call) -> dict[str, Any]:
    """How an adapter checks a community token's rights (networks.md §1.11)."""
    return {
        "mask": sum(bit for bit, _ in COMMUNITY_TOKEN_PERMISSIONS),
        "permissions": [{"setting": bit, "name": name} for bit, name in COMMUNITY_TOKEN_PERMISSIONS],
    }
