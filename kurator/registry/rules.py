"""Who may change the organisation and the page registry (rules predicates over accounts.access)."""

from __future__ import annotations

import rules

from kurator.accounts.access import access_of


@rules.predicate
def administers_network(user: object, network: object) -> bool:
    return network is not None and access_of(user).administers(network.pk)  # type: ignore[attr-defined]


@rules.predicate
def oversees_network(user: object, network: object) -> bool:
    return network is not None and access_of(user).oversees(network.pk)  # type: ignore[attr-defined]


@rules.predicate
def administers_library_network(user: object, library: object) -> bool:
    return library is not None and access_of(user).administers(library.network_id)  # type: ignore[attr-defined]


@rules.predicate
def heads_library(user: object, library: object) -> bool:
    return library is not None and access_of(user).heads_library(library.pk)  # type: ignore[attr-defined]


@rules.predicate
def oversees_page_network(user: object, page: object) -> bool:
    return page is not None and access_of(user).oversees(page.network_id)  # type: ignore[attr-defined]


@rules.predicate
def runs_page(user: object, page: object) -> bool:
    """The page's coordinator, administrator or owner (or whoever substitutes for them today)."""
    if page is None:
        return False
    access = access_of(user)
    return access.sees_network(page.network_id) and page.pk in access.page_ids  # type: ignore[attr-defined]


# Structure changes are the administration's (003 § 5.2); a head keeps their own library's details current.
rules.add_perm("registry.add_library", administers_network)
rules.add_perm("registry.change_library", administers_library_network | heads_library)
rules.add_perm("registry.manage_calendar", administers_network)
# The registry of pages is kept by the curator and the administration (003 § 5.1, R-ORG-2).
rules.add_perm("registry.add_page", oversees_network)
rules.add_perm("registry.change_page", oversees_page_network)
rules.add_perm("registry.import_pages", oversees_network)
# A page's token is renewed by those who hold the page's account as well as by its overseers (R-PUB-4):
# the person told that it stopped working must be able to replace it.
rules.add_perm("registry.connect_page", oversees_page_network | runs_page)
