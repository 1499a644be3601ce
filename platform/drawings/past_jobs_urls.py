from django.urls import path

from . import past_jobs_views as views

urlpatterns = [
    path("past-jobs/", views.past_job_list, name="past_jobs"),
    path("past-jobs/import/", views.past_job_import, name="past_jobs_import"),
    path(
        "past-jobs/import/confirm/", views.past_job_import_confirm, name="past_jobs_import_confirm"
    ),
]
