"""ASGI entry point: HTTP through Django, websockets through Channels.

Websocket handshakes are checked against the site's origins (cross-site websocket hijacking)
and carry the Django session, so a seat bound to a browser session is found again.
"""

import gc
import logging
import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from config import serve  # noqa: E402
from config.log_redaction import redact_daphne_access_log  # noqa: E402
from config.serve import limit_is_set  # noqa: E402
from editor.routing import websocket_urlpatterns as doc_urls  # noqa: E402
from rooms.routing import websocket_urlpatterns as room_urls  # noqa: E402


class BrowserOriginValidator(OriginValidator):
    """Refuse handshakes whose Origin is not one of the site's origins, scheme, host and port
    alike (settings.WEBSOCKET_ALLOWED_ORIGINS). Browsers always send Origin; a handshake
    without one comes from a non-browser client (scripts, load tests), which must still bring
    a seat token."""

    def valid_origin(self, parsed_origin):  # type: ignore[no-untyped-def]
        if parsed_origin is None:
            return True
        return super().valid_origin(parsed_origin)


redact_daphne_access_log()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": BrowserOriginValidator(
            AuthMiddlewareStack(URLRouter([*room_urls, *doc_urls])),
            settings.WEBSOCKET_ALLOWED_ORIGINS,
        ),
    }
)

if "daphne" in sys.argv[0] and not limit_is_set(sys.argv):
    logging.getLogger(__name__).warning(
        "daphne keeps websocket messages under 1 MiB: large documents cannot be loaded. "
        "Start the server with `python -m config.serve` (or pass %s).",
        " ".join(serve.OPTIONS),
    )

# Everything loaded so far lives as long as the process. Leave it out of the collector's full
# passes, which otherwise walk all of Django every so often and stall every connection of the
# process for about 100 ms (measured on the editor benchmark: the bulk of its p99).
gc.collect()
gc.freeze()
