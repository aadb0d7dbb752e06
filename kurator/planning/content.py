"""Writes of a post's details beyond post_create/post_update: each variant's own text and formatting
(R-PUB-1), mentions (R-PLAN-10) and the designer request (R-PLAN-11)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kurator.accounts.access import access_of
from kurator.core.errors import PermissionDenied, ValidationError
from kurator.core.services import audit_record, notify
from kurator.planning.choices import Direction, MentionKind, PostState, RubricFormat
from kurator.planning.models import DesignerRequest, Mention, Post, PostVariant, Rubric
from kurator.planning.services import can_plan_for
from kurator.registry.schedules import schedule_for
from kurator.review.deadlines import nth_working_day_close_before, review_deadline

PARSE_MODES = ("", "HTML", "MarkdownV2")


def _editable(by: Any, post: Post) -> None:
    if post.state in (PostState.PUBLISHED, PostState.WITHDRAWN):
        raise ValidationError(_("A published or withdrawn post cannot be changed here."))
    if not (access_of(by).oversees(post.network_id) or any(can_plan_for(by, v.page) for v in post.variants.all())):
        raise PermissionDenied


@transaction.atomic
def variant_update(*, by: Any, variant: PostVariant, text: str, parse_mode: str = "") -> PostVariant:
    """A page's own text (empty: the post's text) and, on Telegram, its formatting."""
    if (variant.text, variant.parse_mode) == (text, parse_mode):
        return variant
    _editable(by, variant.post)
    if not can_plan_for(by, variant.page):
        raise PermissionDenied
    if parse_mode not in PARSE_MODES or (parse_mode and variant.page.social_network != "telegram"):
        raise ValidationError({"parse_mode": _("This formatting is not available for this page.")})
    if not variant.history.exists():  # type: ignore[attr-defined]
        # Variants are created in bulk, without a history record: keep the text as it was first, so
        # the history shows this change against it (R-REV-5).
        PostVariant.history.bulk_history_create(  # type: ignore[attr-defined]
            [PostVariant.objects.get(pk=variant.pk)],
            default_user=variant.post.author,
            default_date=variant.post.created_at,
        )
    variant.text, variant.parse_mode = text, parse_mode
    variant.save()
    audit_record(
        actor=by,
        verb="post.variant_changed",
        summary=_("Text for “%(page)s” changed") % {"page": variant.page.name},
        target=variant.post,
        network_id=variant.post.network_id,
    )
    return variant


@transaction.atomic
def mentions_set(*, by: Any, post: Post, mentions: Iterable[tuple[str, str, str]]) -> list[Mention]:
    """Replace the post's mentions with (kind, name, link) triples (R-PLAN-10)."""
    _editable(by, post)
    rows = [(kind, name.strip(), url.strip()) for kind, name, url in mentions if name.strip()]
    for kind, _name, _url in rows:
        if kind not in MentionKind.values:
            raise ValidationError({"mentions": _("Unknown kind of mention.")})
    existing = {(m.kind, m.name, m.url): m for m in post.mentions.all()}
    wanted = set(rows)
    post.mentions.exclude(pk__in=[m.pk for key, m in existing.items() if key in wanted]).delete()
    created = [Mention(post=post, kind=k, name=n, url=u) for k, n, u in rows if (k, n, u) not in existing]
    for mention in created:
        mention.full_clean(exclude=["post"])
    Mention.objects.bulk_create(created)
    return list(post.mentions.all())


def default_designer_due(post: Post) -> date | None:
    """R-PLAN-11: the visuals are due one working day before the post must reach the curator."""
    pages = [v.page for v in post.variants.select_related("page", "page__library")]
    if not pages:
        return None
    try:
        deadline = review_deadline(pages, post.planned_at)
        return nth_working_day_close_before(deadline.due_by, 1, schedule_for(deadline.library)).date()
    except ValueError:  # a library without working hours has no deadline: the person gives the date
        return None


@transaction.atomic
def designer_request_create(
    *, by: Any, post: Post, description: str, due_on: date | None = None, designer: Any = None
) -> DesignerRequest:
    """003 § 5.7: the coordinator asks the designer for visuals in advance."""
    _editable(by, post)
    if not description.strip():
        raise ValidationError({"designer_description": _("Say what the designer should make.")})
    if designer is not None and designer.network_id != post.network_id:
        raise ValidationError({"designer": _("The designer must work in this library network.")})
    due_on = due_on or default_designer_due(post)
    if due_on is None:
        raise ValidationError({"designer_due_on": _("Give the date the visuals are due.")})
    request = DesignerRequest.objects.create(
        post=post, requested_by=by, designer=designer, description=description.strip(), due_on=due_on
    )
    summary = _("Visuals for “%(title)s” are requested by %(due)s.") % {
        "title": post.title,
        "due": due_on.strftime("%d.%m.%Y"),
    }
    audit_record(actor=by, verb="post.designer_requested", summary=summary, target=post, network_id=post.network_id)
    if designer is not None:
        notify(recipients=[designer], message=summary, email_subject=_("A designer request"))
    return request


@transaction.atomic
def rubric_reformat(*, by: Any, rubric: Rubric, format: str, note: str) -> Rubric:
    """Seed 000: a rubric may change its format (a text heading becomes a video one) — with a note,
    kept in its history, so the working group sees why."""
    if not (access_of(by).oversees(rubric.network_id) or by.pk == rubric.owner_id):
        raise PermissionDenied
    if format not in RubricFormat.values:
        raise ValidationError({"format": _("Unknown format.")})
    if not note.strip():
        raise ValidationError({"note": _("Say why the format changes.")})
    old = rubric.get_format_display()
    rubric.format = format
    rubric.save()
    audit_record(
        actor=by,
        verb="rubric.reformatted",
        summary=_("Rubric “%(name)s”: %(old)s → %(new)s (%(note)s)")
        % {"name": rubric.name, "old": old, "new": rubric.get_format_display(), "note": note.strip()},
        target=rubric,
        network_id=rubric.network_id,
    )
    return rubric


@transaction.atomic
def direction_approve(*, by: Any, post: Post) -> Post:
    """003 § 4.2 (R-PLAN-6): a post outside the directions of § 4.1 goes ahead only with the
    administration's approval, recorded with who gave it."""
    if not access_of(by).administers(post.network_id):
        raise PermissionDenied
    if post.direction != Direction.OTHER:
        raise ValidationError(_("This post is within the directions of 003 § 4.1: nothing to approve."))
    post.direction_approved_by = by
    post.save(update_fields=["direction_approved_by", "updated_at"])
    summary = _("The administration approved the direction of “%(title)s” (003 § 4.2).") % {"title": post.title}
    audit_record(actor=by, verb="post.direction_approved", summary=summary, target=post, network_id=post.network_id)
    notify(recipients=[post.author], message=summary, email_subject=summary)
    return post
