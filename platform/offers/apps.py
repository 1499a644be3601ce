from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "offers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allocation.actions import run_published

        from .tasks import on_run_published

        run_published.connect(on_run_published, dispatch_uid="offers.from_run")
