"""Translations as data: every resident-facing text exists in all six languages and none is another language's
text left in place (a fallback). Covers the web catalogues, the API's messages, the texts of the server-rendered
calendar page, and the data files with localized fields (facilities, procedures, FAQ, guide, forms, life events)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from madoguchi.faq.models import CONTACT
from madoguchi.queue import calendar
from madoguchi.queue.models import COUNTERS
from madoguchi.shared.departments import DEPARTMENTS
from madoguchi.shared.i18n import LANGS, MESSAGES

ROOT = Path(__file__).resolve().parents[2]
WEB_I18N = ROOT / "web" / "src" / "i18n"
CONTEXTS = ROOT / "layers" / "madoguchi" / "python" / "madoguchi"
DATA_FILES = sorted(
    [
        ROOT / "infra" / "seed" / "facilities.json",
        ROOT / "infra" / "seed" / "procedures.json",
        *(CONTEXTS / "faq" / "data").glob("*.json"),
        *(CONTEXTS / "guide" / "data").rglob("*.json"),
        *(CONTEXTS / "applications" / "data").glob("*.json"),
        *(CONTEXTS / "cases" / "data").glob("*.json"),
    ]
)

PLACEHOLDER = re.compile(r"\{\w+\}")
KANJI = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
KANA = re.compile(r"[\u3040-\u30ff]")

# Texts that are rightly the same in two languages, beyond the two rules in `same_allowed` (short on purpose:
# anything added here is a text a reader of the second language sees in the first one's words).
ALLOWED_SAME: dict[str, set[frozenset[str]]] = {
    "staffapps.days": {frozenset({"en", "pt"})},  # "{days} d"
    "congestion.people": {frozenset({"en", "pt"})},  # "{count}": the column header says "people"
    "dashboard.channel.online": {frozenset({"en", "pt"})},  # "Online" is Portuguese too
    "dashboard.channel.kiosk": {frozenset({"en", "vi"})},  # "Kiosk" is the Vietnamese word for it
    "calendar page.minutes": {frozenset({"en", "pt"})},  # "min"
}


def same_allowed(key: str, a: str, b: str, text: str) -> bool:
    """Whether `text`, equal in languages a and b, may be. Rules: no words at all (placeholders, brand names in
    capitals); Japanese that is already plain (no kanji) for やさしい日本語; Japanese and Chinese that share every
    character (kanji only, no kana)."""
    words = PLACEHOLDER.sub("", text)
    if not re.search(r"[^\W\d_]", words) or words.strip().isupper():
        return True
    pair = frozenset({a, b})
    if pair == {"ja", "ja-easy"} and not KANJI.search(words):
        return True
    if pair <= {"ja", "ja-easy", "zh"} and "zh" in pair and not KANA.search(words):
        return True
    return pair in ALLOWED_SAME.get(key, set())


def problems(key: str, texts: dict[str, str]) -> list[str]:
    found = [f"{key}: no {lang}" for lang in LANGS if not str(texts.get(lang, "")).strip()]
    found += [f"{key}: unknown language {lang}" for lang in texts if lang not in LANGS]
    if found:
        return found
    # Every language fills in what Japanese does; やさしい日本語 may leave a detail out, never add one.
    wanted = set(PLACEHOLDER.findall(texts["ja"]))
    for lang in LANGS:
        have = set(PLACEHOLDER.findall(texts[lang]))
        if have != wanted and not (lang == "ja-easy" and have < wanted):
            found.append(f"{key}: {lang} placeholders differ")
    for a, b in combinations(LANGS, 2):
        if texts[a] == texts[b] and not same_allowed(key, a, b, texts[a]):
            found.append(f"{key}: {a} and {b} both read {texts[a]!r}")
    return found


def localized_fields(node: Any, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every {"ja": …, …} object in a data file (a field in several languages), with where it is."""
    if isinstance(node, dict):
        if "ja" in node and all(isinstance(v, str) for v in node.values()):
            yield path, node
            return
        for key, value in node.items():
            yield from localized_fields(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from localized_fields(value, f"{path}[{i}]")


def web_catalogues() -> dict[str, dict[str, str]]:
    return {lang: json.loads((WEB_I18N / f"{lang}.json").read_text(encoding="utf-8")) for lang in LANGS}


def test_the_checks_catch_a_missing_text_and_a_fallback():
    assert problems("x", {"ja": "住民票", "en": "Resident record"}) == [
        "x: no pt",
        "x: no vi",
        "x: no zh",
        "x: no ja-easy",
    ]
    fallback = {"ja": "予約", "ja-easy": "よやく", "en": "Booking", "pt": "Booking", "vi": "Đặt chỗ", "zh": "预约"}
    assert problems("x", fallback) == ["x: en and pt both read 'Booking'"]
    japanese = {**fallback, "pt": "Reserva", "vi": "予約"}
    assert problems("x", japanese) == ["x: ja and vi both read '予約'"]
    placeholder = {**fallback, "pt": "Reserva {n}"}
    assert problems("x", placeholder) == ["x: pt placeholders differ"]
    plainer = {**fallback, "pt": "Reserva", "ja": "予約 {n}（{m}）", "ja-easy": "よやく {n}"}
    assert problems("x", plainer) == [
        "x: en placeholders differ",
        "x: pt placeholders differ",
        "x: vi placeholders differ",
        "x: zh placeholders differ",
    ]
    shared = {"ja": "期限", "ja-easy": "いつまで", "en": "Deadline", "pt": "Prazo", "vi": "Hạn", "zh": "期限"}
    assert problems("x", shared) == []


def test_every_web_catalogue_has_every_key_and_no_fallback():
    catalogues = web_catalogues()
    keys = set(catalogues["ja"])
    for lang, messages in catalogues.items():
        assert set(messages) == keys, f"{lang}: missing {keys - set(messages)}, extra {set(messages) - keys}"
    found = [p for key in sorted(keys) for p in problems(key, {lang: catalogues[lang][key] for lang in LANGS})]
    assert found == []


def test_every_api_message_and_server_page_text_is_in_every_language():
    tables: dict[str, dict[str, dict[str, str]]] = {
        "messages": MESSAGES,
        "departments": DEPARTMENTS,
        "faq contact": CONTACT,
        "calendar page": calendar.PAGE_TEXT,
        "calendar labels": calendar.LABELS,
        "site header": calendar.SITE_TEXT,
        "counters": {cid: c.name for cid, c in COUNTERS.items()},
    }
    found = [
        p for name, table in tables.items() for key, texts in table.items() for p in problems(f"{name}.{key}", texts)
    ]
    assert found == []
    assert set(calendar.WEEKDAYS) == set(LANGS)


def test_the_calendar_pages_header_reads_as_the_web_header():
    catalogues = web_catalogues()
    for key, texts in calendar.SITE_TEXT.items():
        assert texts == {lang: catalogues[lang][key] for lang in LANGS}, key
    app = (ROOT / "web" / "src" / "components" / "app.tsx").read_text(encoding="utf-8")
    web_nav = re.findall(r'\{ path: "([^"]+)", label: "([^"]+)" \}', app)
    assert web_nav == calendar.SITE_NAV


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_localized_field_of_the_data_is_in_every_language(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    found = [p for where, texts in localized_fields(data, path.name) for p in problems(where, texts)]
    assert found == []
