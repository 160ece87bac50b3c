"""One length limit for every free text of the reporting models (reporting.models.TEXT_MAX_CHARS,
20,000 characters when this was written), in the models and as CHECK constraints.

A row already longer than the limit would make the constraint fail half-way with a bare
IntegrityError; the first step lists every such row instead and stops, so that an admin can
shorten them (or move the detail into an evidence file) before migrating. Nothing is cut here.
"""
import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

LIMIT = 20000
LIMITED = {
    "Report": ("results", "outputs", "difficulties", "proposals", "review_comment"),
    "ReportEvent": ("comment",),
    "ContributionRequest": ("message", "answer"),
    "Extension": ("reason", "decision_comment"),
    "ProvinceReportSettings": ("recipients",),
}


def refuse_texts_over_the_limit(apps, schema_editor):
    Length = django.db.models.functions.text.Length
    found = []
    for model_name, fields in LIMITED.items():
        model = apps.get_model("reporting", model_name)
        for name in fields:
            rows = (model.objects.using(schema_editor.connection.alias).annotate(chars=Length(name))
                    .filter(chars__gt=LIMIT).order_by("pk").values_list("pk", "chars"))
            found += [f"{model_name} #{pk}, {name}: {chars} ký tự" for pk, chars in rows]
    if found:
        raise RuntimeError(
            f"Chưa thể áp dụng giới hạn {LIMIT} ký tự cho văn bản báo cáo: {len(found)} ô đang dài hơn "
            "(không cắt bớt tự động). Hãy rút gọn các ô này (trong trang quản trị, hoặc đưa phần chi tiết "
            "vào tệp minh chứng) rồi chạy lại migrate:\n  " + "\n  ".join(found))


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0002_notices'),
    ]

    operations = [
        migrations.RunPython(refuse_texts_over_the_limit, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='contributionrequest',
            name='answer',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='nội dung đóng góp'),
        ),
        migrations.AlterField(
            model_name='contributionrequest',
            name='message',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='nội dung đề nghị'),
        ),
        migrations.AlterField(
            model_name='extension',
            name='decision_comment',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='ý kiến'),
        ),
        migrations.AlterField(
            model_name='extension',
            name='reason',
            field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='lý do'),
        ),
        migrations.AlterField(
            model_name='historicalcontributionrequest',
            name='answer',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='nội dung đóng góp'),
        ),
        migrations.AlterField(
            model_name='historicalcontributionrequest',
            name='message',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='nội dung đề nghị'),
        ),
        migrations.AlterField(
            model_name='historicalreport',
            name='difficulties',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='khó khăn, vướng mắc'),
        ),
        migrations.AlterField(
            model_name='historicalreport',
            name='outputs',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='sản phẩm đã có'),
        ),
        migrations.AlterField(
            model_name='historicalreport',
            name='proposals',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='đề xuất, kiến nghị'),
        ),
        migrations.AlterField(
            model_name='historicalreport',
            name='results',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='kết quả đạt được'),
        ),
        migrations.AlterField(
            model_name='historicalreport',
            name='review_comment',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='ý kiến thẩm định'),
        ),
        migrations.AlterField(
            model_name='provincereportsettings',
            name='recipients',
            field=models.TextField(default='{ministry} (để báo cáo);\nThường trực UBND tỉnh (để báo cáo);\nCác sở, ban, ngành, UBND cấp huyện;\nLưu: VT.', help_text='Mỗi dòng một nơi nhận; {ministry} là Bộ nhận báo cáo.', max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='nơi nhận'),
        ),
        migrations.AlterField(
            model_name='report',
            name='difficulties',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='khó khăn, vướng mắc'),
        ),
        migrations.AlterField(
            model_name='report',
            name='outputs',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='sản phẩm đã có'),
        ),
        migrations.AlterField(
            model_name='report',
            name='proposals',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='đề xuất, kiến nghị'),
        ),
        migrations.AlterField(
            model_name='report',
            name='results',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='kết quả đạt được'),
        ),
        migrations.AlterField(
            model_name='report',
            name='review_comment',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)], verbose_name='ý kiến thẩm định'),
        ),
        migrations.AlterField(
            model_name='reportevent',
            name='comment',
            field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)]),
        ),
        migrations.AddConstraint(
            model_name='contributionrequest',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('message'), 20000), name='contributionrequest_message_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='contributionrequest',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('answer'), 20000), name='contributionrequest_answer_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='extension',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('reason'), 20000), name='extension_reason_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='extension',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('decision_comment'), 20000), name='extension_decision_comment_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='provincereportsettings',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('recipients'), 20000), name='provincereportsettings_recipients_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('results'), 20000), name='report_results_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('outputs'), 20000), name='report_outputs_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('difficulties'), 20000), name='report_difficulties_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('proposals'), 20000), name='report_proposals_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('review_comment'), 20000), name='report_review_comment_max_chars'),
        ),
        migrations.AddConstraint(
            model_name='reportevent',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('comment'), 20000), name='reportevent_comment_max_chars'),
        ),
    ]
