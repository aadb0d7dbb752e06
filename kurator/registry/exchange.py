"""The page registry as a spreadsheet in the layout of 003 Appendix 1 ("Список утвержденных групп"):
export, an import preview that validates every row without writing, and an all-or-nothing apply.

The first four columns are the appendix's own; Kurator's extra columns follow. Headers are matched by
name in any order and language, so a registry kept by hand in Excel imports as well as our own export."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kurator.accounts.access import access_of, active_assignments_q
from kurator.accounts.choices import Role
from kurator.accounts.models import RoleAssignment, User
from kurator.accounts.services import can_assign_role, coordinator_appointment_problems, role_assign
from kurator.core.choices import Weekday
from kurator.core.errors import require
from kurator.core.services import audit_record
from kurator.registry.choices import API_NETWORKS, PublishingMode, SocialNetwork
from kurator.registry.models import Department, Library, Network, Page, PageDepartment
from kurator.registry.selectors import pages_visible_to
from kurator.registry.services import page_create, page_update

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 40  # wider sheets are read up to here; nothing of ours lives further right
MAX_SHEET_ROWS = 100_000  # blank rows included: a sheet formatted to its millionth row is not read to the end
MAX_BLANK_RUN = 1000  # this many empty rows in a row end the table
HEADER_SEARCH_ROWS = 10  # the header may sit under a title row or two
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEPARTMENT_SEPARATOR = "; "


# Columns ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation: the header written on export
    width: int
    # The regulation's wording and common variants, recognised whatever the interface language.
    aliases: tuple[str, ...] = ()


# Appendix 1's four columns first, in its order, then Kurator's.
COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        pgettext_lazy("registry column", "Page of the network/branch"),
        48,
        ("Группа ЦБС/филиала", "Группа ЦБС / филиала", "Группа", "Страница", "Название", "Page", "Name"),
    ),
    Column("url", pgettext_lazy("registry column", "Link"), 40, ("Ссылка", "Адрес", "URL")),
    Column("coordinator", pgettext_lazy("registry column", "Coordinator"), 40, ("Координатор",)),
    Column("approval_weekday", pgettext_lazy("registry column", "Approval day"), 20, ("День согласования",)),
    Column(
        "social_network", pgettext_lazy("registry column", "Social network"), 16, ("Соцсеть", "Социальная сеть", "Сеть")
    ),
    Column("library", pgettext_lazy("registry column", "Library"), 40, ("Библиотека", "Филиал")),
    Column("departments", pgettext_lazy("registry column", "Departments"), 40, ("Отделы", "Отдел")),
    Column("verified", pgettext_lazy("registry column", "Verified"), 16, ("Верифицирована",)),
    Column("publishing_mode", pgettext_lazy("registry column", "Publishing mode"), 20, ("Режим публикации",)),
    Column("is_main", pgettext_lazy("registry column", "Main page"), 18, ("Главная страница", "Главная")),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_COLUMNS = ("name", "url")


class RowAction(models.TextChoices):
    NEW = "new", gettext_lazy("New page")
    CHANGE = "change", gettext_lazy("Changes")
    UNCHANGED = "unchanged", gettext_lazy("Unchanged")


def _norm(text: str) -> str:
    """Compare names the way a person reads them: case, ё/е, spacing and slashes do not matter."""
    text = text.replace("ё", "е").replace("Ё", "Е").casefold()
    text = re.sub(r"\s*/\s*", "/", text)
    return re.sub(r"\s+", " ", text).strip(" .:*")


def _in_every_language(values: Iterable[Any]) -> set[str]:
    """Lazy translations as written in each interface language (English is the msgid itself)."""
    found: set[str] = set()
    for value in values:
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                found.add(_norm(str(value)))
    return found


def _header_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for column in COLUMNS:
        for alias in {*_in_every_language([column.label]), *(_norm(a) for a in column.aliases)}:
            aliases.setdefault(alias, column.key)
    return aliases


# Cell values ------------------------------------------------------------------------------------

YES = pgettext_lazy("yes/no cell", "yes")
NO = pgettext_lazy("yes/no cell", "no")
AUTOMATICALLY = pgettext_lazy("publishing mode cell", "automatically")
MANUALLY = pgettext_lazy("publishing mode cell", "manually")

_YES_WORDS = ("да", "д", "yes", "y", "true", "1", "+", "истина")
_NO_WORDS = ("нет", "н", "no", "n", "false", "0", "-", "ложь")
_MODE_WORDS = {
    PublishingMode.AUTOMATIC: ("автоматически", "автоматический", "авто", "auto", "automatic", "api"),
    PublishingMode.ASSISTED: ("вручную", "ручной", "с напоминанием", "manual", "assisted"),
}
_WEEKDAY_WORDS = {
    Weekday.MONDAY: ("понедельник", "пн", "mon"),
    Weekday.TUESDAY: ("вторник", "вт", "tue"),
    Weekday.WEDNESDAY: ("среда", "ср", "wed"),
    Weekday.THURSDAY: ("четверг", "чт", "thu"),
    Weekday.FRIDAY: ("пятница", "пт", "fri"),
    Weekday.SATURDAY: ("суббота", "сб", "sat"),
    Weekday.SUNDAY: ("воскресенье", "вс", "sun"),
}
_NETWORK_WORDS = {
    SocialNetwork.VK: ("вконтакте", "в контакте", "вк", "vkontakte", "vk.com"),
    SocialNetwork.TELEGRAM: ("телеграм", "телеграмм", "tg"),
    SocialNetwork.OK: ("одноклассники", "ок", "ok.ru"),
    SocialNetwork.MAX: ("макс",),
    SocialNetwork.DZEN: ("дзен", "яндекс дзен", "яндекс.дзен", "zen"),
    SocialNetwork.YOUTUBE: ("ютуб", "ютьюб"),
    SocialNetwork.TIKTOK: ("тикток", "тик ток"),
    SocialNetwork.INSTAGRAM: ("инстаграм", "инстаграмм"),
    SocialNetwork.FACEBOOK: ("фейсбук",),
    SocialNetwork.X: ("x", "twitter", "твиттер", "икс"),
}
# A link's host tells its network when the column is missing (the appendix itself has no such column).
_NETWORK_HOSTS = {
    SocialNetwork.VK: ("vk.com", "vk.ru", "vkontakte.ru"),
    SocialNetwork.TELEGRAM: ("t.me", "telegram.me"),
    SocialNetwork.OK: ("ok.ru", "odnoklassniki.ru"),
    SocialNetwork.MAX: ("max.ru",),
    SocialNetwork.DZEN: ("dzen.ru", "zen.yandex.ru"),
    SocialNetwork.YOUTUBE: ("youtube.com", "youtu.be"),
    SocialNetwork.TIKTOK: ("tiktok.com",),
    SocialNetwork.INSTAGRAM: ("instagram.com",),
    SocialNetwork.FACEBOOK: ("facebook.com", "fb.com"),
    SocialNetwork.X: ("x.com", "twitter.com"),
}
# Hosts that are one site under two names: the same community must match whichever was written.
_SAME_HOST = {
    "vk.ru": "vk.com",
    "vkontakte.ru": "vk.com",
    "telegram.me": "t.me",
    "twitter.com": "x.com",
    "odnoklassniki.ru": "ok.ru",
    "fb.com": "facebook.com",
}


def _vocabulary(words: Mapping[Any, tuple[str, ...]], lazy_labels: Mapping[Any, Iterable[Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for value, extra in words.items():
        for word in {*(_norm(w) for w in extra), *_in_every_language(lazy_labels.get(value, ()))}:
            table.setdefault(word, value)
    return table


def _yes_no_words() -> dict[str, bool]:
    return {**_vocabulary({True: _YES_WORDS}, {True: [YES]}), **_vocabulary({False: _NO_WORDS}, {False: [NO]})}


def _mode_words() -> dict[str, str]:
    labels = {
        PublishingMode.AUTOMATIC: [AUTOMATICALLY, PublishingMode.AUTOMATIC.label],
        PublishingMode.ASSISTED: [MANUALLY, PublishingMode.ASSISTED.label],
    }
    table = _vocabulary(_MODE_WORDS, labels)
    table.update({m.value: m.value for m in PublishingMode})
    return {k: str(v) for k, v in table.items()}


def _weekday_words() -> dict[str, int]:
    table = _vocabulary(_WEEKDAY_WORDS, {d: [d.label] for d in Weekday})
    table.update({_norm(d.name): d for d in Weekday})
    return {k: int(v) for k, v in table.items()}


def _network_words() -> dict[str, str]:
    table = _vocabulary(_NETWORK_WORDS, {n: [n.label] for n in SocialNetwork})
    table.update({n.value: n.value for n in SocialNetwork})
    return {k: str(v) for k, v in table.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for prefix in ("www.", "m."):
        host = host.removeprefix(prefix)
    return _SAME_HOST.get(host, host)


def link_key(url: str) -> str:
    """What makes two links the same page: the host (www., m. and the site's other names aside) and the
    path, whatever the scheme, a query, a trailing slash or the case (the networks ignore it in names)."""
    return f"{_host(url)}{urlsplit(url).path.rstrip('/').lower()}"


def network_of_link(url: str) -> str | None:
    host = _host(url)
    for network, hosts in _NETWORK_HOSTS.items():
        if any(host == h or host.endswith("." + h) for h in hosts):
            return str(network)
    return None


# Export -----------------------------------------------------------------------------------------


def _coordinators_by_page(page_ids: Iterable[int], day: date) -> dict[int, list[User]]:
    """Every page's appointed coordinators in current_coordinator()'s order, in one query."""
    result: dict[int, list[User]] = {}
    rows = RoleAssignment.objects.filter(
        active_assignments_q(day), page_id__in=list(page_ids), role=Role.COORDINATOR
    ).select_related("person")
    for row in rows:
        assert row.page_id is not None
        result.setdefault(row.page_id, []).append(row.person)
    return result


def person_cell(person: User | None) -> str:
    return f"{person.full_name} ({person.email})" if person is not None else ""


def _department_cell(page: Page, departments: Iterable[Department]) -> str:
    names = [d.name if d.library_id == page.library_id else f"{d.library.name}: {d.name}" for d in departments]
    return DEPARTMENT_SEPARATOR.join(sorted(names))


def registry_title(network: Network) -> str:
    return _("List of approved pages of %(network)s") % {"network": network.name}


def export_rows(*, user: Any, network: Network) -> list[list[str]]:
    """The registry rows the person may see, as the spreadsheet shows them (header not included)."""
    if not access_of(user).sees_network(network.pk):
        raise PermissionDenied
    pages = list(
        pages_visible_to(user, network).filter(archived=False).prefetch_related("page_departments__department__library")
    )
    coordinators = _coordinators_by_page((p.pk for p in pages), timezone.localdate())
    rows = []
    for page in pages:
        first = coordinators.get(page.pk, [None])[0]
        rows.append(
            [
                page.name,
                page.url,
                person_cell(first),
                str(Weekday(page.approval_weekday).label) if page.approval_weekday is not None else "",
                str(SocialNetwork(page.social_network).label),
                page.library.name if page.library else "",
                _department_cell(page, [pd.department for pd in page.page_departments.all()]),
                str(YES if page.verified else NO),
                str(AUTOMATICALLY if page.publishing_mode == PublishingMode.AUTOMATIC else MANUALLY),
                str(YES if page.is_main else NO),
            ]
        )
    return rows


def _safe_cell_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _put_text(ws: Any, row: int, column: int, value: str) -> Any:
    cell = ws.cell(row=row, column=column, value=_safe_cell_text(value))
    cell.data_type = "s"  # a page name starting with "=" stays text, never becomes a formula
    return cell


def _add_choice_lists(ws: Any, last_row: int) -> None:
    """Drop-down lists for the columns with fixed values; other values can still be typed."""
    choices = {
        "approval_weekday": [str(d.label) for d in Weekday],
        "social_network": [str(n.label) for n in SocialNetwork],
        "verified": [str(YES), str(NO)],
        "publishing_mode": [str(AUTOMATICALLY), str(MANUALLY)],
        "is_main": [str(YES), str(NO)],
    }
    for index, column in enumerate(COLUMNS, start=1):
        values = choices.get(column.key)
        if not values or any("," in v or '"' in v for v in values):
            continue
        letter = get_column_letter(index)
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        validation.showErrorMessage = False
        validation.add(f"{letter}3:{letter}{max(last_row, 3) + 200}")
        ws.add_data_validation(validation)


def registry_workbook(*, user: Any, network: Network) -> bytes:
    """The registry as an XLSX file in the layout of 003 Appendix 1, with Kurator's extra columns."""
    rows = export_rows(user=user, network=network)
    wb = Workbook()
    ws = wb.active
    ws.title = _safe_cell_text(_("List of approved pages"))[:31].translate(str.maketrans("", "", "[]:*?/\\"))
    title = _put_text(ws, 1, 1, registry_title(network))
    title.font = Font(bold=True, size=13)
    for index, column in enumerate(COLUMNS, start=1):
        cell = _put_text(ws, 2, index, str(column.label))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=1):
            cell = _put_text(ws, r, c, value)
            cell.alignment = Alignment(wrap_text=c in (1, 6, 7), vertical="top")
            if c == 2 and value.startswith(("http://", "https://")):
                cell.hyperlink = value
                cell.style = "Hyperlink"
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(COLUMNS))}{max(len(rows) + 2, 2)}"
    _add_choice_lists(ws, len(rows) + 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# Import: reading the file -----------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    header_row: int
    columns: dict[str, int]  # column key → index in the row
    ignored: list[str]  # headers we do not know: shown, then ignored
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, values) of non-blank rows


