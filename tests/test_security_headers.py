"""The security headers and cookie flags a real daphne process sends, over plain HTTP and
behind a TLS-terminating proxy (HTTPS=1, one trusted proxy saying X-Forwarded-Proto: https)."""

import urllib.error
import urllib.request
from email.message import Message

from tests.factories import interviewer, room_with_seats
from tests.form_client import NoRedirects

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message]:
    opener = urllib.request.build_opener(NoRedirects())
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers


def directives(headers: Message) -> dict[str, str]:
    policy = headers["Content-Security-Policy"] or ""
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {name: value for name, value in parts}


def cookie(headers: Message, name: str) -> str:
    (found,) = [c for c in headers.get_all("Set-Cookie") or [] if c.startswith(f"{name}=")]
    return found


def test_pages_carry_the_policy_and_the_other_security_headers(daphne_servers):
    server = daphne_servers()
    for path in ("/login/", "/admin/login/", "/r/nope/join/nope"):
        status, headers = fetch(server.http_url + path)
        assert status in (200, 404), path
        policy = directives(headers)
        assert {name: policy.get(name) for name in POLICY} == POLICY, path
        # Websockets back to the site itself, nowhere else.
        assert policy["connect-src"].split() == ["'self'", server.ws_url], path
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    # Plain HTTP by default: no HSTS, cookies not limited to TLS.
    _, headers = fetch(server.http_url + "/login/")
    assert headers["Strict-Transport-Security"] is None
    assert "secure" not in cookie(headers, "csrftoken").lower()


def test_behind_a_tls_proxy_cookies_are_secure_and_hsts_is_sent(daphne_servers):
    made = room_with_seats(interviewer("alice"))
    env = {"HTTPS": "1", "TRUSTED_PROXY_COUNT": "1", "HSTS_SECONDS": "600"}
    server = daphne_servers(env=env)
    via_tls = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.9"}

    status, headers = fetch(server.http_url + "/login/", via_tls)
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=600"
    assert "; secure" in cookie(headers, "csrftoken").lower()

    # Opening a seat link starts a session: its cookie too is for TLS only.
    join = f"/r/{made['room'].id}/join/{made['tokens']['observer']}"
    status, headers = fetch(server.http_url + join, via_tls)
    assert status == 302
    assert "; secure" in cookie(headers, "sessionid").lower()
