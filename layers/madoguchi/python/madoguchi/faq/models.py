"""FAQ entries (よくある質問): content, versions, the chat's answer and the questions nobody could answer.

The content starts as data files (`data/faq/<topic>.json`, seeded into the FAQ table); staff edit it in the
console and every edit is a new version. Answers are public information only: they may go over LINE.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from madoguchi.shared.i18n import LANGS, Lang, Localized, pick

DATA_DIR = Path(__file__).parent / "data"
ENTRY_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
Topic = Literal[
    "certificates",
    "konbini",
    "mynumber",
    "moving",
    "tax",
    "insurance",
    "pension",
    "children",
    "facilities",
    "queue",
    "hours",
    "payments",
    "family",
]


class FaqContent(BaseModel):
    """What staff write: the question, the answer and a link, in every language."""

    model_config = ConfigDict(extra="forbid")

    topic: Topic
    q: Localized = Field(description="The question in ja, ja-easy, en, pt, vi, zh")
    a: Localized = Field(description="The answer in the same languages")
    link: str | None = Field(
        default=None,
        max_length=300,
        # A page of this site: a site-relative path (never `//host` or `/\\host`) or, checked by the service,
        # an https URL on the site's own origin.
        pattern=r"^(/([^/\\\s][^\s\\]*)?|https://[^\s\\]+)$",
        description="A page of this site: `/path` or an https URL on the site's own origin",
    )


class FaqEntry(FaqContent):
    id: str = Field(pattern=ENTRY_ID_PATTERN)
    version: int = Field(default=1, ge=1)
    updated_at: datetime | None = None
    updated_by: str | None = None


class FaqEntryView(BaseModel):
    id: str
    topic: str
    question: str
    answer: str
    link: str | None


class FaqHit(FaqEntryView):
    score: float


class FaqSearchResult(BaseModel):
    lang: Lang
    query: str
    hits: list[FaqHit]


class FaqContact(BaseModel):
    """How to reach a person when the FAQ has no confident answer."""

    phone: str
    phone_in_your_language: bool = Field(description="False: the line answers in Japanese only; see `interpreting`")
    counter: str
    hours: str
    interpreting: str = Field(description="How to get help in the reader's language at the counter")


class FaqChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=500)


class FaqChatReply(BaseModel):
    lang: Lang
    confident: bool = Field(description="False: no answer we trust; `contact` says how to reach a person")
    answer: FaqEntryView | None
    related: list[FaqEntryView]
    contact: FaqContact | None


class FaqUnanswered(BaseModel):
    id: str
    text: str = Field(description="The question with digits, e-mail addresses and self-introduced names masked")
    lang: Lang
    channel: Literal["web", "line"]
    best_entry: str | None
    confidence: float
    asked_at: datetime


class FaqUnansweredList(BaseModel):
    items: list[FaqUnanswered]


class FaqResolved(BaseModel):
    id: str


class FaqEntryEdit(FaqContent):
    expected_version: int = Field(ge=0, description="The version edited (0 to create a new entry): guards lost updates")


class FaqEntryHistory(BaseModel):
    entry: FaqEntry
    versions: list[FaqEntry] = Field(description="Earlier versions, newest first")


def view(entry: FaqEntry, lang: Lang) -> FaqEntryView:
    return FaqEntryView(
        id=entry.id, topic=entry.topic, question=pick(entry.q, lang), answer=pick(entry.a, lang), link=entry.link
    )


def seed_entries() -> list[FaqEntry]:
    """The FAQ as shipped: every data file, validated, each entry at version 1."""
    entries: list[FaqEntry] = []
    for path in sorted(DATA_DIR.glob("*.json")):
        entries.extend(FaqEntry.model_validate(e) for e in json.loads(path.read_text(encoding="utf-8")))
    return entries


def complete(content: FaqContent) -> list[str]:
    """Languages missing from the question or the answer (staff must write all six)."""
    return [lang for lang in LANGS if not content.q.get(lang, "").strip() or not content.a.get(lang, "").strip()]


CONTACT: dict[str, Localized] = {
    "counter": {
        "ja": "市役所本庁舎1階 総合案内",
        "ja-easy": "しやくしょ 1かい あんない",
        "en": "City Hall 1F, information desk",
        "pt": "Prefeitura, 1º andar, balcão de informações",
        "vi": "Tòa thị chính tầng 1, quầy hướng dẫn",
        "zh": "市政府本厅舍1楼 综合咨询处",
    },
    "hours": {
        "ja": "平日 8:30〜17:15（土日祝日・年末年始を除く）",
        "ja-easy": "げつようび〜きんようび 8:30〜17:15",
        "en": "Weekdays 8:30–17:15 (closed weekends, holidays and 29 Dec–3 Jan)",
        "pt": "Dias úteis, 8h30–17h15 (fechado fins de semana, feriados e 29/12–3/1)",
        "vi": "Ngày thường 8:30–17:15 (nghỉ cuối tuần, ngày lễ và 29/12–3/1)",
        "zh": "工作日 8:30～17:15（周末、节假日及年末年初休息）",
    },
    # What the city offers at the counter for other languages (the FAQ entry hours-interpreter says the same).
    "interpreting": {
        "ja": "窓口では通訳タブレット（映像通訳）が使えます。ポルトガル語・スペイン語などの通訳がいる日もあります。"
        "筆談もできます。",
        "ja-easy": "まどぐちでは つうやくの タブレットが つかえます。かみに かいて はなす ことも できます。",
        "en": "The phone line answers in Japanese. At the counter, ask for interpreting: tablet video interpreting is "
        "available, and interpreters for Portuguese, Spanish and other languages are present on some days.",
        "pt": "O telefone atende em japonês. No balcão, peça um intérprete: há interpretação por vídeo em tablet, e "
        "intérpretes de português, espanhol e outras línguas em alguns dias.",
        "vi": "Đường dây điện thoại chỉ trả lời bằng tiếng Nhật. Tại quầy, hãy yêu cầu phiên dịch: có phiên dịch "
        "video qua máy tính bảng, và một số ngày có phiên dịch tiếng Bồ Đào Nha, Tây Ban Nha và các tiếng khác.",
        "zh": "电话仅以日语接听。在窗口可要求翻译：可使用平板视频翻译，部分日期还有葡萄牙语、西班牙语等口译员。",
    },
}
# The city's phone lines and the languages each answers in. The hand-over gives readers the line in their
# language; a city with a multilingual consultation line adds it here, with the languages it answers in.
PHONE_LINES: list[tuple[str, frozenset[Lang]]] = [("059-354-8111", frozenset({"ja", "ja-easy"}))]


def contact(lang: Lang) -> FaqContact:
    phone, in_language = next(
        ((line, True) for line, langs in PHONE_LINES if lang in langs),
        (PHONE_LINES[0][0], False),
    )
    return FaqContact(
        phone=phone,
        phone_in_your_language=in_language,
        counter=pick(CONTACT["counter"], lang),
        hours=pick(CONTACT["hours"], lang),
        interpreting=pick(CONTACT["interpreting"], lang),
    )


# --- What is kept of a question nobody could answer --------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"https?://\S+")
_DIGITS = re.compile(r"[0-9０-９][0-9０-９\-‐－ー()（） ]*")
_NAME_INTROS = re.compile(
    r"(名前は|なまえは|氏名は|my name is|meu nome é|me chamo|tôi tên là|tên tôi là|我叫|我的名字是)"
    r"\s*([^\s、。,.!?！？]{1,20})",
    re.IGNORECASE,
)
MAX_KEPT = 200


def mask(text: str) -> str:
    """Drop personal data from a question before it is stored for staff review.

    Masked: e-mail addresses, URLs, every run of digits (phone, My Number, postcode, address numbers, dates of
    birth) and the word after a self-introduction (名前は…/my name is…/me chamo…/tôi tên là…/我叫…). Names said any
    other way cannot be found reliably: staff reviewing the list are told so, and entries expire after 180 days.
    """
    text = _EMAIL.sub("[email]", text)
    text = _URL.sub("[url]", text)
    text = _NAME_INTROS.sub(lambda m: f"{m.group(1)} [name]", text)
    text = _DIGITS.sub("[#]", text)
    return text[:MAX_KEPT]