def _open_workbook(data: bytes) -> Any:
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)s MB. Split the registry into several files.")
            % {"size": MAX_FILE_BYTES // 2**20}
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError(
            _("This is not an XLSX file. Save the registry in Excel format (.xlsx) and upload it again.")
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged or foreign zip file
        raise ValidationError(
            _("The file cannot be read as an XLSX workbook. Save it in Excel format (.xlsx) and upload it again.")
        ) from exc


def _find_header(
    rows: list[tuple[int, list[Any]]], aliases: dict[str, str]
) -> tuple[int, dict[str, int], list[str]] | None:
    for number, values in rows[:HEADER_SEARCH_ROWS]:
        columns: dict[str, int] = {}
        ignored: list[str] = []
        twice: list[str] = []
        for index, value in enumerate(values):
            text = _text(value)
            key = aliases.get(_norm(text)) if text else None
            if key is None:
                ignored += [text] if text else []
            elif key in columns:
                twice.append(text)
            else:
                columns[key] = index
        if not all(k in columns for k in REQUIRED_COLUMNS):
            continue
        if twice:
            raise ValidationError(
                _("Row %(row)s: the column “%(column)s” appears twice; keep one.") % {"row": number, "column": twice[0]}
            )
        return number, columns, ignored
    return None


def _iter_sheet(ws: Any) -> Iterator[tuple[int, list[Any]]]:
    for number, values in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
        yield number, list(values)


def read_sheet(data: bytes) -> Sheet:
    """The first worksheet with a recognisable header, its column map and its non-blank rows."""
    wb = _open_workbook(data)
    aliases = _header_aliases()
    try:
        for ws in wb.worksheets:
            head: list[tuple[int, list[Any]]] = []
            rows_iter = _iter_sheet(ws)
            for item in rows_iter:
                head.append(item)
                if len(head) >= HEADER_SEARCH_ROWS:
                    break
            found = _find_header(head, aliases)
            if found is None:
                continue
            header_row, columns, ignored = found
            body: list[tuple[int, list[Any]]] = [item for item in head if item[0] > header_row]
            body += list(_limited(rows_iter, MAX_ROWS + HEADER_SEARCH_ROWS))
            body = [(n, v) for n, v in body if any(_text(x) for x in v)]
            if len(body) > MAX_ROWS:
                raise ValidationError(
                    _("The file has more than %(max)s rows. Split the registry into several files.") % {"max": MAX_ROWS}
                )
            if not body:
                raise ValidationError(_("The file has a header but no pages under it."))
            return Sheet(header_row, columns, ignored, body)
    finally:
        wb.close()
    raise ValidationError(
        _(
            "No header row found. The first rows must name the columns, at least “%(name)s” and “%(link)s”, "
            "as in Appendix 1 of the regulation."
        )
        % {"name": COLUMN_BY_KEY["name"].label, "link": COLUMN_BY_KEY["url"].label}
    )


def _limited(rows: Iterator[tuple[int, list[Any]]], limit: int) -> Iterator[tuple[int, list[Any]]]:
    """The rows up to one past `limit` non-blank ones, so that a huge sheet is never read to its end.
    A long run of blank rows ends the table: sheets are often formatted far below their last row."""
    count = blank_run = 0
    for number, values in rows:
        if number > MAX_SHEET_ROWS:
            raise ValidationError(
                _("The sheet is longer than %(max)s rows. Remove the empty rows in it or split the registry.")
                % {"max": MAX_SHEET_ROWS}
            )
        if not any(_text(x) for x in values):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                return
            continue
        blank_run = 0
        count += 1
        yield number, values
        if count > limit:
            return


# Import: the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the column's label as the person sees it; empty when the whole row is concerned
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class PlannedRow:
    """One row of the file and what importing it would do."""

    number: int
    name: str = ""
    url: str = ""
    page: Page | None = None
    social_network: str = ""
    fields: dict[str, Any] = field(default_factory=dict)  # what page_create/page_update receive
    departments: list[Department] | None = None  # None: keep the page's departments
    appoint: User | None = None  # a coordinator to appoint (None: keep the current one)
    changed: list[str] = field(default_factory=list)  # column keys whose values change
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str | None:
        if self.errors:
            return None
        if self.page is None:
            return RowAction.NEW
        return RowAction.CHANGE if self.changed else RowAction.UNCHANGED

    @property
    def action_label(self) -> str:
        return str(RowAction(self.action).label) if self.action else _("Bad row")

    @property
    def social_network_label(self) -> str:
        return str(SocialNetwork(self.social_network).label) if self.social_network else ""

    @property
    def changed_labels(self) -> list[str]:
        return [str(COLUMN_BY_KEY[k].label) for k in self.changed]

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, str(COLUMN_BY_KEY[column].label) if column else "", message))


