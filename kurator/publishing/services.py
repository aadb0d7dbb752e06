"""The Publication state machine (R-PUB-2), one write path per step.

scheduled ─claim→ sending ─→ published
    ↑                 ├─ transient error ─→ retry_wait ─(its time)→ sending …
    │                 ├─ permanent error ─→ failed (the network's own words, to the coordinator)
    │                 └─ no answer ─→ VK: retry_wait with the same guid (VK returns the first post) ·
    │                                 Telegram: unconfirmed (a person settles it in one click)
    └── held (over an hour late, no connection) and handoff (assisted publishing) wait for a person.

Every change is a compare-and-set on the row (its state and version, or the worker's lease), so two
workers, a sweeper and a person can never both move one publication; the network is called outside any
transaction, and a worker killed at any point leaves a lease that the sweeper turns into a safe state."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kurator.accounts.access import access_of
from kurator.accounts.responsibility import page_team
from kurator.core.services import audit_record, notify
from kurator.networks.errors import AmbiguousError, NetworkError, PermanentError, TransientError
from kurator.planning.choices import PostState
from kurator.planning.models import Post
from kurator.publishing import limits, sending
from kurator.publishing.choices import ACTIVE_STATES, HoldReason, PublicationMode, PublicationState
from kurator.publishing.explain import explain
from kurator.publishing.models import Publication, PublicationEvent
from kurator.registry.choices import PublishingMode, SocialNetwork, TokenStatus
from kurator.registry.models import PageConnection

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=3)  # longer than the adapters' timeouts for an upload and a post together
LATE_AFTER = timedelta(hours=1)  # R-PUB-2: later than this, a person decides
VK_GUID_MEMORY = timedelta(minutes=50)  # VK remembers a guid for an hour; stay well inside it
RETRY_BASE = timedelta(seconds=10)
RETRY_MAX = timedelta(minutes=10)
SOON = timedelta(seconds=90)  # rows due this soon are queued for their exact second
HANDOVER_BEFORE = timedelta(minutes=10)  # closer to its time, a post for VK's postponed posts is just sent then
POSTPONED_CHECK_AFTER = timedelta(seconds=30)  # VK publishes postponed posts on its own minute
PREPARE_AHEAD = timedelta(minutes=30)  # VK photos are uploaded this long before the post is due
LOST_AFTER = timedelta(minutes=1)  # a queued row still waiting this long after its time was lost by the queue
RELOADED_FIELDS = [
    field.name
    for field in Publication._meta.concrete_fields
    if not field.primary_key and field.name not in ("post", "variant", "page")
]
PENDING_STATES = (*ACTIVE_STATES, PublicationState.HELD, PublicationState.HANDOFF)


# --- Following the posts: approval arms, a change or a withdrawal cancels -------------------------


def publications_follow_post(sender: Any, instance: Post, **kwargs: Any) -> None:
    """Connected to Post's post_save: keep the publications in step with the post's state and time."""
    if kwargs.get("raw"):
        return
    if instance.state == PostState.APPROVED:
        publications_arm(instance)
    elif instance.state in (PostState.DRAFT, PostState.SUBMITTED, PostState.RETURNED, PostState.WITHDRAWN):
        publications_cancel(instance, _("The post is no longer approved: it changed or was withdrawn."))
    if instance.state == PostState.WITHDRAWN:
        published = list(
            Publication.objects.filter(post=instance, state=PublicationState.PUBLISHED).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: _queue_removals(published))


def _mode_of(page: Any, connection: PageConnection | None = None) -> str:
    automatic = page.publishing_mode == PublishingMode.AUTOMATIC and page.social_network in (
        SocialNetwork.VK,
        SocialNetwork.TELEGRAM,
    )
    if not automatic:
        return PublicationMode.ASSISTED
    if page.social_network == SocialNetwork.VK and connection is not None and connection.vk_postponed:
        return PublicationMode.POSTPONED
    return PublicationMode.AUTOMATIC


def _first_attempt(mode: str, due: datetime) -> datetime:
    """A post for VK's postponed posts goes there at once, unless its time is too close for it to matter."""
    now = timezone.now()
    if mode == PublicationMode.POSTPONED and due - now > HANDOVER_BEFORE:
        return now
    return due


