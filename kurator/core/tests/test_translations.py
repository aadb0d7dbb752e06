"""The Russian catalogue is complete, faithful to its msgids, compiled, up to date, and actually used.

Terms follow docs/glossary-ru.md. After changing a user-facing string run `make messages`, translate
what is new in locale/ru/LC_MESSAGES/django.po and commit both the .po and the .mo file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
RU_PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
RU_MO = RU_PO.with_suffix(".mo")
RUSSIAN_PLURALS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
# %(name)s, %(count)d, %s, %d … and str.format fields such as {name}; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[diouxXeEfFgGcrsa]|\{[A-Za-z_][\w.]*\}")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>|&[a-z]+;")
# What makemessages extracts: the project's sources without the virtualenv, runtime data and artefacts.
NOT_SOURCES = shutil.ignore_patterns(".*", "var", "test-artifacts", "locale", "__pycache__", "*.pyc")


def _catalogue() -> polib.POFile:
    return polib.pofile(str(RU_PO))


def _label(entry: polib.POEntry) -> str:
    return f"[{entry.msgctxt}] {entry.msgid!r}" if entry.msgctxt else repr(entry.msgid)


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _messages(catalogue: polib._BaseFile) -> dict[tuple[str | None, str, str], tuple[str, ...]]:
    """Every translated message of a .po or .mo file, keyed by context, msgid and plural msgid."""
    return {
        (e.msgctxt or None, e.msgid, e.msgid_plural or ""): tuple(_translations(e))
        for e in catalogue
        if e.msgid and not e.obsolete and "fuzzy" not in e.flags
    }


def test_the_russian_catalogue_has_no_untranslated_and_no_fuzzy_entry():
    catalogue = _catalogue()
    entries = [e for e in catalogue if not e.obsolete]
    assert entries, f"{RU_PO} has no messages"
    untranslated = [_label(e) for e in entries if not all(s.strip() for s in _translations(e))]
    fuzzy = [_label(e) for e in entries if "fuzzy" in e.flags]
    assert not untranslated, "untranslated in locale/ru (run `make messages` and translate):\n" + "\n".join(
        untranslated
    )
    assert not fuzzy, "fuzzy in locale/ru (check the translation, then drop the flag):\n" + "\n".join(fuzzy)
    assert not catalogue.metadata_is_fuzzy, "the header of locale/ru is marked fuzzy"


def test_the_russian_catalogue_declares_the_three_russian_plural_forms_and_fills_each():
    catalogue = _catalogue()
    assert catalogue.metadata.get("Plural-Forms") == RUSSIAN_PLURALS
    assert catalogue.metadata.get("Language") == "ru"
    short = [_label(e) for e in catalogue if e.msgid_plural and sorted(e.msgstr_plural) != [0, 1, 2]]
    assert not short, "plural messages without exactly three Russian forms:\n" + "\n".join(short)


def test_every_placeholder_of_a_msgid_appears_in_its_translation():
    problems = []
    for entry in _catalogue():
        if entry.obsolete:
            continue
        for index, translated in enumerate(_translations(entry)):
            source = entry.msgid_plural if entry.msgid_plural and index > 0 else entry.msgid
            expected = sorted(PLACEHOLDER.findall(source))
            found = sorted(PLACEHOLDER.findall(translated))
            if expected != found:
                problems.append(f"{_label(entry)} form {index}: expected {expected}, found {found}")
    assert not problems, "placeholders lost or invented in locale/ru:\n" + "\n".join(problems)


def test_the_html_of_a_msgid_is_kept_in_its_translation():
    problems = [
        _label(e)
        for e in _catalogue()
        if not e.obsolete
        and any(sorted(HTML_TAG.findall(e.msgid)) != sorted(HTML_TAG.findall(s)) for s in _translations(e))
    ]
    assert not problems, "HTML tags or entities changed in locale/ru:\n" + "\n".join(problems)


def test_the_committed_mo_file_is_the_compiled_po_file():
    assert RU_MO.exists(), "locale/ru/LC_MESSAGES/django.mo is missing: run `make messages` and commit it"
    catalogue = _catalogue()
    compiled = polib.mofile(catalogue.to_binary())
    committed = polib.mofile(str(RU_MO))
    expected, actual = _messages(compiled), _messages(committed)
    stale = sorted(repr(key[1]) for key in expected.keys() ^ actual.keys())
    stale += sorted(repr(key[1]) for key in expected.keys() & actual.keys() if expected[key] != actual[key])
    assert not stale, "django.mo does not match django.po (run `make messages` and commit the .mo):\n" + "\n".join(
        stale
    )
    assert committed.metadata.get("Plural-Forms") == catalogue.metadata.get("Plural-Forms")


@pytest.mark.skipif(shutil.which("xgettext") is None or shutil.which("msgmerge") is None, reason="needs GNU gettext")
def test_the_catalogue_holds_exactly_the_strings_of_the_code(tmp_path, monkeypatch):
    """makemessages runs in about a second here, on a copy of the sources, so the real catalogue is untouched."""
    sources = tmp_path / "src"
    shutil.copytree(ROOT, sources, ignore=NOT_SOURCES)
    (sources / "locale").mkdir()
    monkeypatch.chdir(sources)
    with override_settings(LOCALE_PATHS=[sources / "locale"]):
        call_command("makemessages", locale=["ru"], no_location=True, verbosity=0)
    fresh = polib.pofile(str(sources / "locale" / "ru" / "LC_MESSAGES" / "django.po"))

    def keys(catalogue: polib.POFile) -> set[tuple[str | None, str, str]]:
        return {(e.msgctxt or None, e.msgid, e.msgid_plural or "") for e in catalogue if e.msgid and not e.obsolete}

    in_code, in_catalogue = keys(fresh), keys(_catalogue())
    missing = sorted(repr(k[1]) for k in in_code - in_catalogue)
    stale = sorted(repr(k[1]) for k in in_catalogue - in_code)
    assert not missing, "strings in the code but not in locale/ru (run `make messages`):\n" + "\n".join(missing)
    assert not stale, "strings in locale/ru that the code no longer uses (run `make messages`):\n" + "\n".join(stale)


def test_the_registry_spreadsheet_uses_the_column_names_of_appendix_1_in_russian():
    from kurator.registry.exchange import COLUMNS

    with translation.override("ru"):
        headers = [str(c.label) for c in COLUMNS[:4]]
    assert headers == ["Группа ЦБС/филиала", "Ссылка", "Координатор", "День согласования"]


def test_the_login_page_is_russian_by_default(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru">' in html
    assert "Вход в рабочее пространство" in html and "Войти" in html and "Пароль" in html
    assert "Log in" not in html and "Password" not in html


def test_the_login_page_is_english_after_choosing_english(client):
    response = client.post("/language/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Log in to the workspace" in html and "Password" in html
    assert "Войти" not in html and "Пароль" not in html


@pytest.mark.django_db
def test_a_workspace_screen_speaks_russian_and_then_english_once_the_person_chooses_it(cast, client):
    person = cast["north"]["staff"]  # no role that demands login confirmation
    client.force_login(person)
    html = client.get("/").content.decode()
    for word in ("Мои страницы", "Сотрудники", "Уведомления", "Выйти"):
        assert word in html
    client.post("/language/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    for word in ("My pages", "People", "Notifications", "Log out"):
        assert word in html
    assert "Мои страницы" not in html
