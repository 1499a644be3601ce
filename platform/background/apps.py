from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    name = "background"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Every Django process (web, management commands) sends tasks: it must send them
        # with the project's Celery app (the Redis broker), not Celery's default app,
        # which would try an AMQP broker on localhost.
        from kumiai import celery  # noqa: F401
