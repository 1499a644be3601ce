from django.urls import path

from . import views

urlpatterns = [
    path("allocation/", views.allocation_home, name="allocation_home"),
    path("allocation/weights/", views.allocation_weights, name="allocation_weights"),
    path("allocation/start/", views.allocation_start, name="allocation_start"),
    path("allocation/runs/<int:run_id>/", views.allocation_run, name="allocation_run"),
    path("allocation/runs/<int:run_id>/pin/", views.allocation_pin, name="allocation_pin"),
    path(
        "allocation/runs/<int:run_id>/publish/",
        views.allocation_publish,
        name="allocation_publish",
    ),
]
