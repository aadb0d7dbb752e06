"""Memorable dates (R-PLAN-5): who sees which, their occurrences and round anniversaries, the import
from CSV, XLSX and iCalendar (a preview that writes nothing, then all rows or none), and the starter
set of literary and library dates that ships with Kurator.

The import follows kurator.registry.exchange: file-level problems raise ValidationError, row problems
are listed in the preview, and applying re-reads the file in one transaction.

A date is a day of a month, or, for one that moves from year to year (День отца in Russia is the third
Sunday of October), a weekday rule: the first to fourth, or the last, weekday of a month. A file gives
such a date in words in its date column («последнее воскресенье ноября»), or, in iCalendar, as a yearly
event on a weekday of a month (RRULE with BYDAY=-1SU, or BYDAY=SU with BYSETPOS)."""

from __future__ import annotations

import calendar as stdcalendar
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kurator.accounts.access import access_of
from kurator.core.errors import PermissionDenied, ValidationError
from kurator.core.services import audit_record
from kurator.planning.choices import weekday_rule_text
from kurator.planning.models import MemorableDate
from kurator.registry.models import Network

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 10
TITLE_MAX = MemorableDate._meta.get_field("title").max_length or 300
SOURCE_MAX = MemorableDate._meta.get_field("source").max_length or 500
STARTER_FILE = Path(__file__).resolve().parent / "data" / "starter_memorable_dates.csv"


# Reading ----------------------------------------------------------------------------------------


def memorable_dates_visible_to(user: Any, network: Network | None = None) -> QuerySet[MemorableDate]:
    """The starter set (no network) is everyone's; a network's own dates are its people's."""
    access = access_of(user)
    qs = MemorableDate.objects.select_related("network")
    if network is not None:
        if not access.sees_network(network.pk):
            return qs.filter(network__isnull=True)
        return qs.filter(Q(network__isnull=True) | Q(network=network))
    if access.is_operator:
        return qs
    return qs.filter(Q(network__isnull=True) | Q(network_id__in=access.network_ids))


def is_round(years: int) -> bool:
    """Round anniversaries as library calendars of memorable dates count them: 10 years, then every
    quarter of a century (25, 50, 75, 100, 125, 150 …)."""
    return years == 10 or (years > 0 and years % 25 == 0)


def day_in(year: int, month: int, day: int) -> date:
    """The date's day in a given year; 29 February falls on the 28th in a common year."""
    if month == 2 and day == 29 and not stdcalendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def weekday_in(year: int, month: int, weekday: int, ordinal: int) -> date:
    """The first to fourth (ordinal 1..4) or the last (ordinal -1) `weekday` (0 = Monday) of a month."""
    if ordinal == -1:
        last = date(year, month, stdcalendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))


def occurrence_in(memorable: MemorableDate, year: int) -> date:
    """The day a memorable date falls on in a given year: its day of the month, or its weekday rule."""
    if memorable.day is None:
        assert memorable.weekday is not None and memorable.ordinal is not None  # the check constraint says so
        return weekday_in(year, memorable.month, memorable.weekday, memorable.ordinal)
    return day_in(year, memorable.month, memorable.day)


@dataclass(frozen=True)
class Occurrence:
    """A memorable date on one day of one year."""

    memorable: MemorableDate
    day: date

    @property
    def years(self) -> int | None:
        if self.memorable.year is None:
            return None
        years = self.day.year - self.memorable.year
        return years if years > 0 else None

    @property
    def is_round(self) -> bool:
        return self.years is not None and is_round(self.years)

    @property
    def label(self) -> str:
        if self.is_round and self.years is not None:
            return ngettext("%(title)s — %(years)s year", "%(title)s — %(years)s years", self.years) % {
                "title": self.memorable.title,
                "years": self.years,
            }
        return self.memorable.title


