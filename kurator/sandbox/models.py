"""The built-in sandbox networks (R-PUB-6): VK- and Telegram-compatible communities, channels, posts,
comments, messages and events, kept in the database so that nothing accepted is lost on restart.

These models know nothing of the registry: the sandbox is "another VK" and "another Telegram", found
only through its base URLs and tokens, as the real networks are. What belongs to a library network (its
communities, channels, tokens, bots and the faults injected on them) says so by a plain `network_id`, as
core's CalendarOverride does, so that each network's people see only their own (R-ORG-1); an object with
no network (made by hand in the admin, or by tests) is the operator's. The ledger belongs by its place."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kurator.sandbox.choices import FaultKind, LedgerAction, Network, TgChatType, VkTokenKind

OWNER_HELP = _("The id of the library network whose people see it. Empty: the operator only.")


class Reader(models.Model):
    """A person on the sandbox networks: a simulated reader, or a trainer acting as one."""

    name = models.CharField(_("name"), max_length=120)
    vk_id = models.PositiveBigIntegerField(_("VK user id"), unique=True)
    tg_id = models.PositiveBigIntegerField(_("Telegram user id"), unique=True)
    simulated = models.BooleanField(_("simulated"), default=True)

    class Meta:
        verbose_name = _("sandbox reader")
        verbose_name_plural = _("sandbox readers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LedgerEntry(models.Model):
    """Append-only: one row for everything the sandbox created, edited or deleted. Tests and benchmarks
        read it as the witness of "exactly once" (R-PUB-2). An entry belongs to the library network of its
    place (the community or chat), looked up when it is read: see selectors.ledger_visible_to."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    network = models.CharField(_("network"), max_length=10, choices=Network.choices)
    action = models.CharField(_("action"), max_length=10, choices=LedgerAction.choices)
    kind = models.CharField(_("object"), max_length=20)  # post, comment, message, photo, video, ban
    place = models.CharField(_("community or chat"), max_length=40, db_index=True)  # "-123" (VK owner) / "-100…" (chat)
    object_id = models.CharField(_("object id"), max_length=40)
    actor = models.CharField(_("by"), max_length=60, blank=True)  # token prefix or reader
    key = models.CharField(_("idempotency key"), max_length=80, blank=True)  # guid / random_id
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {self.network} {self.action} {self.kind} {self.place}/{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("The sandbox ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("The sandbox ledger is append-only.")


class Fault(models.Model):
    """A fault injected on purpose (issue 4 item 6): for a whole network, one token, or one chat."""

    network = models.CharField(_("network"), max_length=10, choices=Network.choices)
    kind = models.CharField(_("fault"), max_length=24, choices=FaultKind.choices)
    token = models.CharField(_("token"), max_length=200, blank=True, help_text=_("Empty: every token."))
    place = models.CharField(_("community or chat"), max_length=40, blank=True, help_text=_("Empty: everywhere."))
    params = models.JSONField(_("parameters"), default=dict, blank=True)  # latency_ms, status, retry_after, method
    remaining = models.PositiveIntegerField(
        _("requests left"), null=True, blank=True, help_text=_("Empty: until removed.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    network_id = models.BigIntegerField(
        _("library network"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Only the tokens and places of this library network. Empty: the whole sandbox."),
    )

    class Meta:
        verbose_name = _("injected fault")
        verbose_name_plural = _("injected faults")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_network_display()}: {self.get_kind_display()}"


# --- VK -----------------------------------------------------------------------------------------


class VkCommunity(models.Model):
    """A VK community (group). Its owner id on the wall is the negative group id."""

    group_id = models.PositiveBigIntegerField(_("group id"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    screen_name = models.CharField(_("short address"), max_length=100, unique=True)
    members_count = models.PositiveIntegerField(_("members"), default=0)
    daily_post_cap = models.PositiveIntegerField(_("wall posts a day"), default=50)
    callback_url = models.URLField(_("Callback API address"), blank=True)
    callback_secret = models.CharField(_("Callback API secret"), max_length=100, blank=True)
    confirmation_code = models.CharField(_("confirmation code"), max_length=40, blank=True)
    longpoll_key = models.CharField(max_length=64, blank=True)
    network_id = models.BigIntegerField(
        _("library network"), null=True, blank=True, db_index=True, help_text=OWNER_HELP
    )

    class Meta:
        verbose_name = _("sandbox VK community")
        verbose_name_plural = _("sandbox VK communities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_id(self) -> int:
        return -int(self.group_id)


class VkToken(models.Model):
    """An access token as VK issues them: an administrator's user token (wall, bans, statistics) or a
    community token (messages, events, replies to comments)."""

    token = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=VkTokenKind.choices)
    community = models.ForeignKey(
        VkCommunity, null=True, blank=True, on_delete=models.CASCADE, related_name="community_tokens"
    )
    user_id = models.PositiveBigIntegerField(_("VK user id of the administrator"), null=True, blank=True)
    admin_of = models.ManyToManyField(VkCommunity, blank=True, related_name="admin_tokens")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    network_id = models.BigIntegerField(
        _("library network"), null=True, blank=True, db_index=True, help_text=OWNER_HELP
    )

    class Meta:
        verbose_name = _("sandbox VK token")
        verbose_name_plural = _("sandbox VK tokens")

    def __str__(self) -> str:
        return self.label or f"{self.kind} {self.token[:8]}…"


class VkPost(models.Model):
    """A wall post, published or postponed (publish_date in the future)."""

    community = models.ForeignKey(VkCommunity, on_delete=models.CASCADE, related_name="posts")
    post_id = models.PositiveBigIntegerField()
    from_id = models.BigIntegerField()
    text = models.TextField(blank=True)
    attachments = models.TextField(blank=True)  # comma-separated, as VK takes them
    date = models.DateTimeField()  # publication time (the future for a postponed post)
    postponed = models.BooleanField(default=False)
    guid = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(VkToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    likes = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date", "-post_id"]
        constraints = [models.UniqueConstraint(fields=["community", "post_id"], name="vk_post_id_unique_on_wall")]

    def __str__(self) -> str:
        return f"{self.community.owner_id}_{self.post_id}"


class VkComment(models.Model):
    community = models.ForeignKey(VkCommunity, on_delete=models.CASCADE, related_name="comments")
    post = models.ForeignKey(VkPost, on_delete=models.CASCADE, related_name="comments")
    comment_id = models.PositiveBigIntegerField()
    from_id = models.BigIntegerField()  # a reader's id, or the negative group id when the community answers
    text = models.TextField(blank=True)
    reply_to_comment = models.PositiveBigIntegerField(null=True, blank=True)
    guid = models.CharField(max_length=100, blank=True)
    date = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    likes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["comment_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "comment_id"], name="vk_comment_id_unique_in_community")
        ]

    def __str__(self) -> str:
        return f"{self.community.owner_id}_{self.post.post_id} #{self.comment_id}"


class VkMessage(models.Model):
    """A message in a community's dialog with a reader (out: sent by the community)."""

    community = models.ForeignKey(VkCommunity, on_delete=models.CASCADE, related_name="messages")
    peer_id = models.BigIntegerField()
    message_id = models.PositiveBigIntegerField()
    out = models.BooleanField(default=False)
    text = models.TextField(blank=True)
    random_id = models.BigIntegerField(default=0)
    date = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["message_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "message_id"], name="vk_message_id_unique_in_community")
        ]
        indexes = [models.Index(fields=["community", "peer_id", "random_id"])]

    def __str__(self) -> str:
        return f"{self.community.owner_id} ↔ {self.peer_id} #{self.message_id}"


class VkConversation(models.Model):
    community = models.ForeignKey(VkCommunity, on_delete=models.CASCADE, related_name="conversations")
    peer_id = models.BigIntegerField()
    marked_answered = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "peer_id"], name="vk_one_conversation_per_peer")]

    def __str__(self) -> str:
        return f"{self.community.owner_id} ↔ {self.peer_id}"


class VkPhoto(models.Model):
    """A photo through the wall upload flow: uploaded (server, hash) then saved (an id to attach)."""

    community = models.ForeignKey(VkCommunity, on_delete=models.CASCADE, related_name="photos")
    photo_id = models.PositiveBigIntegerField(null=True, blank=True)
    upload_hash = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to="sandbox/vk/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"photo{self.community.owner_id}_{self.photo_id}"


class VkVideo(models.Model):
    """A video through the community upload flow: video.save makes it (an id and an upload address),
    the upload brings its file. Only then may a post attach it, as "video<owner_id>_<video_id>"."""

    community = models.ForeignKey(VkCommunity, on_delete=models.CASCADE, related_name="videos")
    video_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    access_key = models.CharField(max_length=40)
    file = models.FileField(upload_to="sandbox/vk/video/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    duration = models.PositiveIntegerField(default=0)  # seconds
    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "video_id"], name="vk_video_id_unique_in_community")
        ]

    def __str__(self) -> str:
        return f"video{self.community.owner_id}_{self.video_id}"


class VkBan(models.Model):
    community = models.ForeignKey(VkCommunity, on_delete=models.CASCADE, related_name="bans")
    user_id = models.BigIntegerField()
    reason = models.PositiveSmallIntegerField(default=0)  # 0 other, 1 spam, 2 insults, 3 obscene, 4 off-topic
    comment = models.CharField(max_length=300, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "user_id"], name="vk_one_ban_per_user")]

    def __str__(self) -> str:
        return f"{self.community.owner_id}: ban {self.user_id}"


