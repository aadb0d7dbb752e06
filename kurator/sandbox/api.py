"""Faults of the sandbox over Kurator's JSON API (issue 4 item 6): what tests and benchmarks call to break
the sandbox on purpose and to mend it. Kurator's own API with personal tokens, not the networks' APIs.

Reading is for every person; injecting and clearing for the operator and the people who keep the
registry, as on the faults page (kurator/sandbox/permissions.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kurator.core.api_helpers import PathId, responses
from kurator.sandbox import faults
from kurator.sandbox.choices import FaultKind
from kurator.sandbox.ledger import token_hint
from kurator.sandbox.models import Fault
from kurator.sandbox.permissions import may_change_sandbox

router = Router(tags=["sandbox"])

FaultKindName = Literal[
    "latency",
    "rate_limit",
    "server_error",
    "connection_reset",
    "accept_then_timeout",
    "revoke_token",
    "lose_admin",
    "captcha",
]
assert set(FaultKindName.__args__) == set(FaultKind.values)  # type: ignore[attr-defined]


class FaultOut(Schema):
    id: int
    network: str
    kind: str
    kind_name: str
    token_hint: str = Field(description="The first characters of the token it is limited to; empty: every token")
    place: str = Field(description="The VK owner id or Telegram chat id it is limited to; empty: everywhere")
    params: dict[str, Any]
    remaining: int | None = Field(description="Requests it will still hit; null: until cleared")
    active: bool
    created_at: datetime

    @staticmethod
    def resolve_kind_name(obj: Fault) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_token_hint(obj: Fault) -> str:
        return token_hint(obj.token)


class FaultIn(Schema):
    network: Literal["vk", "telegram"]
    kind: FaultKindName
    token: str = Field("", max_length=200, description="Only requests with this token; empty: every token")
    place: str = Field("", max_length=40, description="Only this VK owner id or Telegram chat id; empty: everywhere")
    method: str = Field("", max_length=60, description="Only this method (wall.post, sendMessage…); empty: all")
    count: int | None = Field(None, ge=1, le=1_000_000, description="How many requests it hits; null: until cleared")
    latency_ms: int | None = Field(None, ge=0, le=120_000)
    retry_after: int | None = Field(None, ge=1, le=3600)
    status: int | None = Field(None, ge=500, le=599, description="The HTTP status of a server error")


def _require_may_change(request: HttpRequest) -> None:
    if not may_change_sandbox(request.user, getattr(request, "network", None)):
        raise PermissionDenied(_("Only the curator, the administration or the operator may break the sandbox."))


@router.get("/faults", response=responses(list[FaultOut]), summary="Injected faults", url_name="sandbox_faults")
def sandbox_faults(request: HttpRequest, include_cleared: bool = False) -> Any:
    found = Fault.objects.order_by("-created_at", "-id")
    return found if include_cleared else found.filter(active=True)


@router.post("/faults", response=responses(FaultOut, 201), summary="Inject a fault", url_name="sandbox_fault_inject")
def sandbox_fault_inject(request: HttpRequest, payload: FaultIn) -> Any:
    _require_may_change(request)
    params = {
        key: value
        for key, value in payload.dict(include={"method", "latency_ms", "retry_after", "status"}).items()
        if value not in (None, "")
    }
    fault = faults.inject(
        network=payload.network,
        kind=payload.kind,
        token=payload.token.strip(),
        place=payload.place.strip(),
        remaining=payload.count,
        **params,
    )
    return Status(201, fault)


@router.delete(
    "/faults/{fault_id}", response=responses(FaultOut), summary="Clear a fault", url_name="sandbox_fault_clear"
)
def sandbox_fault_clear(request: HttpRequest, fault_id: PathId) -> Any:
    _require_may_change(request)
    if not Fault.objects.filter(pk=fault_id, active=True).update(active=False):
        raise Http404
    return Fault.objects.get(pk=fault_id)


class ClearedOut(Schema):
    cleared: int


@router.delete(
    "/faults", response=responses(ClearedOut), summary="Clear every fault", url_name="sandbox_faults_clear_all"
)
def sandbox_faults_clear_all(request: HttpRequest, network: Literal["vk", "telegram"] | None = None) -> Any:
    _require_may_change(request)
    return {"cleared": faults.clear(network=network)}
