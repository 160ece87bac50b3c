"""The province report's figures as an Excel workbook: overview, themes, agencies, every item, and
the difficulties and proposals. Sheets are laid out like the consolidated export's
(reporting/dashboards/export.py): frozen, filterable headers, set widths, text never a formula."""
from __future__ import annotations

from openpyxl import Workbook

from reporting.dashboards.export import workbook_bytes, write_sheet
from reporting.province.build import NOT_REVIEWED


def _number(value):
    """An accepted figure as a number Excel computes with (None: an empty cell)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def province_report_xlsx(r) -> bytes:
    """The province report's figures: overview, themes, agencies and every item."""
    wb = Workbook()
    h = r.headline
    overview = [
        ["Phải nộp", h["due"]], ["Đã gửi (gồm đã chấp nhận)", h["submitted"]], ["Nộp đúng hạn", h["on_time"]],
        ["Nộp muộn", h["late"]], ["Chưa nộp", h["missing"]], ["Đã chấp nhận", h["state_accepted"]],
        ["Đã gửi, chờ thẩm định", h["state_submitted"]], ["Trả lại để sửa", h["state_returned"]],
        ["Đang soạn", h["state_draft"]], ["Chưa báo cáo", h["state_missing"]],
        ["Hoàn thành", h["status_completed"]], ["Đúng tiến độ", h["status_on_schedule"]],
        ["Chậm tiến độ", h["status_behind"]], ["Chưa triển khai", h["status_not_started"]],
        ["Tạm dừng", h["status_suspended"]], ["Tiến độ bình quân (%)", h["mean_percent"]],
        ["Mục chưa giao cơ quan chủ trì", r.unassigned],
    ]
    write_sheet(wb, "Tổng quan", ["Chỉ tiêu", "Số liệu"], overview, [40, 14], first=True, preamble=[
        f"{r.province_line} – {r.issuing_body}", f"Báo cáo {r.title[0].lower()}{r.title[1:]}",
        f"Số: {r.meta.number.strip()} – {r.date_line}", f"Cách tính tiến độ: {r.method}",
    ])
    if r.sections:
        write_sheet(wb, "Theo kế hoạch", ["Kế hoạch", "Phải nộp", "Đã gửi", "Đúng hạn", "Nộp muộn", "Chưa nộp",
                                          "Tiến độ bình quân (%)"],
                    [[s.name, s.headline["due"], s.headline["submitted"], s.headline["on_time"], s.headline["late"],
                      s.headline["missing"], s.headline["mean_percent"]] for s in r.sections]
                    + [["Tổng cộng", h["due"], h["submitted"], h["on_time"], h["late"], h["missing"], h["mean_percent"]]],
                    [60, 11, 11, 11, 11, 11, 14])
    write_sheet(wb, "Chủ đề",
           ["Mã", "Chủ đề", "Phải báo cáo", "Đã báo cáo", "Chưa báo cáo", "Hoàn thành", "Đúng tiến độ", "Chậm tiến độ",
            "Chưa triển khai", "Tạm dừng", "Tiến độ bình quân (%)"],
           [[t.figures["code"], t.figures["title"], t.figures["due"], t.figures["submitted"], t.figures["not_reported"],
             t.figures["status_completed"], t.figures["status_on_schedule"], t.figures["status_behind"],
             t.figures["status_not_started"], t.figures["status_suspended"], t.figures["mean_percent"]] for t in r.themes],
           [8, 60, 12, 12, 12, 12, 12, 12, 12, 12, 14])
    write_sheet(wb, "Cơ quan", ["Cơ quan chủ trì", "Phải nộp", "Đúng hạn", "Muộn", "Chưa nộp", "Đã chấp nhận",
                           "Tiến độ bình quân (%)"],
           [[a["name"], a["due"], a["on_time"], a["late"], a["missing"], a["state_accepted"], a["mean_percent"]]
            for a in r.agencies], [48, 11, 11, 11, 11, 13, 14])
    write_sheet(wb, "Tất cả mục", ["Mã", "Nhiệm vụ, hoạt động", "Ưu tiên cao", "Cơ quan chủ trì", "Tình trạng báo cáo",
                              "Nộp muộn", "Tình hình thực hiện", "Tỷ lệ hoàn thành (%)", "Kết quả chủ yếu", "Ghi chú"],
           [[a.code, a.title, a.high_priority, a.agency, a.state_label, a.late, a.status_label, a.percent, a.result,
             NOT_REVIEWED if a.not_reviewed and a.result else ""] for a in r.annex],
           [10, 60, 10, 32, 18, 10, 18, 12, 60, 16])
    y = r.cycle.year
    write_sheet(wb, "Chỉ tiêu", ["Mã", "Chỉ tiêu", "Đơn vị", "Giá trị cơ sở", f"Năm {y - 1}", f"Năm {y}", "Mục tiêu",
                                 "Trạng thái", "Cách tính"],
                [[i.code, i.name, i.unit, i.baseline, _number(i.last_figure), _number(i.this_figure), i.targets,
                  i.status, i.method] for i in r.indicators],
                [8, 50, 14, 16, 12, 12, 40, 18, 80])
    difficulties = [["Khó khăn, vướng mắc", p.text, p.attribution] for p in r.difficulties]
    proposals = [["Đề xuất, kiến nghị", p.text, p.attribution] for p in r.proposals]
    write_sheet(wb, "Khó khăn, đề xuất", ["Loại", "Nội dung", "Nguồn (cơ quan, mục)"], difficulties + proposals,
           [20, 70, 70])
    return workbook_bytes(wb)