def publications_arm(post: Post) -> list[Publication]:
    """One scheduled publication per variant of an approved post; a moved post moves its rows."""
    armed = []
    for variant in post.variants.select_related("page"):
        connection = PageConnection.objects.filter(page=variant.page).first()
        mode = _mode_of(variant.page, connection)
        publication = Publication.objects.filter(variant=variant).first()
        scheduled = _("Scheduled for %(when)s.") % {"when": _local(post.planned_at, variant.page)}
        if publication is None:
            first_attempt = _first_attempt(mode, post.planned_at)
            try:
                with transaction.atomic():
                    publication = Publication.objects.create(
                        post=post,
                        variant=variant,
                        page=variant.page,
                        mode=mode,
                        due_at=post.planned_at,
                        next_attempt_at=first_attempt,
                        guid=uuid.uuid4().hex,
                    )
            except IntegrityError:
                continue  # armed meanwhile by another process (the sweeper, or a second save of the post)
            _log(publication, scheduled)
        elif publication.state == PublicationState.CANCELLED or (
            publication.state in (*ACTIVE_STATES, PublicationState.HANDED_OVER)
            and publication.due_at != post.planned_at
        ):
            renewed = publication.state in (PublicationState.CANCELLED, PublicationState.HANDED_OVER)
            if publication.state == PublicationState.HANDED_OVER:
                # The postponed post waiting in VK is for the old time: it goes, a new one takes its place.
                _remove_postponed_after_commit(publication.pk, publication.external_id)
            Publication.objects.filter(pk=publication.pk).update(
                state=PublicationState.SCHEDULED,
                reason="",
                mode=mode,
                due_at=post.planned_at,
                next_attempt_at=_first_attempt(mode, post.planned_at),
                version=F("version") + 1,
                # new content after a cancel is a new post for VK, so it needs a key of its own
                guid=uuid.uuid4().hex if renewed else publication.guid,
                external_id="" if renewed else publication.external_id,
                external_url="" if renewed else publication.external_url,
                first_sent_at=None if renewed else publication.first_sent_at,
                maybe_out=False if renewed else publication.maybe_out,
                late_allowed=False,
            )
            _reload(publication)
            _log(publication, scheduled)
        else:
            continue
        armed.append(publication)
    for publication in armed:
        _queue_if_soon(publication)
    return armed


def publications_cancel(post: Post, why: str) -> int:
    """Rows not yet sent stop; what is sending, published or unconfirmed is left for its outcome."""
    cancelled = 0
    stoppable = (*PENDING_STATES, PublicationState.HANDED_OVER)
    for publication in Publication.objects.filter(post=post, state__in=stoppable):
        moved = Publication.objects.filter(pk=publication.pk, state=publication.state, version=publication.version)
        if moved.update(state=PublicationState.CANCELLED, version=F("version") + 1, reason=""):
            _log(publication, why, state=PublicationState.CANCELLED)
            if publication.state == PublicationState.HANDED_OVER:
                _remove_postponed_after_commit(publication.pk, publication.external_id)
            cancelled += 1
    return cancelled


def _remove_postponed_after_commit(publication_id: int, external_id: str) -> None:
    from kurator.publishing.tasks import remove_postponed

    if external_id:
        transaction.on_commit(lambda: remove_postponed(publication_id, external_id))


def publication_remove_postponed(publication_id: int, external_id: str) -> str:
    """Withdraw a post waiting among VK's postponed posts (R-PUB-7): left there, VK would publish it."""
    publication = Publication.objects.select_related("page", "post").get(pk=publication_id)
    connection = PageConnection.objects.select_related("page").filter(page_id=publication.page_id).first()
    try:
        if connection is None:
            raise PermanentError(_("The page is not connected to its network."))
        sending.remove_vk_post(connection, external_id)
    except NetworkError as error:
        summary = _(
            "The postponed post of “%(title)s” could not be withdrawn from VK (%(error)s): delete it on %(page)s "
            "by hand, or VK will publish it at its time."
        ) % {"title": publication.post.title, "error": _network_words(error), "page": publication.page}
        _log(publication, summary)
        _tell_the_page(publication, summary, subject=_("A postponed post is still waiting in VK"))
        return "failed"
    _log(publication, _("The postponed post %(id)s is withdrawn from VK.") % {"id": external_id})
    return "removed"


# --- The worker's step ----------------------------------------------------------------------------


