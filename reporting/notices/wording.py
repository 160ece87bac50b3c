"""What a notice says: its headline (the e-mail's subject, the in-app title) and its summary (the
e-mail's opening paragraph, the in-app text), in the active language.

One wording for both channels. E-mails go out in Vietnamese (delivery.render overrides the
language: one message reaches every officer of an agency); the notification list says the same
again in the reader's language, from the facts the notice was sent with, so an officer who chose
English reads English there rather than the Vietnamese stored at sending time.
"""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _, ngettext

from tasks.templatetags.plan_codes import shown_code_text, shown_title


def _d(value) -> str:
    if isinstance(value, str) and value:
        value = dt.date.fromisoformat(value)
    return value.strftime("%d/%m/%Y") if value else ""


def cycle_label(ctx: dict) -> str:
    """"năm 2026", "sơ kết giữa kỳ năm 2025": read after "báo cáo". Notices sent before the cycle's
    kind and year were kept carry only the Vietnamese label."""
    kind, year = ctx.get("cycle_kind"), ctx.get("cycle_year")
    if kind is None or year is None:
        return ctx.get("cycle_label", "")
    labels = {"annual": _("năm %(year)s"), "midterm": _("sơ kết giữa kỳ năm %(year)s"),
              "final": _("tổng kết năm %(year)s")}
    return labels.get(kind, "%(year)s") % {"year": year}


def _facts(ctx: dict) -> dict:
    items = ctx.get("items") or []
    return {"cycle": cycle_label(ctx), "plan": ctx.get("plan_number", ""), "n": len(items),
            "code": shown_code_text(ctx.get("code", "")), "title": shown_title(ctx.get("title", "")),
            "agency": ctx.get("agency", ""), "lead": ctx.get("lead", ""), "days": ctx.get("days_left"),
            "late": ctx.get("days_late"), "deadline": _d(ctx.get("deadline")), "due_on": _d(ctx.get("due_on")),
            "new_due_on": _d(ctx.get("new_due_on")), "today": _d(ctx.get("today")),
            "ministry": ctx.get("ministry_name", ""), "ministry_due_on": _d(ctx.get("ministry_due_on")),
            "agencies": len(ctx.get("agencies") or []), "reviewer": ctx.get("reviewer", ""),
            "requested_by": ctx.get("requested_by", ""), "decided_by": ctx.get("decided_by", "")}


def headline(kind: str, ctx: dict) -> str:
    f = _facts(ctx)
    if kind == "due":
        if f["days"] == 0:
            return ngettext("Hôm nay hết hạn nộp báo cáo %(cycle)s (%(plan)s): còn %(n)s báo cáo chưa gửi",
                            "Hôm nay hết hạn nộp báo cáo %(cycle)s (%(plan)s): còn %(n)s báo cáo chưa gửi", f["n"]) % f
        return ngettext("Còn %(days)s ngày đến hạn nộp báo cáo %(cycle)s (%(plan)s): còn %(n)s báo cáo chưa gửi",
                        "Còn %(days)s ngày đến hạn nộp báo cáo %(cycle)s (%(plan)s): còn %(n)s báo cáo chưa gửi",
                        f["n"]) % f
    if kind == "overdue":
        return ngettext("Quá hạn %(late)s ngày: còn %(n)s báo cáo %(cycle)s (%(plan)s) chưa gửi",
                        "Quá hạn %(late)s ngày: còn %(n)s báo cáo %(cycle)s (%(plan)s) chưa gửi", f["n"]) % f
    if kind == "digest":
        return ngettext("Tổng hợp ngày %(today)s: %(agencies)s cơ quan chưa gửi đủ báo cáo %(cycle)s (%(plan)s)",
                        "Tổng hợp ngày %(today)s: %(agencies)s cơ quan chưa gửi đủ báo cáo %(cycle)s (%(plan)s)",
                        f["agencies"]) % f
    if kind == "ministry":
        return _("Còn %(days)s ngày đến hạn gửi báo cáo %(cycle)s (%(plan)s) về %(ministry)s (%(ministry_due_on)s)") % f
    if kind == "returned":
        return _("Báo cáo %(code)s bị trả lại để sửa (báo cáo %(cycle)s, %(plan)s)") % f
    if kind == "accepted":
        return _("Báo cáo %(code)s đã được chấp nhận (báo cáo %(cycle)s, %(plan)s)") % f
    if kind == "contribution":
        if f["days"] == 0:
            return ngettext("Nhắc góp ý phối hợp: hạn %(due_on)s (hôm nay), %(n)s đề nghị chưa trả lời",
                            "Nhắc góp ý phối hợp: hạn %(due_on)s (hôm nay), %(n)s đề nghị chưa trả lời", f["n"]) % f
        return ngettext("Nhắc góp ý phối hợp: hạn %(due_on)s (còn %(days)s ngày), %(n)s đề nghị chưa trả lời",
                        "Nhắc góp ý phối hợp: hạn %(due_on)s (còn %(days)s ngày), %(n)s đề nghị chưa trả lời",
                        f["n"]) % f
    if kind == "input":
        return _("Đề nghị phối hợp: %(lead)s đề nghị góp ý cho báo cáo %(code)s, hạn %(due_on)s") % f
    if kind == "ext_request":
        return _("%(agency)s đề nghị gia hạn báo cáo %(cycle)s (%(plan)s)") % f
    if kind == "ext_decision":
        if ctx.get("granted"):
            return _("Đã gia hạn báo cáo %(cycle)s đến %(new_due_on)s (%(plan)s)") % f
        return _("Đề nghị gia hạn báo cáo %(cycle)s không được chấp thuận (%(plan)s)") % f
    raise ValueError(f"unknown notice kind {kind!r}")


