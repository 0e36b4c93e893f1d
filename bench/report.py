"""The benchmarks' one way of writing their section of bench/REPORT.md."""

from __future__ import annotations

from pathlib import Path


def write_section(path: str | Path, begin: str, end: str, lines: list[str]) -> str:
    """Replaces the text between the markers `begin` and `end` (kept) with `lines`, or appends them
    with their markers; returns the block written. `lines` starts with `begin` and ends with `end`."""
    report = Path(path)
    text = report.read_text() if report.exists() else ""
    block = "\n".join(lines)
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    report.write_text(text)
    return block
