"""Websocket handshakes from a browser must come from one of the site's own origins: scheme,
host and port all count. Checked on a real daphne process, on both websocket paths."""

import asyncio

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.factories import interviewer, room_with_seats

TRUSTED = "https://interview.example.com"


async def handshake(url: str, origin: str | None) -> int:
    """101 when the server took the connection (and sent its first frame), else its status."""
    try:
        async with connect(url, origin=origin, open_timeout=10) as ws:  # type: ignore[arg-type]
            await asyncio.wait_for(ws.recv(), 10)
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


def test_only_the_sites_own_origins_may_open_a_websocket(daphne_servers):
    made = room_with_seats(interviewer("alice"))
    server = daphne_servers(env={"CSRF_TRUSTED_ORIGINS": TRUSTED})
    port = server.port
    room, token = made["room"].id, made["tokens"]["candidate"]
    paths = [f"/ws/rooms/{room}/?token={token}", f"/ws/doc/{room}?token={token}"]

    accepted = [
        server.http_url,  # PUBLIC_URL's origin: the pages' own
        TRUSTED,  # listed in CSRF_TRUSTED_ORIGINS
        None,  # no Origin at all: a script, which brings its seat token
    ]
    refused = [
        f"http://127.0.0.1:{port + 1}",  # another port
        f"https://127.0.0.1:{port}",  # another scheme
        f"http://localhost:{port}",  # another host name for the same server
        f"http://evil.example:{port}",  # another site
        "http://interview.example.com",  # the trusted host, but not over https
        "https://interview.example.com:8443",  # the trusted host on another port
        "null",  # a sandboxed frame or a file
    ]
    for path in paths:
        url = server.ws_url + path
        for origin in accepted:
            assert asyncio.run(handshake(url, origin)) == 101, (path, origin)
        for origin in refused:
            assert asyncio.run(handshake(url, origin)) == 403, (path, origin)
