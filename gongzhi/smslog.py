"""Where the console SMS sender's texts go under ``make run`` (issue 16, item 12).

``accounts.sms.ConsoleSender`` logs every text to the logger "gongzhi.sms".
Seeding the demo sends ~1,800 of them (deposit notices, assembly notices):
they go to one file, one line a text (``GONGZHI_SMS_LOG``, default
``var/sms.log``), and the console shows only the login codes a person is
waiting for while trying the demo. The file's path is printed by ``seed_demo``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

# The login-code text of accounts.services.codes, in Chinese and in English.
LOGIN_CODE = re.compile(r"登录验证码|login code", re.IGNORECASE)


class SmsFileHandler(logging.FileHandler):
    """The file of ``settings.GONGZHI_SMS_LOG``, read at each text (a test may point it
    elsewhere); its folder is created and the file opened at the first text."""

    def __init__(self, **kwargs) -> None:
        super().__init__(str(sms_log_path()), encoding="utf-8", delay=True, **kwargs)

    def emit(self, record: logging.LogRecord) -> None:
        path = sms_log_path()
        if str(path) != self.baseFilename:
            self.close()
            self.baseFilename = str(path)
        if self.stream is None:
            path.parent.mkdir(parents=True, exist_ok=True)
        super().emit(record)


def sms_log_path() -> Path:
    from django.conf import settings

    return Path(settings.GONGZHI_SMS_LOG).absolute()


class ConsoleSmsFilter(logging.Filter):
    """On the console: every record except texts of "gongzhi.sms" that are not login codes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "gongzhi.sms":
            return True
        return bool(LOGIN_CODE.search(record.getMessage()))
