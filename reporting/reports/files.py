"""Stored files as the portal meets them: on the local disk or in an S3 bucket (settings decide), and
what their failures mean to a user.

Every place that writes or reads a stored file catches `STORAGE_ERRORS` and tells the user either
"the file is gone" (`is_missing`) or "the file store is not answering, nothing was changed"
(`UNAVAILABLE`): never a 500, and never a database row that points at a file that was not written.
"""
from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from django.utils.translation import gettext_lazy

# OSError: the local disk (full, permissions, missing folder); boto's errors: the bucket's endpoint
# refused or timed out (BotoCoreError) or answered with an error (ClientError).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)

UNAVAILABLE = gettext_lazy("Kho lưu trữ tệp đang không phản hồi nên tệp chưa được lưu; dữ liệu khác không "
                           "thay đổi. Vui lòng thử lại sau ít phút.")
UNREADABLE = gettext_lazy("Kho lưu trữ tệp đang không phản hồi; chưa tải được tệp. Vui lòng thử lại sau ít phút.")


def is_missing(exc: BaseException) -> bool:
    """The store answered, and the file is not there (as opposed to the store being unreachable)."""
    if isinstance(exc, FileNotFoundError):
        return True
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound")
    return False


def open_for_download(storage, name: str):
    """The stored file, opened for streaming; raises Http404 when it is gone, StoreUnavailable when the
    store does not answer (the view then says so on the page it came from). With S3 the object is
    looked up here, so an unreachable store is found before the response starts (a download cut
    after its headers helps nobody)."""
    from django.http import Http404

    try:
        handle = storage.open(name, "rb")
        if hasattr(handle, "obj"):  # S3: make the GET now rather than inside the streaming response
            handle.obj.load()
    except STORAGE_ERRORS as exc:
        if is_missing(exc):
            raise Http404(gettext_lazy("Tệp không còn trên máy chủ.")) from exc
        raise StoreUnavailable(UNREADABLE) from exc
    return handle


class StoreUnavailable(Exception):
    """The file store did not answer a read."""
