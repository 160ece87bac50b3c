"""Uploaded workbooks waiting between the preview and the confirmation.

The file waits under MEDIA_ROOT/workbook-uploads with a random name, known only through the
uploader's session (one pending upload per agency and cycle in a session: a new upload replaces
the old one). Confirmation reads and checks it again, and it is deleted whatever happens; files of
previews never confirmed (closed tab, expired session) are removed after a session's life.
"""
from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings

SESSION_KEY = "workbook_uploads"
UPLOAD_DIR = "workbook-uploads"


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def waiting(session) -> dict:
    """token → {file, name, cycle, agency, fingerprint} for this session's pending uploads."""
    return session.get(SESSION_KEY, {})


def forget(session, token: str) -> None:
    pending = waiting(session)
    entry = pending.pop(token, None)
    if entry:
        (folder() / entry["file"]).unlink(missing_ok=True)
        session[SESSION_KEY] = pending


def keep(session, data: bytes, name: str, cycle, agency, fingerprint: str) -> str:
    for token, entry in list(waiting(session).items()):
        if entry["cycle"] == cycle.pk and entry["agency"] == agency.pk:
            forget(session, token)
    purge_stale()
    token = uuid.uuid4().hex
    target = folder() / f"{token}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    target.chmod(0o600)
    pending = waiting(session)
    pending[token] = {"file": target.name, "name": name, "cycle": cycle.pk, "agency": agency.pk,
                      "fingerprint": fingerprint}
    session[SESSION_KEY] = pending
    return token


def read(entry: dict) -> bytes:
    """The waiting file's bytes; OSError when it is gone."""
    return (folder() / entry["file"]).read_bytes()


def refingerprint(session, token: str, fingerprint: str) -> None:
    pending = waiting(session)
    pending[token]["fingerprint"] = fingerprint
    session[SESSION_KEY] = pending


def purge_stale() -> None:
    cutoff = time.time() - settings.SESSION_COOKIE_AGE
    for old in folder().glob("*.xlsx") if folder().is_dir() else ():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        except OSError:
            pass
