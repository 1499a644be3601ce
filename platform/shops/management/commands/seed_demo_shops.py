"""Give the demo group's shops their capabilities, machines and calendars (once)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from shops.demo import seed_capabilities
from tenancy.models import SupplierGroup

DEMO_SLUG = "hokuriku-bankin"


class Command(BaseCommand):
    help = "Set up the demo group's shops: capabilities, machines, calendars (once)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        group = SupplierGroup.objects.filter(slug=DEMO_SLUG).first()
        if group is None:
            self.stdout.write("no demo group: run seed_demo first")
            return
        done = seed_capabilities(group)
        if done:
            self.stdout.write(f"set up the capability of {len(done)} shops: {', '.join(done)}")
        else:
            self.stdout.write("kept the demo shops' capabilities")
