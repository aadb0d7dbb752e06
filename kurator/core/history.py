"""Readable history (R-REV-5) from django-simple-history: who changed what and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kurator.core.models import AuditEvent


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: Any
    action: str
    changes: list[Change]


def _display(record: Any, field_name: str) -> str:
    field = record._meta.get_field(field_name)
    value = getattr(record, field.attname, None)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        try:
            return str(getattr(record, field_name))
        except Exception:
            return f"#{value}"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):  # as people read it: local time, not the stored UTC
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


def history_of(obj: models.Model, limit: int = 50) -> list[HistoryEntry]:
    labels = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])  # type: ignore[attr-defined]
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                verbose = str(record._meta.get_field(change.field).verbose_name)
                changes.append(Change(verbose, _display(previous, change.field), _display(record, change.field)))
            if not changes:
                continue
        entries.append(
            HistoryEntry(record.history_date, record.history_user, labels.get(record.history_type, ""), changes)
        )
    return entries


def audit_events_of(obj: models.Model, limit: int = 50) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)
        ).select_related("actor")[:limit]
    )
