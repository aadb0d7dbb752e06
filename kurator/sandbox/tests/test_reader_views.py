"""The sandbox pages as a trainee uses them: walls and channels as readers see them, acting as a reader,
the ledger, the faults and the tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from kurator.core.testing.cast import enable_totp
from kurator.sandbox import reader_actions, tg_service
from kurator.sandbox.demo import ensure_bot, ensure_readers, ensure_tg_channel, ensure_vk_community
from kurator.sandbox.models import (
    Fault,
    LedgerEntry,
    TgFile,
    TgMessage,
    VkComment,
    VkMessage,
    VkPhoto,
    VkPost,
    VkToken,
    VkVideo,
)
from kurator.sandbox.readers import TEMPLATES, ActivityKind


def login(client, person):
    enable_totp(person)
    client.force_login(person)


@pytest.fixture
def trainee(cast, client):
    login(client, cast["north"]["page_admin"])
    return cast["north"]["page_admin"]


@pytest.fixture
def readers(db):
    return ensure_readers(3)


@pytest.fixture
def community(cast):
    return ensure_vk_community("wall_library", "Библиотека на стене", cast["north"].network.pk)[0]


def vk_post(community, post_id, text, *, ago=timedelta(hours=1), **extra):
    return VkPost.objects.create(
        community=community,
        post_id=post_id,
        from_id=community.owner_id,
        text=text,
        date=timezone.now() - ago,
        **extra,
    )


@pytest.fixture
def channel(cast):
    network_id = cast["north"].network.pk
    bot = ensure_bot("wall_library", "Библиотека", network_id)
    channel = ensure_tg_channel("wall_channel", "Канал библиотеки", bot, network_id)[0]
    post = TgMessage.objects.create(
        chat=channel,
        message_id=reader_actions.next_tg_message_id(channel),
        from_bot=bot,
        text="Пост в канале",
        views=42,
    )
    tg_service.forward_to_discussion(post)
    return channel


def test_the_wall_shows_published_posts_newest_first_with_counters_and_comments(trainee, client, community, readers):
    old = vk_post(community, 1, "Старый пост", ago=timedelta(days=2), likes=7, views=300, reposts=2)
    vk_post(community, 2, "Свежий пост")
    reader_actions.reader_comments_vk(old, readers[0], "Хороший пост!")

    page = client.get(reverse("sandbox:vk_wall", args=[community.screen_name])).content.decode()

    assert page.index("Свежий пост") < page.index("Старый пост")
    assert "Хороший пост!" in page and readers[0].name in page
    assert 'data-testid="likes">7<' in page
    assert 'data-testid="views">300<' in page and 'data-testid="reposts">2<' in page


def test_readers_do_not_see_postponed_or_deleted_posts(trainee, client, community):
    vk_post(community, 1, "Отложенный пост", ago=-timedelta(days=1), postponed=True)
    vk_post(community, 2, "Удалённый пост", deleted_at=timezone.now())

    page = client.get(reverse("sandbox:vk_wall", args=[community.screen_name])).content.decode()

    assert "Отложенный пост" not in page and "Удалённый пост" not in page


def test_a_trainee_comments_on_a_wall_post_as_a_reader(trainee, client, community, readers):
    vk_post(community, 1, "Пост")
    url = reverse("sandbox:vk_wall", args=[community.screen_name])

    response = client.post(url, {"reader": readers[1].pk, "action": "comment", "post": 1, "text": "Когда открытие?"})

    assert response.status_code == 302 and response["Location"].endswith("#post-1")
    comment = VkComment.objects.get()
    assert comment.from_id == readers[1].vk_id and comment.text == "Когда открытие?"
    assert LedgerEntry.objects.filter(kind="comment", actor=f"reader:{readers[1].vk_id}").exists()
    page = client.get(url).content.decode()
    assert "Когда открытие?" in page
    # The chosen reader stays chosen for the next action.
    assert f'<option value="{readers[1].pk}" selected' in page


def test_a_trainee_likes_and_writes_to_the_community_as_a_reader(trainee, client, community, readers):
    post = vk_post(community, 1, "Пост")
    url = reverse("sandbox:vk_wall", args=[community.screen_name])

    client.post(url, {"reader": readers[0].pk, "action": "like", "post": 1})
    client.post(url, {"reader": readers[0].pk, "action": "message", "text": "Здравствуйте!"})

    post.refresh_from_db()
    assert post.likes == 1
    assert VkMessage.objects.get().text == "Здравствуйте!"
    assert "Здравствуйте!" in client.get(url).content.decode()  # the reader's dialog with the community


def test_a_complaint_with_no_text_is_a_prefilled_complaint_about_the_library(trainee, client, community, readers):
    vk_post(community, 1, "Пост")
    url = reverse("sandbox:vk_wall", args=[community.screen_name])

    client.post(url, {"reader": readers[0].pk, "action": "complain_comment", "post": 1, "text": ""})
    client.post(url, {"reader": readers[0].pk, "action": "complain_message", "text": ""})

    complaint = VkComment.objects.get().text
    assert complaint.strip() and any(t.split("{")[0] in complaint for t in TEMPLATES[ActivityKind.CRITICISM])
    assert VkMessage.objects.get().text.strip()


def test_an_empty_comment_is_refused_with_a_message_and_nothing_is_written(trainee, client, community, readers):
    vk_post(community, 1, "Пост")
    url = reverse("sandbox:vk_wall", args=[community.screen_name])

    response = client.post(url, {"reader": readers[0].pk, "action": "comment", "post": 1, "text": " "}, follow=True)

    assert not VkComment.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_banned_reader_is_told_the_network_refuses(trainee, client, community, readers):
    from kurator.sandbox.models import VkBan

    vk_post(community, 1, "Пост")
    VkBan.objects.create(community=community, user_id=readers[0].vk_id)
    response = client.post(
        reverse("sandbox:vk_wall", args=[community.screen_name]),
        {"reader": readers[0].pk, "action": "comment", "post": 1, "text": "привет"},
        follow=True,
    )
    assert not VkComment.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_the_channel_shows_posts_reactions_views_and_discussion_comments(trainee, client, channel, readers):
    post = TgMessage.objects.get(chat=channel)
    reader_actions.reader_comments_tg(post, readers[0], "Комментарий из группы")
    reader_actions.reader_reacts_tg(post, "🔥")

    page = client.get(reverse("sandbox:tg_channel", args=[channel.username])).content.decode()

    assert "Пост в канале" in page and "Комментарий из группы" in page
    assert "🔥 1" in page and 'data-testid="views">42<' in page


def test_the_wall_shows_a_posts_photo_and_video_in_its_order_and_a_channel_post_plays_its_video(
    trainee, client, community, channel, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    photo = VkPhoto(community=community, photo_id=1, upload_hash="h1")
    photo.file.save("cover.png", ContentFile(b"png"), save=True)
    video = VkVideo(community=community, video_id=1, access_key="k", uploaded_at=timezone.now())
    video.file.save("clip.mp4", ContentFile(b"mp4"), save=True)
    owner = community.owner_id
    vk_post(community, 1, "Видеоэкскурсия", attachments=f"video{owner}_1,photo{owner}_1")
    tg_file = TgFile(file_id="BAAC1", file_unique_id="AQAD1", kind="video", mime_type="video/mp4")
    tg_file.file.save("videos/clip.mp4", ContentFile(b"mp4"), save=True)
    TgMessage.objects.create(
        chat=channel, message_id=reader_actions.next_tg_message_id(channel), caption="Видео в канале", video=tg_file
    )

    wall = client.get(reverse("sandbox:vk_wall", args=[community.screen_name])).content.decode()
    feed = client.get(reverse("sandbox:tg_channel", args=[channel.username])).content.decode()

    assert wall.index(video.file.url) < wall.index(photo.file.url)
    assert "<video" in wall and f'href="{video.file.url}"' in wall
    assert "Видео в канале" in feed and "<video" in feed and f'src="{tg_file.file.url}"' in feed


def test_a_trainee_comments_reacts_and_writes_to_the_bot_on_a_channel(trainee, client, channel, readers):
    url = reverse("sandbox:tg_channel", args=[channel.username])

    client.post(url, {"reader": readers[2].pk, "action": "comment", "post": 1, "text": "Спасибо за анонс"})
    client.post(url, {"reader": readers[2].pk, "action": "react", "post": 1, "emoji": "👏"})
    client.post(url, {"reader": readers[2].pk, "action": "message", "text": "Можно вопрос?"})

    group_comment = TgMessage.objects.get(chat=channel.linked_chat, from_reader=readers[2])
    assert group_comment.reply_to.is_automatic_forward
    assert TgMessage.objects.get(chat=channel, message_id=1).reactions == {"👏": 1}
    assert TgMessage.objects.get(chat__chat_id=readers[2].tg_id).text == "Можно вопрос?"
    page = client.get(url).content.decode()
    assert "Спасибо за анонс" in page and "Можно вопрос?" in page


def test_the_index_lists_the_sandbox_communities_and_channels(trainee, client, community, channel):
    page = client.get(reverse("sandbox:index")).content.decode()
    assert reverse("sandbox:vk_wall", args=[community.screen_name]) in page
    assert reverse("sandbox:tg_channel", args=[channel.username]) in page


def test_the_ledger_shows_the_newest_first_and_filters_by_network_and_place(cast, trainee, client, community, readers):
    post = vk_post(community, 1, "Пост")
    reader_actions.reader_comments_vk(post, readers[0], "первый")
    reader_actions.reader_writes_vk(community, readers[0], "второй")
    # A private chat with a bot of the trainee's network only: its entries are that network's.
    reader_actions.reader_writes_tg(ensure_bot("other", "Другой", cast["north"].network.pk), readers[0], "телеграм")

    rows = list(client.get(reverse("sandbox:ledger")).context["entries"])
    assert [r.kind for r in rows][:2] == ["message", "message"] and rows[-1].kind == "comment"
    vk_rows = client.get(reverse("sandbox:ledger"), {"network": "vk"}).context["entries"]
    assert {r.network for r in vk_rows} == {"vk"}
    place_rows = client.get(reverse("sandbox:ledger"), {"place": str(readers[0].tg_id)}).context["entries"]
    assert [r.kind for r in place_rows] == ["message"]


def test_a_curator_injects_and_clears_a_fault_from_the_page(cast, client, community):
    login(client, cast["north"]["curator"])
    place = str(community.owner_id)

    response = client.post(
        reverse("sandbox:fault_inject"),
        {"network": "vk", "kind": "rate_limit", "place": place, "count": "3", "retry_after": "5"},
    )

    assert response.status_code == 302
    fault = Fault.objects.get()
    assert (fault.kind, fault.place, fault.remaining, fault.params, fault.network_id) == (
        "rate_limit",
        place,
        3,
        {"retry_after": 5},
        cast["north"].network.pk,
    )
    assert list(client.get(reverse("sandbox:faults")).context["active"]) == [fault]
    client.post(reverse("sandbox:fault_clear"), {"fault": fault.pk})
    fault.refresh_from_db()
    assert not fault.active


def test_clear_all_switches_off_every_fault_of_the_network(cast, client):
    from kurator.sandbox import faults

    login(client, cast["north"]["administration"])
    faults.inject(network="vk", kind="server_error", network_id=cast["north"].network.pk)
    faults.inject(network="telegram", kind="latency", latency_ms=200, network_id=cast["north"].network.pk)

    client.post(reverse("sandbox:fault_clear"), {"fault": "all"})

    assert not Fault.objects.filter(active=True).exists()


def test_latency_without_a_delay_is_refused_on_the_form(cast, client):
    login(client, cast["north"]["curator"])
    response = client.post(reverse("sandbox:fault_inject"), {"network": "vk", "kind": "latency"})
    assert response.status_code == 200 and response.context["form"].errors["latency_ms"]
    assert not Fault.objects.exists()


def test_a_trainee_sees_the_faults_but_may_not_inject_or_clear_them(trainee, client):
    from kurator.sandbox import faults

    fault = faults.inject(network="telegram", kind="rate_limit", retry_after=3)
    page = client.get(reverse("sandbox:faults"))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(reverse("sandbox:fault_inject"), {"network": "vk", "kind": "server_error"}).status_code == 403
    assert client.post(reverse("sandbox:fault_clear"), {"fault": fault.pk}).status_code == 403
    assert Fault.objects.filter(active=True).count() == 1


def test_the_tokens_page_shows_the_tokens_to_the_curator_only(cast, client, community):
    token = VkToken.objects.get(community=community)
    login(client, cast["north"]["curator"])
    assert token.token in client.get(reverse("sandbox:tokens")).content.decode()
    login(client, cast["north"]["coordinator"])
    assert client.get(reverse("sandbox:tokens")).status_code == 403


def test_the_operator_reads_the_sandbox_in_the_admin_and_cannot_change_the_ledger(client, community, readers):
    from kurator.accounts.models import User

    operator = User.objects.create_superuser(email="op@sandbox.test", password="x", full_name="Оператор")
    client.force_login(operator)
    reader_actions.reader_writes_vk(community, readers[0], "Здравствуйте")
    for model in ("reader", "vkcommunity", "vktoken", "tgbot", "tgchat", "fault", "ledgerentry"):
        assert client.get(reverse(f"admin:sandbox_{model}_changelist")).status_code == 200, model
    entry = LedgerEntry.objects.get()
    assert client.post(reverse("admin:sandbox_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_the_ledger_names_the_community_of_each_row(trainee, client, community, readers):
    reader_actions.reader_writes_vk(community, readers[0], "Здравствуйте")
    page = client.get(reverse("sandbox:ledger")).content.decode()
    assert community.name in page


def test_a_long_wall_takes_a_fixed_number_of_queries(
    trainee, client, community, readers, django_assert_max_num_queries
):
    for post_id in range(1, 21):
        post = vk_post(community, post_id, f"Пост {post_id}")
        reader_actions.reader_comments_vk(post, readers[post_id % 3], "Комментарий")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("sandbox:vk_wall", args=[community.screen_name]))
    assert response.content.decode().count('data-testid="vk-post"') == 20
