"""Token checks (R-PUB-4): a revoked or expired token, or lost administrator rights, must be in front of
the person who can fix it days before a post is due on it, not found out at the moment of sending.

Every connection is checked every few hours; a page with posts due within a day is checked every hour,
so a failing token on it is shown, and its people told (once), while there is time to replace it. A
network that does not answer says nothing about the token: such a check records nothing and is simply
tried again on the next round."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kurator.networks.errors import NetworkError, PermanentError
from kurator.networks.telegram.client import TelegramClient, check_telegram_token
from kurator.networks.vk.client import VkClient, check_vk_token
from kurator.publishing import limits, sending, services
from kurator.publishing.models import Publication
from kurator.registry.choices import SocialNetwork, TokenStatus
from kurator.registry.models import PageConnection

log = logging.getLogger(__name__)

ROUTINE = timedelta(hours=6)  # every connection, posts or not
BEFORE_POSTS = timedelta(hours=1)  # a page with posts due soon
DUE_SOON = timedelta(hours=24)
CHECKED_NETWORKS = (SocialNetwork.VK, SocialNetwork.TELEGRAM)
# Requests one check makes at most: VK groups.getById (+ wall.get for a token that cannot say is_admin),
# Telegram getMe, getChat, getChatMember.
CALLS_PER_CHECK: dict[str, int] = {SocialNetwork.VK: 2, SocialNetwork.TELEGRAM: 3}


@dataclass(frozen=True)
class TokenCheck:
    """`reached`: the network answered, so `problem` (None: the token works) was recorded; otherwise
    `problem` says why the network could not be asked, and nothing was recorded."""

    reached: bool
    problem: str | None


class _WatchedVk(VkClient):
    # The adapters' check functions turn every error into words; only the error's kind tells a refusal
    # (the token is bad) from a network that did not answer (nothing is known about the token).
    last_error: NetworkError | None = None

    def call(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().call(*args, **kwargs)
        except NetworkError as error:
            self.last_error = error
            raise


class _WatchedTelegram(TelegramClient):
    last_error: NetworkError | None = None

    def call(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().call(*args, **kwargs)
        except NetworkError as error:
            self.last_error = error
            raise


def _ask_network(connection: PageConnection) -> tuple[str | None, NetworkError | None]:
    """What the network says about the token: (the problem or None, the error behind it if any)."""
    network = connection.page.social_network
    base_url = sending.api_base(connection)
    if network == SocialNetwork.VK:
        try:
            group_id = abs(int(connection.target))
        except ValueError:
            return _("The VK community of this page must be given by its numeric ID."), None
        vk = _WatchedVk(base_url=base_url, token=connection.token)
        with vk:
            return check_vk_token(vk, group_id), vk.last_error
    if network == SocialNetwork.TELEGRAM:
        target = connection.target.strip()
        chat_id: int | str = int(target) if target.lstrip("-").isdigit() else target
        telegram = _WatchedTelegram(base_url=base_url, token=connection.token)
        with telegram:
            return check_telegram_token(telegram, chat_id), telegram.last_error
    return _("Kurator does not publish to this network through its API; choose assisted publishing."), None


def token_check(connection: PageConnection, *, now: datetime | None = None) -> TokenCheck:
    """Ask the network whether the connection's token may still post, and record the answer on the
    connection (the instance is brought up to date too)."""
    now = now or timezone.now()
    try:
        problem, error = _ask_network(connection)
    except NetworkError as raised:  # an adapter that lets an error through instead of naming it
        problem, error = raised.message, raised
    if problem is not None and error is not None and not isinstance(error, PermanentError):
        log.warning("Token check of page %s postponed, the network did not answer: %s", connection.page_id, error)
        return TokenCheck(reached=False, problem=problem)
    with transaction.atomic():
        current = PageConnection.objects.select_for_update().filter(pk=connection.pk).first()
        if current is None or current.updated_at != connection.updated_at:
            # Someone replaced the token or the target while the network was being asked: this answer is
            # about what is no longer there, and the new one will be checked on its own.
            log.info("Token check of page %s dropped: the connection changed meanwhile", connection.page_id)
            return TokenCheck(reached=False, problem=_("the connection was changed during the check"))
        if problem is None:
            PageConnection.objects.filter(pk=connection.pk).update(
                status=TokenStatus.WORKING, problem="", checked_at=now, failing_since=None
            )
        else:
            services.token_failing(current, problem, now=now)
    connection.refresh_from_db(fields=["status", "problem", "checked_at", "failing_since"])
    return TokenCheck(reached=True, problem=problem)


def check_connection(connection: PageConnection, *, now: datetime | None = None) -> str | None:
    """The problem with the connection's token, recorded and told to the page's people; None when it
    works, and also when the network could not be asked (then nothing is recorded, and a post that is
    due finds out for itself)."""
    result = token_check(connection, now=now)
    return result.problem if result.reached else None


def connections_due(now: datetime) -> QuerySet[PageConnection]:
    def not_checked_within(age: timedelta) -> Q:
        return Q(checked_at__isnull=True) | Q(checked_at__lt=now - age)

    pages_with_posts_soon = Publication.objects.filter(
        state__in=services.PENDING_STATES, due_at__lt=now + DUE_SOON
    ).values("page_id")
    return (
        PageConnection.objects.filter(page__social_network__in=CHECKED_NETWORKS, page__archived=False)
        .filter(not_checked_within(ROUTINE) | (Q(page_id__in=pages_with_posts_soon) & not_checked_within(BEFORE_POSTS)))
        .select_related("page")
        .order_by(F("checked_at").asc(nulls_first=True), "pk")
    )


def _wait_for_room(connection: PageConnection) -> None:
    """Take the check's requests from the limits the token shares with publishing, so that a round over
    many communities of one administrator's token neither runs into VK's error 6 itself nor pushes the
    due posts into it. Only the request rates count: a check posts nothing on the wall or in the chat."""
    network = connection.page.social_network
    rates = [
        limit
        for limit in limits.limits_for(network, connection.token, connection.target)
        if limit.window <= timedelta(seconds=1)
    ]
    # A check is no publication: 0 is never a publication's id, so no publication's reservation is touched.
    limits.pace(rates, publication_id=0, weight=CALLS_PER_CHECK.get(network, 1))


def check_due_tokens(now: datetime | None = None) -> int:
    """The periodic round (every ten minutes, kurator/publishing/tasks.py); returns how many were checked."""
    now = now or timezone.now()
    checked = 0
    for connection in connections_due(now):
        try:
            _wait_for_room(connection)
            token_check(connection, now=now)
        except Exception:  # one page's trouble must not keep the other pages' tokens unchecked
            log.exception("Token check of page %s failed", connection.page_id)
        checked += 1
    return checked
