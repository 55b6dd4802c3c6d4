"""ASGI entry point: HTTP (console, AWS APIs, static files) and websockets.

AWS API calls take a short path (console/api/router.py) straight to the API's thread
pool. console.wiring puts the process together; in the embedded mode (the default) this
process also runs the engine's scheduler.
"""

import asyncio
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from console import addresses  # noqa: E402
from console.api import guard  # noqa: E402
from console.api import router as aws  # noqa: E402
from console.routing import websocket_urlpatterns  # noqa: E402
from console.runtime import publish  # noqa: E402
from console.serving import trim_daphne  # noqa: E402
from console.upstream import gateway  # noqa: E402
from console.wiring import install  # noqa: E402

trim_daphne()
gateway.check_configuration()
install()

# Stepyard is a local tool served by Daphne alone, so it serves its own static
# files (the handler works with DEBUG off) and needs no separate web server.
router = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_asgi_app),
        # Only pages served by this server may open websockets (no cross-site hijacking).
        "websocket": guard.same_origin_websockets(URLRouter(websocket_urlpatterns)),
    }
)


async def application(scope, receive, send):
    publish.bind_loop(asyncio.get_running_loop())
    if scope["type"] in ("http", "websocket"):
        addresses.bind(scope.get("scheme", "http"), scope["headers"])
    if scope["type"] == "http" and (refused := guard.refusal(scope)) is not None:
        await guard.refuse(send, *refused)
    else:
        # The AWS APIs (console/api/router.py); the console's pages and websockets otherwise.
        await aws.answer(scope, receive, send, router)
