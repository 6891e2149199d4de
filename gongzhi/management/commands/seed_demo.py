import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from tqdm import tqdm

from gongzhi import demo
from gongzhi.smslog import sms_log_path


class Command(BaseCommand):
    help = (
        "Load the demo district (3 streets, 6 areas, ~3,000 units), a login for every role and "
        "one signed notice of each kind. Idempotent: running it again changes nothing."
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
        base = settings.GONGZHI_PUBLIC_BASE_URL
        self.stdout.write(
            f"Demo district ready: {result['areas']} areas, {result['units']} units "
            f"({time.monotonic() - started:.1f} s); {result['notices']} signed notices at "
            f"{base}{reverse('publications:list')}."
        )
        if settings.GONGZHI_SMS_BACKEND == "accounts.sms.ConsoleSender":
            self.stdout.write(
                f"Texts sent by the demo (one a line): {sms_log_path()}; "
                "login codes also show in the server window."
            )
        # Last, so that it is the first thing seen above the server's start-up lines.
        self.stdout.write(demo.logins_table())
