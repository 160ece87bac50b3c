"""Tabular text a web copy produces, turned into the tab-separated rows the plan parser reads.

A plan copied from a web page keeps its appendix as text tables of other shapes: cells separated
by " | " (a page that shows tabs that way), markdown tables ("| 1.1.1 | … |" with a "|---|" rule
under the header) or HTML rows (<tr><td>…</td></tr>). The parser reads tab-separated rows only, so
a web copy lost its whole appendix silently; this module rewrites such rows to tabs first and
leaves every other line as it was (line numbers stay those of the file).
"""
from __future__ import annotations

import re

_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_TR = re.compile(r"<\s*tr\b[^>]*>(.*?)<\s*/\s*tr\s*>", re.I | re.S)
_TD = re.compile(r"<\s*t[dh]\b[^>]*>(.*?)(?=<\s*/?\s*t[dh]\b|$)", re.I | re.S)


def tabs_from_web_copy(text: str) -> str:
    """The text with pipe, markdown and HTML table rows rewritten as tab-separated rows."""
    lines = text.split("\n")
    pipe_rows = [ln for ln in lines if "\t" not in ln and ln.count("|") >= 2]
    if pipe_rows:
        # Markdown rows start and end with a bar; a " | " copy of tabs does not (its first cell is
        # the code), so the bars at the ends are only dropped when the table is markdown.
        framed = sum(1 for ln in pipe_rows if ln.strip().startswith("|") and ln.strip().endswith("|"))
        markdown = framed * 2 > len(pipe_rows)
        out = []
        for ln in lines:
            if "\t" in ln or ln.count("|") < 2:
                out.append(ln)
                continue
            if _MD_RULE.match(ln):
                out.append("")  # the rule under a markdown header carries nothing
                continue
            row = ln.strip() if markdown else ln
            if markdown:
                row = row[1:] if row.startswith("|") else row
                row = row[:-1] if row.endswith("|") else row
            out.append("\t".join(c.strip() for c in row.split("|")))
        lines = out
    text = "\n".join(lines)
    if re.search(r"<\s*tr\b", text, re.I):
        text = _TR.sub(lambda m: "\t".join(c.strip() for c in _TD.findall(m.group(1))) + "\n", text)
    return text
