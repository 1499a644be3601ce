from django.urls import include, path

from . import floor_views, schedule_views, views

urlpatterns = [
    path("production/", views.machine_plan, name="machine_plan"),
    path("schedule/", schedule_views.schedule_page, name="schedule"),
    path("", include("production.export_urls")),
    path("floor/", floor_views.floor, name="floor"),
    path("floor/operations/<int:operation_id>/", floor_views.floor_progress, name="floor_progress"),
    path(
        "floor/machines/<int:machine_id>/breakdown/",
        floor_views.floor_breakdown,
        name="floor_breakdown",
    ),
    path("floor/works/<int:work_id>/ship/", floor_views.floor_ship, name="floor_ship"),
    path("deliveries/", floor_views.deliveries, name="deliveries"),
    path("deliveries/<int:shipment_id>/receive/", floor_views.receive, name="receive"),
    path("schedule/reallocations/", floor_views.reallocations, name="reallocations"),
    path(
        "schedule/reallocations/<int:proposal_id>/",
        floor_views.reallocation_decide,
        name="reallocation_decide",
    ),
]
