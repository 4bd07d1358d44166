"""Seat tokens never reach the server's output: not daphne's access log (on stdout, as under
`make run` and in the container), not Django's request warnings, not for join links, websocket
URLs of scripts, or links that are no longer valid."""

import asyncio

import pytest
from websockets.asyncio.client import connect

from tests.factories import interviewer, room_with_seats
from tests.form_client import FormClient


async def open_as_script(url: str) -> None:
    async with connect(url) as ws:
        await asyncio.wait_for(ws.recv(), 10)


# With DEBUG on, Django's default logging would print its request warnings a second time.
@pytest.mark.parametrize("debug", ["0", "1"])
def test_no_token_appears_in_the_servers_output(daphne_servers, debug):
    made = room_with_seats(interviewer("alice"))
    room, tokens = made["room"].id, made["tokens"]
    server = daphne_servers(access_log=True, env={"DEBUG": debug})
    browser = FormClient(server.http_url)

    for role in ("interviewer", "candidate", "observer"):
        assert browser.get(f"/r/{room}/join/{tokens[role]}").status == 302
    # A link that was never valid (or was replaced) answers 404, which Django logs.
    forged = "Zm9yZ2VkLXRva2VuLXRoYXQtbG9va3MtcmVhbA"
    assert browser.get(f"/r/{room}/join/{forged}").status == 404
    assert browser.get(f"/r/{room}/?token={tokens['observer']}").status in (200, 302, 404)
    # Scripts bring their token on the websocket URL.
    asyncio.run(open_as_script(f"{server.ws_url}/ws/rooms/{room}/?token={tokens['candidate']}"))
    asyncio.run(open_as_script(f"{server.ws_url}/ws/doc/{room}?token={tokens['observer']}"))
    server.stop()

    output = server.output()
    for secret in [*tokens.values(), forged]:
        assert secret not in output
    # The requests were logged, with the token blanked out.
    assert output.count(f"GET /r/{room}/join/[redacted]") == 4, output
    assert f"Not Found: /r/{room}/join/[redacted]" in output, output
    assert f"WSCONNECT /ws/doc/{room}" in output, output