def occurrences_between(dates: Iterable[MemorableDate], first: date, last: date) -> list[Occurrence]:
    found: list[Occurrence] = []
    for memorable in dates:
        for year in range(first.year, last.year + 1):
            try:
                day = occurrence_in(memorable, year)
            except ValueError:  # 31 April typed by hand into the admin: never happens, never shown
                continue
            if first <= day <= last:
                found.append(Occurrence(memorable, day))
    return sorted(found, key=lambda o: (o.day, o.memorable.title))


def round_anniversaries(dates: Iterable[MemorableDate], first: date, last: date) -> list[Occurrence]:
    """The round anniversaries falling in [first, last] (R-PLAN-5: found automatically)."""
    return [o for o in occurrences_between(dates, first, last) if o.is_round]


def next_occurrence(memorable: MemorableDate, today: date) -> date:
    """The date's day this year, or next year once it has passed."""
    day = occurrence_in(memorable, today.year)
    return day if day >= today else occurrence_in(memorable, today.year + 1)


# Import: reading the file -----------------------------------------------------------------------

_HEADERS = {
    "date": ("date", "дата", "когда"),
    "title": ("title", "what", "event", "событие", "название", "что", "памятная дата", "наименование"),
    "description": ("description", "описание", "комментарий", "примечание"),
    "source": ("source", "источник"),
    "year": ("year", "год", "год события"),
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("января", "январь", "jan", "january"),
            ("февраля", "февраль", "feb", "february"),
            ("марта", "март", "mar", "march"),
            ("апреля", "апрель", "apr", "april"),
            ("мая", "май", "may"),
            ("июня", "июнь", "jun", "june"),
            ("июля", "июль", "jul", "july"),
            ("августа", "август", "aug", "august"),
            ("сентября", "сентябрь", "sep", "september"),
            ("октября", "октябрь", "oct", "october"),
            ("ноября", "ноябрь", "nov", "november"),
            ("декабря", "декабрь", "dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{3,4}))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDED_DATE = re.compile(r"^(\d{1,2})\s+([^\W\d_]+)\.?(?:\s+(\d{3,4})(?:\s*(?:г\.?|года?))?)?$")

# A date that moves, as calendars of memorable dates write it: «третье воскресенье июня», «в последнее
# воскресенье ноября», «3-е воскресенье июня», "last Sunday of November", "third Sunday in June".
_ORDINAL_WORDS = {
    word: ordinal
    for ordinal, words in {
        1: ("первый", "первая", "первое", "первую", "first", "1st"),
        2: ("второй", "вторая", "второе", "вторую", "second", "2nd"),
        3: ("третий", "третья", "третье", "третью", "third", "3rd"),
        4: ("четвертый", "четвертая", "четвертое", "четвертую", "fourth", "4th"),
        -1: ("последний", "последняя", "последнее", "последнюю", "last"),
    }.items()
    for word in words
}
_ORDINAL_DIGITS = re.compile(r"^([1-4])-?(?:й|я|е|ю|ий|ой|ая|ое|ья|ье|ью)?$")
_WEEKDAY_WORDS = {
    word: weekday
    for weekday, words in enumerate(
        [
            ("понедельник", "monday"),
            ("вторник", "tuesday"),
            ("среда", "среду", "wednesday"),
            ("четверг", "thursday"),
            ("пятница", "пятницу", "friday"),
            ("суббота", "субботу", "saturday"),
            ("воскресенье", "sunday"),
        ]
    )
    for word in words
}
# «в ноябре» as well as «ноября».
_MONTHS_IN = {
    name: number
    for number, name in enumerate(
        [
            "январе",
            "феврале",
            "марте",
            "апреле",
            "мае",
            "июне",
            "июле",
            "августе",
            "сентябре",
            "октябре",
            "ноябре",
            "декабре",
        ],
        start=1,
    )
}
_WEEKDAY_RULE = re.compile(r"^(?:(?:в|во|on|the)\s+)*(\S+)\s+(\S+)\s+(?:(?:of|in|в)\s+)?(\S+)$")
_ICS_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_ICS_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class WeekdayRule:
    """A date that moves: the `ordinal`-th (1 to 4, or -1 for the last) `weekday` (0 = Monday) of `month`."""

    month: int
    weekday: int
    ordinal: int


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("ё", "е").casefold()).strip(" .:*")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


DateKey = tuple[int | None, int | None, int | None, int | None, str]


@dataclass
class DateRow:
    """One row of the file (or one VEVENT) and what importing it would do."""

    number: int
    day: int | None = None
    month: int | None = None
    year: int | None = None
    weekday: int | None = None  # with `ordinal`, instead of `day`, for a date that moves
    ordinal: int | None = None
    title: str = ""
    description: str = ""
    source: str = ""
    errors: list[str] = field(default_factory=list)
    exists: bool = False  # the network already has this date: skipped, not an error

    @property
    def when(self) -> str:
        if self.month is not None and self.weekday is not None and self.ordinal is not None:
            year = f" ({self.year})" if self.year is not None else ""
            return weekday_rule_text(self.month, self.weekday, self.ordinal) + year
        if self.day is None or self.month is None:
            return ""
        return f"{self.day:02d}.{self.month:02d}" + (f".{self.year}" if self.year is not None else "")

    def key(self) -> DateKey:
        return (self.month, self.day, self.weekday, self.ordinal, _norm(self.title))

    def date_fields(self) -> dict[str, int | None]:
        """The fields of MemorableDate that say when it is."""
        assert self.month is not None  # only rows without errors are written
        return {"month": self.month, "day": self.day, "weekday": self.weekday, "ordinal": self.ordinal}


@dataclass(frozen=True)
class RawRow:
    number: int
    date: Any
    title: Any
    description: Any = ""
    source: Any = ""
    year: Any = None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file's text cannot be read: save it in UTF-8."))


def _header_map(values: list[Any]) -> dict[str, int] | None:
    aliases = {_norm(alias): key for key, names in _HEADERS.items() for alias in names}
    columns: dict[str, int] = {}
    for index, value in enumerate(values):
        key = aliases.get(_norm(_text(value)))
        if key is not None and key not in columns:
            columns[key] = index
    return columns if "date" in columns and "title" in columns else None


def _table_rows(rows: Iterable[tuple[int, list[Any]]]) -> list[RawRow]:
    """Rows under the first header naming at least the date and the title."""
    rows = iter(rows)
    columns = None
    for number, values in rows:
        columns = _header_map(values)
        if columns is not None or number >= HEADER_SEARCH_ROWS:
            break
    if columns is None:
        raise ValidationError(
            _("No header row found: the first row must name the columns, at least “date” and “title”.")
        )

    def cell(values: list[Any], key: str) -> Any:
        index = columns.get(key)
        return values[index] if index is not None and index < len(values) else None

    found: list[RawRow] = []
    for number, values in rows:
        if not any(_text(v) for v in values):
            continue
        if len(found) >= MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(max)s rows. Split it into several files.") % {"max": MAX_ROWS}
            )
        found.append(
            RawRow(
                number,
                cell(values, "date"),
                cell(values, "title"),
                cell(values, "description"),
                cell(values, "source"),
                cell(values, "year"),
            )
        )
    if not found:
        raise ValidationError(_("The file has a header but no dates under it."))
    return found


