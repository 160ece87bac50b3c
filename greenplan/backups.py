"""Back up and restore everything the portal keeps: the database and the uploaded files.

One archive (.tar.gz) holds the database dump (pg_dump's custom format, or a copy of the SQLite
file), every stored file (read through the file store, so the local disk and an S3 bucket are backed
up and restored alike), and a manifest with a checksum of every file and the row count of every
table, which `restore` checks after restoring.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections


class BackupError(RuntimeError):
    pass


def _pg_env() -> tuple[list[str], dict]:
    """pg_dump/pg_restore's connection: the database's own server, never through a transaction pooler
    (their session settings would stay on a pooled connection and break the next client's queries)."""
    db = settings.DATABASES["default"]
    direct = getattr(settings, "DATABASE_DIRECT", {})
    if direct:
        db = {**db, **{key: direct.get(key) for key in ("HOST", "PORT", "USER", "PASSWORD")}}
    elif getattr(settings, "DATABASE_POOLING", "") == "transaction":
        raise BackupError("DATABASE_URL đi qua PgBouncer (DATABASE_POOLING=transaction): hãy đặt DATABASE_DIRECT_URL "
                          "trỏ thẳng tới PostgreSQL để sao lưu hoặc khôi phục.")
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in counts or model._meta.proxy or not model._meta.managed:
                continue
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _walk(storage, folder: str = ""):
    try:
        dirs, names = storage.listdir(folder)
    except FileNotFoundError:  # a disk store that has never held a file
        return
    for name in names:
        yield f"{folder}/{name}" if folder else name
    for sub in dirs:
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def media_files(storage=None) -> dict[str, str]:
    """name → SHA-256 of every stored file."""
    storage = storage or default_storage
    files = {}
    for name in sorted(_walk(storage)):
        digest = hashlib.sha256()
        with storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        files[name] = digest.hexdigest()
    return files


def backup(output: Path) -> dict:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "engine": settings.DATABASES["default"]["ENGINE"],
        "tables": table_counts(),
        "media": media_files(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / ("database.dump" if _is_postgres() else "database.sqlite3")
        if _is_postgres():
            args, env = _pg_env()
            result = subprocess.run(["pg_dump", *args, "-Fc", "--no-owner", "-f", str(dump),
                                     settings.DATABASES["default"]["NAME"]], env=env, capture_output=True, text=True)
            if result.returncode:
                raise BackupError(f"pg_dump thất bại: {result.stderr.strip()}")
        else:
            source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            target = sqlite3.connect(dump)
            with target:
                source.backup(target)  # a consistent copy even while the portal writes
            source.close()
            target.close()
        manifest["database_sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
        partial = output.with_suffix(output.suffix + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(dump, arcname=dump.name)
            for name in manifest["media"]:
                with default_storage.open(name, "rb") as handle:
                    info = tarfile.TarInfo(f"media/{name}")
                    info.size = default_storage.size(name)
                    tar.addfile(info, handle)
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        partial.replace(output)  # never leave a half-written archive under the final name
    return manifest


def _replace_files(folder: Path, wanted: dict[str, str]) -> None:
    """Make the store hold exactly the archive's files, under the same names."""
    for name in list(_walk(default_storage)):
        default_storage.delete(name)
    for name in wanted:
        with (folder / name).open("rb") as handle:
            saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"Không khôi phục được tệp {name} đúng tên (kho lưu trữ đặt tên {saved}).")


def restore(archive: Path) -> dict:
    archive = Path(archive)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        manifest = json.loads((Path(tmp) / "manifest.json").read_text())
        if manifest["engine"] != settings.DATABASES["default"]["ENGINE"]:
            raise BackupError(f"Bản sao lưu của {manifest['engine']}, không khôi phục được vào "
                              f"{settings.DATABASES['default']['ENGINE']}.")
        connections.close_all()
        if _is_postgres():
            args, env = _pg_env()
            result = subprocess.run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                     "-d", settings.DATABASES["default"]["NAME"], str(Path(tmp) / "database.dump")],
                                    env=env, capture_output=True, text=True)
            if result.returncode:
                raise BackupError(f"pg_restore thất bại: {result.stderr.strip()}")
        else:
            shutil.copyfile(Path(tmp) / "database.sqlite3", settings.DATABASES["default"]["NAME"])
        _replace_files(Path(tmp) / "media", manifest["media"])
    problems = []
    if table_counts() != manifest["tables"]:
        problems.append("số dòng các bảng không khớp với bản sao lưu")
    if media_files() != manifest["media"]:
        problems.append("tệp tải lên không khớp với bản sao lưu")
    if problems:
        raise BackupError("Khôi phục xong nhưng kiểm tra thất bại: " + "; ".join(problems))
    return manifest
