"""daphne with a graceful drain: on SIGTERM the process stops taking new connections, lets
what it already took be stored, then closes its websockets with 1012 (service restart), and
the clients reconnect at once, through the load balancer, to another process.

In order:
1. stop listening: new connections (and the balancer's health checks) go elsewhere;
2. stop reading the shared editor's sockets: an edit a client sends from now on stays in the
   client, which sends it to the next process in its sync (so it is stored once, not twice);
3. wait for the frames already read to be handled and for the update writer to commit;
4. close every websocket with 1012; wait for the connections to finish (presence, leave);
5. stop. At most DRAIN_S seconds in all (then whatever is left is cut, as daphne does).

SIGINT (Ctrl-C) stops at once, as before.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Any

from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import reactor

from config import ws_unmask
from config.write_now import write_at_once
from config.ws_frames import add_to_scope

log = logging.getLogger(__name__)
ws_unmask.install()

DRAIN_S = 10.0
CLOSE_SERVICE_RESTART = 1012  # RFC 6455: the client may reconnect at once
DOC_PATH = b"/ws/doc/"


class DrainingServer(Server):
    def run(self) -> None:
        self.ports: list[Any] = []
        self.draining: asyncio.Task[None] | None = None
        # After twisted has put its own handlers in place (it does so when the reactor starts).
        reactor.callWhenRunning(signal.signal, signal.SIGTERM, self._on_sigterm)
        reactor.callWhenRunning(self._warm_up)
        super().run()

    def _warm_up(self) -> None:
        from editor.warm import warm_up
        from rooms.threads import open_connections

        self.warming = asyncio.ensure_future(asyncio.gather(warm_up(), open_connections()))

    def create_application(self, protocol: Any, scope: dict[str, Any]) -> Any:
        if isinstance(protocol, WebSocketProtocol):
            add_to_scope(protocol, scope)
        return super().create_application(protocol, scope)

    def protocol_connected(self, protocol: Any) -> None:
        super().protocol_connected(protocol)
        if isinstance(protocol, WebSocketProtocol):
            write_at_once(protocol.transport)

    def listen_success(self, port: Any) -> None:
        self.ports.append(port)
        super().listen_success(port)

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        reactor.callFromThread(self._start_drain)

    def _start_drain(self) -> None:
        if self.draining is None:
            self.draining = asyncio.ensure_future(self.drain())

    def websockets(self) -> list[WebSocketProtocol]:
        return [p for p in self.connections if isinstance(p, WebSocketProtocol)]

    async def drain(self) -> None:
        log.warning("SIGTERM: draining %d websockets", len(self.websockets()))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DRAIN_S
        try:
            for port in self.ports:
                port.stopListening()
            for protocol in self.websockets():
                if protocol.path.startswith(DOC_PATH):
                    protocol.onMessage = _ignore
            await _until(lambda: all(_queue_empty(p) for p in self.websockets()), deadline)
            from editor.writer import flush

            await asyncio.wait_for(flush(), max(0.0, deadline - loop.time()))
            for protocol in self.websockets():
                _close_for_restart(protocol)
            await _until(self._applications_done, deadline)
        except Exception:
            log.exception("drain cut short")
        finally:
            reactor.stop()  # type: ignore[misc]

    def _applications_done(self) -> bool:
        return all(details["application_instance"].done() for details in self.connections.values()
                   if details.get("application_instance") is not None)  # fmt: skip


def _close_for_restart(protocol: WebSocketProtocol) -> None:
    """Close with 1012, a code defined for servers (autobahn's sendClose takes only 1000 and
    3000-4999, so the frame is sent one level down); a socket still opening is cut."""
    if protocol.state == WebSocketProtocol.STATE_OPEN:
        protocol.sendCloseFrame(code=CLOSE_SERVICE_RESTART, isReply=False)
    elif protocol.state != WebSocketProtocol.STATE_CLOSED:
        protocol.dropConnection(abort=True)


def _ignore(payload: bytes, is_binary: bool) -> None:
    """A frame that arrives while draining: the client still has it."""


def _queue_empty(protocol: WebSocketProtocol) -> bool:
    queue = getattr(protocol, "application_queue", None)
    return queue is None or queue.empty()


async def _until(condition: Any, deadline: float) -> None:
    loop = asyncio.get_running_loop()
    while not condition() and loop.time() < deadline:
        await asyncio.sleep(0.02)


class DrainingCommandLine(CommandLineInterface):
    server_class = DrainingServer


if __name__ == "__main__":
    DrainingCommandLine().run(sys.argv[1:])