def read_csv(data: bytes) -> list[RawRow]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _table_rows((n, list(values)) for n, values in enumerate(reader, start=1))
    except csv.Error as exc:
        raise ValidationError(_("The CSV file is damaged: %(error)s") % {"error": exc}) from exc


def read_xlsx(data: bytes) -> list[RawRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged or foreign zip file
        raise ValidationError(_("The file cannot be read as an XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = ((n, list(values)) for n, values in enumerate(sheet.iter_rows(values_only=True, max_col=20), start=1))
        return _table_rows(rows)
    finally:
        workbook.close()


def _unfold(text: str) -> list[tuple[int, str]]:
    """RFC 5545 § 3.1: a line starting with a space or a tab continues the previous one."""
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] = (lines[-1][0], lines[-1][1] + line[1:])
        elif line:
            lines.append((number, line))
    return lines


def _property(line: str) -> tuple[str, dict[str, str], str]:
    """NAME;PARAM=value;…:VALUE — a colon inside a quoted parameter value does not end the name."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            head, value = line[:index], line[index + 1 :]
            break
    else:
        return line.upper(), {}, ""
    name, *params = head.split(";")
    parameters = {}
    for param in params:
        key, _sep, val = param.partition("=")
        parameters[key.upper()] = val.strip('"')
    return name.upper(), parameters, value


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value).strip()


def read_ics(data: bytes) -> list[RawRow]:
    """VEVENTs of an iCalendar file: DTSTART, SUMMARY, DESCRIPTION, URL (as the source). The year of
    DTSTART is the event's year only for a yearly recurring event (a birthday); a one-off event of a
    calendar of dates is this year's occurrence, not the year the thing happened."""
    lines = _unfold(_decode(data))
    first = _property(lines[0][1]) if lines else ("", {}, "")
    if (first[0], first[2].upper()) != ("BEGIN", "VCALENDAR"):
        raise ValidationError(_("This is not an iCalendar file: it does not start with BEGIN:VCALENDAR."))
    found: list[RawRow] = []
    event: dict[str, str] | None = None
    start_line = 0
    for number, line in lines:
        name, _params, value = _property(line)
        if name == "BEGIN" and value.upper() == "VEVENT":
            event, start_line = {}, number
        elif name == "END" and value.upper() == "VEVENT" and event is not None:
            found.append(_ics_row(start_line, event))
            event = None
        elif event is not None and name in ("DTSTART", "SUMMARY", "DESCRIPTION", "URL", "RRULE"):
            event.setdefault(name, value)
        if len(found) > MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(max)s rows. Split it into several files.") % {"max": MAX_ROWS}
            )
    if event is not None:
        raise ValidationError(
            _("The event starting on line %(line)s has no END:VEVENT: the file is cut short.") % {"line": start_line}
        )
    if not found:
        raise ValidationError(_("The calendar has no events (VEVENT) in it."))
    return found


def _ics_row(number: int, event: dict[str, str]) -> RawRow:
    start = event.get("DTSTART", "")
    match = re.match(r"^(\d{4})(\d{2})(\d{2})", start)
    rule = dict(part.partition("=")[::2] for part in event.get("RRULE", "").upper().split(";") if part)
    yearly = rule.get("FREQ") == "YEARLY"
    when: Any = f"{match.group(3)}.{match.group(2)}" + (f".{match.group(1)}" if yearly else "") if match else start
    year = None
    if yearly and "BYDAY" in rule:
        # A yearly event on a weekday of a month (RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=-1SU, or BYDAY=SU
        # with BYSETPOS=-1): a date that moves. Any other shape is shown back as the row's error.
        when = _ics_weekday_rule(rule, int(match.group(2)) if match else None) or "RRULE:" + event["RRULE"]
        year = match.group(1) if match and isinstance(when, WeekdayRule) else None
    return RawRow(
        number,
        when,
        _unescape(event.get("SUMMARY", "")),
        _unescape(event.get("DESCRIPTION", "")),
        _unescape(event.get("URL", "")),
        year,
    )


def _ics_weekday_rule(rule: dict[str, str], start_month: int | None) -> WeekdayRule | None:
    byday = _ICS_BYDAY.match(rule.get("BYDAY", ""))
    months = rule.get("BYMONTH", str(start_month or ""))
    if byday is None or not months.isdigit() or not 1 <= int(months) <= 12:
        return None
    ordinal_text = byday.group(1) or rule.get("BYSETPOS", "")
    try:
        ordinal = int(ordinal_text)
    except ValueError:
        return None
    if ordinal not in (1, 2, 3, 4, -1):
        return None
    return WeekdayRule(int(months), _ICS_WEEKDAYS.index(byday.group(2)), ordinal)


def read_rows(data: bytes) -> list[RawRow]:
    """The rows of a CSV, XLSX or iCalendar file, told apart by their content, not their name."""
    if not data.strip():
        raise ValidationError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // 2**20})
    if zipfile.is_zipfile(io.BytesIO(data)):
        return read_xlsx(data)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].upper() == b"BEGIN:VCALENDAR":
        return read_ics(data)
    if b"\x00" in data[:4096]:
        raise ValidationError(_("This is neither a CSV, an XLSX nor an iCalendar file."))
    return read_csv(data)


