"""The FAQ chat as LINE text messages: public answers, a phone number and links only (never personal data)."""

from __future__ import annotations

import re
from datetime import datetime

from madoguchi.faq import service as faq
from madoguchi.shared.i18n import Lang, Localized, pick
from madoguchi.shared.public_origin import SiteNotConfigured, site_link

MAX_TEXT = 4800  # a LINE text message holds 5,000 characters
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_PORTUGUESE = re.compile(r"[ãõçáéíóúâêô]|\b(como|onde|quanto|preciso|posso|não|para|do|da)\b", re.IGNORECASE)

RELATED_LABEL: Localized = {
    "ja": "関連する質問",
    "ja-easy": "ほかの しつもん",
    "en": "Related questions",
    "pt": "Perguntas relacionadas",
    "vi": "Câu hỏi liên quan",
    "zh": "相关问题",
}
NO_ANSWER: Localized = {
    "ja": "申し訳ありません。この質問にはお答えできませんでした。担当者にお問い合わせください。",
    "ja-easy": "ごめんなさい。こたえが わかりません。しやくしょに きいて ください。",
    "en": "Sorry, we could not answer this question. Please contact us.",
    "pt": "Desculpe, não conseguimos responder a esta pergunta. Entre em contato conosco.",
    "vi": "Xin lỗi, chúng tôi không trả lời được câu hỏi này. Vui lòng liên hệ với chúng tôi.",
    "zh": "抱歉，无法回答这个问题。请联系工作人员。",
}


def guess_lang(text: str) -> Lang:
    """LINE does not say which language a user writes in; the script and a few words do."""
    if _KANA.search(text):
        return "ja"
    if _HAN.search(text):
        # Kanji alone: Japanese unless a character is one Japanese does not use (simplified Chinese: 户, 补, 誊)
        return "ja" if _japanese_script(text) else "zh"
    if _VIETNAMESE.search(text):
        return "vi"
    if _PORTUGUESE.search(text):
        return "pt"
    return "en"


def _japanese_script(text: str) -> bool:
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def absolute(link: str | None) -> str | None:
    if not link or link.startswith("https://"):
        return link
    try:
        return site_link(link)
    except (SiteNotConfigured, ValueError):
        return None


def answer_texts(message: str, deps: faq.FaqDeps, now: datetime) -> list[str]:
    lang = guess_lang(message)
    reply = faq.chat(message[:500], deps, now, lang=lang, channel="line")
    texts: list[str] = []
    if reply.answer is not None:
        link = absolute(reply.answer.link)
        texts.append("\n".join([reply.answer.answer, *([link] if link else [])])[:MAX_TEXT])
    else:
        texts.append(pick(NO_ANSWER, lang))
    if reply.contact is not None:
        c = reply.contact
        lines = [f"☎ {c.phone}", c.counter, c.hours]
        texts.append("\n".join(lines if c.phone_in_your_language else [c.interpreting, *lines]))
    if reply.related:
        texts.append("\n".join([pick(RELATED_LABEL, lang), *(f"・{r.question}" for r in reply.related)])[:MAX_TEXT])
    return texts
