"""R-ORG-6: owners and administrators confirm every login; they cannot work until 2FA is set up."""

from django.urls import reverse

from kurator.core.testing.cast import PASSWORD, current_totp_code, enable_totp


def login(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def test_a_coordinator_without_an_authenticator_is_sent_to_set_one_up(client, cast):
    login(client, "coordinator@north.test")
    response = client.get(reverse("registry:pages"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_coordinator_sets_up_the_authenticator_right_after_login_and_then_works(client, cast):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    login(client, "coordinator@north.test")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200  # no second password prompt straight after logging in
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    # The recovery codes are shown next, without asking for the password that was typed a minute ago.
    codes_page = client.get(response["Location"], follow=True)
    assert "reauthenticate" not in codes_page.request["PATH_INFO"]
    assert client.get(reverse("registry:pages")).status_code == 200


def test_a_librarian_without_a_two_factor_role_works_without_it(client, cast):
    login(client, "staff@north.test")
    assert client.get(reverse("registry:pages")).status_code == 200


def test_a_coordinator_with_an_authenticator_must_give_the_code_at_login(client, cast):
    secret = enable_totp(cast["north"]["coordinator"])
    response = login(client, "coordinator@north.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not logged in until the code is given.
    assert client.get(reverse("registry:pages")).status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("registry:pages")).status_code == 200


def test_a_wrong_code_does_not_log_in(client, cast):
    enable_totp(cast["north"]["page_admin"])
    login(client, "page_admin@north.test")
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert client.get(reverse("registry:pages")).status_code == 302


def test_after_five_failed_logins_even_the_right_password_is_refused_for_a_while(client, cast):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "staff@north.test", "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": "staff@north.test", "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert client.get(reverse("registry:pages")).status_code == 302


def test_one_mistyped_password_does_not_lock_anyone_out(client, cast):
    client.post(reverse("account_login"), {"login": "staff@north.test", "password": "wrong"})
    client.post(reverse("account_login"), {"login": "staff@north.test", "password": PASSWORD})
    assert client.get(reverse("registry:pages")).status_code == 200


def test_nobody_can_sign_up_on_their_own(client, db):
    response = client.get(reverse("account_signup"))
    assert "account/signup_closed.html" in [t.name for t in response.templates]
