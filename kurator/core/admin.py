from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kurator.core.models import AuditEvent, CalendarOverride, Notification


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["date", "country", "kind", "network_id", "note"]
    list_filter = ["country", "kind"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "summary", "network_id"]
    list_filter = ["verb"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "message", "read_at"]
