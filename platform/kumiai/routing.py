from django.urls import path

from allocation.consumers import RunProgressConsumer
from background.consumers import JobProgressConsumer
from drawings.consumers import DrawingStatusConsumer
from notifications.consumers import NotificationsConsumer
from offers.consumers import OffersConsumer
from production.consumers import ScheduleConsumer

websocket_urlpatterns = [
    path("ws/jobs/<uuid:job_id>/", JobProgressConsumer.as_asgi()),
    path("ws/drawings/<int:drawing_id>/", DrawingStatusConsumer.as_asgi()),
    path("ws/allocation-runs/<int:run_id>/", RunProgressConsumer.as_asgi()),
    path("ws/offers/", OffersConsumer.as_asgi()),
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    path("ws/schedule/", ScheduleConsumer.as_asgi()),
]
