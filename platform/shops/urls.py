from django.urls import path

from . import views

urlpatterns = [
    path("shops/", views.shop_list, name="shop_list"),
    path("shops/<int:org_id>/profile/", views.shop_profile, name="shop_profile"),
    path("shops/<int:org_id>/profile/edit/", views.shop_profile_edit, name="shop_profile_edit"),
    path("shops/<int:org_id>/profile/yaml/", views.shop_profile_yaml, name="shop_profile_yaml"),
    path(
        "shops/<int:org_id>/profile/versions/<int:number>/",
        views.shop_profile_version,
        name="shop_profile_version",
    ),
    path(
        "shops/<int:org_id>/profile/calibrate/",
        views.shop_profile_calibrate,
        name="shop_profile_calibrate",
    ),
    path("shops/<int:org_id>/profile/adopt/", views.shop_profile_adopt, name="shop_profile_adopt"),
    path("shops/<int:org_id>/capability/", views.shop_capability, name="shop_capability"),
    path(
        "shops/<int:org_id>/capability/edit/",
        views.shop_capability_edit,
        name="shop_capability_edit",
    ),
    path(
        "shops/<int:org_id>/capability/shares/",
        views.shop_capability_shares,
        name="shop_capability_shares",
    ),
    path("shops/<int:org_id>/machines/add/", views.shop_machine_add, name="shop_machine_add"),
    path(
        "shops/<int:org_id>/machines/<int:machine_id>/edit/",
        views.shop_machine_edit,
        name="shop_machine_edit",
    ),
    path(
        "shops/<int:org_id>/machines/<int:machine_id>/active/",
        views.shop_machine_active,
        name="shop_machine_active",
    ),
    path("shops/<int:org_id>/closures/add/", views.shop_closure_add, name="shop_closure_add"),
    path(
        "shops/<int:org_id>/closures/<int:closure_id>/delete/",
        views.shop_closure_delete,
        name="shop_closure_delete",
    ),
]
