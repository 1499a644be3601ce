from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("lang/", views.set_language, name="set_language"),
    # The base of the links an invitation e-mail carries; the bare path just goes home.
    path("invite/", views.home, name="accept_invitation_base"),
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
