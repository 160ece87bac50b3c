"""The JSON shapes of the API. Explicit fields (no ModelSerializer): a field added to a model does
not reach other systems until someone decides it should. Codes and states are the stored values
(stable for machines); labels are given beside them in Vietnamese."""
from django.utils import timezone
from rest_framework import serializers as s


def _when(value, tz=None):
    """A time as DRF's DateTimeField writes it (ISO 8601 in the portal's time zone)."""
    return None if value is None else value.astimezone(tz or timezone.get_current_timezone()).isoformat()




class JurisdictionRef(s.Serializer):
    id = s.IntegerField()
    name = s.CharField()


class AgencyRef(s.Serializer):
    id = s.IntegerField()
    name = s.CharField()
    short_name = s.CharField()
    jurisdiction_id = s.IntegerField()


class PlanSerializer(s.Serializer):
    id = s.IntegerField()
    code = s.CharField()
    number = s.CharField()
    title = s.CharField()
    jurisdiction = JurisdictionRef()
    issuing_body = s.CharField()
    issued_on = s.DateField(allow_null=True)
    period_start = s.IntegerField()
    period_end = s.IntegerField()
    report_deadline_day = s.IntegerField()
    report_deadline_month = s.IntegerField()
    public = s.BooleanField(source="public_enabled")


class PlanItemSerializer(s.Serializer):
    id = s.IntegerField()
    plan = s.CharField(source="plan.code")
    parent_id = s.IntegerField(allow_null=True)
    level = s.CharField()
    code = s.CharField()
    printed_code = s.CharField()
    title = s.CharField()
    text = s.CharField()
    expected_outputs = s.CharField()
    start_year = s.IntegerField(allow_null=True)
    end_year = s.IntegerField(allow_null=True)
    lead_agency = AgencyRef(allow_null=True)
    supporting_agencies = AgencyRef(many=True, source="supporting_agencies.all")
    high_priority = s.BooleanField()
    group_tags = s.ListField(child=s.CharField())
    needs_review = s.BooleanField()
    retired_at = s.DateTimeField(allow_null=True)


class AliasSerializer(s.Serializer):
    name = s.CharField()


class SuccessionSerializer(s.Serializer):
    predecessor_id = s.IntegerField()
    successor_id = s.IntegerField()
    effective_on = s.DateField()
    kind = s.CharField()
    legal_basis = s.CharField()


class AgencySerializer(s.Serializer):
    id = s.IntegerField()
    name = s.CharField()
    short_name = s.CharField()
    kind = s.CharField()
    is_group = s.BooleanField()
    jurisdiction = JurisdictionRef()
    active_from = s.DateField(allow_null=True)
    active_to = s.DateField(allow_null=True)
    aliases = AliasSerializer(many=True, source="aliases.all")
    predecessors = SuccessionSerializer(many=True, source="predecessions.all",
                                        help_text="Agencies this one succeeded (mergers, renames, splits).")
    successors = SuccessionSerializer(many=True, source="successions.all",
                                      help_text="Agencies that succeeded this one, from the given date.")


class CycleSerializer(s.Serializer):
    id = s.IntegerField()
    plan = s.CharField(source="plan.code")
    consolidated_jurisdiction_id = s.IntegerField(source="jurisdiction_id", allow_null=True)
    kind = s.CharField()
    year = s.IntegerField()
    opens_on = s.DateField()
    closes_on = s.DateField()
    due_at = s.DateTimeField()
    ministry_due_on = s.DateField(allow_null=True)
    created_at = s.DateTimeField()


class CycleRef(s.Serializer):
    id = s.IntegerField()
    kind = s.CharField()
    year = s.IntegerField()
    plan = s.CharField(source="plan.code")


class ItemRef(s.Serializer):
    id = s.IntegerField()
    plan = s.CharField(source="plan.code")
    code = s.CharField()
    title = s.CharField()


class EvidenceSerializer(s.Serializer):
    """What was attached, not the file: downloads stay behind the portal's own pages."""
    id = s.IntegerField()
    name = s.CharField(source="original_name")
    content_type = s.CharField()
    size = s.IntegerField()
    sha256 = s.CharField(allow_null=True)
    uploaded_at = s.DateTimeField()


class PublicReportSerializer(s.Serializer):
    """An accepted report of a published plan, as the public page counts it: figures, no texts."""
    id = s.IntegerField()
    cycle = CycleRef()
    item = ItemRef()
    agency = AgencyRef(allow_null=True, help_text="Empty for an item no agency was assigned yet.")
    state = s.CharField()
    status = s.CharField()
    percent_complete = s.IntegerField(allow_null=True)
    reviewed_at = s.DateTimeField(allow_null=True)
    updated_at = s.DateTimeField()


class ReportSerializer(PublicReportSerializer):
    results = s.CharField()
    outputs = s.CharField()
    difficulties = s.CharField()
    proposals = s.CharField()
    funds_central = s.IntegerField(allow_null=True)
    funds_local = s.IntegerField(allow_null=True)
    funds_oda = s.IntegerField(allow_null=True)
    funds_other = s.IntegerField(allow_null=True)
    late = s.BooleanField()
    submitted_at = s.DateTimeField(allow_null=True)
    review_comment = s.CharField()
    version = s.IntegerField()
    evidence = EvidenceSerializer(many=True, source="attachments.all")


