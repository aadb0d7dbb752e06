"""Planning and review over the JSON API (issue 5 item 7): rubrics, posts with their variants, and the
review actions. Every post carries its review deadline (R-REV-1) and the warnings: each variant's
problems with its network's limits (R-PUB-1) and a direction that needs the administration (R-PLAN-6).

Reads go through the planning selectors (outside the person's scope: 404); writes through the planning
and review services (403 when not allowed, 422 with the messages when the input is refused)."""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kurator.accounts.access import access_of
from kurator.core.api_helpers import Id, Pagination, PathId, PersonRef, Text, query_id, responses
from kurator.core.errors import PermissionDenied, ValidationError
from kurator.networks.limits import Draft, Media, Problem, check_variant
from kurator.planning import content, services
from kurator.planning.choices import Direction, PostState, Topic
from kurator.planning.models import Post, PostVariant, Rubric
from kurator.planning.selectors import next_due_slot, posts_visible_to, rubrics_visible_to, submissions_visible_to
from kurator.registry.models import Page
from kurator.registry.selectors import get_visible_or_404, pages_visible_to
from kurator.review import services as review
from kurator.review.deadlines import Schedules, review_deadline
from kurator.review.models import Submission

router = Router(tags=["planning"])


# Schemas ---------------------------------------------------------------------------------------


class RubricOut(Schema):
    id: int
    network_id: int
    name: str
    hashtag: str
    description: str
    owner: PersonRef
    format: str
    cadence: str
    weekday: int | None = Field(description="0 is Monday, 6 is Sunday")
    page_ids: list[int]
    paused: bool
    pause_reason: str
    paused_until: str | None
    next_due: str | None = Field(description="The next day the rubric is due (ISO date); none while paused.")

    @staticmethod
    def resolve_page_ids(obj: Rubric) -> list[int]:
        return sorted(p.pk for p in obj.pages.all())

    @staticmethod
    def resolve_paused_until(obj: Rubric) -> str | None:
        return obj.paused_until.isoformat() if obj.paused_until else None

    @staticmethod
    def resolve_next_due(obj: Rubric) -> str | None:
        due = next_due_slot(obj)
        return due.isoformat() if due else None


class ProblemOut(Schema):
    code: str
    message: str


class VariantOut(Schema):
    id: int
    page_id: int
    page_name: str
    social_network: str
    text: str = Field(description="The page's own text; empty means the post's text.")
    effective_text: str
    parse_mode: str
    problems: list[ProblemOut] = Field(description="What of the network's limits this variant breaks (R-PUB-1).")

    @staticmethod
    def resolve_page_name(obj: PostVariant) -> str:
        return obj.page.name

    @staticmethod
    def resolve_social_network(obj: PostVariant) -> str:
        return obj.page.social_network

    @staticmethod
    def resolve_problems(obj: PostVariant) -> list[Any]:
        return [{"code": p.code, "message": p.message} for p in services.variant_problems(obj)]


class SubmissionOut(Schema):
    id: int
    state: str
    submitted_at: datetime
    due_by: datetime = Field(description="When the curator had to receive the post (R-REV-1).")
    decide_by: datetime | None = Field(description="An urgent post is decided by then (R-REV-2).")
    urgent: bool


