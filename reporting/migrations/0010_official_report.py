"""The official (signed) province report, trust roots, and what a generation records for signing.

Existing generations get an empty document id (their files carry none); new ones a fresh one each
(AddField would give every existing row the same value of a callable default). The database
refuses any UPDATE of an official report (a trigger per backend), so even a raw query cannot
change the record; deletion is refused by the model and by PROTECT foreign keys (a trigger on
DELETE would also stop the test database's flush)."""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import reporting.models.province_report
from django.conf import settings
from django.db import migrations, models


REFUSE = "Báo cáo chính thức đã lưu không được sửa."
TRIGGERS = {
    "sqlite": (
        f"""CREATE TRIGGER reporting_officialreport_immutable BEFORE UPDATE ON reporting_officialreport
        BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END;""",
        "DROP TRIGGER IF EXISTS reporting_officialreport_immutable;",
    ),
    "postgresql": (
        f"""CREATE FUNCTION reporting_officialreport_immutable() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{REFUSE}'; END; $$ LANGUAGE plpgsql;
        CREATE TRIGGER reporting_officialreport_immutable BEFORE UPDATE ON reporting_officialreport
        FOR EACH ROW EXECUTE FUNCTION reporting_officialreport_immutable();""",
        """DROP TRIGGER IF EXISTS reporting_officialreport_immutable ON reporting_officialreport;
        DROP FUNCTION IF EXISTS reporting_officialreport_immutable();""",
    ),
}


def _trigger(index):
    def run(apps, schema_editor):
        sql = TRIGGERS.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql[index])
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0009_cycle_jurisdiction'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TrustRoot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='tên')),
                ('certificate', models.TextField(help_text='Dán nội dung tệp .pem/.crt, bắt đầu bằng “-----BEGIN CERTIFICATE-----”.', verbose_name='chứng thư (PEM)')),
                ('active', models.BooleanField(default=True, verbose_name='đang dùng')),
                ('note', models.CharField(blank=True, max_length=255, verbose_name='ghi chú')),
                ('added_at', models.DateTimeField(auto_now_add=True, verbose_name='thêm lúc')),
            ],
            options={
                'verbose_name': 'chứng thư gốc tin cậy',
                'verbose_name_plural': 'chứng thư gốc tin cậy',
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='provincereportjob',
            name='document_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='mã văn bản'),
        ),
        migrations.AlterField(
            model_name='provincereportjob',
            name='document_id',
            field=models.CharField(blank=True, default=reporting.models.province_report.new_document_id, editable=False, max_length=32, verbose_name='mã văn bản'),
        ),
        migrations.AddField(
            model_name='provincereportjob',
            name='replacement_reason',
            field=models.TextField(blank=True, help_text='Bắt buộc khi kỳ đã có báo cáo chính thức (đã ký): báo cáo mới sẽ thay thế bản đó.', verbose_name='lý do tạo lại'),
        ),
        migrations.AddField(
            model_name='provincereportjob',
            name='sign',
            field=models.BooleanField(default=False, verbose_name='ký số trên máy chủ'),
        ),
        migrations.CreateModel(
            name='OfficialReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(choices=[('server', 'Ký trên máy chủ'), ('upload', 'Tải lên bản đã ký')], max_length=6, verbose_name='cách ký')),
                ('file_path', models.CharField(help_text='Đường dẫn tương đối trong MEDIA_ROOT.', max_length=255, verbose_name='tệp')),
                ('sha256', models.CharField(max_length=64, verbose_name='mã băm SHA-256')),
                ('size', models.PositiveIntegerField(verbose_name='dung lượng (byte)')),
                ('stored_at', models.DateTimeField(auto_now_add=True, verbose_name='lưu lúc')),
                ('signatures', models.JSONField(default=list, help_text='Người ký, tổ chức cấp, thời điểm ký của từng chữ ký đã kiểm tra.', verbose_name='chữ ký')),
                ('verification', models.TextField(verbose_name='kết quả kiểm tra')),
                ('reason', models.TextField(blank=True, verbose_name='lý do thay thế')),
                ('cycle', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='official_reports', to='reporting.reportingcycle')),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='official_reports', to='reporting.provincereportjob', verbose_name='lượt tạo')),
                ('replaces', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replaced_by', to='reporting.officialreport', verbose_name='thay cho')),
                ('stored_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người tải lên / ký')),
            ],
            options={
                'verbose_name': 'báo cáo chính thức (đã ký)',
                'verbose_name_plural': 'báo cáo chính thức (đã ký)',
                'ordering': ['-stored_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('replaces__isnull', True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='officialreport_replacement_has_reason')],
            },
        ),
        migrations.AddField(
            model_name='provincereportjob',
            name='countersign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reporting.officialreport', verbose_name='ký bổ sung cho'),
        ),
        # The one text limit (reporting.models.reports.free_text) on the typed texts; before the trigger,
        # since SQLite rebuilds a table to add a constraint and the trigger would go with the old one.
        migrations.AlterField(
            model_name='officialreport',
            name='reason',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='lý do thay thế'),
        ),
        migrations.AlterField(
            model_name='provincereportjob',
            name='replacement_reason',
            field=models.TextField(blank=True, help_text='Bắt buộc khi kỳ đã có báo cáo chính thức (đã ký): báo cáo mới sẽ thay thế bản đó.', max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='lý do tạo lại'),
        ),
        migrations.AlterField(
            model_name='trustroot',
            name='certificate',
            field=models.TextField(help_text='Dán nội dung tệp .pem/.crt, bắt đầu bằng “-----BEGIN CERTIFICATE-----”.', max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='chứng thư (PEM)'),
        ),
        migrations.AddConstraint(
            model_name='officialreport',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('reason'), 20000), name='officialreport_reason_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='provincereportjob',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('replacement_reason'), 20000), name='provincereportjob_replacement_reason_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='trustroot',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('certificate'), 20000), name='trustroot_certificate_max_chars'),
        ),
        migrations.RunPython(_trigger(0), _trigger(1)),
    ]
