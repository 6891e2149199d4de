"""PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the append-only tables of this app
(core.appendonly: no session variable lets a statement through). Nothing on SQLite."""

from django.db import migrations

from core.appendonly import append_only_install


class Migration(migrations.Migration):
    dependencies = [("revenue", "0002_allocation_decision_records")]

    operations = [
        append_only_install(
            "revenue_revenueentry",
        )
    ]
