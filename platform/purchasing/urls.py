"""Joint purchasing: material demand, stock, offcuts, supplier price lists, joint orders."""

from django.urls import path

from . import views

urlpatterns = [
    path("purchasing/", views.demand, name="purchasing_demand"),
    path("purchasing/stock/", views.stock_set, name="purchasing_stock_set"),
    path("purchasing/offcuts/", views.offcuts, name="purchasing_offcuts"),
    path("purchasing/offcuts/add/", views.offcut_add, name="purchasing_offcut_add"),
    path(
        "purchasing/offcuts/<int:offcut_id>/claim/",
        views.offcut_claim,
        name="purchasing_offcut_claim",
    ),
    path(
        "purchasing/offcuts/<int:offcut_id>/withdraw/",
        views.offcut_withdraw,
        name="purchasing_offcut_withdraw",
    ),
    path(
        "purchasing/offcuts/<int:offcut_id>/photo/",
        views.offcut_photo,
        name="purchasing_offcut_photo",
    ),
    path("purchasing/suppliers/", views.suppliers, name="purchasing_suppliers"),
    path("purchasing/suppliers/new/", views.supplier_create, name="purchasing_supplier_create"),
    path(
        "purchasing/suppliers/<int:supplier_id>/",
        views.supplier_detail,
        name="purchasing_supplier",
    ),
    path(
        "purchasing/suppliers/<int:supplier_id>/import/",
        views.price_import,
        name="purchasing_price_import",
    ),
    path("purchasing/orders/", views.orders, name="purchasing_orders"),
    path("purchasing/orders/new/", views.orders_create, name="purchasing_orders_create"),
    path("purchasing/orders/<int:order_id>/", views.order_detail, name="purchasing_order"),
    path(
        "purchasing/orders/<int:order_id>/confirm/",
        views.order_confirm,
        name="purchasing_order_confirm",
    ),
    path(
        "purchasing/orders/<int:order_id>/place/", views.order_place, name="purchasing_order_place"
    ),
    path(
        "purchasing/orders/<int:order_id>/cancel/",
        views.order_cancel,
        name="purchasing_order_cancel",
    ),
    path(
        "purchasing/shares/<int:share_id>/adjust/",
        views.share_adjust,
        name="purchasing_share_adjust",
    ),
    path(
        "purchasing/shares/<int:share_id>/receive/",
        views.share_receive,
        name="purchasing_share_receive",
    ),
]
