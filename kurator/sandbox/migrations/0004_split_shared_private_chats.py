"""Split each reader's shared private chat into one dialog per bot (see TgChat).

The shared chat stays the dialog of the bot that joined it first; every other bot gets a dialog of its
own, with its membership, its own messages and the reader's replies to them. A reader's message that
replied to nothing cannot be told apart: it stays in the first bot's dialog. Message ids are kept, and
each new dialog counts on from the shared chat's counter, so no id is reused. The ledger's old entries
name no dialog and stay the operator's. Data only: the schema changed in 0003, so that PostgreSQL does
not alter a table with pending trigger events."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def split(apps: Any, schema_editor: Any) -> None:
    TgChat = apps.get_model("sandbox", "TgChat")
    TgMembership = apps.get_model("sandbox", "TgMembership")
    TgMessage = apps.get_model("sandbox", "TgMessage")
    for chat in TgChat.objects.filter(type="private", dialog_bot__isnull=True).order_by("pk"):
        memberships = list(TgMembership.objects.filter(chat=chat).order_by("pk"))
        if not memberships:
            continue
        chat.dialog_bot_id = memberships[0].bot_id
        chat.save(update_fields=["dialog_bot"])
        for member in memberships[1:]:
            dialog = TgChat.objects.create(
                chat_id=chat.chat_id,
                type=chat.type,
                title=chat.title,
                username=chat.username,
                member_count=chat.member_count,
                next_message_id=chat.next_message_id,
                network_id=chat.network_id,
                dialog_bot_id=member.bot_id,
            )
            TgMembership.objects.filter(pk=member.pk).update(chat=dialog)
            own = TgMessage.objects.filter(chat=chat, from_bot_id=member.bot_id)
            answers = TgMessage.objects.filter(chat=chat, from_bot__isnull=True, reply_to__in=own)
            TgMessage.objects.filter(pk__in=list(answers.values_list("pk", flat=True))).update(chat=dialog)
            own.update(chat=dialog)


class Migration(migrations.Migration):
    dependencies = [
        ("sandbox", "0003_private_dialog_per_bot"),
    ]

    operations = [
        migrations.RunPython(split, migrations.RunPython.noop),
    ]
