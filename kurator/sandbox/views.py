"""The sandbox as a reader sees it (issue 4 item 4), and the trainer's controls: act as a reader, read the
ledger, inject faults, see the tokens. Thin: reads through selectors (each person sees the sandbox of their
own library networks, R-ORG-1), writes in reader_actions and services."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kurator.accounts.access import access_of
from kurator.sandbox import reader_actions, services
from kurator.sandbox.choices import Network, TgChatType
from kurator.sandbox.demo import ensure_readers
from kurator.sandbox.forms import TG_REACTIONS, FaultForm, ReaderActionForm
from kurator.sandbox.models import (
    Reader,
    TgBot,
    TgChat,
    TgMembership,
    TgMessage,
    VkComment,
    VkCommunity,
    VkMessage,
    VkPhoto,
    VkPost,
    VkVideo,
)
from kurator.sandbox.permissions import may_change_sandbox
from kurator.sandbox.readers import complaint_text
from kurator.sandbox.selectors import (
    bots_visible_to,
    channels_visible_to,
    chats_visible_to,
    communities_visible_to,
    faults_changeable_by,
    faults_visible_to,
    ledger_visible_to,
    vk_tokens_visible_to,
)

READER_SESSION_KEY = "sandbox_reader_id"
LEDGER_ROWS = 300
MEDIA_ATTACHMENT = re.compile(r"^(photo|video)(-?\d+)_(\d+)(?:_\w+)?$")


def _may_change(request: HttpRequest) -> bool:
    return may_change_sandbox(request.user, getattr(request, "network", None))


def _working_network_id(request: HttpRequest) -> int | None:
    network = getattr(request, "network", None)
    return network.pk if network is not None else None


def _readers() -> list[Reader]:
    readers = list(Reader.objects.order_by("name"))
    return readers or ensure_readers()


def _chosen_reader(request: HttpRequest, readers: list[Reader]) -> Reader | None:
    chosen = request.session.get(READER_SESSION_KEY)
    return next((r for r in readers if r.pk == chosen), readers[0] if readers else None)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    published = Q(posts__deleted_at__isnull=True, posts__postponed=False, posts__date__lte=now)
    communities = (
        communities_visible_to(request.user).annotate(post_count=Count("posts", filter=published)).order_by("name")
    )
    channels = (
        channels_visible_to(request.user)
        .select_related("linked_chat")
        .annotate(post_count=Count("messages", filter=Q(messages__deleted_at__isnull=True)))
        .order_by("title")
    )
    return render(
        request,
        "sandbox/index.html",
        {
            "communities": communities,
            "channels": channels,
            "active_faults": faults_visible_to(request.user).filter(active=True).count(),
            "may_change": _may_change(request),
        },
    )


# --- VK ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WallMedia:
    kind: str  # photo, video
    url: str
    mime_type: str = ""


@dataclass
class WallPost:
    post: VkPost
    media: list[WallMedia] = field(default_factory=list)  # in the post's order
    comments: list[VkComment] = field(default_factory=list)


def _media_of(community: VkCommunity, posts: list[VkPost]) -> dict[tuple[str, int], WallMedia]:
    """The community's own photos and uploaded videos the posts attach, by (kind, id)."""
    wanted: dict[str, set[int]] = {"photo": set(), "video": set()}
    for post in posts:
        for item in filter(None, (a.strip() for a in post.attachments.split(","))):
            match = MEDIA_ATTACHMENT.match(item)
            if match and int(match.group(2)) == community.owner_id:
                wanted[match.group(1)].add(int(match.group(3)))
    found = {
        ("photo", photo.photo_id): WallMedia("photo", photo.file.url)
        for photo in VkPhoto.objects.filter(community=community, photo_id__in=wanted["photo"])
        if photo.photo_id is not None and photo.file
    }
    for video in VkVideo.objects.filter(community=community, video_id__in=wanted["video"]):
        if video.file:
            mime_type = "video/webm" if video.file.name.endswith(".webm") else "video/mp4"
            found["video", video.video_id] = WallMedia("video", video.file.url, mime_type)
    return found


