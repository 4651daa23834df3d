"""Matching a card's basic four items (基本4情報) with the city's resident records.

Both come from the 住民基本台帳, so a match is exact after normalising only how the text is written: Unicode
NFKC (full-width digits and letters), no spaces of either width, one hyphen for the dash variants. Nothing is
fuzzy: a moved resident whose card was not updated, or a name written with a character the card cannot hold
(外字), is refused and sent to the counter rather than matched to someone similar.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
# Dash-like characters used between numbers in addresses (after NFKC): hyphen, dashes, minus, long vowel mark
_DASHES = re.compile(r"(?<=\d)[\u2010-\u2015\u2212\u30fc\uff70-](?=\d)")


@dataclass(frozen=True)
class FourItems:
    name: str
    address: str
    date_of_birth: str  # YYYY-MM-DD
    sex: str  # male | female | not_applicable | unknown


def normalise_name(name: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", name))


def normalise_address(address: str) -> str:
    return _DASHES.sub("-", _SPACES.sub("", unicodedata.normalize("NFKC", address)))


def lookup_key(items: FourItems) -> str:
    """A key to find candidate records by name and date of birth without keeping them in clear in an index.

    It is still personal data (a guessable hash): store it only where the records themselves may be.
    """
    return hashlib.sha256(f"{normalise_name(items.name)}|{items.date_of_birth}".encode()).hexdigest()


def matches(card: FourItems, record: FourItems) -> bool:
    return (
        normalise_name(card.name) == normalise_name(record.name)
        and normalise_address(card.address) == normalise_address(record.address)
        and card.date_of_birth == record.date_of_birth
        and card.sex == record.sex
    )
