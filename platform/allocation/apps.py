from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "allocation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The buyer's quote shows each shop's earliest date less what it has promised:
        # orders reads the promised hours through this hook (it never imports allocation).
        from orders import quotes

        from .problem import booked_hours

        quotes.booked_hours = booked_hours
