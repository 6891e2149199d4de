"""PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the append-only tables of this app
(core.appendonly: no session variable lets a statement through). Nothing on SQLite."""

from django.db import migrations

from core.appendonly import append_only_install


class Migration(migrations.Migration):
    dependencies = [("funds", "0007_first_deposit_demands_bank_references")]

    operations = [
        append_only_install(
            "funds_transaction",
            "funds_entry",
        )
    ]
