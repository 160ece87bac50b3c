"""The plan's structure: plans, and their items (theme → task group → activity → sub-activity).

All four levels live in one table, `PlanItem`, because they share every field that matters
(code, text, lead agency, timeline, review flags) and reports attach to any of them.
"""
import functools

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Jurisdiction
from agencies.text import fold, nfc

from .codes import CODE_PATTERN, code_sort_key


@functools.lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


def fold_words(text: str) -> str:
    """`fold(text)`, folded a word at a time: the same result, because folding never joins or
    splits words (no character folds to or from whitespace, and lower-casing looks no further
    than the word). A plan is written with a few thousand distinct Vietnamese syllables, so
    each is folded once rather than every time it appears: the search text of a 10,000-item
    import costs a quarter of the time."""
    return " ".join(f for f in map(_fold_word, text.split()) if f)


class PlanQuerySet(models.QuerySet):
    def for_user(self, user):
        """Plans the user may see: admins all; everyone else the plans of the jurisdictions
        they work in or hold a role for (including jurisdictions merged into those)."""
        from agencies.access import scope_for

        scope = scope_for(user)
        if scope.is_admin:
            return self
        return self.filter(jurisdiction_id__in=scope.jurisdiction_ids)


class Plan(models.Model):
    code = models.SlugField(_("mã kế hoạch"), max_length=60, unique=True,
                            help_text=_("Mã ngắn dùng trong lệnh và đường dẫn, ví dụ bd-396."))
    number = models.CharField(_("số hiệu"), max_length=60, help_text=_("Như văn bản ghi, ví dụ 396/KH-UBND."))
    title = models.TextField(_("tên kế hoạch"))
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("tỉnh/thành phố"), on_delete=models.PROTECT,
                                     related_name="plans")
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    period_start = models.PositiveSmallIntegerField(_("từ năm"))
    period_end = models.PositiveSmallIntegerField(_("đến năm"))
    report_deadline_day = models.PositiveSmallIntegerField(_("hạn báo cáo: ngày"), default=30)
    report_deadline_month = models.PositiveSmallIntegerField(_("hạn báo cáo: tháng"), default=11)
    ministry_deadline_day = models.PositiveSmallIntegerField(_("hạn báo cáo Bộ: ngày"), default=10)
    ministry_deadline_month = models.PositiveSmallIntegerField(_("hạn báo cáo Bộ: tháng"), default=12)
    midterm_year = models.PositiveSmallIntegerField(_("năm sơ kết giữa kỳ"), null=True, blank=True)
    ministry_name = models.CharField(_("cơ quan nhận báo cáo (Bộ)"), max_length=255,
                                     default="Bộ Tài chính")
    focal_agency = models.ForeignKey(Agency, verbose_name=_("cơ quan đầu mối"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="focal_for_plans")
    public_enabled = models.BooleanField(_("công khai trang tổng hợp"), default=False)
    needs_review = models.BooleanField(_("cần rà soát"), default=False)
    review_reasons = models.JSONField(_("lý do cần rà soát"), default=list, blank=True)
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    history = HistoricalRecords()

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-period_start", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="plan_period_ordered"),
            models.CheckConstraint(condition=Q(period_start__gte=1900, period_end__lte=2200), name="plan_period_sane"),
            models.CheckConstraint(
                condition=Q(report_deadline_month__gte=1, report_deadline_month__lte=12,
                            report_deadline_day__gte=1, report_deadline_day__lte=31,
                            ministry_deadline_month__gte=1, ministry_deadline_month__lte=12,
                            ministry_deadline_day__gte=1, ministry_deadline_day__lte=31),
                name="plan_deadlines_valid",
            ),
        ]

    def __str__(self):
        return f"{self.number} – {self.short_title}"

    @property
    def short_title(self) -> str:
        return self.title if len(self.title) <= 90 else self.title[:87] + "…"

    @property
    def years(self) -> range:
        return range(self.period_start, self.period_end + 1)

    @property
    def territory(self) -> Jurisdiction:
        """The province the plan was issued for; it stays so after that province merges away."""
        return self.jurisdiction

    def carried_by(self, on=None) -> Jurisdiction:
        """The jurisdiction that carries the plan on `on` (today when None): the territory, or
        the jurisdiction it merged into by then (Bình Dương's plan 396 → Hồ Chí Minh City from
        1 July 2025)."""
        return self.jurisdiction.current(on)

    def is_legacy(self, on=None) -> bool:
        return self.carried_by(on).pk != self.jurisdiction_id

    def display_name(self, on=None) -> str:
        """“Kế hoạch 396/KH-UBND của UBND tỉnh Bình Dương (cũ)” once the province has merged away."""
        territory = self.jurisdiction
        kind = "tỉnh" if territory.kind == Jurisdiction.Kind.PROVINCE else "thành phố"
        name = f"Kế hoạch {self.number} của UBND {kind} {territory.name}"
        return f"{name} (cũ)" if self.is_legacy(on) else name


