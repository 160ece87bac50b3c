"""Jurisdictions, agencies, their aliases and lineage, and who belongs where.

An agency knows nothing of plans: the plan's structure points at agencies, never the reverse.
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .text import fold, nfc


class Jurisdiction(models.Model):
    """A province or centrally-run city. Its own lineage: Bình Dương merged into Hồ Chí Minh
    City on 1 July 2025, and its plans stay visible under the successor."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh")
        CITY = "city", _("Thành phố trực thuộc trung ương")

    name = models.CharField(_("tên"), max_length=120, unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.PROVINCE)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("sáp nhập vào"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="merged_from",
    )
    merged_on = models.DateField(_("ngày sáp nhập"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tỉnh/thành phố")
        verbose_name_plural = _("tỉnh/thành phố")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=F("id")), name="jurisdiction_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(merged_on__isnull=False),
                name="jurisdiction_merge_has_date",
            ),
        ]

    def __str__(self):
        label = _("Tỉnh %(name)s") if self.kind == self.Kind.PROVINCE else _("Thành phố %(name)s")
        return label % {"name": self.name}

    def current(self, on=None) -> "Jurisdiction":
        """The jurisdiction that answers for this one on `on` (today when None): itself, or the
        one it merged into by that date, transitively."""
        on = on or timezone.localdate()
        current, seen = self, {self.pk}
        while current.merged_into_id and current.merged_on and current.merged_on <= on:
            nxt = current.merged_into
            if nxt.pk in seen:
                break
            seen.add(nxt.pk)
            current = nxt
        return current

    def covered_ids(self) -> set[int]:
        """This jurisdiction and every one merged into it, transitively: a reviewer of Hồ Chí
        Minh City covers Bình Dương's legacy plans."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(
                Jurisdiction.objects.filter(merged_into_id__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Agency(models.Model):
    """A department, People's Committee, branch or generic group of a jurisdiction."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Sở, ban, ngành")
        PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
        BANK = "bank", _("Chi nhánh ngân hàng")
        POLICE = "police", _("Công an")
        MILITARY = "military", _("Bộ Chỉ huy quân sự")
        OFFICE = "office", _("Văn phòng")
        ASSOCIATION = "association", _("Hội, đoàn thể")
        GROUP = "group", _("Nhóm cơ quan")
        OTHER = "other", _("Khác")

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("tỉnh/thành phố"), on_delete=models.PROTECT, related_name="agencies"
    )
    name = models.CharField(_("tên chính thức"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=60, blank=True)
    kind = models.CharField(_("loại"), max_length=24, choices=Kind.choices, default=Kind.DEPARTMENT)
    is_group = models.BooleanField(
        _("nhóm chung"), default=False,
        help_text=_("Một nhóm chung như “Các sở, ban, ngành”; không tự lập báo cáo."),
    )
    active_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    active_to = models.DateField(_("hoạt động đến"), null=True, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    search_text = models.TextField(editable=False, default="")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="agency_unique_name_in_jurisdiction"),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_from__isnull=True) | Q(active_to__gte=F("active_from")),
                name="agency_active_period_ordered",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="agency_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name).strip()
        self.search_text = fold(" ".join([self.name, self.short_name]))
        super().save(*args, **kwargs)


class AgencyAlias(models.Model):
    """A spelling of an agency seen in a source (OCR variants, abbreviations)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("tên gọi khác"), max_length=500)
    folded = models.CharField(max_length=500, editable=False)

    class Meta:
        verbose_name = _("tên gọi khác")
        verbose_name_plural = _("tên gọi khác")
        constraints = [models.UniqueConstraint(fields=["agency", "folded"], name="alias_unique_per_agency")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name).strip()
        self.folded = fold(self.name)
        super().save(*args, **kwargs)


class Succession(models.Model):
    """From `effective_on`, `successor` takes over (part of) `predecessor`'s work.

    A merge is several predecessors with one successor; a split is one predecessor with several
    successors, which makes an admin choose the successor per activity.
    """

    class Kind(models.TextChoices):
        MERGE = "merge", _("Hợp nhất / sáp nhập")
        RENAME = "rename", _("Đổi tên")
        SPLIT = "split", _("Chia tách")

    predecessor = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="predecessions")
    effective_on = models.DateField(_("hiệu lực từ"))
    kind = models.CharField(_("hình thức"), max_length=10, choices=Kind.choices, default=Kind.MERGE)
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế thừa cơ quan")
        verbose_name_plural = _("kế thừa cơ quan")
        ordering = ["effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="succession_not_self"),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.effective_on:%d/%m/%Y})"


class Membership(models.Model):
    """A user works for an agency as an officer or its head."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Chuyên viên")
        HEAD = "head", _("Lãnh đạo cơ quan")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices, default=Role.OFFICER)
    can_submit = models.BooleanField(
        _("được gửi báo cáo"), default=False,
        help_text=_("Lãnh đạo cơ quan cho phép chuyên viên này gửi báo cáo."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thành viên cơ quan")
        verbose_name_plural = _("thành viên cơ quan")
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} – {self.agency} ({self.get_role_display()})"

    @property
    def may_submit(self) -> bool:
        return self.role == self.Role.HEAD or self.can_submit


class JurisdictionRole(models.Model):
    """Reviewer (planning department) and leadership roles are granted per jurisdiction,
    covering its plans, never globally."""

    class Role(models.TextChoices):
        REVIEWER = "reviewer", _("Cán bộ thẩm định (Sở đầu mối)")
        LEADER = "leader", _("Lãnh đạo tỉnh/thành phố")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jurisdiction_roles")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("vai trò theo tỉnh/thành phố")
        verbose_name_plural = _("vai trò theo tỉnh/thành phố")
        constraints = [
            models.UniqueConstraint(fields=["user", "jurisdiction", "role"], name="jurisdiction_role_unique")
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.jurisdiction}"


class GroupMember(models.Model):
    """An agency that a generic group of a plan ("Các sở, ban, ngành…", "Các Hội…") stands for.

    The plan's wording stays as printed (the group is the supporting agency of the item); these rows
    say which agencies a lead may ask for input in its name. Proposed by kind of agency
    (agencies/groups.py: fill_group) and reviewed by an admin, who adds or removes rows."""

    group = models.ForeignKey(Agency, verbose_name=_("nhóm cơ quan"), on_delete=models.CASCADE,
                              related_name="group_members", limit_choices_to={"is_group": True})
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan thuộc nhóm"), on_delete=models.CASCADE,
                               related_name="in_groups", limit_choices_to={"is_group": False})
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cơ quan thuộc nhóm")
        verbose_name_plural = _("cơ quan thuộc nhóm")
        ordering = ["group", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "agency"], name="group_member_unique"),
            models.CheckConstraint(condition=~Q(group=F("agency")), name="group_member_not_itself"),
        ]

    def __str__(self):
        return f"{self.group} ∋ {self.agency}"
