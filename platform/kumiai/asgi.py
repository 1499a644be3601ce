"""ASGI entry: HTTP through Django, websockets through Channels with session auth."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumiai.settings")
# The web server pools its database connections (DB_POOL_MAX in settings.py). The
# variable is read once, as the settings load, and is not handed on to anything this
# process starts (a test that imports this module, then starts a Celery worker).
_pool_by_default = "KUMIAI_DB_POOL_MAX" not in os.environ
if _pool_by_default:
    os.environ["KUMIAI_DB_POOL_MAX"] = "20"
django_asgi = get_asgi_application()
if _pool_by_default:
    del os.environ["KUMIAI_DB_POOL_MAX"]

from channels.auth import AuthMiddlewareStack  # noqa: E402 - needs Django set up first
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from kumiai.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
