from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
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
    path("jobs/<uuid:job_id>/download/", views.job_download, name="job_download"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("invite/", views.home, name="accept_invitation_base"),
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("lang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
]
