"""Who may do what in the sandbox. The sandbox is "another VK" and "another Telegram", but its
communities, channels, tokens and faults belong to library networks (selectors.py decides what each person
sees, R-ORG-1). Reading their own network's part and acting there as a reader is open to every logged-in
person in it — trainees first of all (003 § 5.5); breaking it on purpose and seeing its tokens is for the
people who keep the registry (the curator, the administration), on their own networks only
(services.py), and for the operator."""

from __future__ import annotations

from kurator.accounts.access import access_of


def may_change_sandbox(user: object, network: object | None) -> bool:
    """Inject or clear faults, see the tokens: the operator, or whoever may add pages to the registry of
    the network they are working in."""
    if access_of(user).is_operator:
        return True
    if network is None:
        network = getattr(user, "network", None)
    return network is not None and bool(user.has_perm("registry.add_page", network))  # type: ignore[attr-defined]
