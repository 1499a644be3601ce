"""The Kumiai Django project: settings, URLs, ASGI, Celery, health and the `kumiai` CLI."""
