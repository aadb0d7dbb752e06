"""What every router of the JSON API shares: error bodies, bounded pagination and input types that the
database can always store (so that odd input is a 422, never a server error)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Path, Query, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator

# Primary keys are 64-bit on SQLite and PostgreSQL alike; a bigger number is simply "not found".
MAX_ID = 2**63 - 1
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000
# The dates people plan with; far-off years only make date arithmetic overflow.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def query_id(description: str) -> Any:
    """For Annotated[int | None, query_id("…")] = None: an optional filter by an object's id."""
    return Query(ge=1, le=MAX_ID, description=description)


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store the NUL character in text.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


def _sensible_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"the date must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Day = Annotated[date, AfterValidator(_sensible_date)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorOut(Schema):
    detail: Any = Field(
        description="A message in the person's language, or for invalid input a list of "
        "{loc, msg} items naming the field."
    )


ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def responses(ok: Any, status: int = 200) -> dict[int, Any]:
    return {status: ok, **ERRORS}


class Pagination(LimitOffsetPagination):
    """limit and offset (so that "page" stays free to mean a page of the registry), bounded so that an
    absurd offset is a 422 and not a database overflow."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items to return")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def validation_error_detail(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """A service's ValidationError as ninja's own 422 shape: [{"loc": [...], "msg": "..."}]."""
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body"] if field == NON_FIELD_ERRORS else ["body", field], "msg": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"loc": ["body"], "msg": message} for message in exc.messages]


class PersonRef(Schema):
    """A person as other objects mention them."""

    id: int
    full_name: str