# Import: checking the rows ----------------------------------------------------------------------


def parse_day(value: Any) -> tuple[int, int, int | None]:
    """Day, month and (if given) year of a cell: 27.05, 27.05.1995, 1995-05-27, «27 мая 1995 г.»,
    or a date cell of a spreadsheet."""
    if isinstance(value, datetime | date):
        return value.day, value.month, value.year
    text = _text(value).casefold()
    if match := _NUMERIC_DATE.match(text):
        day, month, year = match.groups()
        return int(day), int(month), int(year) if year else None
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
        return int(day), int(month), int(year)
    if (match := _WORDED_DATE.match(text)) and match.group(2) in _MONTHS:
        day, month_name, year = match.groups()
        return int(day), _MONTHS[month_name], int(year) if year else None
    raise ValueError(text)


def parse_rule(value: Any) -> WeekdayRule | None:
    """A date that moves, written in words (see _WEEKDAY_RULE), or None when the cell is not one."""
    if isinstance(value, WeekdayRule):
        return value
    if not isinstance(value, str):
        return None
    match = _WEEKDAY_RULE.match(_norm(value).replace(",", " "))
    if match is None:
        return None
    which, weekday, month = match.groups()
    digits = _ORDINAL_DIGITS.match(which)
    ordinal = int(digits.group(1)) if digits else _ORDINAL_WORDS.get(which)
    month_number = _MONTHS.get(month) or _MONTHS_IN.get(month)
    if ordinal is None or weekday not in _WEEKDAY_WORDS or month_number is None:
        return None
    return WeekdayRule(month_number, _WEEKDAY_WORDS[weekday], ordinal)


