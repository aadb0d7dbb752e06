"""Import and export of the page registry as XLSX in the layout of 003 Appendix 1."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from kurator.accounts.models import Internship, RoleAssignment
from kurator.accounts.responsibility import current_coordinator
from kurator.core.models import AuditEvent
from kurator.core.testing.cast import enable_totp
from kurator.registry import exchange
from kurator.registry.choices import PublishingMode, SocialNetwork
from kurator.registry.exchange import (
    XLSX_CONTENT_TYPE,
    registry_import_apply,
    registry_import_preview,
    registry_workbook,
)
from kurator.registry.models import Page, PageDepartment

APPENDIX_HEADER = ["Группа ЦБС/филиала", "Ссылка", "Координатор", "День согласования"]
FULL_HEADER = [
    "Группа ЦБС/филиала",
    "Ссылка",
    "Координатор",
    "День согласования",
    "Соцсеть",
    "Библиотека",
    "Отделы",
    "Верифицирована",
    "Режим публикации",
    "Главная страница",
]


def full_row(name: str, link: str, **cells: Any) -> list[Any]:
    """A row of the exported layout: name and link, the other columns by key (blank unless given)."""
    keys = ["coordinator", "day", "network", "library", "departments", "verified", "mode", "main"]
    assert set(cells) <= set(keys), cells
    return [name, link, *(cells.get(k, "") for k in keys)]


def xlsx(rows: list[list[Any]], title: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def registry_state() -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Everything an import may touch, to prove that a refused one touched nothing."""
    pages = list(Page.objects.order_by("pk").values_list())
    departments = list(PageDepartment.objects.order_by("pk").values_list("page_id", "department_id", "social_network"))
    roles = list(
        RoleAssignment.objects.order_by("pk").values_list("person_id", "role", "page_id", "starts_on", "ends_on")
    )
    return pages, departments, roles


def qualify_as_coordinator(person, network) -> None:
    Internship.objects.create(
        person=person, network=network, started_on=date(2020, 3, 1), completed_on=date(2020, 6, 1)
    )


def preview_of(user, network, rows: list[list[Any]], **kwargs: Any) -> exchange.ImportPreview:
    return registry_import_preview(user=user, network=network, data=xlsx(rows, **kwargs))


def row_errors(preview: exchange.ImportPreview) -> list[str]:
    return [str(e) for e in preview.errors]


@pytest.fixture
def north(cast):
    """North with a varied registry: a joint page, an approval day, a verified page, a coordinator."""
    n = cast["north"]
    n.central_page.approval_weekday = 2
    n.central_page.verified = True
    n.central_page.save()
    PageDepartment.objects.create(page=n.central_page, department=n.branch_dept, social_network=SocialNetwork.VK)
    return n


# Export ---------------------------------------------------------------------------------------


def test_the_export_has_appendix_1_columns_first_then_kuratorʼs_own(north):
    with translation.override("en"):
        data = registry_workbook(user=north["administration"], network=north.network)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "List of approved pages of ЦБС north"
    header = [c.value for c in ws[2]]
    assert header == [
        "Page of the network/branch",
        "Link",
        "Coordinator",
        "Approval day",
        "Social network",
        "Library",
        "Departments",
        "Verified",
        "Publishing mode",
        "Main page",
    ]
    assert ws.freeze_panes == "A3"
    assert all(c.font.b for c in ws[2])
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    central = rows["https://vk.com/central_north"]
    assert central[2] == "Coordinator (coordinator@north.test)"
    assert central[3] == "Wednesday"
    assert central[4] == "VK"
    assert central[6] == "Библиотека-филиал north: Абонемент; Отдел обслуживания"
    assert central[7:] == ("yes", "automatically", "no")


def test_another_networkʼs_pages_never_appear_in_an_export(cast):
    for person in ("administration", "curator", "coordinator", "staff"):
        data = registry_workbook(user=cast["north"][person], network=cast["north"].network)
        links = {r[1] for r in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=3, values_only=True)}
        assert links and not any("west" in link for link in links), person


def test_an_export_holds_only_the_pages_the_person_may_see(cast):
    data = registry_workbook(user=cast["north"]["staff"], network=cast["north"].network)
    links = {r[1] for r in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=3, values_only=True)}
    assert links == {"https://t.me/branch_north"}  # the branch librarian sees the branch's page only


