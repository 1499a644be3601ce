from django.apps import AppConfig


class DrawingsConfig(AppConfig):
    name = "drawings"
    verbose_name = "Drawings"
