"""The one money rule in the models and the database: an amount is at most MONEY_MAX đồng
(999.999.999.999.999 when this was written), which Excel holds exactly.

A report already holding a larger amount would make the constraint fail with a bare
IntegrityError; the first step lists every such amount instead and stops, so that it can be
corrected before migrating. Nothing is changed here.
"""
import django.core.validators
from django.db import migrations, models

MONEY_MAX = 999999999999999
FUNDS = ("funds_central", "funds_local", "funds_oda", "funds_other")


def refuse_amounts_over_the_maximum(apps, schema_editor):
    Report = apps.get_model("reporting", "Report")
    found = []
    for name in FUNDS:
        rows = (Report.objects.using(schema_editor.connection.alias).filter(**{f"{name}__gt": MONEY_MAX})
                .order_by("pk").values_list("pk", name))
        found += [f"Report #{pk}, {name}: {value}" for pk, value in rows]
    if found:
        raise RuntimeError(
            f"Chưa thể áp dụng mức tối đa {MONEY_MAX} đồng cho số tiền báo cáo: {len(found)} ô đang lớn hơn. "
            "Hãy sửa các ô này (trong trang quản trị) rồi chạy lại migrate:\n  " + "\n  ".join(found))


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0003_free_text_limit'),
    ]

    operations = [
        migrations.RunPython(refuse_amounts_over_the_maximum, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='historicalreport',
            name='funds_central',
            field=models.BigIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(999999999999999)], verbose_name='ngân sách trung ương (đồng)'),
        ),
        migrations.AlterField(
            model_name='historicalreport',
            name='funds_local',
            field=models.BigIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(999999999999999)], verbose_name='ngân sách địa phương (đồng)'),
        ),
        migrations.AlterField(
            model_name='historicalreport',
            name='funds_oda',
            field=models.BigIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(999999999999999)], verbose_name='vốn ODA (đồng)'),
        ),
        migrations.AlterField(
            model_name='historicalreport',
            name='funds_other',
            field=models.BigIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(999999999999999)], verbose_name='tư nhân, nguồn khác (đồng)'),
        ),
        migrations.AlterField(
            model_name='report',
            name='funds_central',
            field=models.BigIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(999999999999999)], verbose_name='ngân sách trung ương (đồng)'),
        ),
        migrations.AlterField(
            model_name='report',
            name='funds_local',
            field=models.BigIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(999999999999999)], verbose_name='ngân sách địa phương (đồng)'),
        ),
        migrations.AlterField(
            model_name='report',
            name='funds_oda',
            field=models.BigIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(999999999999999)], verbose_name='vốn ODA (đồng)'),
        ),
        migrations.AlterField(
            model_name='report',
            name='funds_other',
            field=models.BigIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(999999999999999)], verbose_name='tư nhân, nguồn khác (đồng)'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(('funds_central__isnull', True), ('funds_central__lte', 999999999999999), _connector='OR'), name='report_funds_central_at_most_max'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(('funds_local__isnull', True), ('funds_local__lte', 999999999999999), _connector='OR'), name='report_funds_local_at_most_max'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(('funds_oda__isnull', True), ('funds_oda__lte', 999999999999999), _connector='OR'), name='report_funds_oda_at_most_max'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(('funds_other__isnull', True), ('funds_other__lte', 999999999999999), _connector='OR'), name='report_funds_other_at_most_max'),
        ),
    ]
