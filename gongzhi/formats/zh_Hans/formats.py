"""Chinese dates: 2026年12月7日 (the same text signed notices have always carried)."""

DATE_FORMAT = "Y年n月j日"  # 2026年12月7日
SHORT_DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年12月7日 09:30
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
MONTH_DAY_FORMAT = "n月j日"  # 12月7日
YEAR_MONTH_FORMAT = "Y年n月"
TIME_FORMAT = "H:i"
