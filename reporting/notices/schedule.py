"""The beat schedule: declared here and nowhere else, written into django-celery-beat's tables by
`sync_beat_schedule()` after every `migrate` (reporting/apps.py), so a deployment always runs
exactly this schedule. Edit the schedule here, not in the admin: the next migrate puts it back."""
from django.db import DEFAULT_DB_ALIAS, connections

PREFIX = "greenplan: "
TIME_ZONE = "Asia/Ho_Chi_Minh"

SCHEDULE = {
    PREFIX + "nhắc hạn báo cáo (08:00 hằng ngày)": {
        "task": "reporting.jobs.send_reminders",
        "crontab": {"minute": "0", "hour": "8", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
        "description": "Lập và gửi các thư nhắc hạn trong ngày (reporting/reminders.py).",
    },
    PREFIX + "gửi thư tồn (mỗi phút)": {
        "task": "reporting.jobs.flush_outbox",
        "every_seconds": 60,
        "description": "Gửi các thông báo còn nằm trong hộp thư đi (hàng đợi lỗi, thử lại, worker bị dừng).",
    },
    PREFIX + "tạo lại báo cáo tỉnh bị dừng (mỗi 20 giây)": {
        "task": "reporting.resume_stalled_province_reports",
        "every_seconds": 20,
        "description": "Đưa lại vào hàng đợi các lượt tạo báo cáo tỉnh mà worker đã dừng giữa chừng "
                       "(reporting/province/jobs.py).",
    },
}


def sync_beat_schedule(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Create or update every declared periodic task; remove ours that are no longer declared."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    if PeriodicTask._meta.db_table not in connections[using].introspection.table_names():
        return []  # django_celery_beat not migrated (yet) in this database
    names = []
    for name, spec in SCHEDULE.items():
        fields = {"task": spec["task"], "description": spec["description"], "enabled": True,
                  "crontab": None, "interval": None}
        if "crontab" in spec:
            fields["crontab"], _ = CrontabSchedule.objects.using(using).get_or_create(
                timezone=TIME_ZONE, **spec["crontab"])
        else:
            fields["interval"], _ = IntervalSchedule.objects.using(using).get_or_create(
                every=spec["every_seconds"], period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.using(using).update_or_create(name=name, defaults=fields)
        names.append(name)
    PeriodicTask.objects.using(using).filter(name__startswith=PREFIX).exclude(name__in=names).delete()
    return names
