from django.urls import include, path

from . import schedule_views, views

urlpatterns = [
    path("production/", views.machine_plan, name="machine_plan"),
    path("schedule/", schedule_views.schedule_page, name="schedule"),
    path("", include("production.export_urls")),
]
