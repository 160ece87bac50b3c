"""Money and counts as Vietnamese documents write them: 1234567 → "1.234.567", money → "1.234.567 đ"."""


def group_thousands(value: int) -> str:
    """Digits grouped by "." as Vietnamese documents write them; negatives keep their sign."""
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


def vn_number(value):
    if value in (None, ""):
        return ""
    try:
        return group_thousands(int(value))
    except (TypeError, ValueError):
        return value


def vnd(value):
    if value in (None, ""):
        return "—"
    return f"{vn_number(value)} đ"
