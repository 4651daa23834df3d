"""Personal data in captured handler logs: `python -m tests.privacy.scan <file or folder>...` exits 1 on a finding.

Looks for what DESIGN.md says is never logged: the demo residents' names, addresses and birth dates
(infra/seed/residents.json, in the spellings a log could carry them), any e-mail address, any Japanese phone number,
any LINE user id and any 12-digit number (the My Number's length). Each JSON log line is also read as JSON, so that
escaped text is scanned as the value it holds. AWS account ids inside ARNs are 12 digits by design and are not findings.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from infra import catalogue

RESIDENTS = catalogue.ROOT / "infra" / "seed" / "residents.json"
# The family registers name people the resident records do not (a spouse outside the household, parents).
REGISTERS = catalogue.ROOT / "infra" / "seed" / "family_registers.json"

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 0X-XXXX-XXXX in its usual groupings, 11-digit mobiles and 10-digit landlines without hyphens, +81 forms; not
# inside ids (uuid groups and ticket ids are bounded by hyphens, letters or digits).
PHONE = re.compile(
    r"(?<![\w-])(?:0\d{1,4}-\d{1,4}-\d{3,4}|0[5789]0\d{8}|0\d{9}|\+81[ -]?\d{1,4}[ -]?\d{1,4}[ -]?\d{3,4})(?![\w-])"
)
# Not inside hexadecimal ids (uuids, trace ids), whose digit runs can be 12 long, nor the hex tail of a named
# id such as "kiosk-978553247449" (one in about 300 twelve-hex-digit tails is all decimal).
TWELVE_DIGITS = re.compile(r"(?<![\da-f])(?<![a-z]-)\d{12}(?![\da-f])|(?<![\da-f-])\d{4}[ -]\d{4}[ -]\d{4}(?![\da-f-])")
# A LINE user id ("U" + 32 hex; lower case after normalise): it identifies a person's LINE account.
LINE_USER_ID = re.compile(r"(?<![\w-])u[0-9a-f]{32}(?![\w-])")
ARN_ACCOUNT = re.compile(r"arn:aws[\w-]*:[\w-]+:[\w-]*:(\d{12}):")
# A uuid's last group is 12 hex digits, all decimal in about 1 uuid of 280 (request and correlation ids).
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Finding:
    where: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.text!r}"


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII, the ideographic space to a space), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _date_spellings(born: date) -> set[str]:
    return {
        born.isoformat(),
        born.strftime("%Y%m%d"),
        born.strftime("%Y/%m/%d"),
        f"{born.year}/{born.month}/{born.day}",
        f"{born.year}年{born.month}月{born.day}日",
    }


def _name_spellings(name: str) -> list[tuple[str, str]]:
    folded = normalise(name)
    spellings = [("name", folded), ("name", folded.replace(" ", ""))]
    parts = folded.split()
    if len(parts) == 2:
        spellings.append(("name", f"{parts[1]} {parts[0]}"))
    return spellings


def known_registers(path: Path = REGISTERS) -> list[tuple[str, str]]:
    """(kind, normalised spelling) of everyone a demo family register names: members with their birth dates,
    their parents, and the register's 本籍."""
    spellings: list[tuple[str, str]] = []
    for register in json.loads(path.read_text(encoding="utf-8")):
        spellings.append(("address", normalise(register["honseki"])))
        for member in register["members"]:
            spellings += _name_spellings(member["name"])
            spellings += [("birth date", s) for s in _date_spellings(date.fromisoformat(member["date_of_birth"]))]
            for parent in (member.get("father"), member.get("mother")):
                if parent:
                    spellings += _name_spellings(parent)
    return spellings


def known_residents(path: Path = RESIDENTS, registers: Path | None = REGISTERS) -> list[tuple[str, str]]:
    """(kind, normalised spelling) of each demo resident's name, address and birth date (and, unless
    `registers` is None, of everyone the demo family registers name)."""
    spellings: list[tuple[str, str]] = []
    for resident in json.loads(path.read_text(encoding="utf-8")):
        spellings += _name_spellings(resident["name"])
        address = normalise(resident["address"])
        spellings.append(("address", address))
        # the part after the city (町名・番地) identifies the household without the prefecture and city
        street = address.rsplit("市", 1)[-1]
        if len(street) >= 4 and street != address:
            spellings.append(("address", street))
        spellings += [("birth date", s) for s in _date_spellings(date.fromisoformat(resident["date_of_birth"]))]
    if registers is not None:
        spellings += known_registers(registers)
    return list(dict.fromkeys(spellings))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def scan_text(text: str, where: str, residents: list[tuple[str, str]]) -> list[Finding]:
    findings: list[Finding] = []
    folded = normalise(text)
    for kind, spelling in residents:
        if spelling in folded:
            findings.append(Finding(where, f"resident {kind}", spelling))
    for match in EMAIL.finditer(folded):
        findings.append(Finding(where, "e-mail address", match.group()))
    for match in PHONE.finditer(folded):
        findings.append(Finding(where, "phone number", match.group()))
    for match in LINE_USER_ID.finditer(folded):
        findings.append(Finding(where, "LINE user id", match.group()))
    accounts = {m.span(1) for m in ARN_ACCOUNT.finditer(folded)}
    uuids = [m.span() for m in UUID.finditer(folded)]
    for match in TWELVE_DIGITS.finditer(folded):
        inside_uuid = any(start <= match.start() and match.end() <= end for start, end in uuids)
        if match.span() not in accounts and not inside_uuid:
            findings.append(Finding(where, "12-digit number", match.group()))
    return findings


def scan_lines(
    lines: Iterable[str], source: str = "<log>", residents: list[tuple[str, str]] | None = None
) -> list[Finding]:
    """Findings in log lines: each line as text and, when it is JSON, each string it holds."""
    residents = known_residents() if residents is None else residents
    findings: list[Finding] = []
    for number, line in enumerate(lines, 1):
        where = f"{source}:{number}"
        texts = [line]
        with contextlib.suppress(ValueError):  # not JSON: scanned as text only
            texts.append("\n".join(_strings(json.loads(line))))
        seen: set[tuple[str, str]] = set()
        for text in texts:
            for finding in scan_text(text, where, residents):
                if (finding.kind, finding.text) not in seen:
                    seen.add((finding.kind, finding.text))
                    findings.append(finding)
    return findings


def log_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return files


def main(argv: list[str]) -> int:
    files = log_files(Path(a) for a in argv)
    if not files:
        print(f"no captured handler logs under {' '.join(argv)}: nothing was scanned", file=sys.stderr)
        return 1
    residents = known_residents()
    findings: list[Finding] = []
    lines = 0
    for path in files:
        content = path.read_text(encoding="utf-8").splitlines()
        lines += len(content)
        findings += scan_lines(content, str(path), residents)
    for finding in findings:
        print(finding)
    print(f"{len(findings)} finding(s) of personal data in {lines} log lines of {len(files)} file(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
