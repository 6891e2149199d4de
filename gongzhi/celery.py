"""The Celery app. Tasks are thin wrappers over services (DESIGN.md).

With no ``CELERY_BROKER_URL`` the settings make every task run eagerly in the
calling process, so a local run needs no broker. Beat only sends reminders:
no state ever depends on a job having run.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")

app = Celery("gongzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
