from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("orgs/<int:org_id>/", views.organization_detail, name="organization_detail"),
    path("org/members/", views.members, name="members"),
    path(
        "org/members/<int:member_id>/active/<int:active>/",
        views.member_set_active,
        name="member_set_active",
    ),
    path("org/audit/", views.audit_log, name="audit_log"),
    path("org/audit/export/", views.audit_export, name="audit_export"),
]
