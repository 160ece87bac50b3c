"""Every error of the API is JSON with a message: {"detail": "...", "status": 404}."""
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Không tìm thấy."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("Không có quyền."))
    elif isinstance(exc, exceptions.MethodNotAllowed):
        exc = exceptions.MethodNotAllowed(context["request"].method,
                                          detail=_("API chỉ cho đọc: không nhận phương thức %(m)s.") % {
                                              "m": context["request"].method})
    elif isinstance(exc, exceptions.Throttled):
        exc = exceptions.Throttled(exc.wait, detail=_("Quá nhiều yêu cầu; thử lại sau %(s)s giây.") % {"s": exc.wait})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    if detail is None:  # validation errors: field → messages
        response.data = {"detail": _("Yêu cầu không hợp lệ."), "errors": response.data, "status": response.status_code}
    else:
        response.data = {"detail": str(detail), "status": response.status_code}
    return response


def not_found(request, *args, **kwargs):
    """Any other address under /api/: JSON, like every answer of the API."""
    return JsonResponse({"detail": _("Không có địa chỉ này trong API."), "status": 404}, status=404,
                        json_dumps_params={"ensure_ascii": False})
