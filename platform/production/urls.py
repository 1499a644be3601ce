from django.urls import path

from . import views

urlpatterns = [path("production/", views.machine_plan, name="machine_plan")]
