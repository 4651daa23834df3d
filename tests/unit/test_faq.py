"""FAQ content, analysis, search, masking and the chat/edit logic with the in-memory store."""

from datetime import UTC, datetime

import pytest

from madoguchi.faq import service as faq
from madoguchi.faq.line_chat import answer_texts, guess_lang
from madoguchi.faq.models import FaqEntryEdit, mask, seed_entries
from madoguchi.faq.search import FaqIndex, analyse, fold
from madoguchi.faq.service import FaqDeps
from madoguchi.guide.models import GUIDE_EVENT_IDS
from madoguchi.shared.auth import Caller, Role
from madoguchi.shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from madoguchi.shared.settings import settings
from tests.fakes.faq import MemoryFaqStore

LANGS = ("ja", "ja-easy", "en", "pt", "vi", "zh")
NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
STAFF = Caller(sub="staff-shimin", role=Role.STAFF, department="shimin")
RESIDENT = Caller(sub="resident-1", role=Role.RESIDENT)


@pytest.fixture(autouse=True)
def fresh_settings():
    # LINE texts read settings (site_url); do not leave this process's settings cached for the local stack's tests
    yield
    settings.cache_clear()


@pytest.fixture(scope="module")
def entries():
    return seed_entries()


@pytest.fixture(scope="module")
def index(entries):
    return FaqIndex(entries)


@pytest.fixture
def store(entries):
    return MemoryFaqStore(entries)


def test_at_least_150_entries_each_in_six_languages_with_distinct_ids(entries):
    assert len(entries) >= 150
    assert len({e.id for e in entries}) == len(entries)
    for entry in entries:
        assert set(entry.q) == set(LANGS) and set(entry.a) == set(LANGS), entry.id
        assert all(entry.q[lang].strip() and entry.a[lang].strip() for lang in LANGS), entry.id


def test_every_topic_the_city_is_asked_about_is_covered(entries):
    topics = {e.topic for e in entries}
    assert topics == {
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
    }


def test_links_point_to_our_pages_or_https(entries):
    for entry in entries:
        if entry.link and entry.link.startswith("/guide/?event="):
            assert entry.link.removeprefix("/guide/?event=") in GUIDE_EVENT_IDS, entry.id


def test_folding_makes_width_and_kana_variants_equal():
    assert fold("ジュウミンヒョウ") == fold("じゅうみんひょう")
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("ｼﾞｭｳﾐﾝﾋｮｳ") == "じゅうみんひょう"


def test_analysis_adds_the_synonym_group_and_bigrams():
    tokens = analyse("住民票の写し")
    assert "~juminhyo" in tokens and "住民" in tokens and "写し" in tokens
    assert "~juminhyo" in analyse("Certificado de residência")
    assert "certificado" in analyse("Certificado") and "residencia" in analyse("residência")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("住民票はどこで取れますか", "cert-juminhyo-where"),
        ("ジュウミンヒョウ どこ", "cert-juminhyo-where"),
        ("コンビニ 何時まで", "konbini-hours"),
        ("Where can I get a resident record?", "cert-juminhyo-where"),
        ("convenience store hours", "konbini-hours"),
        ("convinience stor hours", "konbini-hours"),  # typos
        ("Quanto custa o auxílio infantil por mês?", "jido-teate-amount"),
        ("mất thẻ My Number", "myna-lost"),
        ("儿童补贴多少钱", "jido-teate-amount"),
    ],
)
def test_queries_in_any_language_find_their_entry_in_the_top_three(index, query, expected):
    hits, _ = index.search(query, 3)
    assert expected in [h.entry.id for h in hits]


def test_nonsense_has_low_confidence(index):
    assert index.search("明日の天気はどうですか", 3)[1] < 0.5
    assert index.search("recommend me a ramen shop", 3)[1] < 0.5
    assert index.search("zzzz qqqq", 3) == ([], 0.0)


def test_mask_removes_digits_mail_and_introduced_names():
    masked = mask("My name is Sato, tel 090-1234-5678, sato@example.jp, マイナンバー123456789012")
    assert "Sato" not in masked and "5678" not in masked and "example" not in masked and "9012" not in masked
    assert masked.count("[#]") == 2 and "[email]" in masked and "[name]" in masked
    assert mask("名前は山田です") == "名前は [name]です" or "山田" not in mask("名前は山田です")
    assert len(mask("あ" * 600)) == 200


