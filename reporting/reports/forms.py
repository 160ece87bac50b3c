"""Forms of the report pages. They only parse and validate what was typed; every change goes
through a function of reporting.reports.workflow."""
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from reporting.models import MONEY_MAX, TEXT_MAX_CHARS, Report
from reporting.reports.money import group_thousands
from reporting.reports.rendering import FORM_RENDERER

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]

# "1.234.567", "1 234 567" (also with the no-break spaces Word inserts) or "1234567",
# optionally followed by "đ" / "đồng" / "VNĐ".
_SEPARATED = re.compile(r"^\d{1,3}(?:([. \u00a0\u202f])\d{3})?(?:\1\d{3})*$")
_CURRENCY = re.compile(r"\s*(?:đồng|đ|vnđ|vnd)\.?$", re.IGNORECASE)


def check_amount(value: int) -> int:
    """The one money rule: an amount is a whole number of đồng from 0 to MONEY_MAX; `value` itself,
    or ValidationError saying why. The form, the workbook and the admin all come through here."""
    if value < 0:
        raise ValidationError(_("Số tiền không được âm."), code="negative")
    if value > MONEY_MAX:
        raise ValidationError(_("Số tiền %(value)s đ vượt mức tối đa %(max)s đ."), code="too_large",
                              params={"value": group_thousands(value), "max": group_thousands(MONEY_MAX)})
    return value


def parse_money(raw: str) -> int | None:
    """Vietnamese-style amount of đồng → int (check_amount's rule); None when empty;
    ValidationError otherwise."""
    text = _CURRENCY.sub("", (raw or "").strip()).strip()
    if not text:
        return None
    if len(text) > 40:
        raise ValidationError(_("Số tiền quá dài."), code="invalid")
    if text.startswith("-"):
        raise ValidationError(_("Số tiền không được âm."), code="negative")
    if text.isdecimal():  # not isdigit(): "²" is a digit that int() refuses
        return check_amount(int(text))
    if _SEPARATED.match(text):
        return check_amount(int(re.sub(r"\D", "", text)))
    raise ValidationError(
        _("“%(value)s” không phải số tiền hợp lệ: nhập số nguyên đồng, ví dụ 1.234.567."),
        code="invalid", params={"value": raw.strip()[:40]},
    )


def check_text_length(value: str, label) -> str:
    """The one length rule of free text: `value` itself when it fits in TEXT_MAX_CHARS, else a
    ValidationError naming the field (`label`), the text's length and the limit. Never cuts."""
    if value and len(value) > TEXT_MAX_CHARS:
        raise ValidationError(
            _("“%(field)s” dài %(length)s ký tự, quá giới hạn %(limit)s ký tự; hãy rút gọn (phần chi tiết có thể "
              "đưa vào tệp minh chứng)."),
            code="max_length",
            params={"field": label or _("Nội dung"), "length": group_thousands(len(value)),
                    "limit": group_thousands(TEXT_MAX_CHARS)})
    return value


class FreeTextField(forms.CharField):
    """Typed free text under the one limit (TEXT_MAX_CHARS); the admin uses it for every TextField.

    The textarea gets no maxlength attribute on purpose: a browser cuts a pasted text to it
    without a word. The server refuses a longer text instead, with a message saying so."""

    widget = forms.Textarea

    def __init__(self, *, max_length=None, **kwargs):  # the limit is TEXT_MAX_CHARS, whatever is passed
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        check_text_length(value, self.label)


class MoneyInput(forms.TextInput):
    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", "class": "money", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int):
            return group_thousands(value)
        return super().format_value(value)


class MoneyField(forms.CharField):
    """An amount typed Vietnamese-style, under the one money rule; the admin uses it for amounts too."""

    widget = MoneyInput

    def __init__(self, *, min_value=None, max_value=None, **kwargs):  # the admin passes the column's range: unused
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", "40")

    def to_python(self, value):
        return parse_money(super().to_python(value))

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class ReportForm(forms.Form):
    # The forms of the officer's pages (this one, the input request, the extension request) draw their
    # widgets without a template each: reporting.reports.rendering.
    default_renderer = FORM_RENDERER
    status = forms.ChoiceField(label=_("Tình hình thực hiện"), required=False, widget=forms.RadioSelect,
                               choices=Report.Status.choices)
    percent_complete = forms.IntegerField(label=_("Tỷ lệ hoàn thành (%)"), required=False, min_value=0, max_value=100,
                                          widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}))
    results = FreeTextField(label=_("Kết quả đạt được"), widget=forms.Textarea(attrs={"rows": 5}))
    outputs = FreeTextField(label=_("Sản phẩm đã có"), widget=forms.Textarea(attrs={"rows": 3}))
    difficulties = FreeTextField(label=_("Khó khăn, vướng mắc"), widget=forms.Textarea(attrs={"rows": 3}))
    proposals = FreeTextField(label=_("Đề xuất, kiến nghị"), widget=forms.Textarea(attrs={"rows": 3}))
    funds_central = MoneyField(label=_("Ngân sách trung ương (đồng)"))
    funds_local = MoneyField(label=_("Ngân sách địa phương (đồng)"))
    funds_oda = MoneyField(label=_("Vốn ODA (đồng)"))
    funds_other = MoneyField(label=_("Tư nhân, nguồn khác (đồng)"))
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    TEXT_FIELDS = ("results", "outputs", "difficulties", "proposals")
    FUNDS_FIELDS = ("funds_central", "funds_local", "funds_oda", "funds_other")

    def __init__(self, *args, report: Report, **kwargs):
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", self.initial_for(report))
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, report: Report) -> dict:
        initial = {name: getattr(report, name) for name in cls.declared_fields if name != "base_version"}
        initial["base_version"] = report.version
        return initial

    def report_data(self) -> dict:
        """What report_save receives: every editable field, typed."""
        return {name: value for name, value in self.cleaned_data.items() if name != "base_version"}


