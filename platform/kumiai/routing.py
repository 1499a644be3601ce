from django.urls import path

from background.consumers import JobProgressConsumer
from drawings.consumers import DrawingStatusConsumer

websocket_urlpatterns = [
    path("ws/jobs/<uuid:job_id>/", JobProgressConsumer.as_asgi()),
    path("ws/drawings/<int:drawing_id>/", DrawingStatusConsumer.as_asgi()),
]
