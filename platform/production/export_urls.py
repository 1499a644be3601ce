"""Schedule exports (CSV, Excel) and the per-person iCal feed of due dates."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
