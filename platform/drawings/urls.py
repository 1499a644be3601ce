from django.urls import include, path

from . import views

urlpatterns = [
    path("drawings/", views.drawing_list, name="drawing_list"),
    path("drawings/similar/", views.similar_search, name="similar_search"),
    path("drawings/<int:drawing_id>/", views.drawing_detail, name="drawing_detail"),
    path("drawings/<int:drawing_id>/edit/", views.drawing_edit, name="drawing_edit"),
    path(
        "drawings/<int:drawing_id>/rev/<int:number>/<str:name>",
        views.drawing_picture,
        name="drawing_picture",
    ),
    path(
        "drawings/<int:drawing_id>/rev/<int:number>/download/",
        views.drawing_download,
        name="drawing_download",
    ),
    path("drawings/<int:drawing_id>/grants/", views.grant_create, name="grant_create"),
    path("grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("", include("drawings.past_jobs_urls")),
]