def wall_posts(community: VkCommunity) -> list[WallPost]:
    """What a reader sees on the wall: published posts, newest first, never the postponed ones."""
    posts = list(
        VkPost.objects.filter(
            community=community, deleted_at__isnull=True, postponed=False, date__lte=timezone.now()
        ).prefetch_related(
            Prefetch("comments", queryset=VkComment.objects.filter(deleted_at__isnull=True).order_by("comment_id"))
        )
    )
    known = _media_of(community, posts)
    rows = []
    for post in posts:
        media = []
        for item in filter(None, (a.strip() for a in post.attachments.split(","))):
            match = MEDIA_ATTACHMENT.match(item)
            if not match or int(match.group(2)) != community.owner_id:
                continue
            if (found := known.get((match.group(1), int(match.group(3))))) is not None:
                media.append(found)
        rows.append(WallPost(post=post, media=media, comments=list(post.comments.all())))
    return rows


def _names_by_vk_id(community: VkCommunity) -> dict[int, str]:
    names = {r.vk_id: r.name for r in Reader.objects.all()}
    names[community.owner_id] = community.name
    return names


def _act_on_vk(request: HttpRequest, community: VkCommunity, form: ReaderActionForm) -> str:
    """Carry out a reader action; the message to show."""
    data = form.cleaned_data
    reader: Reader = data["reader"]
    action = data["action"]
    text = (data.get("text") or "").strip()
    if action.startswith("complain") and not text:
        text = complaint_text(random.Random())
    if action == "message" or action == "complain_message":
        reader_actions.reader_writes_vk(community, reader, text)
        return _("%(reader)s wrote to the community.") % {"reader": reader}
    post = get_object_or_404(VkPost, community=community, post_id=data["post"])
    if action == "like":
        reader_actions.reader_likes_vk(post, reader)
        return _("%(reader)s liked the post.") % {"reader": reader}
    reader_actions.reader_comments_vk(post, reader, text)
    return _("%(reader)s commented on the post.") % {"reader": reader}


def _handle_reader_post(request: HttpRequest, act: object, place: object) -> None:
    form = ReaderActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return
    request.session[READER_SESSION_KEY] = form.cleaned_data["reader"].pk
    try:
        messages.success(request, act(request, place, form))  # type: ignore[operator]
    except reader_actions.ReaderActionRefused as refused:
        reason = str(refused)
        if reason == "banned":
            messages.error(request, _("This reader is banned in the community: the network refuses."))
        elif reason == "no bot":
            messages.error(request, _("The channel has no bot to write to."))
        elif reason == "comments are off":
            messages.error(request, _("The channel has no discussion group: there is nowhere to comment."))
        else:
            messages.error(request, _("The post is no longer there."))


@login_required
def vk_wall(request: HttpRequest, screen_name: str) -> HttpResponse:
    community = get_object_or_404(communities_visible_to(request.user), screen_name=screen_name)
    if request.method == "POST":
        _handle_reader_post(request, _act_on_vk, community)
        anchor = f"#post-{request.POST['post']}" if request.POST.get("post", "").isdigit() else ""
        return redirect(request.path + anchor)
    readers = _readers()
    reader = _chosen_reader(request, readers)
    names = _names_by_vk_id(community)
    posts = wall_posts(community)
    for row in posts:
        for comment in row.comments:
            comment.author = names.get(comment.from_id, f"id{comment.from_id}")  # type: ignore[attr-defined]
    dialog = (
        list(VkMessage.objects.filter(community=community, peer_id=reader.vk_id).order_by("-message_id")[:20])[::-1]
        if reader
        else []
    )
    return render(
        request,
        "sandbox/vk_wall.html",
        {
            "community": community,
            "posts": posts,
            "readers": readers,
            "reader": reader,
            "dialog": dialog,
            "complaint": complaint_text(),
            "may_change": _may_change(request),
        },
    )


# --- Telegram ------------------------------------------------------------------------------------


@dataclass
class ChannelPost:
    post: TgMessage
    comments: list[TgMessage] = field(default_factory=list)
    can_comment: bool = False


