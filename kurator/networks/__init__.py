"""Kurator's side of the social networks: one sub-package per network with its limits table and its thin
httpx client (vk/, telegram/), the error classes every client raises (errors.py) and the HTTP plumbing
they share (http.py). It knows nothing of Kurator's models, and shares no code with the sandbox: each
side is written from the networks' own documentation (../shared/reference/networks.md), so that one
checks the other."""
