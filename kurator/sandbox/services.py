"""The trainer's writes on the sandbox: injecting and clearing faults (issue 4 item 6), each kept to the
library networks the person oversees (R-ORG-1), for the pages and the JSON API alike. Whether a person
may break the sandbox at all is permissions.may_change_sandbox, checked by the callers first; what the
network APIs write is in vk_service and tg_service, what readers do in reader_actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from kurator.accounts.access import access_of
from kurator.sandbox import faults
from kurator.sandbox.models import Fault
from kurator.sandbox.selectors import faults_changeable_by, faults_visible_to


def _fault_network(
    *, by: Any, network: str, token: str, place: str, network_id: int | None, working_network_id: int | None
) -> int | None:
    """Whose fault it is. Named token and place must be of one network; for anyone but the operator,
    of a network they oversee, and an unknown one reads exactly like another network's, so that nothing
    leaks. Nothing named: the network asked for, else the one the person works in; the operator's
    fault with nothing named is on the whole sandbox."""
    access = access_of(by)
    owners: dict[str, int | None] = {}
    if token:
        owners["token"] = faults.token_network(network, token)
    if place:
        owners["place"] = faults.place_network(network, place)
    if not access.is_operator:
        allowed = access.overseen_network_ids
        errors = {}
        if "token" in owners and owners["token"] not in allowed:
            errors["token"] = _("There is no such token in the sandbox of your library network.")
        if "place" in owners and owners["place"] not in allowed:
            errors["place"] = _("There is no such community or chat in the sandbox of your library network.")
        if network_id is not None and network_id not in allowed:
            errors["network_id"] = _("There is no such library network.")
        if errors:
            raise ValidationError(errors)
    named = {owner for owner in owners.values() if owner is not None}
    if network_id is not None:
        named.add(network_id)
    if len(named) > 1:
        raise ValidationError(
            {"place": _("The token, the community or chat and the library network must be of one library network.")}
        )
    if named:
        return named.pop()
    if access.is_operator:
        return None
    if working_network_id in access.overseen_network_ids:
        return working_network_id
    if len(access.overseen_network_ids) == 1:
        return next(iter(access.overseen_network_ids))
    raise ValidationError({"network_id": _("Say which library network's sandbox the fault is for.")})


def fault_inject(
    *,
    by: Any,
    network: str,
    kind: str,
    token: str = "",
    place: str = "",
    remaining: int | None = None,
    network_id: int | None = None,
    working_network_id: int | None = None,
    params: dict[str, Any] | None = None,
) -> Fault:
    """Inject a fault on the person's own network's tokens and places. `network` is the social network
    (vk, telegram); `network_id` the library network asked for, if any; `working_network_id` the one the
    person is working in (the network switcher), used when nothing else says whose the fault is."""
    token, place = token.strip(), place.strip()
    owner = _fault_network(
        by=by, network=network, token=token, place=place, network_id=network_id, working_network_id=working_network_id
    )
    return faults.inject(
        network=network, kind=kind, token=token, place=place, remaining=remaining, network_id=owner, **(params or {})
    )


def fault_clear(*, by: Any, fault_id: int) -> Fault:
    """Switch one active fault off. Out of the person's sight: not found; in sight but not theirs (the
    operator's fault on the whole sandbox): refused."""
    fault = faults_visible_to(by).filter(pk=fault_id, active=True).first()
    if fault is None:
        raise Http404
    if not faults_changeable_by(by).filter(pk=fault.pk).exists():
        if fault.network_id is None:
            raise PermissionDenied(_("Only the operator may clear a fault on the whole sandbox."))
        raise PermissionDenied(_("You may not do this."))
    Fault.objects.filter(pk=fault.pk, active=True).update(active=False)
    fault.refresh_from_db()
    return fault


def faults_clear_all(*, by: Any, network: str | None = None) -> int:
    """Switch off every active fault the person may clear (of one social network, if given)."""
    return faults.clear(network=network, among=faults_changeable_by(by))
