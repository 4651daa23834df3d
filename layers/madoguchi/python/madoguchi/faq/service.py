"""FAQ search, chat, staff review and versioned editing."""

from __future__ import annotations

import re
import secrets
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime

from madoguchi.faq.events import handoff_event
from madoguchi.faq.models import (
    ENTRY_ID_PATTERN,
    FaqChatReply,
    FaqEntry,
    FaqEntryEdit,
    FaqEntryHistory,
    FaqHit,
    FaqSearchResult,
    FaqUnanswered,
    FaqUnansweredList,
    complete,
    contact,
    mask,
    view,
)
from madoguchi.faq.search import CONFIDENT, FaqIndex
from madoguchi.faq.store import FaqStore
from madoguchi.shared.auth import Caller, Role, require
from madoguchi.shared.errors import Forbidden, InvalidInput, NotFound
from madoguchi.shared.i18n import Lang
from madoguchi.shared.public_origin import SiteNotConfigured, is_site_url

_lock = threading.Lock()
_cached: weakref.WeakKeyDictionary[FaqStore, FaqIndex] = weakref.WeakKeyDictionary()  # per store (a container: one)
RELATED = 3
# Who may change the public FAQ (docs/decisions.md): the Citizens Division, which keeps the city's public
# counter information, and the one-stop counter that answers residents' general questions. Other staff read
# the review list and entries, and mark questions reviewed.
FAQ_EDITORS = frozenset({"shimin", "onestop"})


@dataclass(frozen=True)
class FaqDeps:
    store: FaqStore


def index(store: FaqStore) -> FaqIndex:
    """The container's index, rebuilt when the FAQ's version has changed since it was built (one GetItem)."""
    version = store.version()
    cached = _cached.get(store)
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        cached = _cached.get(store)
        if cached is None or cached.version != version:
            cached = _cached[store] = FaqIndex(store.entries(), version)
        return cached


def search(query: str, deps: FaqDeps, *, lang: Lang, k: int = 5) -> FaqSearchResult:
    query = query.strip()
    if not query:
        raise InvalidInput([(["query", "q"], "field_missing")])
    hits, _ = index(deps.store).search(query, k)
    return FaqSearchResult(
        lang=lang,
        query=query,
        hits=[FaqHit(**view(h.entry, lang).model_dump(), score=round(h.score, 3)) for h in hits],
    )


def chat(message: str, deps: FaqDeps, now: datetime, *, lang: Lang, channel: str) -> FaqChatReply:
    """The best answer when we are confident, else how to reach a person; unsure questions are kept (masked)."""
    text = message.strip()
    if not text:
        raise InvalidInput([(["body", "message"], "field_missing")])
    hits, confidence = index(deps.store).search(text, 1 + RELATED)
    confident = bool(hits) and confidence >= CONFIDENT
    if not confident:
        question = FaqUnanswered(
            id=f"u{now.strftime('%Y%m%d%H%M%S')}{secrets.token_hex(4)}",
            text=mask(text),
            lang=lang,
            channel="line" if channel == "line" else "web",
            best_entry=hits[0].entry.id if hits else None,
            confidence=confidence,
            asked_at=now,
        )
        deps.store.add_unanswered(question, handoff_event(question))
    return FaqChatReply(
        lang=lang,
        confident=confident,
        answer=view(hits[0].entry, lang) if confident else None,
        related=[view(h.entry, lang) for h in (hits[1:] if confident else hits)][:RELATED],
        contact=None if confident else contact(lang),
    )


def unanswered(limit: int, caller: Caller | None, deps: FaqDeps) -> FaqUnansweredList:
    require(caller, Role.STAFF)
    return FaqUnansweredList(items=deps.store.unanswered(limit))


def resolve(question_id: str, caller: Caller | None, deps: FaqDeps) -> None:
    require(caller, Role.STAFF)
    deps.store.resolve_unanswered(question_id)


def entry_history(entry_id: str, caller: Caller | None, deps: FaqDeps) -> FaqEntryHistory:
    require(caller, Role.STAFF)
    entry = deps.store.get(entry_id)
    if entry is None:
        raise NotFound()
    return FaqEntryHistory(entry=entry, versions=deps.store.history(entry_id)[1:])


def _links_to_this_site(link: str | None) -> bool:
    """A site-relative path (`/path`, never `//host` or `/\\host`) or an https URL on the site's own origin:
    the FAQ is public and its links go out over LINE, so a link never leads off the site."""
    if link is None:
        return True
    if "\\" in link or any(c.isspace() or ord(c) < 0x20 for c in link):
        return False
    if link.startswith("/"):
        return not link.startswith("//")
    try:
        return link.startswith("https://") and is_site_url(link)
    except SiteNotConfigured:
        return False


def edit(entry_id: str, change: FaqEntryEdit, caller: Caller | None, deps: FaqDeps, now: datetime) -> FaqEntry:
    """A new version of an entry (or a new entry with expected_version 0); the search sees it at once.
    FAQ editors only (FAQ_EDITORS)."""
    who = require(caller, Role.STAFF)
    if who.department not in FAQ_EDITORS:
        raise Forbidden()
    if not re.match(ENTRY_ID_PATTERN, entry_id):
        raise InvalidInput([(["path", "entryId"], "field_invalid")])
    if not _links_to_this_site(change.link):
        raise InvalidInput([(["body", "link"], "field_invalid")])
    missing = complete(change)
    if missing:
        raise InvalidInput(
            [(["body", "q" if not change.q.get(lang, "").strip() else "a", lang], "field_missing") for lang in missing]
        )
    entry = FaqEntry(
        id=entry_id,
        topic=change.topic,
        q={k: v.strip() for k, v in change.q.items()},
        a={k: v.strip() for k, v in change.a.items()},
        link=change.link,
        version=change.expected_version + 1,
        updated_at=now,
        updated_by=who.sub,
    )
    deps.store.save(entry, change.expected_version)
    return entry
