"""A chart's SVG as a PNG picture, for documents that cannot hold SVG (Word).

The same SVG the page and the PDF show is laid out by WeasyPrint on a page of its own size and
rasterised by Poppler's pdftoppm (both already needed for the PDF report), so the Word file's
charts are drawn exactly like the others.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from weasyprint import CSS, HTML

_SIZE = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


class ChartImageUnavailable(RuntimeError):
    pass


def svg_size(svg: str) -> tuple[float, float]:
    match = _SIZE.search(svg)
    return (float(match.group(1)), float(match.group(2))) if match else (600.0, 300.0)


def svg_to_png(svg: str, *, dpi: int = 200) -> bytes:
    width, height = svg_size(svg)
    page = CSS(string=f"@page {{ size: {width}px {height}px; margin: 0 }} body {{ margin: 0 }} "
                      "svg { display: block } text { font-family: 'Liberation Sans', sans-serif }")
    pdf = HTML(string=f"<html><body>{svg}</body></html>").write_pdf(stylesheets=[page])
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "chart.pdf"
        source.write_bytes(pdf)
        try:
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(source), str(Path(tmp) / "chart")],
                           check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            raise ChartImageUnavailable(f"pdftoppm: {exc}") from exc
        return (Path(tmp) / "chart.png").read_bytes()
