"""Choose the reader by content, apply reviewed corrections, and import."""
from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from .service import ImportBundle, ImportFailed, ImportReport, collector_paused, import_bundle


def read_appendix(path: Path, *, plan_code: str | None = None) -> ImportBundle:
    """Read a file as the plan spreadsheet (.xlsx), a Word plan (.docx) or the plan document (UTF-8 text)."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFailed([f"{path}: không mở được tệp ({exc.strerror})."])
    if size > settings.MAX_IMPORT_BYTES:
        raise ImportFailed([f"{name}: tệp quá lớn ({size / 1024 / 1024:.1f} MB; tối đa "
                            f"{settings.MAX_IMPORT_BYTES // (1024 * 1024)} MB)."])
    data = path.read_bytes()
    return read_appendix_bytes(data, name, plan_code=plan_code)


def read_appendix_bytes(data: bytes, name: str, *, plan_code: str | None = None) -> ImportBundle:
    if len(data) > settings.MAX_IMPORT_BYTES:
        raise ImportFailed([f"{name}: tệp quá lớn ({len(data) / 1024 / 1024:.1f} MB; tối đa "
                            f"{settings.MAX_IMPORT_BYTES // (1024 * 1024)} MB)."])
    if not data.strip():
        raise ImportFailed([f"{name}: tệp rỗng."])
    from .word import is_docx

    if is_docx(data):
        bundle = _read_word(data, name)
    elif data.startswith(b"PK"):
        from .spreadsheet import read_plan_spreadsheet

        bundle = read_plan_spreadsheet(data, name)
    else:
        bundle = _read_document(data, name)
    bundle.plan_code = plan_code
    return bundle


def _read_document(data: bytes, name: str) -> ImportBundle:
    from .document import parse_plan_document, require_plan

    if b"\x00" in data[:4096]:
        raise ImportFailed([f"{name}: không phải tệp văn bản hay tệp Excel .xlsx (tệp nhị phân)."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([f"{name}: không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}); "
                            "hãy lưu tệp dạng UTF-8 hoặc dùng tệp Excel .xlsx."])
    from .tabular import tabs_from_web_copy

    parsed = parse_plan_document(tabs_from_web_copy(text))
    try:
        require_plan(parsed)
    except ValueError as exc:
        raise ImportFailed([f"{name}: {exc} {OTHER_WAYS}"])
    require_table_rows(parsed, name)
    return ImportBundle(parsed=parsed, source_file=name, source_kind="document")


# Where a plan that the text reader cannot digest can still come in.
OTHER_WAYS = ("Nếu kế hoạch có bản Word (.docx), hãy nhập tệp Word; hoặc tải mẫu nhập liệu "
              "(export_plan --template -o plan-mau.xlsx, hay nút “Tải mẫu nhập liệu” trong trang quản trị) "
              "và nhập tệp Excel đã điền.")


def require_table_rows(parsed, name: str) -> None:
    """A plan whose appendix table gave no activity is refused: importing it would write a plan of
    placeholders, every item “missing from the scan”, and blame missing pages for a wrong format."""
    from_table = [it for it in parsed.items if it.level in ("activity", "subactivity")
                  and not any(f.code == "missing_from_scan" for f in it.flags)]
    if not from_table:
        raise ImportFailed([f"{name}: không tìm thấy bảng Phụ lục có dòng hoạt động nào (các dòng bắt đầu bằng mã "
                            f"như 1.1.1, các cột phân cách bằng tab hoặc “|”); không nhập kế hoạch chỉ gồm các mục "
                            f"giữ chỗ. {OTHER_WAYS}"])


def _read_word(data: bytes, name: str) -> ImportBundle:
    from .word import NotADocx, parse_plan_docx

    try:
        parsed, text = parse_plan_docx(data)
    except NotADocx as exc:
        raise ImportFailed([f"{name}: {exc}."])
    if not text.table_found:
        raise ImportFailed([f"{name}: không tìm thấy bảng Phụ lục trong tệp Word (cần một hàng tiêu đề có cột "
                            f"“Nội dung nhiệm vụ, hoạt động” và “Cơ quan chủ trì” hoặc “Thời gian thực hiện”). "
                            f"Có thể dùng mẫu nhập liệu: export_plan --template -o plan-mau.xlsx."])
    require_table_rows(parsed, name)
    return ImportBundle(parsed=parsed, source_file=name, source_kind="docx")


def apply_corrections(bundle: ImportBundle, path: Path) -> tuple[dict[str, str], list[str]]:
    """A reviewed corrections file: each correction names an item, the fields it sets and why.

    {"code_map": {"old": "new", ...},
     "items": [{"code": "1.1.3#2", "set": {"lead_agency": "…"}, "reason": "…"}],
     "plan": {"set": {...}, "reason": "…"}}
    """
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportFailed([f"{path.name}: tệp đính chính không đọc được ({exc})."])
    errors, applied = [], []
    by_code = {it.code: it for it in [*bundle.parsed.themes, *bundle.parsed.items]}
    for n, corr in enumerate(spec.get("items", []), start=1):
        where = f"{path.name}, đính chính số {n}"
        reason = (corr.get("reason") or "").strip()
        if not reason:
            errors.append(f"{where}: thiếu lý do (reason).")
            continue
        item = by_code.get(corr.get("code"))
        if item is None:
            errors.append(f"{where}: không có mục mã “{corr.get('code')}” trong tệp nhập.")
            continue
        for field, value in (corr.get("set") or {}).items():
            if field == "clear_flags":
                item.flags = [f for f in item.flags if f.code not in value]
            elif not hasattr(item, field) or field in ("code", "level"):
                errors.append(f"{where}: không sửa được trường “{field}”.")
                continue
            else:
                setattr(item, field, value)
        applied.append(f"{corr.get('code')}: {', '.join(corr.get('set', {}))} – {reason}")
    for field, value in (spec.get("plan", {}).get("set") or {}).items():
        setattr(bundle.parsed, field, value)
        applied.append(f"kế hoạch: {field} – {spec['plan'].get('reason', '')}")
    if errors:
        raise ImportFailed(errors)
    return dict(spec.get("code_map", {})), applied


def log_failed_read(name: str, failure: ImportFailed, *, user=None) -> None:
    """A file that could not even be read still gets its entry in the import log."""
    from ..models import ImportLog

    ImportLog.objects.create(source_file=name, source_kind="unknown", status=ImportLog.Status.FAILED,
                             report="NHẬP DỮ LIỆU THẤT BẠI – không có gì được ghi.\n" + "\n".join(failure.errors),
                             details={"errors": failure.errors}, user=user)


def import_appendix(path: Path, *, plan_code=None, dry_run=False, corrections: Path | None = None,
                    user=None) -> ImportReport:
    try:
        with collector_paused():
            bundle = read_appendix(path, plan_code=plan_code)
        code_map, applied = apply_corrections(bundle, corrections) if corrections else ({}, [])
    except ImportFailed as failure:
        log_failed_read(path.name, failure, user=user)
        raise
    report = import_bundle(bundle, dry_run=dry_run, code_map=code_map, user=user)
    report.corrections_applied = applied
    return report