def channel_posts(channel: TgChat) -> list[ChannelPost]:
    """A channel as its subscribers see it: posts newest first, each with the comments made in the linked
    discussion group (the replies to the post's automatic forward there)."""
    posts = list(
        TgMessage.objects.filter(chat=channel, deleted_at__isnull=True)
        .select_related("photo", "video")
        .order_by("-date", "-message_id")
    )
    forwards = {
        f.forward_of_id: f
        for f in TgMessage.objects.filter(forward_of__in=posts, is_automatic_forward=True, deleted_at__isnull=True)
    }
    # A comment is a reply to the forward; answers (the page's, other readers') reply to a comment. Each
    # message of a thread is filed under the forward it leads back to.
    thread_of: dict[int, int] = {f.pk: f.pk for f in forwards.values()}
    comments: dict[int, list[TgMessage]] = {}
    groups = {f.chat_id for f in forwards.values()}
    for message in (
        TgMessage.objects.filter(chat_id__in=groups, reply_to__isnull=False, deleted_at__isnull=True)
        .select_related("from_reader", "from_bot", "sender_chat")
        .order_by("message_id")
    ):
        root = thread_of.get(message.reply_to_id)  # type: ignore[arg-type]
        if root is not None:
            thread_of[message.pk] = root
            comments.setdefault(root, []).append(message)
    rows = []
    for post in posts:
        forward = forwards.get(post.pk)
        rows.append(
            ChannelPost(
                post=post, comments=comments.get(forward.pk, []) if forward else [], can_comment=forward is not None
            )
        )
    return rows


def channel_bot(channel: TgChat) -> TgBot | None:
    """The bot a reader writes to privately: the channel's administrator bot."""
    membership = (
        TgMembership.objects.filter(chat=channel, status="administrator").select_related("bot").order_by("pk").first()
    )
    return membership.bot if membership else None


def _act_on_tg(request: HttpRequest, channel: TgChat, form: ReaderActionForm) -> str:
    data = form.cleaned_data
    reader: Reader = data["reader"]
    action = data["action"]
    text = (data.get("text") or "").strip()
    if action.startswith("complain") and not text:
        text = complaint_text(random.Random())
    if action in ("message", "complain_message"):
        bot = channel_bot(channel)
        if bot is None:
            raise reader_actions.ReaderActionRefused("no bot")
        reader_actions.reader_writes_tg(bot, reader, text)
        return _("%(reader)s wrote to the bot @%(bot)s.") % {"reader": reader, "bot": bot.username}
    post = get_object_or_404(TgMessage, chat=channel, message_id=data["post"])
    if action in ("react", "like"):
        reader_actions.reader_reacts_tg(post, data.get("emoji") or TG_REACTIONS[0])
        return _("%(reader)s reacted to the post.") % {"reader": reader}
    reader_actions.reader_comments_tg(post, reader, text)
    return _("%(reader)s commented on the post.") % {"reader": reader}


@login_required
def tg_channel(request: HttpRequest, username: str) -> HttpResponse:
    channel = get_object_or_404(channels_visible_to(request.user), username=username)
    if request.method == "POST":
        _handle_reader_post(request, _act_on_tg, channel)
        anchor = f"#post-{request.POST['post']}" if request.POST.get("post", "").isdigit() else ""
        return redirect(request.path + anchor)
    readers = _readers()
    reader = _chosen_reader(request, readers)
    bot = channel_bot(channel)
    private = []
    if reader and bot:
        # The reader's dialog with this channel's bot only: what they wrote to other bots is not in it.
        private = list(
            TgMessage.objects.filter(
                chat__type=TgChatType.PRIVATE,
                chat__chat_id=reader.tg_id,
                chat__dialog_bot=bot,
                deleted_at__isnull=True,
            ).order_by("-message_id")[:20]
        )[::-1]
    return render(
        request,
        "sandbox/tg_channel.html",
        {
            "channel": channel,
            "posts": channel_posts(channel),
            "complaint": complaint_text(),
            "readers": readers,
            "reader": reader,
            "bot": bot,
            "private": private,
            "reactions": TG_REACTIONS,
            "may_change": _may_change(request),
        },
    )


# --- the trainer's controls ----------------------------------------------------------------------


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    network = request.GET.get("network", "")
    place = request.GET.get("place", "").strip()
    entries = ledger_visible_to(request.user).order_by("-at", "-id")
    if network in Network.values:
        entries = entries.filter(network=network)
    if place:
        entries = entries.filter(place=place)
    rows = list(entries[:LEDGER_ROWS])
    names = _place_names(request)
    for entry in rows:
        entry.place_name = names.get(entry.place, "")  # type: ignore[attr-defined]
    return render(
        request,
        "sandbox/ledger.html",
        {
            "entries": rows,
            "limit": LEDGER_ROWS,
            "networks": Network.choices,
            "filters": {"network": network, "place": place},
            "may_change": _may_change(request),
        },
    )