def test_nobody_exports_a_network_they_do_not_belong_to(cast):
    with pytest.raises(PermissionDenied):
        registry_workbook(user=cast["west"]["administration"], network=cast["north"].network)


def test_a_page_name_that_looks_like_a_formula_is_exported_as_text(north):
    Page.objects.filter(pk=north.branch_page.pk).update(name="=HYPERLINK(1)")
    data = registry_workbook(user=north["administration"], network=north.network)
    cell = next(c for c in load_workbook(io.BytesIO(data)).active["A"] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"


# Round trip -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_export_then_import_of_the_same_file_changes_nothing(north, language):
    admin = north["administration"]
    before = registry_state()
    with translation.override(language):
        data = registry_workbook(user=admin, network=north.network)
        preview = registry_import_preview(user=admin, network=north.network, data=data)
        assert row_errors(preview) == []
        assert [r.action for r in preview.rows] == ["unchanged"] * 3
        result = registry_import_apply(user=admin, network=north.network, preview=preview)
    assert result.ok and result.unchanged == 3 and result.created == result.changed == 0
    assert registry_state() == before
    assert not AuditEvent.objects.filter(verb="registry.imported").exists()


# Adding and changing pages --------------------------------------------------------------------


def test_an_import_adds_a_page_and_appoints_its_coordinator(north):
    admin, staff = north["administration"], north["staff"]
    qualify_as_coordinator(staff, north.network)
    rows = [APPENDIX_HEADER, ["Детский отдел в ОК", "ok.ru/group/777", "staff@north.test", "Среда"]]
    with translation.override("en"):
        preview = preview_of(admin, north.network, rows, title="Список утвержденных групп ЦБС Вконтакте")
        assert row_errors(preview) == []
        assert preview.summary == "1 new page, 0 changed, 0 unchanged, 0 bad rows"
        result = registry_import_apply(user=admin, network=north.network, preview=preview)
    assert result.ok and result.created == 1 and result.appointed == 1
    page = Page.objects.get(url="https://ok.ru/group/777")
    assert page.network == north.network
    assert page.social_network == SocialNetwork.OK  # told by the link's host
    assert page.approval_weekday == 2
    assert page.publishing_mode == PublishingMode.ASSISTED
    assert current_coordinator(page) == staff
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"page.created", "role.assigned", "registry.imported"} <= verbs


def test_an_import_changes_a_page_matched_by_its_link_and_replaces_its_coordinator(north):
    admin, staff, old = north["administration"], north["staff"], north["coordinator"]
    qualify_as_coordinator(staff, north.network)
    rows = [
        ["Verified", "Link", "Approval day", "Page of the network/branch", "Coordinator"],
        ["no", "HTTPS://VK.com/central_north/", "Friday", "Центральная библиотека — ВКонтакте", "Staff"],
    ]
    with translation.override("en"):
        preview = preview_of(admin, north.network, rows)
    row = preview.rows[0]
    assert row.action == "change" and row.page == north.central_page
    assert row.changed == ["name", "coordinator", "approval_weekday", "verified"]
    result = registry_import_apply(user=admin, network=north.network, preview=preview)
    assert result.ok and result.changed == 1
    page = Page.objects.get(pk=north.central_page.pk)
    assert (page.name, page.approval_weekday, page.verified) == ("Центральная библиотека — ВКонтакте", 4, False)
    assert page.url == "https://vk.com/central_north"  # the link identifies the page; it is not rewritten
    assert current_coordinator(page) == staff
    assert RoleAssignment.objects.get(person=old, page=page).ends_on is not None


def test_a_minimal_file_infers_each_social_network_from_the_link(north):
    admin = north["administration"]
    rows = [APPENDIX_HEADER] + [
        [f"Страница {i}", link, "", ""]
        for i, link in enumerate(
            [
                "https://vk.ru/club1",
                "t.me/chan1",
                "https://ok.ru/g1",
                "https://dzen.ru/lib",
                "https://www.youtube.com/@lib",
            ]
        )
    ]
    preview = preview_of(admin, north.network, rows)
    assert row_errors(preview) == []
    assert [r.social_network for r in preview.rows] == ["vk", "telegram", "ok", "dzen", "youtube"]


