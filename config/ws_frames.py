"""Small binary websocket frames written straight to the connection.

The shared editor sends a frame to every watcher on every keystroke. Through the ASGI send,
daphne and autobahn check, count and log their way through seven calls per frame, for what
is, on an open connection without compression, a two- or four-byte header and the payload.
A frame of under SMALL_BYTES goes out here; anything else (a large frame, a text frame, a
connection that is not open, or that compresses) still goes through autobahn, as do accept
and close. Both end in the same transport write, in the order they are made.
"""

from __future__ import annotations

import struct
from typing import Any

from autobahn.websocket.protocol import WebSocketProtocol

SMALL_BYTES = 65536  # under autobahn's limits for an outgoing message, whatever they are set to
BINARY_FINAL = 0x82  # FIN and the binary opcode
LENGTH_16 = struct.Struct("!BBH")
SCOPE_KEY = "interview_room.frames"  # the writer's place in a websocket's ASGI extensions


class FrameWriter:
    """One websocket connection's binary frames, for the application's own use."""

    __slots__ = ("protocol",)

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol

    def send_binary(self, payload: bytes) -> bool:
        """Write one binary message as a single frame; False if autobahn must send it."""
        protocol = self.protocol
        size = len(payload)
        if (
            size >= SMALL_BYTES
            or protocol.state != WebSocketProtocol.STATE_OPEN
            or protocol.send_state != WebSocketProtocol.SEND_STATE_GROUND
            or protocol._perMessageCompress is not None
            or protocol.transport is None
        ):
            return False
        if size < 126:
            header = bytes((BINARY_FINAL, size))
        else:
            header = LENGTH_16.pack(BINARY_FINAL, 126, size)
        protocol.transport.write(header + payload)
        return True


def add_to_scope(protocol: Any, scope: dict[str, Any]) -> None:
    scope.setdefault("extensions", {})[SCOPE_KEY] = FrameWriter(protocol)


def frame_writer(scope: dict[str, Any]) -> FrameWriter | None:
    """The connection's writer, when it runs under our daphne server (not in a test's
    in-memory communicator)."""
    writer = (scope.get("extensions") or {}).get(SCOPE_KEY)
    return writer if isinstance(writer, FrameWriter) else None