class VkEvent(models.Model):
    """A community event for Bots Long Poll and Callback API delivery; `ts` orders them."""

    community = models.ForeignKey(VkCommunity, on_delete=models.CASCADE, related_name="events")
    ts = models.PositiveBigIntegerField()
    event_id = models.CharField(max_length=64, unique=True)
    type = models.CharField(max_length=40)
    object = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)  # by the Callback API

    class Meta:
        ordering = ["ts"]
        constraints = [models.UniqueConstraint(fields=["community", "ts"], name="vk_event_ts_unique")]

    def __str__(self) -> str:
        return f"{self.type} ts={self.ts}"


# --- Telegram -----------------------------------------------------------------------------------


class TgBot(models.Model):
    token = models.CharField(max_length=200, unique=True)
    user_id = models.PositiveBigIntegerField(unique=True)
    username = models.CharField(max_length=64, unique=True)
    first_name = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(null=True, blank=True)
    webhook_url = models.URLField(blank=True)
    webhook_secret = models.CharField(max_length=256, blank=True)
    allowed_updates = models.JSONField(default=list, blank=True)
    next_update_id = models.PositiveBigIntegerField(default=1)
    network_id = models.BigIntegerField(
        _("library network"), null=True, blank=True, db_index=True, help_text=OWNER_HELP
    )

    class Meta:
        verbose_name = _("sandbox Telegram bot")
        verbose_name_plural = _("sandbox Telegram bots")

    def __str__(self) -> str:
        return f"@{self.username}"