def test_a_joint_page_gets_all_its_departments(north):
    admin = north["administration"]
    joint = "Отдел обслуживания; Библиотека-филиал north: Абонемент"
    rows = [
        FULL_HEADER,
        full_row(
            "Совместная",
            "https://ok.ru/joint",
            network="Одноклассники",
            library=north.central.name,
            departments=joint,
            verified="нет",
            mode="вручную",
            main="нет",
        ),
    ]
    preview = preview_of(admin, north.network, rows)
    assert row_errors(preview) == []
    assert registry_import_apply(user=admin, network=north.network, preview=preview).ok
    page = Page.objects.get(url="https://ok.ru/joint")
    assert set(page.departments.all()) == {north.central_dept, north.branch_dept}


# Bad files and bad rows -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"Group;Link\nA;https://vk.com/a\n", "This is not an XLSX file."),
        (b"PK\x03\x04 broken", "This is not an XLSX file."),
        ("zip", "The file cannot be read as an XLSX workbook."),
        ("no header", "No header row found."),
        ("header only", "The file has a header but no pages under it."),
        ("too many rows", "The file has more than 2000 rows."),
        (b"x" * (5 * 1024 * 1024 + 1), "The file is larger than 5 MB."),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_message_and_changes_nothing(north, data, message):
    if data == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("hello.txt", "not a workbook")
        data = out.getvalue()
    elif data == "no header":
        data = xlsx([["Что-то", "Другое"], ["a", "b"]])
    elif data == "header only":
        data = xlsx([APPENDIX_HEADER, [None, None]])
    elif data == "too many rows":
        data = xlsx([APPENDIX_HEADER] + [[f"P{i}", f"https://vk.com/p{i}", "", ""] for i in range(2001)])
    before = registry_state()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        registry_import_preview(user=north["administration"], network=north.network, data=data)
    assert message in " ".join(caught.value.messages)
    assert registry_state() == before


def assert_refused(north, rows, *expected: str) -> exchange.ImportPreview:
    """The file is previewed with the error named (row number included) and applying it writes nothing."""
    admin = north["administration"]
    before = registry_state()
    with translation.override("en"):
        preview = preview_of(admin, north.network, rows)
        errors = row_errors(preview)
        for text in expected:
            assert any(text in e for e in errors), errors
        result = registry_import_apply(user=admin, network=north.network, preview=preview)
    assert not result.ok and result.errors
    assert registry_state() == before
    return preview


def test_an_unknown_social_network_is_a_bad_row(north):
    rows = [FULL_HEADER, full_row("Новая", "https://example.org/lib", network="Фотоклуб")]
    assert_refused(north, rows, "Row 2, column “Social network”: Unknown social network “Фотоклуб”")


def test_a_link_whose_network_cannot_be_told_needs_the_social_network_column(north):
    rows = [APPENDIX_HEADER, ["Новая", "https://example.org/lib", "", ""]]
    assert_refused(north, rows, "Row 2, column “Social network”: Cannot tell the social network from the link")


def test_a_bad_or_missing_link_is_a_bad_row(north):
    rows = [APPENDIX_HEADER, ["Без ссылки", "", "", ""], ["Кривая", "не ссылка", "", ""]]
    assert_refused(
        north, rows, "Row 2, column “Link”: The link is missing.", "Row 3, column “Link”: “не ссылка” is not a link."
    )


def test_a_second_page_for_one_department_on_one_network_is_a_bad_row(north):
    rows = [
        FULL_HEADER,
        full_row(
            "Второй ВК",
            "https://vk.com/second",
            network="VK",
            library=north.central.name,
            departments="Отдел обслуживания",
        ),
    ]
    assert_refused(
        north,
        rows,
        "Row 2, column “Departments”: The department “Отдел обслуживания” already has a page on VK: “Центральная north”.",
    )


def test_two_rows_of_one_file_cannot_give_one_department_two_pages_on_one_network(north):
    cells = {"network": "Одноклассники", "library": north.branch.name, "departments": "Абонемент"}
    first, second = (
        full_row("Абонемент в ОК", "https://ok.ru/a1", **cells),
        full_row("Ещё", "https://ok.ru/a2", **cells),
    )
    preview = assert_refused(
        north,
        [FULL_HEADER, first, second],
        "Row 3, column “Departments”: Row 2 of this file already gives the department “Абонемент” a page on Odnoklassniki",
    )
    assert [r.action for r in preview.rows] == ["new", None]


