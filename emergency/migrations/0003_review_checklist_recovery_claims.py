"""The reviewer's checklist on emergency applications and recovery claims (追偿), RULES.md §5.

Existing applications are backfilled: the repair type from their item's
facility (``emergency.models.whitelist.FACILITY_REPAIR_TYPE``, copied here as it
stands today) and the warranty of their 列支范围 checked on their filing day
from the buildings' completion dates (``funds.procedure.warranty``, a pure module), so
that a deemed approval is barred for those inside warranty or with an unknown
completion date from the moment this migration runs. No checklist is invented:
``checked_at`` stays empty, and an undecided application waits for its reviewer.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

FACILITY_REPAIR_TYPE = {
    "elevator": "equipment",
    "waterproofing": "waterproofing",
    "facade": "decoration",
    "fire": "equipment",
    "water_drainage": "plumbing",
    "manhole": "drainage",
    "garage": "waterproofing",
    "curtain_wall": "decoration",
    "secondary_water": "equipment",
}


def backfill(apps, schema_editor):
    from funds.procedure import warranty

    Application = apps.get_model("emergency", "EmergencyApplication")
    Unit = apps.get_model("estates", "Unit")
    Building = apps.get_model("estates", "Building")
    for application in Application.objects.select_related("item").order_by("pk"):
        repair_type = FACILITY_REPAIR_TYPE.get(application.item.facility, warranty.OTHER)
        units = Unit.objects.filter(area_id=application.area_id)
        if application.scope_buildings or application.scope_unit_codes:
            units = units.filter(
                Q(building__name__in=application.scope_buildings)
                | Q(code__in=application.scope_unit_codes)
            )
        buildings = dict(
            Building.objects.filter(pk__in=units.values("building_id")).values_list(
                "name", "completion_date"
            )
        )
        filed = timezone.localdate(application.filed_at)
        checks = warranty.warranty_check(repair_type, buildings, filed)
        Application.objects.filter(pk=application.pk).update(
            repair_type=repair_type,
            warranty={
                c.building: [
                    c.status,
                    c.completed_on.isoformat() if c.completed_on else None,
                    c.ends_on.isoformat() if c.ends_on else None,
                ]
                for c in checks
            },
            warranty_status=warranty.overall(checks),
        )


class Migration(migrations.Migration):

    dependencies = [
        ('emergency', '0002_seed_whitelist'),
        ('estates', '0003_importjob'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='emergencyapplication',
            name='checked_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='核查时间'),
        ),
        migrations.AddField(
            model_name='emergencyapplication',
            name='checked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='核查人'),
        ),
        migrations.AddField(
            model_name='emergencyapplication',
            name='excl_caused',
            field=models.BooleanField(default=False, verbose_name='因人为损坏及其他原因应由当事人承担的'),
        ),
        migrations.AddField(
            model_name='emergencyapplication',
            name='excl_contract',
            field=models.BooleanField(default=False, verbose_name='根据物业服务合同约定，应由物业服务企业承担的'),
        ),
        migrations.AddField(
            model_name='emergencyapplication',
            name='excl_developer',
            field=models.BooleanField(default=False, verbose_name='依法应由建设单位或者施工单位承担的（保修期内）'),
        ),
        migrations.AddField(
            model_name='emergencyapplication',
            name='excl_utility',
            field=models.BooleanField(default=False, verbose_name='依法应由相关单位承担的供水、供电、供气、供热、通讯、有线电视等管线和设施设备'),
        ),
        migrations.AddField(
            model_name='emergencyapplication',
            name='exclusion_note',
            field=models.TextField(blank=True, verbose_name='有不得列支情形仍先行列支的理由'),
        ),
        migrations.AddField(
            model_name='emergencyapplication',
            name='repair_type',
            field=models.CharField(choices=[('structure', '地基基础和主体结构'), ('waterproofing', '屋面防水、外墙及有防水要求房间的防渗漏'), ('heating', '供热系统'), ('cooling', '供冷系统'), ('electrical', '电气管线'), ('plumbing', '给水管道'), ('drainage', '排水管道'), ('equipment', '设备安装（电梯、水泵、消防设施等）'), ('decoration', '装修工程'), ('other', '其他（无法定保修期）')], default='other', max_length=14, verbose_name='维修类别'),
        ),
        migrations.AddField(
            model_name='emergencyapplication',
            name='warranty',
            field=models.JSONField(blank=True, default=dict, verbose_name='保修期核查'),
        ),
        migrations.AddField(
            model_name='emergencyapplication',
            name='warranty_note',
            field=models.TextField(blank=True, verbose_name='保修期内（或竣工日期未知）仍先行列支的理由'),
        ),
        migrations.AddField(
            model_name='emergencyapplication',
            name='warranty_status',
            field=models.CharField(choices=[('in', '保修期内'), ('unknown', '竣工日期未知'), ('out', '已过保修期'), ('none', '无法定保修期')], db_index=True, default='unknown', max_length=8, verbose_name='保修期'),
        ),
        migrations.CreateModel(
            name='RecoveryClaim',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('against', models.CharField(choices=[('developer', '建设单位（开发企业）'), ('builder', '施工单位')], max_length=10, verbose_name='追偿对象')),
                ('party_name', models.CharField(max_length=200, verbose_name='单位名称')),
                ('amount_fen', models.BigIntegerField(verbose_name='追偿金额（分）')),
                ('status', models.CharField(choices=[('open', '待追偿'), ('claimed', '已主张'), ('recovered', '已追回'), ('abandoned', '已放弃')], db_index=True, default='open', max_length=10, verbose_name='状态')),
                ('note', models.TextField(blank=True, verbose_name='登记说明')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='登记时间')),
                ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='主张时间')),
                ('claim_note', models.TextField(blank=True, verbose_name='主张情况')),
                ('recovered_fen', models.BigIntegerField(default=0, verbose_name='追回金额（分）')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='办结时间')),
                ('resolution_note', models.TextField(blank=True, verbose_name='办结说明（追回或放弃的理由）')),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='recovery_claims', to='emergency.emergencyapplication', verbose_name='紧急维修申请')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='办结人')),
            ],
            options={
                'verbose_name': '追偿',
                'verbose_name_plural': '追偿',
                'ordering': ['-recorded_at', '-pk'],
                'constraints': [models.UniqueConstraint(fields=('application', 'against'), name='recovery_claim_once_per_party'), models.CheckConstraint(condition=models.Q(('amount_fen__gt', 0)), name='recovery_claim_amount_positive'), models.CheckConstraint(condition=models.Q(('recovered_fen__gte', 0), ('recovered_fen__lte', models.F('amount_fen'))), name='recovery_claim_recovered_within_amount'), models.CheckConstraint(condition=models.Q(models.Q(('recovered_fen__gt', 0), ('status', 'recovered')), models.Q(models.Q(('status', 'recovered'), _negated=True), ('recovered_fen', 0)), _connector='OR'), name='recovery_claim_recovered_amount_iff_recovered')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