def publication_run(publication_id: int, version: int, *, now: datetime | None = None) -> str:
    """Look at one publication whose time may have come; returns what happened (for logs and tests)."""
    now = now or timezone.now()
    publication = (
        Publication.objects.select_related("page", "post", "variant").filter(pk=publication_id, version=version).first()
    )
    if publication is None or publication.state not in ACTIVE_STATES:
        return "stale"
    if publication.next_attempt_at > now + timedelta(milliseconds=50):
        return "early"  # whoever moved the time queued the row for it; the sweeper is the safety net
    if not publication.late_allowed and now - publication.due_at > LATE_AFTER and not publication.maybe_out:
        _hold(publication, HoldReason.LATE, now)
        return "held"
    if publication.mode == PublicationMode.ASSISTED:
        _hand_off(publication, now)
        return "handoff"
    connection = PageConnection.objects.select_related("page").filter(page_id=publication.page_id).first()
    if connection is None:
        _hold(publication, HoldReason.NOT_CONNECTED, now)
        return "held"
    handover = publication.mode == PublicationMode.POSTPONED and publication.due_at - now > HANDOVER_BEFORE / 2
    if publication.mode == PublicationMode.POSTPONED and not handover and now < publication.due_at:
        _wait_for_limits(publication, publication.due_at)  # too close to hand over: sent at its time instead
        return "early"
    page_limits = limits.limits_for(connection.page.social_network, connection.token, connection.target)
    # A short wait for the slot is spent here rather than through the queue (limits.reserve_soon).
    slot, now = limits.reserve_soon(
        page_limits, earliest=now, publication_id=publication.pk, waiting_for=publication.next_attempt_at
    )
    if slot > now + timedelta(milliseconds=50):
        _wait_for_limits(publication, slot)
        return "limited"
    lease_owner = _claim(publication, now)
    if lease_owner is None:
        return "taken"
    return _send_claimed(publication, connection, lease_owner, page_limits, now, handover=handover)


def _claim(publication: Publication, now: datetime) -> str | None:
    owner = uuid.uuid4().hex
    claimed = Publication.objects.filter(
        pk=publication.pk, version=publication.version, state__in=ACTIVE_STATES
    ).update(
        state=PublicationState.SENDING,
        lease_owner=owner,
        lease_until=now + LEASE,
        attempts=F("attempts") + 1,
        first_sent_at=now if publication.first_sent_at is None else publication.first_sent_at,
    )
    if not claimed:
        return None
    _reload(publication)
    _log(publication, _("Sending (attempt %(n)s).") % {"n": publication.attempts}, at=now)
    return owner


def _send_claimed(
    publication: Publication,
    connection: PageConnection,
    owner: str,
    page_limits: list[limits.Limit],
    now: datetime,
    *,
    handover: bool = False,
) -> str:
    def remember_media(attachments: list[str]) -> None:
        Publication.objects.filter(pk=publication.pk, lease_owner=owner).update(prepared_media=attachments)

    def pace(weight: int) -> None:
        limits.pace(page_limits, publication_id=publication.pk, weight=weight)

    try:
        sent = _vk_read_back(publication, connection) if _needs_wall_read_back(publication, now) else None
        if sent is None:
            sent = sending.send(
                publication,
                connection,
                remember_media=remember_media,
                pace=pace,
                publish_date=publication.due_at if handover else None,
            )
    except TransientError as error:
        return _after_transient(publication, owner, page_limits, error)
    except PermanentError as error:
        return _after_permanent(publication, connection, owner, error)
    except AmbiguousError as error:
        return _after_ambiguous(publication, owner, error)
    except NotYetOnWall:
        # Past VK's memory of the key, and not on the wall: sending again is a new post, so a person decides.
        _hold(publication, HoldReason.NOT_FOUND, timezone.now(), from_states=(PublicationState.SENDING,))
        return "held"
    if handover:
        return _after_handover(publication, connection, owner, sent)
    return _after_success(publication, connection, owner, sent)


def _after_handover(publication: Publication, connection: PageConnection, owner: str, sent: sending.Sent) -> str:
    now = timezone.now()
    with transaction.atomic():
        done = _mine(publication, owner).update(
            state=PublicationState.HANDED_OVER,
            external_id=sent.external_id,
            external_url=sent.url,
            lease_until=None,
            error_code=None,
            error_message="",
        )
        if not done:
            return "lost-lease"
        _reload(publication)
        _log(
            publication,
            _("Handed to VK as a postponed post for %(when)s; VK publishes it then.")
            % {"when": _local(publication.due_at, publication.page)},
            at=now,
        )
        _mark_token_working(connection, now)
    return "handed-over"


