"""Who may change people, roles, internships and absences."""

from __future__ import annotations

import rules

from kurator.accounts.access import access_of


@rules.predicate
def is_self(user: object, person: object) -> bool:
    return person is not None and getattr(user, "pk", None) == person.pk  # type: ignore[attr-defined]


@rules.predicate
def administers_persons_network(user: object, person: object) -> bool:
    return person is not None and access_of(user).administers(person.network_id)  # type: ignore[attr-defined]


@rules.predicate
def curates_persons_network(user: object, person: object) -> bool:
    return person is not None and access_of(user).curates(person.network_id)  # type: ignore[attr-defined]


@rules.predicate
def heads_persons_library(user: object, person: object) -> bool:
    return person is not None and person.library_id is not None and access_of(user).heads_library(person.library_id)  # type: ignore[attr-defined]


@rules.predicate
def administers_network(user: object, network: object) -> bool:
    return network is not None and access_of(user).administers(network.pk)  # type: ignore[attr-defined]


@rules.predicate
def oversees_network(user: object, network: object) -> bool:
    return network is not None and access_of(user).oversees(network.pk)  # type: ignore[attr-defined]


@rules.predicate
def heads_some_library(user: object, network: object) -> bool:
    return bool(access_of(user).headed_library_ids)


rules.add_perm("accounts.add_person", administers_network | heads_some_library)
rules.add_perm("accounts.change_person", administers_persons_network | heads_persons_library)
# Roles: the administration assigns any; a library head appoints their library's coordinators and
# administrators (003 § 5.5); the finer check of which role where is in services.can_assign_role.
rules.add_perm("accounts.assign_roles", administers_network | heads_some_library | oversees_network)
# Internships are done with the curator (003 § 5.5).
rules.add_perm("accounts.manage_internships", oversees_network)
# 003 § 5.15: heads authorise substitutes; a person may record their own absence.
rules.add_perm(
    "accounts.record_absence",
    is_self | administers_persons_network | curates_persons_network | heads_persons_library,
)
