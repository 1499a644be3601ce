"""Group insight reads every app and writes nothing of its own."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("insight/", views.dashboard, name="insight"),
    path("insight/export.csv", views.export_csv, name="insight_csv"),
    path("insight/export.xlsx", views.export_xlsx, name="insight_xlsx"),
    re_path(
        r"^insight/report/(?P<month>\d{4}-\d{2})\.pdf$", views.report_pdf, name="insight_report"
    ),
]
