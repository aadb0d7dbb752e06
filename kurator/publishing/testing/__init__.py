"""Real processes for publishing's fault tests and benchmarks (issue 6 items 9 and 10).

`databases` gives a database of its own to a group of processes (a copy of the test database, or a new
one for a benchmark); `processes` starts the sandbox under gunicorn on its own port and Huey workers
(`manage.py run_huey`, through `worker`, which can scale time and kill itself at a chosen point); `seeding`
connects pages to the sandbox and approves posts on them; `witness` reads the sandbox's ledger back
against the publications: each approved variant on the network at most once, and every publication
published (with the ledger's id), failed or unconfirmed in the end."""