def publication_check_postponed(publication_id: int, version: int, *, now: datetime | None = None) -> str:
    """After its time, a post handed to VK as postponed is looked up: published, still waiting, or gone."""
    now = now or timezone.now()
    publication = Publication.objects.select_related("page", "post").filter(pk=publication_id, version=version).first()
    if publication is None or publication.state != PublicationState.HANDED_OVER:
        return "stale"
    connection = PageConnection.objects.select_related("page").filter(page_id=publication.page_id).first()
    if connection is None:
        return "not-connected"
    try:
        where = sending.vk_post_state(publication, connection)
    except NetworkError as error:
        log.info("Postponed post of publication %s not checked: %s", publication.pk, error)
        return "later"
    rows = Publication.objects.filter(pk=publication.pk, version=version, state=PublicationState.HANDED_OVER)
    if where == "published":
        with transaction.atomic():
            if rows.update(state=PublicationState.PUBLISHED, published_at=publication.due_at):
                _reload(publication)
                _log(publication, _("VK published it: %(url)s") % {"url": publication.external_url}, at=now)
                _post_published_if_complete(publication.post_id)
        return "published"
    if where == "postponed" and now - publication.due_at < LATE_AFTER:
        return "waiting"
    _hold(publication, HoldReason.NOT_FOUND, now, from_states=(PublicationState.HANDED_OVER,))
    return "held"


class NotYetOnWall(Exception):
    """Past VK's guid memory, the wall was read and the post was not there (it may still appear)."""


def _needs_wall_read_back(publication: Publication, now: datetime) -> bool:
    # Within VK's guid memory a repeated wall.post with the same guid *is* the read-back.
    return (
        publication.page.social_network == SocialNetwork.VK
        and publication.attempts > 1
        and publication.first_sent_at is not None
        and now - publication.first_sent_at > VK_GUID_MEMORY
    )


def _vk_read_back(publication: Publication, connection: PageConnection) -> sending.Sent | None:
    assert publication.first_sent_at is not None
    found = sending.find_on_vk_wall(publication, connection, since=publication.first_sent_at)
    if found is None:
        raise NotYetOnWall
    return found


def _mine(publication: Publication, owner: str) -> Any:
    # A late answer still counts when a sweeper has meanwhile marked the row unconfirmed or to be retried:
    # the lease owner is kept for exactly that, and any later claim replaces it.
    return Publication.objects.filter(pk=publication.pk, lease_owner=owner).exclude(state=PublicationState.PUBLISHED)


def _after_success(publication: Publication, connection: PageConnection, owner: str, sent: sending.Sent) -> str:
    now = timezone.now()
    with transaction.atomic():
        done = _mine(publication, owner).update(
            state=PublicationState.PUBLISHED,
            external_id=sent.external_id,
            external_url=sent.url,
            published_at=now,
            lease_until=None,
            error_code=None,
            error_message="",
            reason="",
        )
        if not done:
            return "lost-lease"
        _reload(publication)
        _log(publication, _("Published: %(url)s") % {"url": sent.url or sent.external_id}, at=now)
        _mark_token_working(connection, now)
        _post_published_if_complete(publication.post_id)
    return "published"


def _after_transient(publication: Publication, owner: str, page_limits: list[limits.Limit], error: NetworkError) -> str:
    now = timezone.now()
    if error.retry_after:
        limits.hold(page_limits, until=now + timedelta(seconds=error.retry_after))
    wait = _backoff(publication.attempts, error.retry_after)
    moved = _mine(publication, owner).update(
        state=PublicationState.RETRY_WAIT,
        next_attempt_at=now + wait,
        lease_until=None,
        error_code=error.code,
        error_message=error.message,
        version=F("version") + 1,
    )
    if moved:
        _reload(publication)
        _log(
            publication,
            _("The network asked to try later (%(error)s); next attempt in %(seconds)s s.")
            % {"error": _network_words(error), "seconds": int(wait.total_seconds())},
            at=now,
        )
        _queue(publication, publication.next_attempt_at)
    return "retry"