class PlanItemQuerySet(models.QuerySet):
    def active_in(self, year: int):
        """Items whose timeline covers `year`; items with no timeline count every year."""
        return self.filter(
            (Q(start_year__isnull=True) | Q(start_year__lte=year)) & (Q(end_year__isnull=True) | Q(end_year__gte=year))
        )

    def current(self):
        return self.filter(retired_at__isnull=True)

    def search(self, query: str):
        """Diacritic- and case-insensitive phrase search over the item's code and text and its
        lead and supporting agencies' names: "so ke hoach" finds "Sở Kế hoạch"."""
        phrase = fold(query)
        if not phrase:
            return self
        matches = self.filter(
            Q(search_text__contains=phrase) | Q(lead_agency__search_text__contains=phrase)
            | Q(supporting_agencies__search_text__contains=phrase)
        ).values("pk")
        return self.filter(pk__in=matches)


def shown_title(title: str) -> str:
    """What a page, e-mail or report shows for an item's title: its own, or, for an item whose row the
    scan lost (known only from the plan's summary), a sentence saying so rather than a made-up name."""
    return title or gettext("(Chưa có tên mục: bản quét kế hoạch bị thiếu dòng này)")


class PlanItem(models.Model):
    class Level(models.TextChoices):
        THEME = "theme", _("Chủ đề")
        GROUP = "group", _("Nhóm nhiệm vụ")
        ACTIVITY = "activity", _("Nhiệm vụ, hoạt động")
        SUBACTIVITY = "subactivity", _("Hoạt động con")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    # Deleting a parent deletes its subtree; reports protect the items they point at.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    level = models.CharField(_("cấp"), max_length=12, choices=Level.choices)
    code = models.CharField(_("mã"), max_length=40)
    printed_code = models.CharField(_("mã in trong văn bản"), max_length=40, blank=True)
    sort_key = models.CharField(max_length=120, editable=False, db_index=True)
    # Blank only where the scan lost the item's row (flagged for review); pages show shown_title().
    title = models.TextField(_("tên"), blank=True)
    text = models.TextField(_("nội dung đầy đủ"), blank=True)
    high_priority = models.BooleanField(_("ưu tiên cao"), default=False)
    group_tags = models.JSONField(_("nhóm"), default=list, blank=True)
    start_year = models.PositiveSmallIntegerField(_("năm bắt đầu"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("năm kết thúc"), null=True, blank=True)
    lead_agency = models.ForeignKey(Agency, verbose_name=_("cơ quan chủ trì"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="led_items")
    supporting_agencies = models.ManyToManyField(Agency, verbose_name=_("cơ quan phối hợp"), blank=True,
                                                 related_name="supported_items")
    expected_outputs = models.TextField(_("sản phẩm dự kiến"), blank=True)
    needs_review = models.BooleanField(_("cần rà soát"), default=False)
    review_reasons = models.JSONField(_("lý do cần rà soát"), default=list, blank=True)
    source_file = models.CharField(_("tệp nguồn"), max_length=255, blank=True)
    source_line = models.PositiveIntegerField(_("dòng/hàng nguồn"), null=True, blank=True)
    retired_at = models.DateTimeField(_("ngừng theo dõi từ"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    history = HistoricalRecords(excluded_fields=["search_text", "sort_key"])

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("mục kế hoạch")
        verbose_name_plural = _("mục kế hoạch")
        ordering = ["plan", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_item_code_unique_in_plan"),
            models.CheckConstraint(condition=Q(code__regex=CODE_PATTERN), name="plan_item_code_normal_form"),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True) | Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="plan_item_timeline_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(start_year__isnull=True) | Q(start_year__gte=1900, start_year__lte=2200))
                & (Q(end_year__isnull=True) | Q(end_year__gte=1900, end_year__lte=2200)),
                name="plan_item_years_four_digits",
            ),
            models.CheckConstraint(
                condition=Q(level__in=["theme", "group", "activity", "subactivity"]), name="plan_item_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(level="theme", parent__isnull=True) | (~Q(level="theme") & Q(parent__isnull=False)),
                name="plan_item_only_themes_are_roots",
            ),
        ]
        indexes = [models.Index(fields=["plan", "level"]), models.Index(fields=["lead_agency"])]

    def __str__(self):
        return f"{self.code} {self.shown_title[:80]}"

    @property
    def shown_title(self) -> str:
        return shown_title(self.title)

    def save(self, *args, **kwargs):
        self.prepare()
        super().save(*args, **kwargs)

    def prepare(self) -> None:
        """Derived columns; called by save() and before bulk writes, which skip save()."""
        self.title = nfc(self.title).strip()
        self.text = nfc(self.text).strip()
        self.sort_key = code_sort_key(self.code)
        self.search_text = fold_words(" ".join([self.code, self.title, self.text, self.expected_outputs]))

    @property
    def effective_start_year(self):
        """A sub-activity without its own timeline shows its parent's."""
        if self.start_year is None and self.parent_id and self.level == self.Level.SUBACTIVITY:
            return self.parent.start_year
        return self.start_year

    @property
    def effective_end_year(self):
        if self.end_year is None and self.parent_id and self.level == self.Level.SUBACTIVITY:
            return self.parent.end_year
        return self.end_year

    @property
    def reasons(self) -> list[dict]:
        return self.review_reasons or []


class PlanSupersession(models.Model):
    """From `effective_on`, `new_plan` replaces `old_plan`: each old activity either continues as
    an item of the new plan or has ended (`ActivityMapping`). Reports follow the mapping from the
    year it takes effect, as they follow an agency's successor (agencies.lineage)."""

    old_plan = models.OneToOneField(Plan, verbose_name=_("kế hoạch cũ"), on_delete=models.CASCADE,
                                    related_name="supersession")
    new_plan = models.ForeignKey(Plan, verbose_name=_("kế hoạch thay thế"), on_delete=models.PROTECT,
                                 related_name="supersedes")
    effective_on = models.DateField(_("hiệu lực từ"))
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế hoạch được thay thế")
        verbose_name_plural = _("kế hoạch được thay thế")
        constraints = [models.CheckConstraint(condition=~Q(old_plan=F("new_plan")), name="supersession_not_self")]

    def __str__(self):
        return f"{self.old_plan.number} → {self.new_plan.number} ({self.effective_on:%d/%m/%Y})"


class ActivityMapping(models.Model):
    """One old item of a superseded plan: the new plan's item that carries it on, or none (ended)."""

    supersession = models.ForeignKey(PlanSupersession, on_delete=models.CASCADE, related_name="mappings")
    old_item = models.OneToOneField(PlanItem, on_delete=models.CASCADE, related_name="mapped_to")
    new_item = models.ForeignKey(PlanItem, null=True, blank=True, on_delete=models.PROTECT, related_name="mapped_from",
                                 help_text=_("Để trống: hoạt động kết thúc, không còn phải báo cáo."))

    class Meta:
        verbose_name = _("chuyển tiếp hoạt động")
        verbose_name_plural = _("chuyển tiếp hoạt động")

    def __str__(self):
        target = self.new_item.code if self.new_item_id else "kết thúc"
        return f"{self.old_item.code} → {target}"


class SplitDecision(models.Model):
    """Where a lead agency was split, the admin's choice of successor for one item."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="split_decisions")
    predecessor = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    successor = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lựa chọn cơ quan kế thừa")
        verbose_name_plural = _("lựa chọn cơ quan kế thừa")
        constraints = [models.UniqueConstraint(fields=["item", "predecessor"], name="split_decision_unique")]


class ImportLog(models.Model):
    """One entry per import attempt, successful or not: the import report an admin reads."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Đã áp dụng")
        DRY_RUN = "dry_run", _("Chạy thử")
        FAILED = "failed", _("Thất bại")
        UNCHANGED = "unchanged", _("Không thay đổi")

    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_logs")
    source_file = models.CharField(_("tệp"), max_length=255)
    source_kind = models.CharField(_("loại tệp"), max_length=20)
    status = models.CharField(_("kết quả"), max_length=12, choices=Status.choices)
    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    counts = models.JSONField(_("số lượng"), default=dict, blank=True)
    report = models.TextField(_("báo cáo nhập"), blank=True)
    details = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("nhật ký nhập dữ liệu")
        verbose_name_plural = _("nhật ký nhập dữ liệu")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.source_file} – {self.get_status_display()} – {self.started_at:%d/%m/%Y %H:%M}"
