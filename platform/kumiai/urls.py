"""The project only mounts: the API instance, and each app's pages."""

from django.urls import include, path

from api.api import api
from kumiai import health

urlpatterns = [
    path("api/", api.urls),
    path("healthz", health.healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include("tenancy.urls")),
    path("", include("background.urls")),
    path("", include("drawings.urls")),
    path("", include("shops.urls")),
    path("", include("orders.urls")),
    path("", include("allocation.urls")),
    path("", include("offers.urls")),
    path("", include("production.urls")),
    path("", include("notifications.urls")),
    path("", include("purchasing.urls")),
    path("", include("insight.urls")),
]
