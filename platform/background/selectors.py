from django.db.models import QuerySet

from tenancy.models import Membership
from tenancy.scoping import get_visible_or_404

from .models import BackgroundJob


def jobs(membership: Membership | None) -> QuerySet[BackgroundJob]:
    return BackgroundJob.objects.visible_to(membership)  # type: ignore[attr-defined]


def job(membership: Membership | None, job_id: object) -> BackgroundJob:
    return get_visible_or_404(BackgroundJob.objects.all(), membership, pk=job_id)
