"""PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the append-only tables of this app
(core.appendonly: no session variable lets a statement through). Nothing on SQLite."""

from django.db import migrations

from core.appendonly import append_only_install


class Migration(migrations.Migration):
    dependencies = [("voting", "0002_motion_scope_and_parts")]

    operations = [
        append_only_install(
            "voting_ballot",
            "voting_rollsnapshot",
            "voting_votingright",
            "voting_votingrightholder",
        )
    ]
