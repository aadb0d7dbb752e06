"""Writes of content planning: rubrics, posts and their variants (R-PLAN-1, 6, 7, 10; R-PUB-1)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kurator.accounts.access import access_of
from kurator.core.errors import PermissionDenied, ValidationError
from kurator.core.services import audit_record
from kurator.networks.limits import Draft, Media, Problem, check_variant
from kurator.planning.choices import Direction, PostState, Topic
from kurator.planning.models import Post, PostVariant, Rubric
from kurator.registry.models import Network, Page

POST_FIELDS = (
    "title",
    "text",
    "planned_at",
    "urgent",
    "direction",
    "rubric",
    "topics",
    "partner",
    "borrowed_author",
    "borrowed_source",
)


def can_plan_for(user: Any, page: Page) -> bool:
    """Coordinators, owners and administrators of the page, and the network's curator, plan its posts."""
    access = access_of(user)
    return access.oversees(page.network_id) or page.pk in access.page_ids


def _check_pages(user: Any, network: Network, pages: Iterable[Page]) -> list[Page]:
    chosen = list(pages)
    if not chosen:
        raise ValidationError({"pages": _("Choose at least one page to publish on.")})
    for page in chosen:
        if page.network_id != network.pk:
            raise ValidationError({"pages": _("A page of another network cannot be chosen.")})
        if not can_plan_for(user, page):
            raise PermissionDenied
    return chosen


def _check_post(post: Post) -> None:
    unknown = [t for t in post.topics if t not in Topic.values]
    if unknown:
        raise ValidationError({"topics": _("Unknown topic: %(topics)s.") % {"topics": ", ".join(unknown)}})
    if post.borrowed_author and not post.borrowed_source:
        raise ValidationError(
            {"borrowed_source": _("Borrowed material needs its source as well as its author (003 § 5.7).")}
        )
    if post.rubric is not None and post.rubric.network_id != post.network_id:
        raise ValidationError({"rubric": _("The rubric belongs to another network.")})


def variant_problems(variant: PostVariant) -> list[Problem]:
    """The network's limits the variant breaks (R-PUB-1): checked before it can be approved."""
    media = tuple(Media(m.kind, m.size, m.content_type) for m in variant.post.media.all())
    draft = Draft(text=variant.effective_text, media=media, parse_mode=variant.parse_mode)
    return check_variant(variant.page.social_network, draft)


@transaction.atomic
def post_create(
    *, by: Any, network: Network, pages: Iterable[Page], title: str, planned_at: datetime, **fields: Any
) -> Post:
    chosen = _check_pages(by, network, pages)
    post = Post(
        network=network,
        title=title,
        planned_at=planned_at,
        author=by,
        **{k: v for k, v in fields.items() if k in POST_FIELDS},
    )
    _check_post(post)
    post.full_clean(exclude=["network", "author", "rubric", "direction_approved_by"])
    post.save()
    PostVariant.objects.bulk_create([PostVariant(post=post, page=page) for page in chosen])
    audit_record(
        actor=by,
        verb="post.created",
        summary=_("Post “%(title)s” planned") % {"title": post.title},
        target=post,
        network_id=network.pk,
    )
    return post


