from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "共用基础"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every working-day deadline reads the bureau's calendar first (RULES.md §2 "Periods").
        from . import calendar, periods

        periods.set_calendar_source(calendar.bureau_year)