@dataclass
class ImportPreview:
    network_id: int
    rows: list[PlannedRow]
    ignored_columns: list[str]
    fingerprint: str  # the file and the plan: confirming applies exactly what was shown, or nothing
    data: bytes = field(repr=False, default=b"")

    def count(self, action: str | None) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def new(self) -> int:
        return self.count(RowAction.NEW)

    @property
    def changed(self) -> int:
        return self.count(RowAction.CHANGE)

    @property
    def unchanged(self) -> int:
        return self.count(RowAction.UNCHANGED)

    @property
    def bad(self) -> int:
        return self.count(None)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def can_apply(self) -> bool:
        return self.bad == 0 and (self.new + self.changed) > 0

    @property
    def summary_parts(self) -> list[str]:
        return summary_parts(self.new, self.changed, self.unchanged, self.bad)

    @property
    def summary(self) -> str:
        """N new pages, M changed, K unchanged, B bad rows."""
        return ", ".join(self.summary_parts)


def summary_parts(new: int, changed: int, unchanged: int, bad: int) -> list[str]:
    return [
        ngettext("%(count)s new page", "%(count)s new pages", new) % {"count": new},
        ngettext("%(count)s changed", "%(count)s changed", changed) % {"count": changed},
        ngettext("%(count)s unchanged", "%(count)s unchanged", unchanged) % {"count": unchanged},
        ngettext("%(count)s bad row", "%(count)s bad rows", bad) % {"count": bad},
    ]


