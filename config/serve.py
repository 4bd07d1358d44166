"""Start the server: `python -m config.serve [--bind HOST] [--port PORT] [daphne options]`.

It runs daphne with a graceful drain on SIGTERM (config.drain): a stopped or redeployed
process's clients reconnect at once to another process behind the load balancer.

Plain `daphne config.asgi:application` works too, but daphne's default limit on a websocket
message is 1 MiB in both directions, while a room's document may grow to MAX_DOC_BYTES: the
server could then not send a late joiner the document, nor take a reconnecting browser's
offline edits. The limit is set here, above every limit of our own, so that ours answer first.
"""

from __future__ import annotations

import os
import sys

MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # above the document channel's 8 MiB document and frame
OPTIONS = [
    f"--websocket-max-message-size={MAX_MESSAGE_BYTES}",
    f"--websocket-max-frame-size={MAX_MESSAGE_BYTES}",
]


def command(bind: str = "127.0.0.1", port: int | str = 8000, *more: str) -> list[str]:
    return [sys.executable, "-m", "config.drain", "-b", bind, "-p", str(port), *OPTIONS, *more,
            "config.asgi:application"]  # fmt: skip


def limit_is_set(argv: list[str]) -> bool:
    """Whether a daphne command line raised its websocket message limit."""
    return any(arg.startswith("--websocket-max-message-size") for arg in argv)


if __name__ == "__main__":
    args = sys.argv[1:]
    bind = args.pop(args.index("--bind") + 1) if "--bind" in args else "127.0.0.1"
    port = args.pop(args.index("--port") + 1) if "--port" in args else "8000"
    args = [arg for arg in args if arg not in ("--bind", "--port")]
    argv = command(bind, port, *args)
    os.execv(argv[0], argv)