def _after_permanent(publication: Publication, connection: PageConnection, owner: str, error: NetworkError) -> str:
    now = timezone.now()
    with transaction.atomic():
        moved = _mine(publication, owner).update(
            state=PublicationState.FAILED, lease_until=None, error_code=error.code, error_message=error.message
        )
        if not moved:
            return "lost-lease"
        _reload(publication)
        summary = _("“%(title)s” was not published on %(page)s: %(error)s") % {
            "title": publication.post.title,
            "page": publication.page,
            "error": _network_words(error),
        }
        meaning = explain(publication.page.social_network, error.code)
        if meaning:
            summary = f"{summary}. {meaning}"
        _log(publication, summary, at=now)
        if error.token_problem:
            token_failing(connection, error.message, now=now)
        _tell_the_page(publication, summary, subject=_("A post was not published"))
        audit_record(
            actor=None,
            verb="publication.failed",
            summary=summary,
            target=publication.post,
            network_id=publication.post.network_id,
        )
    return "failed"


def _after_ambiguous(publication: Publication, owner: str, error: NetworkError | None) -> str:
    now = timezone.now()
    if publication.page.social_network == SocialNetwork.VK:
        # The same guid makes VK hand back the post if it exists, so asking again is safe.
        moved = _mine(publication, owner).update(
            state=PublicationState.RETRY_WAIT,
            maybe_out=True,
            next_attempt_at=now + _backoff(publication.attempts, None),
            lease_until=None,
            version=F("version") + 1,
        )
        if moved:
            _reload(publication)
            _log(
                publication,
                _("VK did not answer; Kurator will ask again with the same key, which never makes a second post."),
                at=now,
            )
            _queue(publication, publication.next_attempt_at)
        return "retry"
    return _make_unconfirmed(_mine(publication, owner), publication, error.message if error else "", now)


def _make_unconfirmed(rows: Any, publication: Publication, detail: str, now: datetime) -> str:
    with transaction.atomic():
        if not rows.update(state=PublicationState.UNCONFIRMED, lease_until=None, maybe_out=True, error_message=detail):
            return "lost-lease"
        _reload(publication)
        summary = _(
            "Telegram did not confirm “%(title)s” on %(page)s. Look at the channel and say whether it is there."
        ) % {"title": publication.post.title, "page": publication.page}
        _log(publication, summary, at=now)
        _tell_the_page(publication, summary, subject=_("Is the post in the channel?"))
    return "unconfirmed"


def _backoff(attempts: int, retry_after: float | None) -> timedelta:
    if retry_after:
        return timedelta(seconds=retry_after) + timedelta(milliseconds=random.randint(0, 500))
    base = min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)
    return base / 2 + base * random.random() / 2  # jitter, so retries of a campaign do not arrive together


def _network_words(error: NetworkError) -> str:
    return f"{error.code}: {error.message}" if error.code is not None else error.message


def _wait_for_limits(publication: Publication, slot: datetime) -> None:
    moved = Publication.objects.filter(pk=publication.pk, version=publication.version, state__in=ACTIVE_STATES)
    if moved.update(next_attempt_at=slot):
        publication.next_attempt_at = slot
        _queue(publication, slot)


def _hold(
    publication: Publication, reason: HoldReason, now: datetime, *, from_states: tuple[str, ...] = ACTIVE_STATES
) -> None:
    with transaction.atomic():
        moved = Publication.objects.filter(pk=publication.pk, version=publication.version, state__in=from_states)
        if not moved.update(state=PublicationState.HELD, reason=reason, version=F("version") + 1):
            return
        _reload(publication)
        summary = _("“%(title)s” on %(page)s waits for a person: %(reason)s.") % {
            "title": publication.post.title,
            "page": publication.page,
            "reason": str(HoldReason(reason).label).lower(),
        }
        _log(publication, summary, at=now)
        _tell_the_page(publication, summary, subject=_("A post waits for your word"))


def _hand_off(publication: Publication, now: datetime) -> None:
    with transaction.atomic():
        moved = Publication.objects.filter(pk=publication.pk, version=publication.version, state__in=ACTIVE_STATES)
        if not moved.update(state=PublicationState.HANDOFF, version=F("version") + 1):
            return
        _reload(publication)
        summary = _("Time to publish “%(title)s” on %(page)s by hand: the text and media are ready to copy.") % {
            "title": publication.post.title,
            "page": publication.page,
        }
        _log(publication, summary, at=now)
        _tell_the_page(publication, summary, subject=_("Time to publish a post"))


