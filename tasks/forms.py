from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.text import sort_key


class PlanFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: so ke hoach, dau tu…"), "type": "search"}))
    theme = forms.ChoiceField(label=_("Chủ đề"), required=False)
    agency = forms.TypedChoiceField(label=_("Cơ quan"), required=False, coerce=int, empty_value=None)
    role = forms.ChoiceField(
        label=_("Vai trò"), required=False,
        choices=[("any", _("Chủ trì hoặc phối hợp")), ("lead", _("Chủ trì")), ("support", _("Phối hợp"))],
    )
    priority = forms.ChoiceField(label=_("Ưu tiên"), required=False,
                                 choices=[("", _("Tất cả")), ("high", _("Cao")), ("normal", _("Bình thường"))])
    year = forms.TypedChoiceField(label=_("Năm thực hiện"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, plan, themes, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("Tất cả chủ đề"))] + [(t.code, f"{t.code}. {t.title[:70]}") for t in themes]
        ordered = sorted(agencies, key=lambda a: sort_key(a.name))
        self.fields["agency"].choices = [("", _("Tất cả cơ quan"))] + [(a.pk, a.name) for a in ordered]
        self.fields["year"].choices = [("", _("Mọi năm"))] + [(y, str(y)) for y in plan.years]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "theme": data.get("theme") or "",
            "agency": data.get("agency"),
            "role": data.get("role") or "any",
            "priority": data.get("priority") or "",
            "year": data.get("year"),
        }
