"""Where `make load` keeps its figures in docs/benchmarks.md: a marked section that `make bench` carries over."""

from __future__ import annotations

from pathlib import Path

from infra import catalogue

BENCHMARKS = catalogue.ROOT / "docs" / "benchmarks.md"
START = "<!-- make load: start -->"
END = "<!-- make load: end -->"


def current(path: Path = BENCHMARKS) -> str:
    """The load section now in the file (markers included, ending in a newline), or ""."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START not in text or END not in text:
        return ""
    return START + text.split(START, 1)[1].split(END, 1)[0] + END + "\n"


def write(section: str, path: Path = BENCHMARKS) -> None:
    """Replace the load section of the file with `section`, or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