def publication_remove(publication_id: int) -> str:
    """A published post deleted by the curator (R-REV-4, 003 § 5.10) is taken off its page."""
    publication = Publication.objects.select_related("page", "post").get(pk=publication_id)
    if publication.state != PublicationState.PUBLISHED:
        return "not-published"
    connection = PageConnection.objects.select_related("page").filter(page_id=publication.page_id).first()
    if publication.mode == PublicationMode.ASSISTED or connection is None or not publication.external_id:
        summary = _("Delete “%(title)s” from %(page)s by hand: Kurator did not publish it there itself.") % {
            "title": publication.post.title,
            "page": publication.page,
        }
        _log(publication, summary)
        _tell_the_page(publication, summary, subject=_("A post is to be deleted"))
        return "by-hand"
    try:
        sending.remove(publication, connection)
    except NetworkError as error:
        summary = _("“%(title)s” could not be deleted from %(page)s: %(error)s. Delete it by hand.") % {
            "title": publication.post.title,
            "page": publication.page,
            "error": _network_words(error),
        }
        _log(publication, summary)
        _tell_the_page(publication, summary, subject=_("A post is to be deleted"))
        return "failed"
    if Publication.objects.filter(pk=publication.pk, state=PublicationState.PUBLISHED).update(
        state=PublicationState.REMOVED, version=F("version") + 1
    ):
        _reload(publication)
        _log(publication, _("Deleted from the page."))
    return "removed"


def _queue_removals(publication_ids: list[int]) -> None:
    from kurator.publishing.tasks import remove

    for publication_id in publication_ids:
        remove(publication_id)


