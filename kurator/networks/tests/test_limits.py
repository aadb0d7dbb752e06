"""R-PUB-1: each network's limits, checked before a variant can be approved."""

import pytest
from django.utils import translation

from kurator.networks.limits import Draft, Media, check_variant
from kurator.networks.telegram.markup import MarkupError, visible_text


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def codes(network, draft):
    return [p.code for p in check_variant(network, draft)]


def test_a_telegram_text_counts_what_the_reader_sees_not_the_markup():
    bold = "<b>" + "я" * 4096 + "</b>"
    assert codes("telegram", Draft(bold, parse_mode="HTML")) == []
    assert codes("telegram", Draft(bold + "!", parse_mode="HTML")) == ["text_too_long"]


def test_under_a_photo_telegram_allows_1024_characters():
    photo = (Media("photo", 200_000, "image/jpeg"),)
    assert codes("telegram", Draft("а" * 1024, media=photo)) == []
    problems = check_variant("telegram", Draft("а" * 1025, media=photo))
    assert [p.code for p in problems] == ["text_too_long"]
    assert "1025" in problems[0].message and "1024" in problems[0].message


def test_a_telegram_album_takes_at_most_ten_photos_of_at_most_10_mb():
    eleven = tuple(Media("photo", 1000, "image/jpeg") for _ in range(11))
    assert codes("telegram", Draft("Подборка", media=eleven)) == ["too_many_media"]
    big = (Media("photo", 11 * 1024 * 1024, "image/jpeg"),)
    assert codes("telegram", Draft("Фото", media=big)) == ["photo_too_big"]


def test_broken_formatting_is_reported_before_telegram_refuses_it():
    assert codes("telegram", Draft("<b>жирный", parse_mode="HTML")) == ["markup"]
    assert codes("telegram", Draft("Цена 100.", parse_mode="MarkdownV2")) == ["markup"]
    assert codes("telegram", Draft("Цена 100\\.", parse_mode="MarkdownV2")) == []


def test_markdown_v2_links_and_escapes_show_only_their_text():
    assert visible_text("*Новинки* в [каталоге](https://example.org/a_b)\\!", "MarkdownV2") == "Новинки в каталоге!"
    with pytest.raises(MarkupError):
        visible_text("<script>alert(1)</script>", "HTML")


def test_a_vk_post_takes_at_most_ten_media_and_one_link_attachment():
    ten = tuple(Media("photo", 1000, "image/png") for _ in range(10))
    assert codes("vk", Draft("Фотоотчёт", media=ten)) == []
    assert codes("vk", Draft("Фотоотчёт", media=(*ten, Media("video", 1000)))) == ["too_many_media"]
    assert codes("vk", Draft("Ссылки", link_attachments=("https://a.example", "https://b.example"))) == [
        "too_many_links"
    ]


def test_a_vk_text_limit_can_be_changed_in_settings(settings):
    settings.KURATOR_VK_TEXT_MAX = 100
    assert codes("vk", Draft("ж" * 101)) == ["text_too_long"]


def test_an_empty_post_is_refused_by_both_networks():
    assert codes("vk", Draft("  ")) == ["empty"]
    assert codes("telegram", Draft("")) == ["empty"]


def test_assisted_networks_have_no_automatic_checks():
    assert codes("dzen", Draft("ж" * 100_000)) == []