def _looks_like_a_rule(text: str) -> bool:
    """Words of a weekday rule in a cell that is not one: it gets a hint at the rule's form."""
    words = set(_norm(text).replace(",", " ").split())
    return bool(words & (_WEEKDAY_WORDS.keys() | _ORDINAL_WORDS.keys())) or "byday" in text.casefold()


def _check_row(raw: RawRow, today: date) -> DateRow:
    row = DateRow(number=raw.number)
    row.title = re.sub(r"\s+", " ", _text(raw.title))
    row.description = _text(raw.description)
    row.source = re.sub(r"\s+", " ", _text(raw.source))
    rule = parse_rule(raw.date)
    if rule is not None:
        row.month, row.weekday, row.ordinal = rule.month, rule.weekday, rule.ordinal
    else:
        try:
            row.day, row.month, row.year = parse_day(raw.date)
            if isinstance(raw.date, datetime | date) and row.year == today.year:
                # Excel turns a typed "27.05" into 27.05 of the current year: that year is not the event's.
                row.year = None
        except ValueError:
            if _looks_like_a_rule(_text(raw.date)):
                row.errors.append(
                    _(
                        "“%(value)s” is not a date that moves as the import knows them: write it as «третье "
                        "воскресенье июня» or «последнее воскресенье ноября» (the first to the fourth, or the last, "
                        "weekday of a month)."
                    )
                    % {"value": _text(raw.date)}
                )
            elif _text(raw.date):
                row.errors.append(
                    _("“%(value)s” is not a date: write it as 27.05 or 27.05.1995.") % {"value": _text(raw.date)}
                )
            else:
                row.errors.append(_("The date is missing."))
    if _text(raw.year):
        try:
            row.year = int(_text(raw.year))
        except ValueError:
            row.errors.append(_("“%(value)s” is not a year.") % {"value": _text(raw.year)})
    if row.month is not None and (row.day is not None or row.weekday is not None):
        if row.day is not None and (
            not 1 <= row.month <= 12 or not 1 <= row.day <= stdcalendar.monthrange(2000, row.month)[1]
        ):
            row.errors.append(_("There is no such day: %(day)s.") % {"day": row.when})
        elif row.year is not None and not (1 <= row.year <= today.year):
            row.errors.append(
                _("The year %(year)s is not a past year: give the year the event happened.") % {"year": row.year}
            )
        elif row.year is not None and row.month == 2 and row.day == 29 and not stdcalendar.isleap(row.year):
            row.errors.append(_("%(year)s was not a leap year: there was no 29 February.") % {"year": row.year})
    if not row.title:
        row.errors.append(_("The title is missing."))
    elif len(row.title) > TITLE_MAX:
        row.errors.append(_("The title is longer than %(max)s characters.") % {"max": TITLE_MAX})
    if len(row.source) > SOURCE_MAX:
        row.errors.append(_("The source is longer than %(max)s characters.") % {"max": SOURCE_MAX})
    return row