def test_moving_a_department_between_pages_in_one_file_follows_the_order_of_the_rows(north):
    """Row 2 frees the branch department's VK slot on the central page; row 3 then gives it its own page."""
    admin = north["administration"]
    rows = [
        FULL_HEADER,
        full_row(
            "Центральная north",
            "https://vk.com/central_north",
            network="VK",
            library=north.central.name,
            departments="Отдел обслуживания",
        ),
        full_row(
            "Абонемент ВК", "https://vk.com/abonement", network="VK", library=north.branch.name, departments="Абонемент"
        ),
    ]
    preview = preview_of(admin, north.network, rows)
    assert row_errors(preview) == []
    assert registry_import_apply(user=admin, network=north.network, preview=preview).ok
    assert Page.objects.get(url="https://vk.com/abonement").departments.get() == north.branch_dept


def test_a_duplicate_link_in_the_file_is_a_bad_row(north):
    rows = [APPENDIX_HEADER, ["Первая", "https://vk.com/twice", "", ""], ["Вторая", "vk.com/twice/", "", ""]]
    assert_refused(north, rows, "Row 3, column “Link”: The same link is already in row 2 of this file.")


def test_an_unknown_library_is_a_bad_row(north):
    rows = [FULL_HEADER, full_row("Новая", "https://vk.com/new", library="Библиотека на Луне")]
    assert_refused(north, rows, "Row 2, column “Library”: Unknown library “Библиотека на Луне”")


def test_another_networkʼs_library_is_unknown_here(north, cast):
    rows = [FULL_HEADER, full_row("Новая", "https://vk.com/new", library=cast["west"].central.name)]
    assert_refused(north, rows, "Row 2, column “Library”: Unknown library")


def test_an_unknown_department_is_a_bad_row(north):
    rows = [
        FULL_HEADER,
        full_row("Новая", "https://vk.com/new", library=north.branch.name, departments="Отдел редкой книги"),
    ]
    assert_refused(
        north,
        rows,
        "Row 2, column “Departments”: Unknown department “Отдел редкой книги”: the library “Библиотека-филиал north”",
    )


def test_unknown_weekdays_yes_no_values_and_publishing_modes_are_bad_rows(north):
    rows = [
        FULL_HEADER,
        full_row("Новая", "https://vk.com/new", day="Пятничка", verified="может быть", mode="иногда", main="да"),
    ]
    assert_refused(
        north,
        rows,
        "Row 2, column “Approval day”: Unknown weekday “Пятничка”",
        "Row 2, column “Verified”: “может быть” is neither yes nor no",
        "Row 2, column “Publishing mode”: Unknown publishing mode “иногда”",
    )


def test_automatic_publishing_on_a_network_without_an_api_is_a_bad_row(north):
    rows = [FULL_HEADER, full_row("Новая", "https://dzen.ru/new", mode="автоматически")]
    assert_refused(north, rows, "Row 2, column “Publishing mode”: Dzen has no publishing API")


def test_a_coordinator_not_among_the_networkʼs_people_is_a_bad_row(north, cast):
    rows = [
        APPENDIX_HEADER,
        ["Новая", "https://vk.com/new1", "Иван Неизвестный", ""],
        ["Новая 2", "https://vk.com/new2", "Administration (administration@west.test)", ""],
    ]
    assert_refused(
        north,
        rows,
        "Row 2, column “Coordinator”: Nobody called “Иван Неизвестный” works in ЦБС north",
        "Row 3, column “Coordinator”: Nobody with the e-mail administration@west.test works in ЦБС north.",
    )


def test_a_coordinator_who_does_not_meet_the_appointment_rule_is_a_bad_row(north):
    north["staff"].employed_since = date.today().replace(day=1)
    north["staff"].save()
    rows = [APPENDIX_HEADER, ["Новая", "https://vk.com/new", "staff@north.test", ""]]
    assert_refused(
        north,
        rows,
        "Row 2, column “Coordinator”: A coordinator needs at least 6 months of service",
        "Row 2, column “Coordinator”: A coordinator must first complete an internship with the curator",
    )


def test_a_curator_may_import_pages_but_not_appoint_coordinators(north):
    qualify_as_coordinator(north["staff"], north.network)
    with translation.override("en"):
        preview = preview_of(
            north["curator"], north.network, [APPENDIX_HEADER, ["Новая", "https://vk.com/new", "staff@north.test", ""]]
        )
    assert "You may not appoint page coordinators here" in row_errors(preview)[0]
    preview = preview_of(north["curator"], north.network, [APPENDIX_HEADER, ["Новая", "https://vk.com/new", "", ""]])
    assert registry_import_apply(user=north["curator"], network=north.network, preview=preview).ok