class TgChat(models.Model):
    """A channel, its linked discussion group, or a private chat with a reader. In Telegram a private
    chat's id is the user's id for every bot, yet each bot has a dialog of its own with the user: what
    the user writes to one bot never reaches another, and message ids are counted per dialog. So a
    private chat here is one row per (reader, bot), `dialog_bot`, and only a private chat's id repeats.
    It has no network of its own: it is its bot's network's, see selectors.chats_visible_to."""

    chat_id = models.BigIntegerField(db_index=True)
    type = models.CharField(max_length=12, choices=TgChatType.choices)
    title = models.CharField(max_length=200, blank=True)
    username = models.CharField(max_length=64, blank=True)
    linked_chat = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="linked_from"
    )
    member_count = models.PositiveIntegerField(default=0)
    next_message_id = models.PositiveBigIntegerField(default=1)
    network_id = models.BigIntegerField(
        _("library network"), null=True, blank=True, db_index=True, help_text=OWNER_HELP
    )
    dialog_bot = models.ForeignKey(
        TgBot,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="private_dialogs",
        verbose_name=_("dialog with the bot"),
        help_text=_("A private chat only: the bot this dialog with the reader is with."),
    )

    class Meta:
        verbose_name = _("sandbox Telegram chat")
        verbose_name_plural = _("sandbox Telegram chats")
        constraints = [
            models.UniqueConstraint(
                fields=["chat_id"], condition=models.Q(dialog_bot__isnull=True), name="tg_chat_id_unique"
            ),
            models.UniqueConstraint(fields=["chat_id", "dialog_bot"], name="tg_one_private_dialog_per_bot"),
        ]

    def __str__(self) -> str:
        return self.title or str(self.chat_id)