@dataclass
class DatesPreview:
    network_id: int | None
    rows: list[DateRow]
    fingerprint: str

    @property
    def bad(self) -> list[DateRow]:
        return [r for r in self.rows if r.errors]

    @property
    def new(self) -> list[DateRow]:
        return [r for r in self.rows if not r.errors and not r.exists]

    @property
    def can_apply(self) -> bool:
        return not self.bad and bool(self.new)

    @property
    def summary(self) -> str:
        return ", ".join(
            [
                ngettext("%(count)s new date", "%(count)s new dates", len(self.new)) % {"count": len(self.new)},
                ngettext("%(count)s already in the calendar", "%(count)s already in the calendar", self._known)
                % {"count": self._known},
                ngettext("%(count)s row with errors", "%(count)s rows with errors", len(self.bad))
                % {"count": len(self.bad)},
            ]
        )

    @property
    def _known(self) -> int:
        return sum(1 for r in self.rows if r.exists and not r.errors)


def _key(memorable: MemorableDate) -> DateKey:
    return (memorable.month, memorable.day, memorable.weekday, memorable.ordinal, _norm(memorable.title))


def _existing_keys(network: Network | None) -> set[DateKey]:
    qs = MemorableDate.objects.filter(network=network) if network else MemorableDate.objects.filter(network=None)
    return {_key(m) for m in qs.only("month", "day", "weekday", "ordinal", "title")}


def plan_rows(raw_rows: Iterable[RawRow], network: Network | None, today: date) -> list[DateRow]:
    existing = _existing_keys(network)
    seen: dict[DateKey, int] = {}
    rows = []
    for raw in raw_rows:
        row = _check_row(raw, today)
        if not row.errors:
            key = row.key()
            if key in seen:
                row.errors.append(_("The same date and title as row %(row)s.") % {"row": seen[key]})
            else:
                seen[key] = row.number
                row.exists = key in existing
        rows.append(row)
    return rows


def _fingerprint(data: bytes, rows: list[DateRow]) -> str:
    digest = hashlib.sha256(data)
    digest.update(repr([(r.number, r.exists, tuple(r.errors)) for r in rows]).encode())
    return digest.hexdigest()


def can_import_dates(user: Any, network: Network) -> bool:
    """The network's calendar of dates is kept by those who oversee its plan (curator, administration)."""
    return access_of(user).oversees(network.pk)


