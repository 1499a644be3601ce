from django.urls import path

from . import views

urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/place/", views.order_place, name="order_place"),
    path(
        "orders/<int:order_id>/export/<str:fmt>/",
        views.order_export,
        name="order_export",
    ),
]
