"""Login brute force: too many failed logins lock the account and the address out for a cool-off
period, on every server process, through the real login form (CSRF token and all)."""

import time

from tests.factories import interviewer
from tests.form_client import FormClient, Response

LIMIT = 5
COOLOFF_S = 3
LIMITS = {"LOGIN_FAILURE_LIMIT": str(LIMIT), "LOGIN_COOLOFF_S": str(COOLOFF_S)}
# The test plays a reverse proxy in front of daphne, which appends the address it got each
# request from to X-Forwarded-For.
BEHIND_ONE_PROXY = {**LIMITS, "TRUSTED_PROXY_COUNT": "1"}

ATTACKER = "203.0.113.66"
ELSEWHERE = "198.51.100.7"
WRONG_PASSWORD = "Please enter a correct username and password"
LOCKED = "Too many failed logins"


def log_in(server, username: str, password: str, forwarded_for: str | None = None) -> Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    client = FormClient(server.http_url, headers)
    response = client.submit("/login/", {"username": username, "password": password})
    if response.status == 302:
        # Logged in for real: the dashboard opens.
        assert response.headers["Location"] == "/"
        assert client.get("/").status == 200
    return response


def assert_locked_out(response: Response) -> None:
    assert response.status == 429, response.text[:300]
    assert LOCKED in response.text and "UTC" in response.text
    assert int(response.headers["Retry-After"]) == COOLOFF_S
    assert 'name="password"' in response.text  # still the login page


def test_failed_logins_lock_the_account_and_the_address_on_every_process_until_the_cool_off(
    daphne_servers,
):
    interviewer("alice", "right-alice")
    interviewer("bob", "right-bob")
    interviewer("carol", "right-carol")
    servers = [daphne_servers(env=BEHIND_ONE_PROXY), daphne_servers(env=BEHIND_ONE_PROXY)]

    # Wrong passwords, alternating between the two processes; the attacker writes a new
    # X-Forwarded-For of its own each time, which the proxy's entry follows.
    for attempt in range(LIMIT - 1):
        forged = f"10.9.8.{attempt}, {ATTACKER}"
        response = log_in(servers[attempt % 2], "alice", f"guess-{attempt}", forged)
        assert response.status == 200 and WRONG_PASSWORD in response.text
    assert_locked_out(log_in(servers[1], "alice", "guess-last", ATTACKER))

    # The right password is refused too, on both processes.
    for server in servers:
        assert_locked_out(log_in(server, "alice", "right-alice", ATTACKER))
    # The account is locked from everywhere, the address for every account.
    assert_locked_out(log_in(servers[0], "alice", "right-alice", ELSEWHERE))
    assert_locked_out(log_in(servers[0], "carol", "right-carol", ATTACKER))
    # Another account from another address is unaffected.
    assert log_in(servers[1], "bob", "right-bob", "192.0.2.44").status == 302

    # The lockout ends by itself once the cool-off has passed since the last try.
    time.sleep(COOLOFF_S + 0.5)
    assert log_in(servers[0], "alice", "right-alice", ATTACKER).status == 302
    assert log_in(servers[1], "carol", "right-carol", ATTACKER).status == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(daphne_servers):
    """A client cannot pose as many addresses by writing X-Forwarded-For itself."""
    interviewer("bob", "right-bob")
    server = daphne_servers(env=LIMITS)
    for attempt in range(LIMIT):
        log_in(server, f"nobody-{attempt}", "guess", f"198.51.100.{attempt}")
    assert_locked_out(log_in(server, "bob", "right-bob", "192.0.2.200"))
