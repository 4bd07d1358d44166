"""ASGI entry point: HTTP through Django, websockets through Channels.

Websocket handshakes are checked against ALLOWED_HOSTS (cross-site websocket hijacking)
and carry the Django session, so a seat bound to a browser session is found again.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from editor.routing import websocket_urlpatterns as doc_urls  # noqa: E402
from rooms.routing import websocket_urlpatterns as room_urls  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter([*room_urls, *doc_urls]))
        ),
    }
)
