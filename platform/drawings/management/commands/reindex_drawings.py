"""Analyse again every stored DXF revision whose parts an older analysis or shape version
wrote (their geometry hashes, descriptors and shapes would not match new ones).

Queued for the worker by default; `--now` analyses them in this process, one by one.
Nothing to do (the usual case) costs one query, so `kumiai run` calls it on every start.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from drawings import actions


class Command(BaseCommand):
    help = "Re-analyse drawings stored by an older analysis version."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="analyse here instead of queueing")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(actions.stale_revisions().values_list("pk", flat=True))
        if options["now"]:
            from drawings.tasks import analyse_revision

            done = [rid for rid in ids if actions.do_reanalyse(rid, enqueue=lambda _r: None)]
            for rid in done:
                analyse_revision(rid)
        else:
            done = [rid for rid in ids if actions.do_reanalyse(rid)]
        self.stdout.write(
            f"{len(done)} revision(s) re-analysed{'' if options['now'] else ' (queued)'}"
        )