@dataclass
class _Slot:
    """Who holds "department × social network" (R-ORG-3) at this point of the file."""

    page_id: int | None
    row: int | None
    page_name: str


@dataclass
class _Context:
    user: Any
    network: Network
    today: date
    columns: dict[str, int]
    pages_by_key: dict[str, Page]
    libraries: dict[str, list[Library]]
    departments: dict[int, dict[str, Department]]  # library id → normalised name → department
    departments_by_name: dict[str, list[Department]]
    page_departments: dict[int, list[Department]]
    coordinators: dict[int, list[User]]
    people_by_email: dict[str, User]
    people_by_name: dict[str, list[User]]
    slots: dict[tuple[int, str], _Slot]
    links_seen: dict[str, int] = field(default_factory=dict)
    yes_no: dict[str, bool] = field(default_factory=_yes_no_words)
    modes: dict[str, str] = field(default_factory=_mode_words)
    weekdays: dict[str, int] = field(default_factory=_weekday_words)
    networks: dict[str, str] = field(default_factory=_network_words)

    def has(self, key: str) -> bool:
        return key in self.columns

    def cell(self, values: list[Any], key: str) -> Any:
        index = self.columns.get(key)
        return values[index] if index is not None and index < len(values) else None


def _load_context(user: Any, network: Network, columns: dict[str, int]) -> _Context:
    today = timezone.localdate()
    pages = list(Page.objects.filter(network=network).select_related("library"))
    libraries: dict[str, list[Library]] = {}
    for library in Library.objects.filter(network=network):
        for name in {_norm(library.name), _norm(library.short_name)} - {""}:
            libraries.setdefault(name, []).append(library)
    departments: dict[int, dict[str, Department]] = {}
    by_name: dict[str, list[Department]] = {}
    for department in Department.objects.filter(library__network=network).select_related("library"):
        departments.setdefault(department.library_id, {})[_norm(department.name)] = department
        by_name.setdefault(_norm(department.name), []).append(department)
    page_departments: dict[int, list[Department]] = {}
    slots: dict[tuple[int, str], _Slot] = {}
    page_names = {p.pk: p.name for p in pages}
    for pd in PageDepartment.objects.filter(page__network=network).select_related("department__library"):
        page_departments.setdefault(pd.page_id, []).append(pd.department)
        slots[(pd.department_id, pd.social_network)] = _Slot(pd.page_id, None, page_names.get(pd.page_id, ""))
    people = list(User.objects.filter(network=network))
    people_by_name: dict[str, list[User]] = {}
    for person in people:
        people_by_name.setdefault(_norm(person.full_name), []).append(person)
    return _Context(
        user=user,
        network=network,
        today=today,
        columns=columns,
        pages_by_key={link_key(p.url): p for p in pages},
        libraries=libraries,
        departments=departments,
        departments_by_name=by_name,
        page_departments=page_departments,
        coordinators=_coordinators_by_page(page_names, today),
        people_by_email={p.email.lower(): p for p in people},
        people_by_name=people_by_name,
        slots=slots,
    )


