from django.apps import AppConfig


class ProductionConfig(AppConfig):
    name = "production"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from offers.actions import offer_accepted

        from .tasks import on_offer_accepted

        offer_accepted.connect(on_offer_accepted, dispatch_uid="production.from_offer")