# --- The sweeper ----------------------------------------------------------------------------------


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Each minute: recover expired leases, queue what is due, arm approved posts that have no rows."""
    now = now or timezone.now()
    counts = {"recovered": recover_expired_leases(now=now), "queued": 0, "armed": 0}
    due = Publication.objects.filter(state__in=ACTIVE_STATES, next_attempt_at__lte=now + SOON).filter(
        # not queued for this moment yet, or queued and still here a minute later (the queue lost it)
        Q(queued_for__isnull=True) | ~Q(queued_for=F("next_attempt_at")) | Q(next_attempt_at__lt=now - LOST_AFTER)
    )
    for publication in due:
        _queue(publication, max(publication.next_attempt_at, now))
        counts["queued"] += 1
    unarmed = Post.objects.filter(state=PostState.APPROVED, planned_at__lte=now + timedelta(days=2)).filter(
        Q(variants__isnull=False) & Q(variants__publications__isnull=True)
    )
    for post in unarmed.distinct():
        counts["armed"] += len(publications_arm(post))
    counts["preparing"] = _queue_media_preparation(now)
    counts["checking"] = _queue_postponed_checks(now)
    limits.forget_old_slots(now=now)
    return counts


def _queue_postponed_checks(now: datetime) -> int:
    from kurator.publishing.tasks import check_postponed

    due = list(Publication.objects.filter(state=PublicationState.HANDED_OVER, due_at__lte=now - POSTPONED_CHECK_AFTER))
    for publication in due:
        check_postponed(publication.pk, publication.version)
    return len(due)


def _queue_media_preparation(now: datetime) -> int:
    from kurator.publishing.tasks import prepare_media

    upcoming = Publication.objects.filter(
        state__in=ACTIVE_STATES,
        mode=PublicationMode.AUTOMATIC,
        page__social_network=SocialNetwork.VK,
        next_attempt_at__lte=now + PREPARE_AHEAD,
        prepared_media=[],
        post__media__isnull=False,
    ).distinct()
    for publication in upcoming:
        prepare_media(publication.pk, publication.version)
    return len(upcoming)


def publication_prepare_media(publication_id: int, version: int) -> str:
    """Upload a VK post's photos and videos ahead of its time (issue 6 item 7), so that at the minute only
    the post itself is sent. A failure here changes nothing: the worker uploads them again at the time."""
    publication = Publication.objects.select_related("page", "post").filter(pk=publication_id, version=version).first()
    if publication is None or publication.prepared_media or publication.state not in ACTIVE_STATES:
        return "nothing"
    connection = PageConnection.objects.select_related("page").filter(page_id=publication.page_id).first()
    if connection is None:
        return "nothing"
    page_limits = limits.limits_for(connection.page.social_network, connection.token, connection.target)
    try:
        uploaded = sending.upload_vk_media(
            publication,
            connection,
            pace=lambda weight: limits.pace(page_limits, publication_id=publication.pk, weight=weight),
        )
    except NetworkError as error:
        log.info("Media of publication %s not uploaded ahead of time: %s", publication.pk, error)
        return "later"
    Publication.objects.filter(pk=publication.pk, version=version, prepared_media=[]).update(prepared_media=uploaded)
    return "prepared"


def recover_expired_leases(*, now: datetime) -> int:
    """A worker that held a row past its lease died or hung mid-request: the post may be out there."""
    recovered = 0
    expired = Publication.objects.select_related("page", "post").filter(
        state=PublicationState.SENDING, lease_until__lt=now
    )
    for publication in expired:
        rows = Publication.objects.filter(pk=publication.pk, state=PublicationState.SENDING, lease_until__lt=now)
        if publication.page.social_network == SocialNetwork.VK:
            if rows.update(
                state=PublicationState.RETRY_WAIT,
                next_attempt_at=now,
                lease_until=None,
                maybe_out=True,
                version=F("version") + 1,
            ):
                _reload(publication)
                _log(publication, _("The worker stopped mid-request; Kurator asks VK again with the same key."), at=now)
                _queue(publication, now)
                recovered += 1
        elif _make_unconfirmed(rows, publication, _("The worker stopped mid-request."), now) == "unconfirmed":
            recovered += 1
    return recovered


# --- A person's word ------------------------------------------------------------------------------


def _check_may_settle(by: Any, publication: Publication) -> None:
    access = access_of(by)
    if not (access.oversees(publication.post.network_id) or publication.page_id in access.page_ids):
        raise PermissionDenied


@transaction.atomic
def publication_confirm(
    *, by: Any, publication: Publication, url: str = "", now: datetime | None = None
) -> Publication:
    """It is on the page: an unconfirmed post, or one published by hand (R-PUB-8), counts as published."""
    _check_may_settle(by, publication)
    now = now or timezone.now()
    allowed = (PublicationState.UNCONFIRMED, PublicationState.HANDOFF, PublicationState.HELD)
    if publication.mode == PublicationMode.ASSISTED and not url.strip():
        raise ValidationError({"url": _("Paste the link to the post on the page.")})
    rows = Publication.objects.filter(pk=publication.pk, version=publication.version, state__in=allowed)
    if not rows.update(
        state=PublicationState.PUBLISHED,
        external_url=url.strip() or publication.external_url,
        published_at=now,
        settled_by=by,
        version=F("version") + 1,
    ):
        raise ValidationError(_("Someone has already settled this publication; reload the page."))
    _reload(publication)
    summary = _("%(who)s confirmed that “%(title)s” is on %(page)s.") % {
        "who": by,
        "title": publication.post.title,
        "page": publication.page,
    }
    _log(publication, summary, actor=by, at=now)
    audit_record(
        actor=by,
        verb="publication.confirmed",
        summary=summary,
        target=publication.post,
        network_id=publication.post.network_id,
    )
    _post_published_if_complete(publication.post_id)
    return publication


@transaction.atomic
def publication_send_now(*, by: Any, publication: Publication, now: datetime | None = None) -> Publication:
    """It is not on the page (or a late post may still go): send it now, once more, on a person's word."""
    _check_may_settle(by, publication)
    now = now or timezone.now()
    allowed = (PublicationState.UNCONFIRMED, PublicationState.HELD, PublicationState.FAILED)
    rows = Publication.objects.filter(pk=publication.pk, version=publication.version, state__in=allowed)
    if not rows.update(
        state=PublicationState.SCHEDULED,
        next_attempt_at=now,
        late_allowed=True,
        reason="",
        settled_by=by,
        version=F("version") + 1,
        # Telegram has no key; for VK a fresh key, because the person says the first try is not there.
        guid=uuid.uuid4().hex,
        first_sent_at=None,
        maybe_out=False,
        prepared_media=[],
    ):
        raise ValidationError(_("Someone has already settled this publication; reload the page."))
    _reload(publication)
    summary = _("%(who)s asked to send “%(title)s” to %(page)s now.") % {
        "who": by,
        "title": publication.post.title,
        "page": publication.page,
    }
    _log(publication, summary, actor=by, at=now)
    audit_record(
        actor=by,
        verb="publication.resent",
        summary=summary,
        target=publication.post,
        network_id=publication.post.network_id,
    )
    transaction.on_commit(lambda: _queue(publication, now))
    return publication