_URL = URLValidator(schemes=["http", "https"])
NAME_MAX_LENGTH = Page._meta.get_field("name").max_length or 200
URL_MAX_LENGTH = Page._meta.get_field("url").max_length or 300
_EMAIL = re.compile(r"[^\s<>()\[\],;]+@[^\s<>()\[\],;]+\.[^\s<>()\[\],;]+")


def _plan_link(ctx: _Context, row: PlannedRow, values: list[Any]) -> None:
    text = _text(ctx.cell(values, "url"))
    if not text:
        row.error("url", _("The link is missing."))
        return
    url = text if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I) else "https://" + text
    try:
        _URL(url)
    except ValidationError:
        row.error(
            "url",
            _("“%(value)s” is not a link. Write the page's address, e.g. https://vk.com/library.") % {"value": text},
        )
        return
    if len(url) > URL_MAX_LENGTH:
        row.error("url", _("The link is too long: at most %(max)s characters.") % {"max": URL_MAX_LENGTH})
        return
    row.url = url
    key = link_key(url)
    if key in ctx.links_seen:
        row.error("url", _("The same link is already in row %(row)s of this file.") % {"row": ctx.links_seen[key]})
        return
    ctx.links_seen[key] = row.number
    row.page = ctx.pages_by_key.get(key)
    if row.page is not None and row.page.archived:
        row.error(
            "url",
            _("This link belongs to the archived page “%(page)s”; restore it in the registry first.")
            % {"page": row.page.name},
        )
        row.page = None


def _plan_name(ctx: _Context, row: PlannedRow, values: list[Any]) -> None:
    row.name = _text(ctx.cell(values, "name"))
    if not row.name:
        row.error("name", _("The page's name is missing."))
    elif len(row.name) > NAME_MAX_LENGTH:
        row.error("name", _("The name is too long: at most %(max)s characters.") % {"max": NAME_MAX_LENGTH})
    else:
        row.fields["name"] = row.name