def test_an_archived_pageʼs_link_is_a_bad_row(north):
    Page.objects.filter(pk=north.branch_page.pk).update(archived=True)
    rows = [APPENDIX_HEADER, ["Филиал", "https://t.me/branch_north", "", ""]]
    assert_refused(north, rows, "Row 2, column “Link”: This link belongs to the archived page “Филиал north”")


# Permissions and consistency ------------------------------------------------------------------


@pytest.mark.parametrize("person", ["coordinator", "page_admin", "designer", "head", "staff"])
def test_only_the_curator_and_the_administration_may_import(north, person):
    with pytest.raises(PermissionDenied):
        preview_of(north[person], north.network, [APPENDIX_HEADER, ["Новая", "https://vk.com/new", "", ""]])


def test_another_networkʼs_administration_may_not_import_here(cast):
    with pytest.raises(PermissionDenied):
        preview_of(
            cast["west"]["administration"],
            cast["north"].network,
            [APPENDIX_HEADER, ["Новая", "https://vk.com/new", "", ""]],
        )


def test_an_import_is_refused_when_the_registry_changed_after_the_preview(north):
    admin = north["administration"]
    preview = preview_of(
        admin,
        north.network,
        [APPENDIX_HEADER, ["Новая", "https://vk.com/new", "", ""], ["Другая", "https://vk.com/other", "", ""]],
    )
    assert preview.can_apply
    Page.objects.create(network=north.network, name="Кто-то успел", social_network="vk", url="https://vk.com/new")
    before = registry_state()
    with translation.override("en"):
        result = registry_import_apply(user=admin, network=north.network, preview=preview)
    assert not result.ok
    assert result.preview is not None and [r.action for r in result.preview.rows] == ["change", "new"]
    assert result.errors == [
        "The registry changed after the preview was made. Check the new preview and confirm again."
    ]
    assert registry_state() == before


def test_a_failure_in_any_row_while_applying_rolls_back_every_row(north, monkeypatch):
    admin, staff = north["administration"], north["staff"]
    qualify_as_coordinator(staff, north.network)
    rows = [
        APPENDIX_HEADER,
        ["Первая", "https://vk.com/first", "", ""],
        ["Вторая", "https://vk.com/second", "staff@north.test", ""],
    ]
    preview = preview_of(admin, north.network, rows)

    def refuse(**kwargs: Any) -> None:
        raise ValidationError("The appointment failed.")

    monkeypatch.setattr(exchange, "role_assign", refuse)
    before = registry_state()
    with translation.override("en"):
        result = registry_import_apply(user=admin, network=north.network, preview=preview)
    assert not result.ok and result.errors == ["Row 3: The appointment failed."]
    assert registry_state() == before


def test_a_preview_with_a_bad_row_is_never_applied(north):
    preview = preview_of(
        north["administration"],
        north.network,
        [APPENDIX_HEADER, ["Хорошая", "https://vk.com/good", "", ""], ["Плохая", "", "", ""]],
    )
    assert preview.bad == 1 and not preview.can_apply
    result = registry_import_apply(user=north["administration"], network=north.network, preview=preview)
    assert not result.ok and not Page.objects.filter(url="https://vk.com/good").exists()


def test_headers_are_matched_by_name_in_any_order_and_case_and_unknown_ones_are_listed(north):
    rows = [["LINK", "примечание", "группа цбс / филиала"], ["https://vk.com/new", "что угодно", "Новая"]]
    preview = preview_of(north["administration"], north.network, rows)
    assert row_errors(preview) == [] and preview.rows[0].name == "Новая"
    assert preview.ignored_columns == ["примечание"]


# Views ----------------------------------------------------------------------------------------


