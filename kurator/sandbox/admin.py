"""The sandbox in the Django admin, for the operator: readers, communities, channels, tokens and faults
can be set up by hand; the ledger can only be read (it is append-only). A community, channel, token, bot
or fault made here is seen by the library network whose id is given in "library network", and by the
operator only while that is empty."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kurator.sandbox.models import Fault, LedgerEntry, Reader, TgBot, TgChat, TgMembership, VkCommunity, VkToken


@admin.register(Reader)
class ReaderAdmin(admin.ModelAdmin):
    list_display = ["name", "vk_id", "tg_id", "simulated"]
    search_fields = ["name"]


@admin.register(VkCommunity)
class VkCommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "screen_name", "group_id", "members_count", "daily_post_cap", "network_id"]
    list_filter = ["network_id"]
    search_fields = ["name", "screen_name"]
    exclude = ["longpoll_key"]


@admin.register(VkToken)
class VkTokenAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "community", "user_id", "revoked_at", "network_id"]
    list_filter = ["kind", "network_id"]
    filter_horizontal = ["admin_of"]


class MembershipInline(admin.TabularInline):
    model = TgMembership
    extra = 0


@admin.register(TgBot)
class TgBotAdmin(admin.ModelAdmin):
    list_display = ["username", "first_name", "user_id", "revoked_at", "network_id"]
    list_filter = ["network_id"]
    exclude = ["next_update_id"]
    inlines = [MembershipInline]


@admin.register(TgChat)
class TgChatAdmin(admin.ModelAdmin):
    list_display = ["__str__", "type", "username", "chat_id", "dialog_bot", "linked_chat", "member_count", "network_id"]
    list_filter = ["type", "network_id"]
    exclude = ["next_message_id"]


@admin.register(Fault)
class FaultAdmin(admin.ModelAdmin):
    list_display = ["__str__", "network", "kind", "place", "remaining", "active", "created_at", "network_id"]
    list_filter = ["network", "kind", "active", "network_id"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "network", "action", "kind", "place", "object_id", "actor", "key"]
    list_filter = ["network", "action", "kind"]
    search_fields = ["place", "object_id", "key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