def _plan_social_network(ctx: _Context, row: PlannedRow, values: list[Any]) -> None:
    text = _text(ctx.cell(values, "social_network"))
    from_link = network_of_link(row.url) if row.url else None
    if text:
        chosen = ctx.networks.get(_norm(text))
        if chosen is None:
            row.error(
                "social_network",
                _("Unknown social network “%(value)s”. Known: %(known)s.")
                % {"value": text, "known": ", ".join(str(n.label) for n in SocialNetwork)},
            )
            return
        if from_link is not None and from_link != chosen:
            row.error(
                "social_network",
                _("The link leads to %(link)s, not to %(network)s.")
                % {"link": SocialNetwork(from_link).label, "network": SocialNetwork(chosen).label},
            )
            return
    elif row.page is not None:
        chosen = row.page.social_network
    elif from_link is not None:
        chosen = from_link
    else:
        if row.url:
            row.error(
                "social_network",
                _("Cannot tell the social network from the link: fill in the column “%(column)s”.")
                % {"column": COLUMN_BY_KEY["social_network"].label},
            )
        return
    row.social_network = chosen
    row.fields["social_network"] = chosen


def _plan_library(ctx: _Context, row: PlannedRow, values: list[Any]) -> Library | None:
    if not ctx.has("library"):
        return row.page.library if row.page is not None else None
    text = _text(ctx.cell(values, "library"))
    if not text:
        row.fields["library"] = None
        return None
    found = ctx.libraries.get(_norm(text), [])
    if len(found) != 1:
        message = (
            _("Several libraries of the network are called “%(value)s”; write the full name.")
            if found
            else _("Unknown library “%(value)s”: there is no such library in %(network)s.")
        )
        row.error("library", message % {"value": text, "network": ctx.network})
        return None
    row.fields["library"] = found[0]
    return found[0]


def _find_department(ctx: _Context, library: Library | None, text: str) -> Department | str:
    """A department by name: in the page's library, as "Library: Department", or, for a page of no
    library, the only one of that name in the network. Otherwise why it cannot be found."""
    name = _norm(text)
    if library is not None and name in ctx.departments.get(library.pk, {}):
        return ctx.departments[library.pk][name]
    for match in re.finditer(":", text):
        prefix, rest = _norm(text[: match.start()]), _norm(text[match.end() :])
        for lib in ctx.libraries.get(prefix, []):
            if rest in ctx.departments.get(lib.pk, {}):
                return ctx.departments[lib.pk][rest]
    candidates = ctx.departments_by_name.get(name, [])
    if library is None and len(candidates) == 1:
        return candidates[0]
    if library is not None:
        return _(
            "Unknown department “%(value)s”: the library “%(library)s” has no such department "
            "(for another library's department write “Library: Department”)."
        ) % {"library": library.name, "value": text}
    if candidates:
        return _("Several libraries have a department “%(value)s”; write it as “Library: Department”.") % {
            "value": text
        }
    return _("Unknown department “%(value)s”: there is no such department in %(network)s.") % {
        "value": text,
        "network": ctx.network,
    }


def _plan_departments(ctx: _Context, row: PlannedRow, values: list[Any], library: Library | None) -> None:
    if not ctx.has("departments"):
        return
    chosen: list[Department] = []
    for text in (t.strip() for t in re.split(r"[;\n]", _text(ctx.cell(values, "departments")))):
        if not text:
            continue
        found = _find_department(ctx, library, text)
        if isinstance(found, str):
            row.error("departments", found)
        elif found not in chosen:
            chosen.append(found)
    row.departments = chosen


def _plan_choice(
    ctx: _Context, row: PlannedRow, values: list[Any], key: str, table: dict[str, Any], unknown: Callable[[str], str]
) -> Any:
    """A cell with a fixed set of values; blank keeps the page's value (or the default for a new page)."""
    text = _text(ctx.cell(values, key))
    if not text:
        return None
    value = table.get(_norm(text))
    if value is None:
        row.error(key, unknown(text))
        return None
    row.fields[key] = value
    return value


def _not_yes_no(text: str) -> str:
    return _("“%(value)s” is neither yes nor no: write “%(yes)s” or “%(no)s”.") % {"value": text, "yes": YES, "no": NO}


def _not_a_weekday(text: str) -> str:
    return _("Unknown weekday “%(value)s”: write the day's name, e.g. “%(example)s”.") % {
        "value": text,
        "example": Weekday.MONDAY.label,
    }


def _not_a_mode(text: str) -> str:
    return _("Unknown publishing mode “%(value)s”: write “%(automatic)s” or “%(manual)s”.") % {
        "value": text,
        "automatic": AUTOMATICALLY,
        "manual": MANUALLY,
    }