@pytest.fixture
def uploads(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "uploads"


def upload(client, data: bytes, name: str = "registry.xlsx"):
    return client.post(reverse("registry:import"), {"file": SimpleUploadedFile(name, data, XLSX_CONTENT_TYPE)})


def test_the_export_view_returns_the_registry_as_an_xlsx_download(client, north):
    client.force_login(north["administration"])
    response = client.get(reverse("registry:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="registry-north-')
    links = {r[1] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3, values_only=True)}
    assert "https://vk.com/central_north" in links and not any("west" in link for link in links)


def test_the_import_views_preview_then_import_end_to_end(client, north, uploads):
    admin, staff = north["administration"], north["staff"]
    admin.language = "en"
    admin.save()
    qualify_as_coordinator(staff, north.network)
    client.force_login(admin)
    assert client.get(reverse("registry:import")).status_code == 200

    data = xlsx(
        [
            APPENDIX_HEADER,
            ["Новая", "https://vk.com/new", "staff@north.test", "пн"],
            ["Центральная north", "https://vk.com/central_north", "", "Среда"],
        ]
    )
    response = upload(client, data)
    assert response.status_code == 200
    assert response.context["preview"].summary == "1 new page, 0 changed, 1 unchanged, 0 bad rows"
    html = response.content.decode()
    assert all(part in html for part in ("1 new page", "0 changed", "1 unchanged", "0 bad rows"))
    assert not Page.objects.filter(url="https://vk.com/new").exists()  # the preview writes nothing
    assert len(list(uploads.iterdir())) == 1

    fingerprint = response.context["confirm_form"].initial["fingerprint"]
    response = client.post(reverse("registry:import"), {"confirm": "1", "fingerprint": fingerprint})
    assert response.status_code == 302 and response["Location"] == reverse("registry:pages")
    page = Page.objects.get(url="https://vk.com/new")
    assert current_coordinator(page) == staff and page.approval_weekday == 0
    assert list(uploads.iterdir()) == []  # the kept file is gone


def test_the_import_view_shows_bad_rows_and_offers_no_import(client, north, uploads):
    north["administration"].language = "en"
    north["administration"].save()
    client.force_login(north["administration"])
    response = upload(
        client,
        xlsx([APPENDIX_HEADER, ["Новая", "https://vk.com/new", "", ""], ["Новая", "https://vk.com/new", "", ""]]),
    )
    html = response.content.decode()
    assert "0 bad rows" not in html and "1 bad row" in html
    assert "The same link is already in row 2 of this file." in html
    assert 'name="confirm" value="1" disabled' in html
    assert not uploads.exists() or list(uploads.iterdir()) == []
    response = client.post(reverse("registry:import"), {"confirm": "1", "fingerprint": "x" * 64})
    assert response.status_code == 302 and not Page.objects.filter(url="https://vk.com/new").exists()


def test_the_import_view_refuses_a_file_that_is_not_an_xlsx(client, north, uploads):
    north["administration"].language = "en"
    north["administration"].save()
    client.force_login(north["administration"])
    response = upload(client, b"Group;Link\n", name="registry.csv")
    assert response.status_code == 400
    assert "This is not an XLSX file." in response.content.decode()


def test_a_confirmation_of_a_stale_preview_shows_the_new_preview_instead(client, north, uploads):
    client.force_login(north["administration"])
    response = upload(client, xlsx([APPENDIX_HEADER, ["Новая", "https://vk.com/new", "", ""]]))
    fingerprint = response.context["confirm_form"].initial["fingerprint"]
    Page.objects.create(network=north.network, name="Кто-то успел", social_network="vk", url="https://vk.com/new")
    response = client.post(reverse("registry:import"), {"confirm": "1", "fingerprint": fingerprint})
    assert response.status_code == 200
    assert [r.action for r in response.context["preview"].rows] == ["change"]
    assert Page.objects.get(url="https://vk.com/new").name == "Кто-то успел"


@pytest.mark.parametrize("person", ["coordinator", "page_admin"])
def test_a_coordinator_or_page_administrator_gets_403_on_the_import_page(client, north, person, uploads):
    enable_totp(north[person])
    client.force_login(north[person])
    assert client.get(reverse("registry:import")).status_code == 403
    response = upload(client, xlsx([APPENDIX_HEADER, ["Новая", "https://vk.com/new", "", ""]]))
    assert response.status_code == 403
    assert not Page.objects.filter(url="https://vk.com/new").exists()


def test_the_curator_with_an_authenticator_reaches_the_import_page(client, north):
    enable_totp(north["curator"])
    client.force_login(north["curator"])
    assert client.get(reverse("registry:import")).status_code == 200


def test_the_registry_views_need_a_login(client):
    for name in ("registry:export", "registry:import"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_spreadsheet_booleans_count_as_yes_and_no_and_blank_rows_are_skipped(north):
    rows = [FULL_HEADER, [None] * 10, full_row("Новая", "https://vk.com/new", verified=True, main=False)]
    preview = preview_of(north["administration"], north.network, rows)
    assert row_errors(preview) == []
    assert [r.number for r in preview.rows] == [3]
    assert preview.rows[0].fields["verified"] is True and preview.rows[0].fields["is_main"] is False
