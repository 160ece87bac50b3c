"""Uploaded workbooks waiting between the preview and the confirmation.

The file waits in the file store (the local disk or the S3 bucket, whichever settings choose, so
that the confirmation may reach another web node than the preview did) under workbook-uploads/
with a random name, known only through the uploader's session (one pending upload per agency and
cycle in a session: a new upload replaces the old one). Confirmation reads and checks it again, and
it is deleted whatever happens; files of previews never confirmed (closed tab, expired session) are
removed after a session's life.
"""
from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from reporting.reports.files import STORAGE_ERRORS

SESSION_KEY = "workbook_uploads"
UPLOAD_DIR = "workbook-uploads"


def stored_name(token: str) -> str:
    return f"{UPLOAD_DIR}/{token}.xlsx"


def waiting(session) -> dict:
    """token → {file, name, cycle, agency, fingerprint} for this session's pending uploads."""
    return session.get(SESSION_KEY, {})


def _delete(name: str) -> None:
    try:
        default_storage.delete(name)
    except STORAGE_ERRORS:
        pass  # an orphan is removed later by purge_stale


def forget(session, token: str) -> None:
    pending = waiting(session)
    entry = pending.pop(token, None)
    if entry:
        _delete(f"{UPLOAD_DIR}/{entry['file']}")
        session[SESSION_KEY] = pending


def keep(session, data: bytes, name: str, cycle, agency, fingerprint: str) -> str:
    """Store the file and remember it in the session; raises one of STORAGE_ERRORS when the store
    does not take it (the session is then unchanged)."""
    for token, entry in list(waiting(session).items()):
        if entry["cycle"] == cycle.pk and entry["agency"] == agency.pk:
            forget(session, token)
    purge_stale()
    token = uuid.uuid4().hex
    saved = default_storage.save(stored_name(token), ContentFile(data))
    pending = waiting(session)
    pending[token] = {"file": saved.rsplit("/", 1)[-1], "name": name, "cycle": cycle.pk, "agency": agency.pk,
                      "fingerprint": fingerprint}
    session[SESSION_KEY] = pending
    return token


def read(entry: dict) -> bytes:
    """The waiting file's bytes; one of STORAGE_ERRORS when it is gone or the store does not answer."""
    with default_storage.open(f"{UPLOAD_DIR}/{entry['file']}", "rb") as handle:
        return handle.read()


def refingerprint(session, token: str, fingerprint: str) -> None:
    pending = waiting(session)
    pending[token]["fingerprint"] = fingerprint
    session[SESSION_KEY] = pending


def purge_stale() -> None:
    cutoff = timezone.now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    try:
        _, names = default_storage.listdir(UPLOAD_DIR)
    except STORAGE_ERRORS:
        return  # no folder yet, or the store is down: nothing to purge now
    for name in names:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if name.endswith(".xlsx") and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except STORAGE_ERRORS:
            pass