@transaction.atomic
def post_update(*, by: Any, post: Post, pages: Iterable[Page] | None = None, **fields: Any) -> Post:
    """Change a post. A change of content after approval sends it back to the curator; a new time for
    a post that is with the curator or approved is checked against its review deadline first
    (kurator.review.services.submission_follow_move): refused when the submission would have been late,
    otherwise it keeps its place in review and its approval."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.state in (PostState.PUBLISHED, PostState.WITHDRAWN):
        raise ValidationError(_("A published or withdrawn post cannot be changed here."))
    if not any(can_plan_for(by, v.page) for v in post.variants.select_related("page")) and not access_of(by).oversees(
        post.network_id
    ):
        raise PermissionDenied
    before = {key: getattr(post, key) for key in POST_FIELDS}
    for key, value in fields.items():
        if key in POST_FIELDS:
            setattr(post, key, value)
    _check_post(post)
    post.full_clean(exclude=["network", "author", "rubric", "direction_approved_by"])
    pages_before = set(post.variants.values_list("page_id", flat=True))
    if pages is not None:
        chosen = _check_pages(by, post.network, pages)
        post.variants.exclude(page__in=chosen).delete()
        existing = set(post.variants.values_list("page_id", flat=True))
        PostVariant.objects.bulk_create([PostVariant(post=post, page=p) for p in chosen if p.pk not in existing])
    pages_changed = set(post.variants.values_list("page_id", flat=True)) != pages_before
    moved = post.planned_at != before["planned_at"]
    # A post with the curator must still be in time for its new time and pages; an approved one that
    # moves keeps its approval only on the same terms (a change of content sends it back anyway).
    if (post.state == PostState.SUBMITTED and (moved or pages_changed)) or (post.state == PostState.APPROVED and moved):
        # Deferred: review sits above planning and imports this module.
        from kurator.review.services import submission_follow_move

        submission_follow_move(
            post=post, pages=[v.page for v in post.variants.select_related("page", "page__library", "page__network")]
        )
    content_changed = pages_changed or any(
        getattr(post, key) != value for key, value in before.items() if key != "planned_at"
    )
    if post.state == PostState.APPROVED and content_changed:
        post.state = PostState.DRAFT  # a change after approval goes back to the curator (R-PUB-7 later honours it)
    post.save()
    audit_record(
        actor=by,
        verb="post.changed",
        summary=_("Post “%(title)s” changed") % {"title": post.title},
        target=post,
        network_id=post.network_id,
    )
    return post


@transaction.atomic
def rubric_create(
    *, by: Any, network: Network, name: str, owner: Any, pages: Iterable[Page] = (), **fields: Any
) -> Rubric:
    if not access_of(by).oversees(network.pk):
        raise PermissionDenied
    if owner.network_id != network.pk:
        raise ValidationError({"owner": _("The owner must work in this library network.")})
    rubric = Rubric(
        network=network,
        name=name,
        owner=owner,
        **{k: v for k, v in fields.items() if k in ("hashtag", "description", "format", "cadence", "weekday")},
    )
    if rubric.hashtag and not rubric.hashtag.startswith("#"):
        rubric.hashtag = "#" + rubric.hashtag
    rubric.full_clean(exclude=["network", "owner"])
    rubric.save()
    rubric.pages.set([p for p in pages if p.network_id == network.pk])
    audit_record(
        actor=by,
        verb="rubric.created",
        summary=_("Rubric “%(name)s” created") % {"name": rubric.name},
        target=rubric,
        network_id=network.pk,
    )
    return rubric


@transaction.atomic
def rubric_pause(*, by: Any, rubric: Rubric, reason: str, until: date | None = None) -> Rubric:
    """Seed 000: a member may take a pause — with a reason, so the plan shows why the slot is empty."""
    if not (access_of(by).oversees(rubric.network_id) or by.pk == rubric.owner_id):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"pause_reason": _("Say why the rubric pauses.")})
    rubric.paused, rubric.pause_reason, rubric.paused_until = True, reason.strip(), until
    rubric.save()
    audit_record(
        actor=by,
        verb="rubric.paused",
        summary=_("Rubric “%(name)s” paused: %(reason)s") % {"name": rubric.name, "reason": reason},
        target=rubric,
        network_id=rubric.network_id,
    )
    return rubric


@transaction.atomic
def rubric_resume(*, by: Any, rubric: Rubric) -> Rubric:
    if not (access_of(by).oversees(rubric.network_id) or by.pk == rubric.owner_id):
        raise PermissionDenied
    rubric.paused, rubric.pause_reason, rubric.paused_until = False, "", None
    rubric.save()
    audit_record(
        actor=by,
        verb="rubric.resumed",
        summary=_("Rubric “%(name)s” resumed") % {"name": rubric.name},
        target=rubric,
        network_id=rubric.network_id,
    )
    return rubric


def direction_needs_approval(post: Post) -> bool:
    """003 § 4.2: a post outside the directions of § 4.1 needs the administration's approval."""
    return post.direction == Direction.OTHER and post.direction_approved_by_id is None
