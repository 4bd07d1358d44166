"""Small binary frames written straight to the connection (config.ws_frames) are the bytes
autobahn would have written; whatever is not a plain small frame on an open connection is left
to autobahn."""

from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
from autobahn.websocket.protocol import WebSocketProtocol
from twisted.internet.testing import StringTransport

from config.ws_frames import SMALL_BYTES, FrameWriter


def open_protocol() -> WebSocketProtocol:
    factory = WebSocketServerFactory()
    factory.protocol = WebSocketServerProtocol  # daphne's protocol is one of these
    protocol = factory.buildProtocol(None)
    protocol.makeConnection(StringTransport())
    protocol.state = WebSocketProtocol.STATE_OPEN  # as after the handshake, without one
    return protocol


def written(protocol: WebSocketProtocol) -> bytes:
    data = protocol.transport.value()
    protocol.transport.clear()
    return data


def test_frames_are_the_bytes_autobahn_writes():
    ours, theirs = open_protocol(), open_protocol()
    writer = FrameWriter(ours)
    for size in (0, 1, 40, 125, 126, 127, 1000, 65535):
        payload = bytes(i % 251 for i in range(size))
        assert writer.send_binary(payload)
        theirs.sendMessage(payload, isBinary=True)
        assert written(ours) == written(theirs), size


def test_what_is_not_a_small_frame_on_an_open_connection_is_left_to_autobahn():
    protocol = open_protocol()
    writer = FrameWriter(protocol)
    assert not writer.send_binary(b"x" * SMALL_BYTES)
    protocol.state = WebSocketProtocol.STATE_CLOSING
    assert not writer.send_binary(b"late")
    protocol.state = WebSocketProtocol.STATE_OPEN
    protocol._perMessageCompress = object()  # the client asked for compression
    assert not writer.send_binary(b"compressed")
    protocol._perMessageCompress = None
    protocol.send_state = WebSocketProtocol.SEND_STATE_INSIDE_MESSAGE
    assert not writer.send_binary(b"inside another message")
    assert written(protocol) == b""