def dates_import_preview(*, user: Any, network: Network, data: bytes, today: date) -> DatesPreview:
    """Read and check every row; nothing is written."""
    if not can_import_dates(user, network):
        raise PermissionDenied
    rows = plan_rows(read_rows(data), network, today)
    return DatesPreview(network.pk, rows, _fingerprint(data, rows))


@dataclass
class DatesImportResult:
    ok: bool
    created: int = 0
    errors: list[str] = field(default_factory=list)
    preview: DatesPreview | None = None


def row_errors(preview: DatesPreview) -> list[str]:
    return [
        _("Row %(row)s: %(message)s") % {"row": row.number, "message": message}
        for row in preview.bad
        for message in row.errors
    ]


def dates_import_apply(*, user: Any, network: Network, data: bytes, fingerprint: str, today: date) -> DatesImportResult:
    """Every new row or none: the file is checked again as the calendar is now, in one transaction,
    and must still match the preview that was confirmed."""
    with transaction.atomic():
        fresh = dates_import_preview(user=user, network=network, data=data, today=today)
        if fresh.bad:
            return DatesImportResult(ok=False, errors=row_errors(fresh), preview=fresh)
        if fresh.fingerprint != fingerprint:
            message = _("The calendar changed after the preview was made. Check the new preview and confirm again.")
            return DatesImportResult(ok=False, errors=[message], preview=fresh)
        new = [
            MemorableDate(
                network=network,
                **row.date_fields(),
                year=row.year,
                title=row.title,
                description=row.description,
                source=row.source,
            )
            for row in fresh.new
        ]
        for memorable in new:
            memorable.full_clean(exclude=["network"], validate_unique=False)
        MemorableDate.objects.bulk_create(new)
        if new:
            audit_record(
                actor=user,
                verb="memorable_dates.imported",
                target=network,
                network_id=network.pk,
                summary=ngettext("%(count)s memorable date imported", "%(count)s memorable dates imported", len(new))
                % {"count": len(new)},
                data={"created": len(new)},
            )
    return DatesImportResult(ok=True, created=len(new), preview=fresh)


# The starter set --------------------------------------------------------------------------------


def starter_rows() -> list[DateRow]:
    """The dates that ship with Kurator, each with its source; the file is checked like any import."""
    rows = plan_rows(read_csv(STARTER_FILE.read_bytes()), None, date.max)
    bad = [f"{r.number}: {'; '.join(r.errors)}" for r in rows if r.errors]
    if bad:
        raise ValueError(f"The starter set of memorable dates has bad rows: {bad}")
    return rows


def load_starter_dates() -> tuple[int, int]:
    """Create or bring up to date the starter set (network empty); loading it twice keeps one copy.
    Returns (created, updated)."""
    created = updated = 0
    with transaction.atomic():
        existing = {_key(m): m for m in MemorableDate.objects.filter(network__isnull=True)}
        for row in starter_rows():
            values = {"year": row.year, "description": row.description, "source": row.source, "title": row.title}
            current = existing.get(row.key())
            if current is None:
                MemorableDate.objects.create(network=None, **row.date_fields(), **values)
                created += 1
            elif any(getattr(current, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(current, key, value)
                current.save()
                updated += 1
    return created, updated


def dates_by_month(dates: Iterable[MemorableDate], year: int) -> Iterator[tuple[int, list[MemorableDate]]]:
    """The dates month by month, each month in the order of its days in `year` (a date that moves
    stands where it falls that year)."""
    by_month: dict[int, list[MemorableDate]] = {}
    for memorable in dates:
        by_month.setdefault(memorable.month, []).append(memorable)

    def day_of(memorable: MemorableDate) -> int:
        try:
            return occurrence_in(memorable, year).day
        except ValueError:  # 31 April typed by hand into the admin
            return memorable.day or 0

    for month, in_month in sorted(by_month.items()):
        yield month, sorted(in_month, key=lambda m: (day_of(m), m.title))


def upcoming_window(today: date, days: int = 365) -> tuple[date, date]:
    return today, today + timedelta(days=days - 1)