def summary(kind: str, ctx: dict) -> str:
    f = _facts(ctx)
    if kind == "due":
        if f["days"] == 0:
            text = _("Hôm nay, %(deadline)s, là hạn cuối nộp báo cáo %(cycle)s theo Kế hoạch %(plan)s") % f
        else:
            text = _("Còn %(days)s ngày đến hạn (%(deadline)s) nộp báo cáo %(cycle)s theo Kế hoạch %(plan)s") % f
        if ctx.get("extended"):
            text += _(" (hạn đã được gia hạn)")
        return text + ". " + ngettext("Cơ quan còn %(n)s báo cáo chưa gửi.", "Cơ quan còn %(n)s báo cáo chưa gửi.",
                                      f["n"]) % f
    if kind == "overdue":
        text = (_("Báo cáo %(cycle)s theo Kế hoạch %(plan)s đã quá hạn %(late)s ngày (hạn nộp %(deadline)s, đã gia hạn).")
                if ctx.get("extended") else
                _("Báo cáo %(cycle)s theo Kế hoạch %(plan)s đã quá hạn %(late)s ngày (hạn nộp %(deadline)s).")) % f
        return text + " " + ngettext("Cơ quan còn %(n)s báo cáo chưa gửi.", "Cơ quan còn %(n)s báo cáo chưa gửi.",
                                     f["n"]) % f
    if kind == "digest":
        days = f["days"] or 0
        when = (_("còn %(days)s ngày") % f if days > 0 else _("hôm nay") if days == 0
                else _("đã quá %(over)s ngày") % {"over": -days})
        return ngettext("Báo cáo %(cycle)s theo Kế hoạch %(plan)s: hạn chung %(deadline)s (%(when)s). Đến ngày "
                        "%(today)s, %(agencies)s cơ quan chưa gửi đủ báo cáo:",
                        "Báo cáo %(cycle)s theo Kế hoạch %(plan)s: hạn chung %(deadline)s (%(when)s). Đến ngày "
                        "%(today)s, %(agencies)s cơ quan chưa gửi đủ báo cáo:", f["agencies"]) % {**f, "when": when}
    if kind == "ministry":
        return _("Còn %(days)s ngày đến hạn gửi báo cáo %(cycle)s của tỉnh theo Kế hoạch %(plan)s về %(ministry)s "
                 "(hạn %(ministry_due_on)s).") % f
    if kind == "returned":
        return (_("Báo cáo %(code)s %(title)s (báo cáo %(cycle)s, Kế hoạch %(plan)s) đã bị trả lại để sửa bởi "
                  "%(reviewer)s.") if f["reviewer"] else
                _("Báo cáo %(code)s %(title)s (báo cáo %(cycle)s, Kế hoạch %(plan)s) đã bị trả lại để sửa.")) % f
    if kind == "accepted":
        return (_("Báo cáo %(code)s %(title)s (báo cáo %(cycle)s, Kế hoạch %(plan)s) đã được chấp nhận bởi "
                  "%(reviewer)s và đã khóa.") if f["reviewer"] else
                _("Báo cáo %(code)s %(title)s (báo cáo %(cycle)s, Kế hoạch %(plan)s) đã được chấp nhận và đã khóa.")) % f
    if kind == "contribution":
        when = _("hôm nay") if f["days"] == 0 else _("còn %(days)s ngày") % f
        return ngettext("Cơ quan còn %(n)s đề nghị phối hợp chưa trả lời, hạn góp ý %(due_on)s (%(when)s), cho báo "
                        "cáo %(cycle)s theo Kế hoạch %(plan)s:",
                        "Cơ quan còn %(n)s đề nghị phối hợp chưa trả lời, hạn góp ý %(due_on)s (%(when)s), cho báo "
                        "cáo %(cycle)s theo Kế hoạch %(plan)s:", f["n"]) % {**f, "when": when}
    if kind == "input":
        return _("%(lead)s đề nghị cơ quan góp ý cho báo cáo %(code)s %(title)s (báo cáo %(cycle)s, Kế hoạch "
                 "%(plan)s), hạn góp ý %(due_on)s.") % f
    if kind == "ext_request":
        return (_("%(agency)s đề nghị gia hạn nộp báo cáo %(cycle)s theo Kế hoạch %(plan)s (hạn chung %(deadline)s), "
                  "do %(requested_by)s gửi.") if f["requested_by"] else
                _("%(agency)s đề nghị gia hạn nộp báo cáo %(cycle)s theo Kế hoạch %(plan)s (hạn chung "
                  "%(deadline)s).")) % f
    if kind == "ext_decision":
        if ctx.get("granted"):
            text = _("Đề nghị gia hạn của cơ quan đã được chấp thuận: hạn nộp báo cáo %(cycle)s theo Kế hoạch "
                     "%(plan)s nay là %(new_due_on)s") % f
        else:
            text = _("Đề nghị gia hạn của cơ quan không được chấp thuận: hạn nộp báo cáo %(cycle)s theo Kế hoạch "
                     "%(plan)s vẫn là %(deadline)s") % f
        if f["decided_by"]:
            text += _(" (quyết định của %(decided_by)s)") % f
        return text + "."
    raise ValueError(f"unknown notice kind {kind!r}")