def test_confident_chat_answers_and_logs_nothing(store):
    reply = faq.chat("コンビニで住民票は何時まで取れますか", FaqDeps(store), NOW, lang="ja", channel="web")
    assert reply.confident and reply.answer and reply.answer.id == "konbini-hours"
    assert reply.contact is None and len(reply.related) <= 3
    assert store.unanswered(10) == []


def test_unsure_chat_gives_contact_and_keeps_the_masked_question(store):
    reply = faq.chat("犬の散歩コースのおすすめは？ 090-1111-2222", FaqDeps(store), NOW, lang="en", channel="web")
    assert not reply.confident and reply.answer is None
    assert reply.contact and reply.contact.phone == "059-354-8111"
    [kept] = store.unanswered(10)
    assert "1111" not in kept.text and kept.channel == "web" and kept.lang == "en"


def test_a_hand_off_to_a_person_emits_one_event_per_channel_without_the_question(store):
    faq.chat("コンビニで住民票は何時まで取れますか", FaqDeps(store), NOW, lang="ja", channel="web")
    assert store.events == []  # a confident answer hands nobody over
    faq.chat("犬の散歩コースのおすすめは？ 090-1111-2222", FaqDeps(store), NOW, lang="en", channel="web")
    faq.chat("犬の散歩コースのおすすめは？", FaqDeps(store), NOW, lang="ja", channel="line")
    web, line = store.events
    assert [(e.type, e.procedure_id, e.channel, e.occurred_at) for e in (web, line)] == [
        ("handed_off", "faq", "online", NOW),
        ("handed_off", "faq", "line", NOW),
    ]
    assert web.id != line.id and web.id.startswith("faq:u")
    assert "090" not in web.model_dump_json() and "犬" not in web.model_dump_json()  # no text, only ids and time


def test_review_needs_staff(store):
    with pytest.raises(Unauthorized):
        faq.unanswered(10, None, FaqDeps(store))
    with pytest.raises(Forbidden):
        faq.unanswered(10, RESIDENT, FaqDeps(store))
    with pytest.raises(NotFound):
        faq.resolve("u-none", STAFF, FaqDeps(store))


def six(text: str) -> dict[str, str]:
    return {lang: f"{text} {lang}" for lang in LANGS}


def test_edit_is_versioned_and_the_index_follows(store):
    word = "quokkaoffice"
    assert not faq.search(word, FaqDeps(store), lang="en").hits
    edited = faq.edit(
        "hours-wifi",
        FaqEntryEdit(topic="hours", q=six(f"Where is the {word}?"), a=six("2F"), expected_version=1),
        STAFF,
        FaqDeps(store),
        NOW,
    )
    assert edited.version == 2 and edited.updated_by == "staff-shimin"
    assert faq.search(word, FaqDeps(store), lang="en").hits[0].id == "hours-wifi"
    history = faq.entry_history("hours-wifi", STAFF, FaqDeps(store))
    assert [v.version for v in history.versions] == [1]
    with pytest.raises(Conflict):
        faq.edit(
            "hours-wifi",
            FaqEntryEdit(topic="hours", q=six("x"), a=six("y"), expected_version=1),
            STAFF,
            FaqDeps(store),
            NOW,
        )


def test_edit_refuses_missing_languages_and_bad_ids(store):
    q = six("q")
    q["zh"] = " "
    with pytest.raises(InvalidInput) as raised:
        faq.edit(
            "hours-wifi", FaqEntryEdit(topic="hours", q=q, a=six("a"), expected_version=1), STAFF, FaqDeps(store), NOW
        )
    assert raised.value.fields == [(["body", "q", "zh"], "field_missing")]
    with pytest.raises(InvalidInput):
        faq.edit(
            "Bad Id!",
            FaqEntryEdit(topic="hours", q=six("q"), a=six("a"), expected_version=0),
            STAFF,
            FaqDeps(store),
            NOW,
        )
    with pytest.raises(Forbidden):
        faq.edit(
            "new-one",
            FaqEntryEdit(topic="hours", q=six("q"), a=six("a"), expected_version=0),
            RESIDENT,
            FaqDeps(store),
            NOW,
        )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("住民票", "ja"),
        ("户籍誊本在哪里", "zh"),
        ("儿童补贴", "zh"),
        ("Tôi cần phiếu cư trú", "vi"),
        ("Onde tiro o juminhyo?", "pt"),
        ("Where is city hall?", "en"),
    ],
)
def test_line_language_is_guessed_from_the_text(text, lang):
    assert guess_lang(text) == lang