class PostOut(Schema):
    id: int
    network_id: int
    title: str
    text: str
    planned_at: datetime
    urgent: bool
    direction: str
    rubric_id: int | None
    topics: list[str]
    partner: bool
    borrowed_author: str
    borrowed_source: str
    author: PersonRef
    state: str
    variants: list[VariantOut]
    review_deadline: datetime | None = Field(
        description=(
            "When the curator must have the post: the page's last approval day at least 5 working days of its"
            " library before publication, or the 5th working day when the page has no approval day (the"
            " strictest over its pages)."
        )
    )
    warnings: list[str] = Field(description="Everything that stops the post from being approved, in words.")
    submission: SubmissionOut | None = Field(description="The latest submission to the curator.")

    @staticmethod
    def resolve_variants(obj: Post) -> list[Any]:
        return _variants(obj)

    @staticmethod
    def resolve_review_deadline(obj: Post, context: Any) -> datetime | None:
        return _due_by(obj, context["request"])

    @staticmethod
    def resolve_warnings(obj: Post) -> list[str]:
        warnings = [f"{v.page.name}: {p.message}" for v in _variants(obj) for p in _problems(v)]
        if services.direction_needs_approval(obj):
            warnings.append(
                _("This post is outside the directions of 003 § 4.1: the administration approves it first.")
            )
        return warnings

    @staticmethod
    def resolve_submission(obj: Post) -> Any:
        submissions = list(obj.submissions.all())  # prefetched newest first by _posts()
        return submissions[0] if submissions else None


class VariantIn(Schema):
    page_id: Id
    text: Text = Field("", max_length=20000)
    parse_mode: str = Field("", pattern=r"^(|HTML|MarkdownV2)$")


class PostIn(Schema):
    page_ids: list[Id] = Field(min_length=1, max_length=50, description="The pages to publish on (one network).")
    title: Text = Field(min_length=1, max_length=200)
    text: Text = Field("", max_length=20000)
    planned_at: datetime = Field(description="With a time zone; without one, the network's own time.")
    urgent: bool = False
    direction: Direction = Direction.COLLECTION
    rubric_id: Id | None = None
    topics: list[Topic] = Field(default_factory=list, max_length=20)
    partner: bool = False
    borrowed_author: Text = Field("", max_length=200)
    borrowed_source: Text = Field("", max_length=500)


class PostPatch(Schema):
    """Only the fields sent are changed."""

    page_ids: list[Id] = Field(None, min_length=1, max_length=50)
    title: Text = Field(None, min_length=1, max_length=200)
    text: Text = Field(None, max_length=20000)
    planned_at: datetime = None
    urgent: bool = None
    direction: Direction = None
    rubric_id: Id | None = None
    topics: list[Topic] = Field(None, max_length=20)
    partner: bool = None
    borrowed_author: Text = Field(None, max_length=200)
    borrowed_source: Text = Field(None, max_length=500)
    variants: list[VariantIn] = Field(None, max_length=50, description="Each page's own text and formatting.")


class CommentIn(Schema):
    variant_id: Id | None = Field(None, description="Empty: a comment on the whole post.")
    text: Text = Field(min_length=1, max_length=5000)


class ReturnIn(Schema):
    comment: Text = Field("", max_length=5000, description="On the whole post.")
    comments: list[CommentIn] = Field(default_factory=list, max_length=50, description="Per variant.")


# Helpers ---------------------------------------------------------------------------------------


def _posts(user: Any) -> QuerySet[Post]:
    """Posts as the API shows them, with what their answers need read in a few queries, not per post."""
    return posts_visible_to(user).prefetch_related(
        "media", Prefetch("submissions", queryset=Submission.objects.order_by("-submitted_at", "-id"))
    )


def _variants(post: Post) -> list[PostVariant]:
    variants = sorted(post.variants.all(), key=lambda v: v.page.name)  # prefetched with their pages
    for variant in variants:
        variant.post = post  # the media are prefetched on this very object
    return variants


def _problems(variant: PostVariant) -> list[Problem]:
    media = tuple(Media(m.kind, m.size, m.content_type) for m in variant.post.media.all())
    draft = Draft(text=variant.effective_text, media=media, parse_mode=variant.parse_mode)
    return check_variant(variant.page.social_network, draft)


def _due_by(post: Post, request: Any) -> datetime | None:
    """review_deadline (R-REV-1, with the pages' approval days) with each library's schedule read once
    per request."""
    schedules = request.__dict__.setdefault("_kurator_schedules", Schedules())
    pages = [v.page for v in post.variants.all()]
    if not pages:
        return None
    try:
        return review_deadline(pages, post.planned_at, schedules).due_by
    except ValueError:  # a library without working days: no deadline to show
        return None


