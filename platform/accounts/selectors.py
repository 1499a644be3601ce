from django.db.models import QuerySet

from .models import ApiToken


def api_tokens(user) -> QuerySet[ApiToken]:  # type: ignore[no-untyped-def]
    """A user's own keys; nobody else's keys are ever listed."""
    if user is None or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)
