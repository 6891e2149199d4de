"""English dates, day first as in British use: 7 December 2026, 7 Dec 2026 in tables."""

DATE_FORMAT = "j F Y"  # 7 December 2026
SHORT_DATE_FORMAT = "j M Y"  # 7 Dec 2026
DATETIME_FORMAT = "j F Y, H:i"  # 7 December 2026, 09:30
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 7 Dec 2026, 09:30
MONTH_DAY_FORMAT = "j F"  # 7 December
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
