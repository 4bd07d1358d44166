"""A plain HTTP client for real server processes that keeps cookies and fills forms as a
browser does (the form's CSRF token, an Origin header). Redirects are returned, not followed."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import NamedTuple


class Response(NamedTuple):
    status: int
    headers: dict[str, str]
    text: str


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class FormClient:
    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.headers = headers or {}
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {**self.headers, "Origin": self.base_url} if body else self.headers
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=10) as response:
                return Response(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as answer:  # 3xx (not followed), 4xx, 5xx
            return Response(answer.code, dict(answer.headers), answer.read().decode())

    def get(self, path: str) -> Response:
        return self.request(path)

    def submit(self, path: str, fields: dict[str, str]) -> Response:
        """Open the page at `path` and post its form with `fields`, CSRF token included."""
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no form on {path}: {page.status}"
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **fields})