def _place_names(request: HttpRequest) -> dict[str, str]:
    """A ledger place ("-220000001", "-100…") → the community's or chat's name."""
    names = {str(c.owner_id): c.name for c in communities_visible_to(request.user)}
    names.update({str(c.chat_id): str(c) for c in chats_visible_to(request.user)})
    return names


def _fault_form(request: HttpRequest, data: object = None) -> FaultForm:
    return FaultForm(data, whole_sandbox=access_of(request.user).is_operator)  # type: ignore[arg-type]


def _faults_page(request: HttpRequest, form: FaultForm | None = None, status: int = 200) -> HttpResponse:
    may_change = _may_change(request)
    visible = faults_visible_to(request.user)
    active = list(visible.filter(active=True).order_by("-created_at", "-id"))
    clearable = set(faults_changeable_by(request.user).filter(active=True).values_list("pk", flat=True))
    for fault in active:
        fault.may_clear = may_change and fault.pk in clearable  # type: ignore[attr-defined]
    return render(
        request,
        "sandbox/faults.html",
        {
            "active": active,
            "past": visible.filter(active=False).order_by("-created_at", "-id")[:20],
            "form": form or (_fault_form(request) if may_change else None),
            "may_change": may_change,
            "may_clear_any": any(f.may_clear for f in active),  # type: ignore[attr-defined]
        },
        status=status,
    )


@login_required
def faults_page(request: HttpRequest) -> HttpResponse:
    return _faults_page(request)


@login_required
@require_POST
def fault_inject(request: HttpRequest) -> HttpResponse:
    """A fault on the tokens and places of the person's own network (the one they work in, or the one
    of the token or place they name); the operator's, with nothing named, on the whole sandbox."""
    if not _may_change(request):
        raise PermissionDenied
    form = _fault_form(request, request.POST)
    if not form.is_valid():
        return _faults_page(request, form)
    data = form.cleaned_data
    try:
        services.fault_inject(
            by=request.user,
            network=data["network"],
            kind=data["kind"],
            token=data["token"],
            place=data["place"],
            remaining=data["count"],
            working_network_id=_working_network_id(request),
            params=form.fault_params(),
        )
    except ValidationError as error:
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return _faults_page(request, form)
    messages.success(request, _("The fault is injected."))
    return redirect("sandbox:faults")


@login_required
@require_POST
def fault_clear(request: HttpRequest) -> HttpResponse:
    """Clear one fault (`fault`=id) or all of those the person may clear (`fault`=all)."""
    if not _may_change(request):
        raise PermissionDenied
    which = request.POST.get("fault", "")
    if which == "all":
        cleared = services.faults_clear_all(by=request.user)
        messages.success(request, _("Faults cleared: %(count)s.") % {"count": cleared})
        return redirect("sandbox:faults")
    try:
        if not which.isdigit() or len(which) > 18:
            raise Http404
        services.fault_clear(by=request.user, fault_id=int(which))
    except Http404:
        messages.error(request, _("There is no such active fault."))
    except PermissionDenied as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The fault is cleared."))
    return redirect("sandbox:faults")


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The sandbox's tokens of the networks the person oversees, for a trainee to paste into Kurator's
    page settings: the operator and the people who keep the registry only, as real tokens would be."""
    if not _may_change(request):
        raise PermissionDenied
    communities = communities_visible_to(request.user)
    chats = chats_visible_to(request.user)
    return render(
        request,
        "sandbox/tokens.html",
        {
            "vk_tokens": vk_tokens_visible_to(request.user)
            .select_related("community")
            .prefetch_related(Prefetch("admin_of", queryset=communities))
            .order_by("kind", "pk"),
            "bots": bots_visible_to(request.user)
            .prefetch_related(
                Prefetch("memberships", queryset=TgMembership.objects.select_related("chat").filter(chat__in=chats))
            )
            .order_by("username"),
            "may_change": True,
        },
    )
