from django.apps import AppConfig


class DrawingsConfig(AppConfig):
    name = "drawings"
    verbose_name = "Drawings"

    def ready(self) -> None:
        from shops.signals import profile_changed

        from .tasks import on_profile_changed

        profile_changed.connect(on_profile_changed, dispatch_uid="drawings.requote")