class CommentForm(forms.Form):
    comment = FreeTextField(label=_("Ý kiến"), widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = FreeTextField(label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Tệp minh chứng"))


class ContributionRequestForm(forms.Form):
    default_renderer = FORM_RENDERER
    agency = forms.ModelChoiceField(label=_("Cơ quan phối hợp"), queryset=None)
    due_on = forms.DateField(label=_("Hạn góp ý (dd/mm/yyyy)"), input_formats=DATE_INPUTS,
                             widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"))
    message = FreeTextField(label=_("Nội dung đề nghị"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies

    @classmethod
    def to_display(cls, askable: list) -> "ContributionRequestForm":
        """The empty form for the report page, its choices from the (agency, group) pairs the page
        has already loaded (no second query, no server-side cursor): named supporting agencies
        first, then each group's agencies under the group's own wording. A posted form validates
        against the agencies as a queryset (the view's contribution_request)."""
        form = cls(agencies=Agency.objects.filter(pk__in=[a.pk for a, _g in askable]))
        named = [(a.pk, str(a)) for a, g in askable if g is None]
        by_group: dict = {}
        for agency, group in askable:
            if group is not None:
                by_group.setdefault(group.name, []).append((agency.pk, str(agency)))
        choices = [("", form.fields["agency"].empty_label)]
        if not by_group:
            choices += named
        elif named:
            choices.append((_("Cơ quan phối hợp được nêu tên"), named))
        for group_name, members in by_group.items():
            choices.append((_("Thuộc “%(group)s”") % {"group": group_name}, members))
        form.fields["agency"].choices = choices
        return form


class ContributionAnswerForm(forms.Form):
    answer = FreeTextField(label=_("Nội dung đóng góp"), widget=forms.Textarea(attrs={"rows": 4}))


class ExtensionRequestForm(forms.Form):
    default_renderer = FORM_RENDERER
    target = forms.ChoiceField(label=_("Kỳ báo cáo và cơ quan"))
    # Optional: an agency may leave the date to the reviewer; when given, the grant form starts from it.
    proposed_due_on = forms.DateField(label=_("Đề nghị hạn mới (dd/mm/yyyy)"), input_formats=DATE_INPUTS, required=False,
                                      widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"},
                                                             format="%d/%m/%Y"))
    reason = FreeTextField(label=_("Lý do đề nghị gia hạn"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets, **kwargs):
        """`targets`: (cycle, agency) pairs the user may ask for."""
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(f"{c.pk}:{a.pk}", f"{c} – {a.name}") for c, a in targets]

    def target_ids(self) -> tuple[int, int]:
        cycle_id, agency_id = self.cleaned_data["target"].split(":")
        return int(cycle_id), int(agency_id)


class ExtensionGrantForm(forms.Form):
    new_due_on = forms.DateField(label=_("Hạn mới (dd/mm/yyyy)"), input_formats=DATE_INPUTS,
                                 widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"))
    comment = FreeTextField(label=_("Ý kiến"), widget=forms.TextInput)


class QueueFilterForm(forms.Form):
    cycle = forms.ChoiceField(label=_("Kế hoạch / kỳ báo cáo"), required=False)
    theme = forms.ChoiceField(label=_("Chủ đề"), required=False)
    agency = forms.ChoiceField(label=_("Cơ quan"), required=False)
    state = forms.ChoiceField(label=_("Trạng thái"), required=False,
                              choices=[("", _("Tất cả"))] + list(Report.State.choices))

    def __init__(self, *args, cycles, themes, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [(str(c.pk), f"{c.plan.number} · {c.get_kind_display()} {c.year}") for c in cycles]
        self.fields["theme"].choices = [("", _("Tất cả"))] + [(t.code, f"{t.code}. {t.title[:60]}") for t in themes]
        self.fields["agency"].choices = [("", _("Tất cả"))] + [(str(a.pk), a.name) for a in agencies]
