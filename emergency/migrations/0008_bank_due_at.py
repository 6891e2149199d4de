"""The bank's confirmation deadline is stored (issue 16 item 9): fixed when the prepayment's
first live instruction goes out, like the review and payment deadlines. Existing rows get
it from their first live instruction, counted as the page counted it until now."""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from emergency import deadlines


def fill(apps, schema_editor):
    Application = apps.get_model("emergency", "EmergencyApplication")
    Instruction = apps.get_model("funds", "PaymentInstruction")
    days = settings.GONGZHI_EMERGENCY_BANK_CONFIRM_DAYS
    tz = timezone.get_default_timezone()
    rows = Application.objects.filter(
        bank_due_at__isnull=True, prepayment_fen__gt=0, fund_use__isnull=False
    )
    for application in rows.iterator():
        instructed_at = (
            Instruction.objects.filter(fund_use_id=application.fund_use_id)
            .exclude(status="cancelled")
            .order_by("instructed_at", "pk")
            .values_list("instructed_at", flat=True)
            .first()
        )
        if instructed_at is not None:
            application.bank_due_at = deadlines.bank_due(instructed_at, days, tz)
            application.save(update_fields=["bank_due_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("emergency", "0007_seed_whitelist_english"),
        ("funds", "0008_append_only_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="emergencyapplication",
            name="bank_due_at",
            field=models.DateTimeField(
                blank=True, db_index=True, null=True, verbose_name="银行确认截止"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