# --- Tokens (R-PUB-4) ----------------------------------------------------------------------------


def token_failing(connection: PageConnection, problem: str, *, now: datetime) -> None:
    """Mark the token failing and tell the people of the page, once per failure (not once per post):
    only the check that turns the status to failing tells, however many run at once."""
    rows = PageConnection.objects.filter(pk=connection.pk)
    first_time = rows.exclude(status=TokenStatus.FAILING).update(
        status=TokenStatus.FAILING, problem=problem, checked_at=now, failing_since=now
    )
    if not first_time:
        rows.update(problem=problem, checked_at=now)
    else:
        due = Publication.objects.filter(page_id=connection.page_id, state__in=PENDING_STATES).count()
        summary = _(
            "The token of %(page)s does not work: %(problem)s. Posts due on this page: %(count)s. Replace the token in the page's connection."
        ) % {"page": connection.page, "problem": problem, "count": due}
        team = page_team(connection.page)
        notify(
            recipients=[team.coordinator, *[r.acting or r.holder for r in team.administrators], team.curator],
            message=summary,
            url=reverse("registry:page", args=[connection.page_id]),
            email_subject=_("A page's token does not work"),
        )


def _mark_token_working(connection: PageConnection, now: datetime) -> None:
    if connection.status != TokenStatus.WORKING:
        PageConnection.objects.filter(pk=connection.pk).update(
            status=TokenStatus.WORKING, problem="", checked_at=now, failing_since=None
        )


# --- Helpers --------------------------------------------------------------------------------------


def _post_published_if_complete(post_id: int) -> None:
    """The post counts as published when none of its publications is still on the way or stuck."""
    publications = Publication.objects.filter(post_id=post_id).exclude(state=PublicationState.CANCELLED)
    if publications.exists() and not publications.exclude(state=PublicationState.PUBLISHED).exists():
        Post.objects.filter(pk=post_id, state=PostState.APPROVED).update(
            state=PostState.PUBLISHED, updated_at=timezone.now()
        )


def _tell_the_page(publication: Publication, message: str, *, subject: str) -> None:
    team = page_team(publication.page)
    notify(
        recipients=[team.coordinator, *[r.acting or r.holder for r in team.administrators], publication.post.author],
        message=message,
        url=reverse("publishing:publication", args=[publication.pk]),
        email_subject=subject,
    )


def _reload(publication: Publication) -> None:
    """Read the row's own fields again, keeping the post, variant and page already loaded: they never
    change under a publication, and reloading them cost three queries at every step of a campaign."""
    publication.refresh_from_db(fields=RELOADED_FIELDS)


def _log(
    publication: Publication, message: str, *, state: str | None = None, actor: Any = None, at: datetime | None = None
) -> PublicationEvent:
    return PublicationEvent.objects.create(
        publication=publication,
        at=at or timezone.now(),
        state=state or publication.state,
        message=message,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _local(moment: datetime, page: Any) -> str:
    from kurator.planning.calendar import page_time_zone

    return timezone.localtime(moment, ZoneInfo(page_time_zone(page))).strftime("%d.%m.%Y %H:%M")


def _queue_if_soon(publication: Publication) -> None:
    if publication.next_attempt_at <= timezone.now() + SOON:
        transaction.on_commit(lambda: _queue(publication, publication.next_attempt_at))


def _queue(publication: Publication, when: datetime) -> None:
    from kurator.publishing.tasks import publish

    Publication.objects.filter(pk=publication.pk).update(queued_for=when)
    publish.schedule(args=(publication.pk, publication.version), eta=when)


def pending_for(post_ids: Iterable[int]) -> dict[int, list[Publication]]:
    grouped: dict[int, list[Publication]] = {}
    for publication in Publication.objects.filter(post_id__in=list(post_ids)).select_related("page"):
        grouped.setdefault(publication.post_id, []).append(publication)
    return grouped
