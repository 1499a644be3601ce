from django.urls import path

from . import views

urlpatterns = [
    path("offers/", views.inbox, name="offer_inbox"),
    path("offers/list/", views.inbox_fragment, name="offer_inbox_fragment"),
    path("offers/<int:offer_id>/accept/", views.offer_accept, name="offer_accept"),
    path("offers/<int:offer_id>/decline/", views.offer_decline, name="offer_decline"),
    path("offers/<int:offer_id>/counter/", views.offer_counter, name="offer_counter"),
    path(
        "offers/<int:offer_id>/counter/answer/",
        views.offer_counter_answer,
        name="offer_counter_answer",
    ),
]
