"""Kurator's side of the social networks: one sub-package per network (limits now; clients, adapters,
error classes and idempotency keys with the publishing issue). It knows nothing of Kurator's models, and
shares no code with the sandbox: each side is written from the networks' own documentation
(../shared/reference/networks.md), so that one checks the other."""
