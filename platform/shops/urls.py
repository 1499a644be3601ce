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
]