def _plan_flags(ctx: _Context, row: PlannedRow, values: list[Any]) -> None:
    _plan_choice(ctx, row, values, "verified", ctx.yes_no, _not_yes_no)
    _plan_choice(ctx, row, values, "is_main", ctx.yes_no, _not_yes_no)
    if ctx.has("approval_weekday") and not _text(ctx.cell(values, "approval_weekday")):
        row.fields["approval_weekday"] = None  # an empty cell in the appendix means "no fixed day"
    else:
        _plan_choice(ctx, row, values, "approval_weekday", ctx.weekdays, _not_a_weekday)
    mode = _plan_choice(ctx, row, values, "publishing_mode", ctx.modes, _not_a_mode)
    effective = mode or (row.page.publishing_mode if row.page is not None else PublishingMode.ASSISTED)
    if row.social_network and effective == PublishingMode.AUTOMATIC and row.social_network not in API_NETWORKS:
        row.error(
            "publishing_mode",
            _("%(network)s has no publishing API that Kurator supports: choose assisted publishing.")
            % {"network": SocialNetwork(row.social_network).label},
        )


def _find_person(ctx: _Context, text: str) -> User | str:
    """The person a coordinator cell names (an e-mail anywhere in it wins), or why there is none."""
    email = _EMAIL.search(text)
    if email is not None:
        person = ctx.people_by_email.get(email.group(0).lower())
        if person is None:
            return _("Nobody with the e-mail %(email)s works in %(network)s.") % {
                "email": email.group(0),
                "network": ctx.network,
            }
        return person
    found = ctx.people_by_name.get(_norm(text), [])
    if len(found) > 1:
        return _("Several people are called “%(value)s”; write the coordinator's e-mail instead.") % {"value": text}
    if not found:
        return _("Nobody called “%(value)s” works in %(network)s; write the full name or the e-mail as in Kurator.") % {
            "value": text,
            "network": ctx.network,
        }
    return found[0]


def _plan_coordinator(ctx: _Context, row: PlannedRow, values: list[Any], library: Library | None) -> None:
    if not ctx.has("coordinator"):
        return
    current = ctx.coordinators.get(row.page.pk, []) if row.page is not None else []
    text = _text(ctx.cell(values, "coordinator"))
    if not text:
        if current:
            row.notes.append(
                _("The coordinator cell is empty: %(name)s stays the coordinator.") % {"name": current[0].full_name}
            )
        return
    person = _find_person(ctx, text)
    if isinstance(person, str):
        row.error("coordinator", person)
        return
    if person in current:
        return
    if not person.is_active:
        row.error("coordinator", _("%(name)s no longer works in Kurator.") % {"name": person.full_name})
        return
    for problem in coordinator_appointment_problems(person, ctx.network, ctx.today):
        row.error("coordinator", problem)
    if not can_assign_role(ctx.user, Role.COORDINATOR, ctx.network, library=library, page=row.page):
        row.error(
            "coordinator",
            _(
                "You may not appoint page coordinators here: the library head or the network "
                "administration appoints them (003 § 5.5)."
            ),
        )
    row.appoint = person


def _check_one_page_per_department(ctx: _Context, row: PlannedRow) -> None:
    """R-ORG-3, as applying the rows in order would meet it: against the registry and earlier rows."""
    if row.errors or not row.social_network:
        return
    if row.departments is not None:
        departments = row.departments
    else:
        departments = ctx.page_departments.get(row.page.pk, []) if row.page is not None else []
    if row.page is not None:
        for key in [k for k, slot in ctx.slots.items() if slot.page_id == row.page.pk]:
            del ctx.slots[key]
    label = SocialNetwork(row.social_network).label
    for department in departments:
        holder = ctx.slots.get((department.pk, row.social_network))
        if holder is None:
            continue
        if holder.row is not None:
            message = _(
                "Row %(row)s of this file already gives the department “%(department)s” a page on %(network)s "
                "(“%(page)s”). A department may have at most one page per social network."
            )
        else:
            message = _(
                "The department “%(department)s” already has a page on %(network)s: “%(page)s”. "
                "A department may have at most one page per social network; make that page joint instead."
            )
        row.error(
            "departments" if ctx.has("departments") else "",
            message % {"row": holder.row, "department": department.name, "network": label, "page": holder.page_name},
        )
    if not row.errors:
        for department in departments:
            ctx.slots[(department.pk, row.social_network)] = _Slot(
                row.page.pk if row.page is not None else None, row.number, row.name
            )


def _diff(ctx: _Context, row: PlannedRow) -> None:
    page = row.page
    if page is None:
        row.changed = []
        return
    current = {
        "name": page.name,
        "social_network": page.social_network,
        "library": page.library,
        "approval_weekday": page.approval_weekday,
        "verified": page.verified,
        "publishing_mode": page.publishing_mode,
        "is_main": page.is_main,
    }
    row.changed = [k for k, v in row.fields.items() if k in current and current[k] != v]
    if row.departments is not None:
        before = {d.pk for d in ctx.page_departments.get(page.pk, [])}
        if before != {d.pk for d in row.departments}:
            row.changed.append("departments")
    if row.appoint is not None:
        row.changed.append("coordinator")
    order = [c.key for c in COLUMNS]
    row.changed.sort(key=order.index)


