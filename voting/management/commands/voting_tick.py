"""Run the voting app's periodic job once (what Celery beat runs every few minutes).

Opens due assemblies, counts closed ones and publishes their preliminary
result, finalises those whose objection period is over, sends due text
messages. Safe to re-run: every step is idempotent.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from voting.services import assemblies_tick


class Command(BaseCommand):
    help = "Open, count, publish and remind: the voting app's periodic job, once."

    def handle(self, *args, **options):
        report = assemblies_tick()
        self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
        if report["errors"]:
            # Exit non-zero so a cron wrapper notices; the successful steps stand.
            raise SystemExit(1)
