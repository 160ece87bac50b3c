"""The appendix import in the Django admin, through django-import-export.

django-import-export reads one sheet as rows; the plan spreadsheet is a whole workbook (plan,
items, agencies), so the format hands the resource the file's bytes and the resource runs the
same import service as `import_appendix`. The admin keeps import-export's flow: upload, a dry-run
preview listing creates, updates, unchanged rows and errors, then confirm.
"""
import tablib
from import_export import resources
from import_export.formats.base_formats import XLSX
from import_export.results import Error, Result, RowResult

from .importers.load import log_failed_read, read_appendix_bytes
from .importers.service import ImportFailed, import_bundle
from .models import PlanItem
from .templatetags.plan_codes import shown_code_text


# The plan item's fields in the preview, in Vietnamese (never the model's field names).
FIELD_LABELS = {
    "level": "cấp", "parent_code": "mục cha", "printed_code": "mã in", "title": "tên nhiệm vụ",
    "text": "nội dung đầy đủ", "high_priority": "ưu tiên cao", "group_tags": "nhóm", "start_year": "năm bắt đầu",
    "end_year": "năm kết thúc", "lead_agency": "cơ quan chủ trì", "supporting_agencies": "cơ quan phối hợp",
    "expected_outputs": "sản phẩm dự kiến", "needs_review": "cần rà soát", "retired_at": "ngừng theo dõi",
}


class PlanWorkbook(XLSX):
    """The whole workbook, unread: the resource parses it with the import service."""

    def get_title(self):
        return "xlsx, docx hoặc văn bản (kế hoạch)"

    def create_dataset(self, in_stream):
        dataset = tablib.Dataset(headers=["tệp"])
        dataset.append(["(toàn bộ tệp)"])  # import-export refuses an empty dataset
        dataset.raw_bytes = in_stream if isinstance(in_stream, bytes) else in_stream.read()
        return dataset


class PlanAppendixResource(resources.ModelResource):
    class Meta:
        model = PlanItem
        name = "Kế hoạch (tệp Excel theo mẫu, tệp Word hoặc văn bản)"
        fields = ("code", "title")

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs):
        result = Result()
        result.diff_headers = ["Mã", "Thay đổi"]
        name = kwargs.get("file_name") or "tệp tải lên"
        try:
            bundle = read_appendix_bytes(getattr(dataset, "raw_bytes", b""), name)
        except ImportFailed as failure:
            log_failed_read(name, failure, user=kwargs.get("user"))
            return _with_errors(result, failure)
        try:
            report = import_bundle(bundle, dry_run=dry_run, user=kwargs.get("user"))
        except ImportFailed as failure:  # the service has logged it
            return _with_errors(result, failure)
        result.diff_headers = ["Mã", "Trường", "Giá trị cũ", "Giá trị mới"]
        result.nothing_changed = not report.changed
        rows = [(code, RowResult.IMPORT_TYPE_NEW, "—", "—", "tạo mới") for code in report.created]
        rows += [(code, RowResult.IMPORT_TYPE_UPDATE, FIELD_LABELS.get(f, f), old, new)
                 for code, f, old, new in report.changes]
        rows += [(code, RowResult.IMPORT_TYPE_UPDATE, "—", "đang theo dõi", "ngừng theo dõi (không còn trong tệp)")
                 for code in report.retired]
        for code, kind, label, old, new in rows:
            row = RowResult()
            row.import_type, row.diff, row.object_repr = kind, [shown_code_text(code), label, old, new], code
            result.append_row_result(row)
            result.increment_row_result_total(row)
        result.totals[RowResult.IMPORT_TYPE_SKIP] = report.unchanged
        result.total_rows = len(rows) + report.unchanged
        return result


def _with_errors(result: Result, failure: ImportFailed) -> Result:
    for message in failure.errors:
        result.append_base_error(Error(ValueError(message)))
    return result
