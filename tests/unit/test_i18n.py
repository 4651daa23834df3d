import pytest

from madoguchi.shared.i18n import LANGS, MESSAGES, negotiate, pick


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("en", None, "en"),
        ("ja-easy", "en", "ja-easy"),
        (None, "pt-BR,pt;q=0.9,en;q=0.8", "pt"),
        (None, "fr;q=1.0, vi;q=0.5", "vi"),
        (None, "zh-Hans-CN", "zh"),
        ("klingon", "en", "en"),
        (None, None, "ja"),
        (None, "en;q=bad", "en"),
    ],
)
def test_language_is_negotiated_from_query_then_header(query, header, expected):
    assert negotiate(query, header) == expected


def test_missing_translation_falls_back_to_english_then_japanese():
    assert pick({"ja": "住民票", "en": "Resident record"}, "pt") == "Resident record"
    assert pick({"ja": "住民票", "en": "Resident record"}, "ja-easy") == "住民票"
    assert pick({"ja": "住民票"}, "vi") == "住民票"


def test_every_api_message_is_translated_into_every_language():
    for code, texts in MESSAGES.items():
        assert set(texts) == set(LANGS), code
        assert all(texts.values()), code