def _pages(user: Any, ids: list[int]) -> list[Page]:
    found = list(pages_visible_to(user).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationError({"page_ids": _("No such page.")})
    return found


def _aware(moment: datetime, network: Any) -> datetime:
    if timezone.is_naive(moment):
        from zoneinfo import ZoneInfo

        return timezone.make_aware(moment, ZoneInfo(network.time_zone))
    return moment


def _rubric(user: Any, network: Any, rubric_id: int | None) -> Rubric | None:
    if rubric_id is None:
        return None
    rubric = rubrics_visible_to(user, network).filter(pk=rubric_id).first()
    if rubric is None:
        raise ValidationError({"rubric_id": _("No such rubric in this network.")})
    return rubric


def _post(user: Any, post_id: int) -> Post:
    return get_visible_or_404(_posts(user), pk=post_id)


def _may_plan(user: Any, post: Post) -> None:
    """403 before any complaint about the body; the services check again."""
    if not (
        access_of(user).oversees(post.network_id)
        or any(services.can_plan_for(user, v.page) for v in post.variants.all())
    ):
        raise PermissionDenied


# Rubrics ---------------------------------------------------------------------------------------


@router.get("/rubrics", response=responses(list[RubricOut]), summary="Rubrics, with their next due day")
@paginate(Pagination)
def rubrics_list(
    request: HttpRequest, network: Annotated[int | None, query_id("Only this network's rubrics")] = None
) -> QuerySet[Rubric]:
    qs = rubrics_visible_to(request.user)
    return qs.filter(network_id=network) if network is not None else qs


# Posts -----------------------------------------------------------------------------------------


@router.get("/posts", response=responses(list[PostOut]), summary="Posts, with review deadlines and warnings")
@paginate(Pagination)
def posts_list(
    request: HttpRequest,
    network: Annotated[int | None, query_id("Only this network's posts")] = None,
    page: Annotated[int | None, query_id("Only posts going to this page")] = None,
    state: PostState | None = None,
    planned_from: datetime | None = None,
    planned_to: datetime | None = None,
) -> Any:
    qs = _posts(request.user)
    if network is not None:
        qs = qs.filter(network_id=network)
    if page is not None:
        qs = qs.filter(variants__page_id=page)
    if state is not None:
        qs = qs.filter(state=state)
    if planned_from is not None:
        qs = qs.filter(planned_at__gte=planned_from)
    if planned_to is not None:
        qs = qs.filter(planned_at__lt=planned_to)
    return qs.order_by("planned_at", "id")


@router.get("/posts/{post_id}", response=responses(PostOut), summary="A post, with its variants and review")
def post_detail(request: HttpRequest, post_id: PathId) -> Post:
    return _post(request.user, post_id)


@router.post("/posts", response=responses(PostOut, 201), summary="Plan a post")
def post_create(request: HttpRequest, payload: PostIn) -> Any:
    user = request.user
    pages = _pages(user, payload.page_ids)
    network = pages[0].network
    if not all(services.can_plan_for(user, p) for p in pages):
        raise PermissionDenied
    fields = payload.dict(exclude={"page_ids", "rubric_id", "planned_at", "title"})
    post = services.post_create(
        by=user,
        network=network,
        pages=pages,
        title=payload.title,
        planned_at=_aware(payload.planned_at, network),
        rubric=_rubric(user, network, payload.rubric_id),
        **fields,
    )
    return Status(201, _post(user, post.pk))


@router.patch("/posts/{post_id}", response=responses(PostOut), summary="Change a post and its pages' texts")
def post_update(request: HttpRequest, post_id: PathId, payload: PostPatch) -> Any:
    user = request.user
    post = _post(user, post_id)
    _may_plan(user, post)
    changes = payload.dict(exclude_unset=True)
    variants = changes.pop("variants", None)
    kwargs: dict[str, Any] = {}
    if "page_ids" in changes:
        kwargs["pages"] = _pages(user, changes.pop("page_ids") or [])
    if "rubric_id" in changes:
        kwargs["rubric"] = _rubric(user, post.network, changes.pop("rubric_id"))
    if changes.get("planned_at") is not None:
        changes["planned_at"] = _aware(changes["planned_at"], post.network)
    post = services.post_update(by=user, post=post, **changes, **kwargs)
    for item in variants or []:
        variant = post.variants.select_related("page").filter(page_id=item["page_id"]).first()
        if variant is None:
            raise ValidationError({"variants": _("The post does not go to page %(id)s.") % {"id": item["page_id"]}})
        content.variant_update(
            by=user, variant=variant, text=item.get("text", ""), parse_mode=item.get("parse_mode", "")
        )
    review.submission_record_edit(by=user, post=post)
    return _post(user, post.pk)


# Review ----------------------------------------------------------------------------------------


@router.post("/posts/{post_id}/submit", response=responses(PostOut), summary="Submit a post to the curator")
def post_submit(request: HttpRequest, post_id: PathId) -> Any:
    post = _post(request.user, post_id)
    review.post_submit(by=request.user, post=post)
    return _post(request.user, post.pk)


def _submission(user: Any, submission_id: int) -> Submission:
    submission = get_visible_or_404(submissions_visible_to(user), pk=submission_id)
    if not access_of(user).curates(submission.post.network_id):
        raise PermissionDenied
    return submission


@router.post("/submissions/{submission_id}/approve", response=responses(PostOut), summary="Approve a submitted post")
def submission_approve(request: HttpRequest, submission_id: PathId) -> Any:
    submission = _submission(request.user, submission_id)
    review.submission_approve(by=request.user, submission=submission)
    return _post(request.user, submission.post_id)


@router.post("/submissions/{submission_id}/return", response=responses(PostOut), summary="Return a post with comments")
def submission_return(request: HttpRequest, submission_id: PathId, payload: ReturnIn) -> Any:
    submission = _submission(request.user, submission_id)
    variants = {v.pk: v for v in submission.post.variants.all()}
    comments: list[tuple[Any, str]] = [(None, payload.comment)]
    for item in payload.comments:
        if item.variant_id is not None and item.variant_id not in variants:
            raise ValidationError({"comments": _("The variant belongs to another post.")})
        comments.append((variants.get(item.variant_id) if item.variant_id else None, item.text))
    review.submission_return(by=request.user, submission=submission, comments=comments)
    return _post(request.user, submission.post_id)


class ReplyIn(Schema):
    text: Text = Field(min_length=1, max_length=5000)
    variant_id: Id | None = Field(None, description="Empty: on the whole post (a reply keeps its parent's variant).")
    parent_id: Id | None = Field(None, description="The comment this one answers.")


class CommentOut(Schema):
    id: int
    submission_id: int
    variant_id: int | None
    parent_id: int | None
    author: PersonRef
    text: str
    created_at: datetime


@router.post(
    "/submissions/{submission_id}/comments",
    response=responses(CommentOut, 201),
    summary="Comment on a submitted post or answer a comment (threads per variant)",
)
def comment_add(request: HttpRequest, submission_id: PathId, payload: ReplyIn) -> Any:
    from kurator.review.models import ReviewComment

    user = request.user
    submission = get_visible_or_404(submissions_visible_to(user), pk=submission_id)
    if not review.takes_part(user, submission.post):
        raise PermissionDenied
    post = submission.post
    variant = None
    if payload.variant_id is not None:
        variant = post.variants.filter(pk=payload.variant_id).first()
        if variant is None:
            raise ValidationError({"variant_id": _("The variant belongs to another post.")})
    parent = None
    if payload.parent_id is not None:
        parent = ReviewComment.objects.filter(submission__post=post, pk=payload.parent_id).first()
        if parent is None:
            raise ValidationError({"parent_id": _("The comment answers another post.")})
    comment = review.comment_add(by=user, submission=submission, text=payload.text, variant=variant, parent=parent)
    return Status(201, comment)
