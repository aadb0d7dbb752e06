"""`make run` on any port: the worker finds the sandbox of the server it runs beside (issue 6, demo)."""

from kurator.core.management.commands.runall import child_environment


def test_the_sandbox_address_follows_the_port_make_run_was_given():
    env = child_environment("127.0.0.1", "8123", {"PATH": "/usr/bin"})
    assert env["KURATOR_SANDBOX_URL"] == "http://127.0.0.1:8123/sandbox"
    assert env["PATH"] == "/usr/bin"


def test_a_server_listening_on_every_address_is_reached_on_the_loopback():
    assert child_environment("0.0.0.0", "9000", {})["KURATOR_SANDBOX_URL"] == "http://127.0.0.1:9000/sandbox"


def test_an_operator_set_sandbox_address_is_kept():
    env = child_environment("127.0.0.1", "8123", {"KURATOR_SANDBOX_URL": "http://sandbox.local:8100/sandbox"})
    assert env["KURATOR_SANDBOX_URL"] == "http://sandbox.local:8100/sandbox"