class TgMembership(models.Model):
    """A bot in a chat: an administrator with posting and deleting rights, a member, or gone."""

    bot = models.ForeignKey(TgBot, on_delete=models.CASCADE, related_name="memberships")
    chat = models.ForeignKey(TgChat, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=16, default="administrator")  # administrator, member, left, kicked
    can_post_messages = models.BooleanField(default=True)
    can_delete_messages = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bot", "chat"], name="tg_one_membership_per_bot_chat")]

    def __str__(self) -> str:
        return f"{self.bot} in {self.chat}: {self.status}"


class TgFile(models.Model):
    """A file a bot sent: a photo or a video. A file_id names one kind, and is refused as the other."""

    file_id = models.CharField(max_length=100, unique=True)
    file_unique_id = models.CharField(max_length=40, unique=True)
    file = models.FileField(upload_to="sandbox/telegram/")
    kind = models.CharField(max_length=10, default="photo")  # photo, video
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    duration = models.PositiveIntegerField(default=0)  # seconds, a video's
    mime_type = models.CharField(max_length=100, blank=True)  # a video's

    def __str__(self) -> str:
        return self.file_id


class TgMessage(models.Model):
    chat = models.ForeignKey(TgChat, on_delete=models.CASCADE, related_name="messages")
    message_id = models.PositiveBigIntegerField()
    from_bot = models.ForeignKey(TgBot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_reader = models.ForeignKey(Reader, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sender_chat = models.ForeignKey(TgChat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(blank=True)
    caption = models.TextField(blank=True)
    entities = models.JSONField(default=list, blank=True)
    photo = models.ForeignKey(TgFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    video = models.ForeignKey(TgFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    media_group_id = models.CharField(max_length=40, blank=True)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    forward_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forwards")
    is_automatic_forward = models.BooleanField(default=False)
    date = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    reactions = models.JSONField(default=dict, blank=True)  # emoji -> count (anonymous, channel style)
    views = models.PositiveIntegerField(default=0)  # shown to readers only: the Bot API has no views

    class Meta:
        ordering = ["message_id"]
        constraints = [models.UniqueConstraint(fields=["chat", "message_id"], name="tg_message_id_unique_in_chat")]

    def __str__(self) -> str:
        return f"{self.chat.chat_id}/{self.message_id}"


class TgUpdate(models.Model):
    """An update waiting for a bot: getUpdates returns those after the confirmed offset (kept 24 hours)."""

    bot = models.ForeignKey(TgBot, on_delete=models.CASCADE, related_name="updates")
    update_id = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)  # by the webhook

    class Meta:
        ordering = ["update_id"]
        constraints = [models.UniqueConstraint(fields=["bot", "update_id"], name="tg_update_id_unique_per_bot")]

    def __str__(self) -> str:
        return f"{self.bot} #{self.update_id} {self.type}"
