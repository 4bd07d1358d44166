"""Seat tokens must never reach a log: join links carry them in the path
(/r/ROOM/join/TOKEN) and scripts' websocket URLs in the query (?token=T).

Two writers print request URLs: Python logging (Django's "Not Found: /r/..." and the like),
redacted by the RedactTokens filter on the one console handler (settings.LOGGING), and
daphne's access log, which writes straight to its stream, redacted by
redact_daphne_access_log() (called from config/asgi.py, which daphne imports before it
serves anything).
"""

import logging
import re
from typing import Any

TOKEN_IN_URL = re.compile(r"(/join/|[?&]token=)[^\s/?&#\"']+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return TOKEN_IN_URL.sub(rf"\g<1>{REDACTED}", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact_daphne_access_log() -> None:
    """Make daphne's access log (on stdout, or the --access-log file) print redacted URLs."""
    from daphne.access import AccessLogGenerator

    write_entry = AccessLogGenerator.write_entry
    if getattr(write_entry, "redacts_tokens", False):
        return

    def write_redacted_entry(
        self: Any, host: Any, date: Any, request: str, *args: Any, **kwargs: Any
    ) -> None:
        write_entry(self, host, date, redact(request), *args, **kwargs)

    write_redacted_entry.redacts_tokens = True  # type: ignore[attr-defined]
    AccessLogGenerator.write_entry = write_redacted_entry  # type: ignore[method-assign]