def _plan_row(ctx: _Context, number: int, values: list[Any]) -> PlannedRow:
    row = PlannedRow(number=number)
    _plan_link(ctx, row, values)
    _plan_name(ctx, row, values)
    _plan_social_network(ctx, row, values)
    library = _plan_library(ctx, row, values)
    _plan_departments(ctx, row, values, library)
    _plan_flags(ctx, row, values)
    _plan_coordinator(ctx, row, values, library)
    _check_one_page_per_department(ctx, row)
    if not row.errors:
        _diff(ctx, row)
    return row


def _fingerprint(data: bytes, rows: list[PlannedRow]) -> str:
    digest = hashlib.sha256(data)
    for row in rows:
        plan = (
            row.number,
            row.action,
            row.page.pk if row.page else None,
            tuple(row.changed),
            row.appoint.pk if row.appoint else None,
        )
        digest.update(repr(plan).encode())
    return digest.hexdigest()


def registry_import_preview(*, user: Any, network: Network, data: bytes) -> ImportPreview:
    """Read and check every row of a registry file; nothing is written. File-level problems (not an
    XLSX, empty, too big, no header) raise ValidationError; row problems are in the preview's rows."""
    require(user, "registry.import_pages", network)
    sheet = read_sheet(data)
    ctx = _load_context(user, network, sheet.columns)
    rows = [_plan_row(ctx, number, values) for number, values in sheet.rows]
    return ImportPreview(
        network_id=network.pk, rows=rows, ignored_columns=sheet.ignored, fingerprint=_fingerprint(data, rows), data=data
    )


# Import: applying -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    ok: bool
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    appointed: int = 0
    errors: list[str] = field(default_factory=list)
    preview: ImportPreview | None = None  # the plan as it stands now, when it no longer matches the one shown

    @property
    def summary(self) -> str:
        parts = [
            ngettext("%(count)s new page", "%(count)s new pages", self.created) % {"count": self.created},
            ngettext("%(count)s changed", "%(count)s changed", self.changed) % {"count": self.changed},
            ngettext("%(count)s unchanged", "%(count)s unchanged", self.unchanged) % {"count": self.unchanged},
            ngettext("%(count)s coordinator appointed", "%(count)s coordinators appointed", self.appointed)
            % {"count": self.appointed},
        ]
        return ", ".join(parts)


class _RollBack(Exception):
    pass


def _apply_row(user: Any, network: Network, row: PlannedRow) -> bool:
    """Write one row through the registry's and the accounts' services; True when a coordinator was appointed."""
    page = row.page
    if page is None:
        page = page_create(by=user, network=network, departments=row.departments or [], url=row.url, **row.fields)
    else:
        changes = {k: row.fields[k] for k in row.changed if k in row.fields}
        if changes or "departments" in row.changed:
            page = page_update(
                by=user, page=page, departments=row.departments if "departments" in row.changed else None, **changes
            )
    if row.appoint is None:
        return False
    role_assign(by=user, person=row.appoint, role=Role.COORDINATOR, network=network, page=page, replace_current=True)
    return True


def _errors_of(exc: ValidationError | PermissionDenied, row: PlannedRow) -> list[str]:
    messages = [_("You may not make this change.")] if isinstance(exc, PermissionDenied) else list(exc.messages)
    return [str(RowError(row.number, "", m)) for m in messages]


def registry_import_apply(*, user: Any, network: Network, preview: ImportPreview) -> ImportResult:
    """Apply a previewed file in one transaction: every row or none. The file is checked again against
    the registry as it is now; if anything fails, or the plan differs from the one shown, nothing stays."""
    require(user, "registry.import_pages", network)
    if preview.network_id != network.pk:
        raise PermissionDenied
    if preview.bad:
        return ImportResult(ok=False, errors=[str(e) for e in preview.errors], preview=preview)
    result = ImportResult(ok=True)
    try:
        with transaction.atomic():
            fresh = registry_import_preview(user=user, network=network, data=preview.data)
            if fresh.bad or fresh.fingerprint != preview.fingerprint:
                result = ImportResult(
                    ok=False,
                    preview=fresh,
                    errors=[str(e) for e in fresh.errors]
                    or [_("The registry changed after the preview was made. Check the new preview and confirm again.")],
                )
                raise _RollBack
            for row in fresh.rows:
                if row.action == RowAction.UNCHANGED:
                    result.unchanged += 1
                    continue
                try:
                    result.appointed += _apply_row(user, network, row)
                except (ValidationError, PermissionDenied) as exc:
                    result.errors.extend(_errors_of(exc, row))
                    continue
                if row.action == RowAction.NEW:
                    result.created += 1
                else:
                    result.changed += 1
            if result.errors:
                result = ImportResult(ok=False, errors=result.errors, preview=fresh)
                raise _RollBack
            if not (result.created or result.changed):
                return result
            audit_record(
                actor=user,
                verb="registry.imported",
                target=network,
                network_id=network.pk,
                summary=_("Registry imported from a file: %(summary)s") % {"summary": result.summary},
                data={"created": result.created, "changed": result.changed, "appointed": result.appointed},
            )
    except _RollBack:
        pass
    return result
