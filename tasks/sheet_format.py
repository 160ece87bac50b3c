"""The plan spreadsheet's layout, shared by the exporter and the importer so that the import
format is exactly the export format."""
from dataclasses import dataclass

PLAN_SHEET = "Kế hoạch"
ITEMS_SHEET = "Mục kế hoạch"
AGENCIES_SHEET = "Cơ quan"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    kind: str = "text"  # text | int | bool | lines


ITEM_COLUMNS = (
    Column("code", "Mã", 12),
    Column("printed_code", "Mã in trong văn bản", 12),
    Column("level", "Cấp", 18),
    Column("parent_code", "Mục cha", 10),
    Column("title", "Tên", 50),
    Column("text", "Nội dung", 70),
    Column("high_priority", "Ưu tiên cao", 10, "bool"),
    Column("group_tags", "Nhóm", 10),
    Column("start_year", "Năm bắt đầu", 10, "int"),
    Column("end_year", "Năm kết thúc", 10, "int"),
    Column("lead_agency", "Cơ quan chủ trì", 35),
    Column("supporting_agencies", "Cơ quan phối hợp", 45, "lines"),
    Column("expected_outputs", "Sản phẩm dự kiến", 45),
    Column("needs_review", "Cần rà soát", 10, "bool"),
    Column("review_reasons", "Lý do cần rà soát", 60, "lines"),
    Column("source_file", "Tệp nguồn", 25),
    Column("source_line", "Dòng nguồn", 10, "int"),
)

AGENCY_COLUMNS = (
    Column("name", "Tên cơ quan", 45),
    Column("short_name", "Tên viết tắt", 15),
    Column("kind", "Loại", 22),
    Column("is_group", "Nhóm chung", 10, "bool"),
    Column("jurisdiction", "Tỉnh/thành phố", 18),
    Column("aliases", "Tên gọi khác", 60, "lines"),
    Column("successors", "Cơ quan kế thừa", 40, "lines"),
    Column("successor_dates", "Hiệu lực từ", 14, "lines"),
)

PLAN_FIELDS = (
    ("code", "Mã kế hoạch"),
    ("number", "Số hiệu"),
    ("title", "Tên kế hoạch"),
    ("jurisdiction", "Tỉnh/thành phố"),
    ("issuing_body", "Cơ quan ban hành"),
    ("issued_on", "Ngày ban hành"),
    ("period_start", "Từ năm"),
    ("period_end", "Đến năm"),
    ("focal_agency", "Cơ quan đầu mối"),
    ("review_reasons", "Lý do cần rà soát"),
)

LEVEL_LABELS = {
    "theme": "Chủ đề",
    "group": "Nhóm nhiệm vụ",
    "activity": "Nhiệm vụ, hoạt động",
    "subactivity": "Hoạt động con",
}
KIND_LABELS = {
    "department": "Sở, ban, ngành",
    "peoples_committee": "Ủy ban nhân dân",
    "bank": "Chi nhánh ngân hàng",
    "police": "Công an",
    "military": "Bộ Chỉ huy quân sự",
    "office": "Văn phòng",
    "association": "Hội, đoàn thể",
    "group": "Nhóm cơ quan",
    "other": "Khác",
}
YES = "Có"

# Other words a person typing a plan uses for each level (compared without case or diacritics).
LEVEL_WORDS = {
    "theme": ("Chủ đề", "Lĩnh vực"),
    "group": ("Nhóm nhiệm vụ", "Nhóm", "Nhiệm vụ lớn"),
    "activity": ("Nhiệm vụ, hoạt động", "Nhiệm vụ", "Hoạt động", "Nhiệm vụ cụ thể", "Hoạt động cụ thể"),
    "subactivity": ("Hoạt động con", "Mục con", "Hoạt động chi tiết", "Nội dung con"),
}

# The template (export_plan --template): an instructions sheet, a sheet of the drop-down lists,
# and a column on the items sheet that marks the worked examples the importer skips.
INSTRUCTIONS_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
EXAMPLE_HEADER = "Dòng ví dụ"
EXAMPLE_MARK = "VÍ DỤ"


def reason_line(code: str, message: str) -> str:
    return f"[{code}] {message}"


def parse_reason_line(line: str) -> tuple[str, str]:
    line = line.strip()
    if line.startswith("[") and "]" in line:
        code, _, message = line[1:].partition("]")
        return code.strip(), message.strip()
    return "manual", line
