"""make backup / make restore: back up, wipe, restore, and find every row and file identical."""
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from greenplan.backups import media_files
from reporting.models import Attachment
from tasks.importers.load import import_appendix

pytestmark = [pytest.mark.services]
DOCUMENT = Path(settings.BASE_DIR) / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"


def _row_checksums() -> dict[str, str]:
    sums = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in sums or model._meta.proxy:
                continue
            cursor.execute(f'SELECT count(*), md5(coalesce(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) FROM "{table}" t')
            sums[table] = cursor.fetchone()
    return sums


def _wipe():
    with connection.cursor() as cursor:
        tables = [m._meta.db_table for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in set(tables)) + " CASCADE")
    for name in media_files():
        default_storage.delete(name)


@pytest.mark.parametrize("store", ["disk", "s3"])
def test_backup_wipe_restore_gives_back_every_row_and_file(postgres_required, transactional_db, world, tmp_path,
                                                           store, request):
    if store == "s3":
        request.getfixturevalue("s3_storage")  # the files part goes through the bucket
    import_appendix(DOCUMENT)
    report = world.report_of(world.agency_a)
    attachment = Attachment(report=report, original_name="biên bản.pdf", content_type="application/pdf", size=9,
                            uploaded_by=world.officer_a)
    attachment.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    rows, files = _row_checksums(), media_files()
    assert sum(count for count, _ in rows.values()) > 500 and files

    archive = tmp_path / "greenplan.tar.gz"
    call_command("backup", "-o", str(archive))
    _wipe()
    assert _row_checksums() != rows and not media_files()

    call_command("restore", str(archive), "--yes")
    assert _row_checksums() == rows
    assert media_files() == files


def test_make_backup_and_restore_call_these_commands():
    text = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "manage.py backup" in text and "manage.py restore --yes" in text


def test_behind_a_transaction_pooler_backups_need_the_direct_address(settings):
    """pg_restore sets an empty search_path for its session; through PgBouncer in transaction pooling
    that setting stays on a pooled server connection and breaks the next client's queries."""
    from greenplan.backups import BackupError, _pg_env

    settings.DATABASE_POOLING, settings.DATABASE_DIRECT = "transaction", {}
    with pytest.raises(BackupError, match="DATABASE_DIRECT_URL"):
        _pg_env()
    settings.DATABASE_DIRECT = {"HOST": "db.internal", "PORT": 5433, "USER": "owner", "PASSWORD": "pw"}
    args, env = _pg_env()
    assert args == ["-h", "db.internal", "-p", "5433", "-U", "owner"] and env["PGPASSWORD"] == "pw"
