"""Libraries and departments as working-time schedules (R-INT-2, R-REV-1) for kurator.core.workdays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time

from django.db.models import Q

from kurator.registry.models import Closure, Department, Library, WorkingHours


@dataclass(frozen=True)
class UnitSchedule:
    """A unit's opening hours, calendar and closures, read once; satisfies kurator.core.workdays.Schedule."""

    country: str
    time_zone: str
    network_id: int | None
    hours: Mapping[int, tuple[time, time]]
    closures: tuple[tuple[date, date], ...] = ()

    def is_closed(self, day: date) -> bool:
        return any(starts <= day <= ends for starts, ends in self.closures)


def _hours(rows: list[WorkingHours]) -> dict[int, tuple[time, time]]:
    return {row.weekday: (row.opens, row.closes) for row in rows}


def schedule_for(unit: Library | Department) -> UnitSchedule:
    """The schedule of a library or a department. A department without hours of its own keeps its
    library's; a closure of the whole library closes every department too."""
    if isinstance(unit, Department):
        library = unit.library
        rows = list(WorkingHours.objects.filter(department=unit))
        if not rows:
            rows = list(WorkingHours.objects.filter(library=library))
        closures = Closure.objects.filter(Q(department__isnull=True) | Q(department=unit), library=library)
    else:
        library = unit
        rows = list(WorkingHours.objects.filter(library=library))
        # A department's own closure leaves the rest of the library open.
        closures = Closure.objects.filter(library=library, department__isnull=True)
    return UnitSchedule(
        country=library.country,
        time_zone=library.time_zone,
        network_id=library.network_id,
        hours=_hours(rows),
        closures=tuple(closures.order_by("starts_on").values_list("starts_on", "ends_on")),
    )
