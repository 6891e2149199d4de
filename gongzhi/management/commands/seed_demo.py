import sys
import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from gongzhi import demo


class Command(BaseCommand):
    help = (
        "Load the demo district (3 streets, 6 areas, ~3,000 units) and a login for every role. "
        "Idempotent: running it again changes nothing."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        bar = tqdm(
            total=len(demo.AREAS),
            desc="demo areas",
            unit="area",
            file=sys.stderr,
            disable=not sys.stderr.isatty(),
        )

        def progress(done, total):
            bar.update(done - bar.n)

        result = demo.seed(progress=progress)
        bar.close()
        self.stdout.write(
            f"Demo district ready: {result['areas']} areas, {result['units']} units "
            f"({time.monotonic() - started:.1f} s); signed notice {result['published']} "
            f"at /publications/."
        )
        self.stdout.write(demo.logins_table())