def test_line_texts_are_the_public_answer_only(store):
    texts = answer_texts("Onde posso tirar a cópia do registro de residente?", FaqDeps(store), NOW)
    assert "Divisão de Cidadãos" in texts[0]
    assert all("Onde posso tirar" not in t for t in texts)
    assert len(texts) <= 5 and all(len(t) <= 5000 for t in texts)


# --- issue 13, flaw 8: who edits the public FAQ, and where its links may point ------------------------------


@pytest.mark.parametrize("department", ["hoken", "zei", "kodomo", "shisetsu", None])
def test_only_the_faq_editors_departments_change_public_answers(store, department):
    editor = Caller(sub=f"staff-{department}", role=Role.STAFF, department=department)
    before = (store.version(), store.get("hours-wifi"))
    with pytest.raises(Forbidden):
        faq.edit(
            "hours-wifi",
            FaqEntryEdit(topic="hours", q=six("q"), a=six("a"), expected_version=1),
            editor,
            FaqDeps(store),
            NOW,
        )
    assert (store.version(), store.get("hours-wifi")) == before


@pytest.mark.parametrize(
    "link",
    [
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/faq/",
        "https://madoguchi.example@evil.example/",
        "/faq/\nx",
        "http://madoguchi.example/faq/",
    ],
)
def test_a_link_leaving_the_site_is_refused_and_nothing_changes(store, monkeypatch, link):
    monkeypatch.setenv("SITE_URL", "https://madoguchi.example")
    settings.cache_clear()
    before = store.version()
    with pytest.raises(InvalidInput) as raised:
        faq.edit(
            "hours-wifi",
            FaqEntryEdit.model_construct(topic="hours", q=six("q"), a=six("a"), link=link, expected_version=1),
            STAFF,
            FaqDeps(store),
            NOW,
        )
    assert raised.value.fields == [(["body", "link"], "field_invalid")]
    assert store.version() == before and store.get("hours-wifi").version == 1
    settings.cache_clear()


@pytest.mark.parametrize("link", ["/faq/", "/?procedure=juminhyo", "https://madoguchi.example/guide/?event=death"])
def test_site_links_are_kept(store, monkeypatch, link):
    monkeypatch.setenv("SITE_URL", "https://madoguchi.example")
    settings.cache_clear()
    change = FaqEntryEdit(topic="hours", q=six("q"), a=six("a"), link=link, expected_version=1)
    assert faq.edit("hours-wifi", change, STAFF, FaqDeps(store), NOW).link == link
    settings.cache_clear()


def test_the_hand_over_gives_each_language_its_way_to_a_person(monkeypatch):
    from madoguchi.faq import models

    assert models.contact("ja").phone_in_your_language and models.contact("ja-easy").phone_in_your_language
    for lang in ("en", "pt", "vi", "zh"):
        c = models.contact(lang)
        assert not c.phone_in_your_language, lang  # the city's line answers in Japanese only
        assert (
            "tablet" in models.CONTACT["interpreting"]["en"] and c.interpreting == models.CONTACT["interpreting"][lang]
        )
    # A city with a line in a language gives it to that language's readers
    monkeypatch.setattr(models, "PHONE_LINES", [*models.PHONE_LINES, ("059-000-0000", frozenset({"pt", "vi"}))])
    assert models.contact("vi").phone == "059-000-0000" and models.contact("vi").phone_in_your_language
    assert models.contact("zh").phone == "059-354-8111" and not models.contact("zh").phone_in_your_language
