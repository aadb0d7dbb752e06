"""Faults of the sandbox over Kurator's JSON API (issue 4 item 6): what tests and benchmarks call to break
the sandbox on purpose and to mend it. Kurator's own API with personal tokens, not the networks' APIs.

Reading is for every person, and shows the faults on their own library networks (and the operator's on
the whole sandbox); injecting and clearing is for the operator and the people who keep the registry, as
on the faults page (kurator/sandbox/permissions.py), and only on the networks they oversee (R-ORG-1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kurator.core.api_helpers import MAX_ID, PathId, responses
from kurator.sandbox import services
from kurator.sandbox.choices import FaultKind
from kurator.sandbox.ledger import token_hint
from kurator.sandbox.models import Fault
from kurator.sandbox.permissions import may_change_sandbox
from kurator.sandbox.selectors import faults_visible_to

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
    network_id: int | None = Field(
        description="The library network whose tokens and places it hits; null: the whole sandbox (the operator's)"
    )

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
    network_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="The library network whose tokens and places it hits; null: the network of the token or place "
        "named, else your own (the operator's: the whole sandbox)",
    )


def _require_may_change(request: HttpRequest) -> None:
    if not may_change_sandbox(request.user, getattr(request, "network", None)):
        raise PermissionDenied(_("Only the curator, the administration or the operator may break the sandbox."))


def _working_network_id(request: HttpRequest) -> int | None:
    """The network chosen in the switcher (a session) or, with a personal token, the person's own."""
    network = getattr(request, "network", None)
    return network.pk if network is not None else getattr(request.user, "network_id", None)


@router.get("/faults", response=responses(list[FaultOut]), summary="Injected faults", url_name="sandbox_faults")
def sandbox_faults(request: HttpRequest, include_cleared: bool = False) -> Any:
    found = faults_visible_to(request.user).order_by("-created_at", "-id")
    return found if include_cleared else found.filter(active=True)


@router.post("/faults", response=responses(FaultOut, 201), summary="Inject a fault", url_name="sandbox_fault_inject")
def sandbox_fault_inject(request: HttpRequest, payload: FaultIn) -> Any:
    _require_may_change(request)
    params = {
        key: value
        for key, value in payload.dict(include={"method", "latency_ms", "retry_after", "status"}).items()
        if value not in (None, "")
    }
    fault = services.fault_inject(
        by=request.user,
        network=payload.network,
        kind=payload.kind,
        token=payload.token,
        place=payload.place,
        remaining=payload.count,
        network_id=payload.network_id,
        working_network_id=_working_network_id(request),
        params=params,
    )
    return Status(201, fault)


@router.delete(
    "/faults/{fault_id}", response=responses(FaultOut), summary="Clear a fault", url_name="sandbox_fault_clear"
)
def sandbox_fault_clear(request: HttpRequest, fault_id: PathId) -> Any:
    _require_may_change(request)
    return services.fault_clear(by=request.user, fault_id=fault_id)


class ClearedOut(Schema):
    cleared: int


@router.delete(
    "/faults", response=responses(ClearedOut), summary="Clear every fault", url_name="sandbox_faults_clear_all"
)
def sandbox_faults_clear_all(request: HttpRequest, network: Literal["vk", "telegram"] | None = None) -> Any:
    """Every active fault the person may clear (of one social network, if given): those on the library
    networks they oversee; the operator's, every fault."""
    _require_may_change(request)
    return {"cleared": services.faults_clear_all(by=request.user, network=network)}