# --- reports, the sync endpoint's fast path ---------------------------------------------------------
# A page holds hundreds of reports: they are read as rows (`.values()`, no model instances, which cost
# most of the time) and written by hand with exactly the fields declared above. The schema is made
# from the declarations; tests/api/test_serializers.py proves this equals DRF's rendering of the same
# reports, and tests/api/test_schema.py validates every answer against the schema.

REPORT_COLUMNS = (
    "id", "cycle_id", "cycle__kind", "cycle__year", "cycle__plan__code", "item_id", "item__plan__code", "item__code",
    "item__title", "agency_id", "agency__name", "agency__short_name", "agency__jurisdiction_id", "state", "status",
    "percent_complete", "reviewed_at", "updated_at")
REPORT_TEXT_COLUMNS = (
    "results", "outputs", "difficulties", "proposals", "funds_central", "funds_local", "funds_oda", "funds_other",
    "late", "submitted_at", "review_comment", "version")
EVIDENCE_COLUMNS = ("report_id", "id", "original_name", "content_type", "size", "sha256", "uploaded_at")


def report_columns(*, public: bool) -> tuple:
    return REPORT_COLUMNS if public else REPORT_COLUMNS + REPORT_TEXT_COLUMNS


def report_json(row: dict, evidence: list[dict] | None) -> dict:
    """One report from its `report_columns` row; `evidence` None for the public shape."""
    tz = timezone.get_current_timezone()
    agency = None if row["agency_id"] is None else {
        "id": row["agency_id"], "name": row["agency__name"], "short_name": row["agency__short_name"],
        "jurisdiction_id": row["agency__jurisdiction_id"]}
    data = {"id": row["id"],
            "cycle": {"id": row["cycle_id"], "kind": row["cycle__kind"], "year": row["cycle__year"],
                      "plan": row["cycle__plan__code"]},
            "item": {"id": row["item_id"], "plan": row["item__plan__code"], "code": row["item__code"],
                     "title": row["item__title"]},
            "agency": agency, "state": row["state"], "status": row["status"],
            "percent_complete": row["percent_complete"], "reviewed_at": _when(row["reviewed_at"], tz),
            "updated_at": _when(row["updated_at"], tz)}
    if evidence is None:
        return data
    data.update({name: row[name] for name in REPORT_TEXT_COLUMNS})
    data["submitted_at"] = _when(row["submitted_at"], tz)
    data["evidence"] = [{"id": e["id"], "name": e["original_name"], "content_type": e["content_type"],
                         "size": e["size"], "sha256": e["sha256"], "uploaded_at": _when(e["uploaded_at"], tz)}
                        for e in evidence]
    return data


class TargetSerializer(s.Serializer):
    year = s.IntegerField()
    kind = s.CharField()
    value = s.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    min = s.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    max = s.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    base_year = s.IntegerField(allow_null=True)


class IndicatorValueSerializer(s.Serializer):
    id = s.IntegerField()
    year = s.IntegerField()
    territory = s.CharField()
    value = s.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    state = s.CharField()
    source = s.CharField()
    cycle_id = s.IntegerField(allow_null=True)
    agency_id = s.IntegerField(allow_null=True)
    has_evidence = s.SerializerMethodField()
    updated_at = s.DateTimeField()

    def get_has_evidence(self, obj) -> bool:
        return bool(obj.evidence)


class CatalogueRef(s.Serializer):
    id = s.IntegerField()
    code = s.CharField()
    national_code = s.CharField()
    name = s.CharField()
    unit = s.CharField()
    measure = s.CharField()
    direction = s.CharField()


class IndicatorSerializer(s.Serializer):
    id = s.IntegerField()
    plan = s.CharField(source="plan.code")
    code = s.CharField()
    item_id = s.IntegerField(allow_null=True)
    indicator = CatalogueRef()
    baseline_value = s.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    baseline_year = s.IntegerField(allow_null=True)
    lead_agency = AgencyRef(allow_null=True)
    targets = TargetSerializer(many=True, source="targets.all")
    values = IndicatorValueSerializer(many=True, source="visible_values")


class OfficialReportSerializer(s.Serializer):
    """The cycle's official (signed) report: who signed, what the check found; the PDF itself is
    linked from the public page of a published plan."""
    id = s.IntegerField()
    cycle = CycleRef()
    source = s.CharField(help_text="server: signed by the server; upload: signed outside and verified on upload.")
    signed = s.SerializerMethodField()
    signatures = s.JSONField(help_text="Each verified signature: signer, issuer, signing time.")
    verification = s.CharField()
    sha256 = s.CharField()
    size = s.IntegerField()
    stored_at = s.DateTimeField()
    replaces_id = s.IntegerField(allow_null=True)
    reason = s.CharField()

    def get_signed(self, obj) -> bool:
        return bool(obj.signatures)
