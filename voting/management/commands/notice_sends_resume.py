"""Send the queued text messages of assemblies (notices, reminders) that are still pending.

What the worker does when it starts and the periodic job every two minutes
(``voting.services.text_sends``): rows a dead worker left in ``sending`` for
longer than ``STALE_AFTER`` are put back, then every pending row is claimed
and sent once. Safe to re-run, also beside a running worker (each row is
claimed with a compare-and-set).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from voting.services.text_sends import text_sends_resume


class Command(BaseCommand):
    help = "Resume the queued assembly texts: put back interrupted ones, send all pending."

    def handle(self, *args, **options):
        report = text_sends_resume()
        self.stdout.write(json.dumps(report))
        if report["failed"]:
            # Non-zero so a cron wrapper notices; the failed ones are retried up to the limit.
            raise SystemExit(1)
