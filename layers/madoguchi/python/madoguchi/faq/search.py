"""FAQ search: BM25 (bm25s) over a Japanese-aware analysis, one index for all six languages.

Analysis, the same for entries and queries:
1. NFKC (full-/half-width folding), lower case, katakana → hiragana (jaconv), Latin diacritics kept in one
   form and also stripped (ação → acao), so "certidao" finds "certidão".
2. Synonym groups (madoguchi.synonyms): each group whose form occurs adds one token `~group`.
3. Japanese and Chinese runs → character bigrams (and the single character of a one-character run);
   Latin/Vietnamese runs → words. Bigrams make 住民票の写し and 住民票写し meet without a dictionary.
4. Typos: a query word not in the index's vocabulary is replaced by the closest vocabulary word
   (rapidfuzz ratio ≥ 80), so "certifcate" and "passaport" still match.

Each entry is indexed once per language (question twice, answer once); a query is scored against every
document and an entry takes the score of its best language, so a query in any language finds the entry.
Confidence is the share of the query's distinct tokens (IDF-weighted; a token the FAQ never uses weighs as
much as its rarest) that the best entry's document contains.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from madoguchi.faq.models import FaqEntry
from madoguchi.faq.synonyms import SYNONYMS
from madoguchi.shared.i18n import LANGS

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ"
_RUNS = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)", re.UNICODE)
# Articles and prepositions only: question words (where, quanto, ở đâu) tell FAQ entries apart.
_STOP_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "at",
        "is",
        "are",
        "be",
        "it",
        "and",
        "or",
        "i",
        "me",
        "my",
        "o",
        "os",
        "as",
        "de",
        "do",
        "da",
        "dos",
        "das",
        "em",
        "no",
        "na",
        "e",
        "um",
        "uma",
        "eu",
        "meu",
        "minha",
        "và",
        "của",
        "là",
        "các",
        "những",
    ]
)
TYPO_CUTOFF = 84.0
CONFIDENT = 0.5


def fold(text: str) -> str:
    import jaconv

    return str(jaconv.kata2hira(unicodedata.normalize("NFKC", text).lower()))


def strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


@cache
def _synonyms() -> tuple[tuple[tuple[str, str], ...], re.Pattern[str], dict[str, str]]:
    """(CJK forms with their group, one pattern matching every Latin form as whole words, Latin form → group)."""
    forms = {(fold(form), group) for group, group_forms in SYNONYMS.items() for form in group_forms}
    cjk = tuple(sorted((form, group) for form, group in forms if not _is_latin(form)))
    latin = {form: group for form, group in sorted(forms) if _is_latin(form)}
    alternation = "|".join(re.escape(f) for f in sorted(latin, key=len, reverse=True))
    return cjk, re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), latin


def _is_latin(form: str) -> bool:
    return not re.search(f"[{_CJK}]", form)


def synonym_tokens(folded: str) -> list[str]:
    cjk, pattern, latin = _synonyms()
    found = {group for form, group in cjk if form in folded}
    # overlapping forms ("health insurance" in "national health insurance") may hide one another: search from each
    # word start so that both are seen
    for start in [0, *(m.end() for m in re.finditer(r"\W+", folded))]:
        match = pattern.match(folded, start)
        if match:
            found.add(latin[match.group(0)])
    for match in pattern.finditer(folded):
        found.add(latin[match.group(0)])
    return [f"~{g}" for g in sorted(found)]


def analyse(text: str) -> list[str]:
    folded = fold(text)
    tokens = synonym_tokens(folded)
    for cjk, word in _RUNS.findall(folded):
        if cjk:
            if len(cjk) == 1:
                tokens.append(cjk)
            else:
                tokens.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
        elif word and word not in _STOP_WORDS and not word.isdigit():
            tokens.append(word)
            plain = strip_accents(word)
            if plain != word:
                tokens.append(plain)
    return tokens


@dataclass
class Hit:
    entry: FaqEntry
    score: float


class FaqIndex:
    """Built once per container (and again when the FAQ's version changes); read-only afterwards."""

    def __init__(self, entries: Sequence[FaqEntry], version: int = 0) -> None:
        import bm25s
        import numpy as np

        self.version = version
        self.entries = list(entries)
        docs: list[list[str]] = []
        owners: list[int] = []
        for position, entry in enumerate(self.entries):
            for lang in LANGS:
                question, answer = entry.q.get(lang, ""), entry.a.get(lang, "")
                if not question:
                    continue
                docs.append(analyse(question) * 2 + analyse(answer))
                owners.append(position)
        self._owners = np.asarray(owners, dtype=np.int32)
        self._doc_tokens = [frozenset(d) for d in docs]
        self._bm25 = bm25s.BM25()
        if not docs:  # an empty FAQ: nothing to find (bm25s cannot index nothing)
            docs, owners = [["~"]], [-1]
            self._owners = np.asarray(owners, dtype=np.int32)
        self._bm25.index(docs, show_progress=False)
        vocabulary = self._bm25.vocab_dict
        self._vocabulary = frozenset(vocabulary)
        self._latin_words = sorted(w for w in vocabulary if w and not w.startswith("~") and _is_latin(w) and len(w) > 3)
        frequency: dict[str, int] = {}
        for tokens in self._doc_tokens:
            for token in tokens:
                frequency[token] = frequency.get(token, 0) + 1
        n = len(docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        self._max_idf = max(self._idf.values(), default=1.0)

    def _correct(self, tokens: list[str]) -> list[str]:
        from rapidfuzz import fuzz, process

        corrected: list[str] = []
        for token in tokens:
            if token in self._vocabulary or not _is_latin(token) or len(token) <= 4:
                corrected.append(token)
                continue
            best = process.extractOne(token, self._latin_words, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            corrected.append(str(best[0]) if best is not None else token)
        return corrected

    def query_tokens(self, query: str) -> list[str]:
        """The query's tokens after typo correction, those the index does not know included."""
        return self._correct(analyse(query))

    def search(self, query: str, k: int = 5) -> tuple[list[Hit], float]:
        """The best `k` entries and the confidence (0–1) that the first one answers the query."""
        import numpy as np

        all_tokens = self.query_tokens(query)
        tokens = [t for t in all_tokens if t in self._vocabulary]
        if not tokens or not self.entries:
            return [], 0.0
        scores = self._bm25.get_scores(tokens)
        best = np.full(len(self.entries), -1.0, dtype=np.float32)
        best_doc = np.zeros(len(self.entries), dtype=np.int64)
        order = np.argsort(-scores)
        for doc in order[: max(k * 12, 24)]:
            owner = self._owners[doc]
            if owner >= 0 and scores[doc] > best[owner]:
                best[owner] = scores[doc]
                best_doc[owner] = doc
        ranked = [int(i) for i in np.argsort(-best)[:k] if best[i] > 0]
        hits = [Hit(self.entries[i], float(best[i])) for i in ranked]
        if not hits:
            return [], 0.0
        # Words the FAQ never uses (天気 in 天気はどうですか) weigh as much as the rarest word it does use.
        distinct = set(all_tokens)
        covered = self._doc_tokens[int(best_doc[ranked[0]])]
        weight = sum(self._idf.get(t, self._max_idf) for t in distinct)
        confidence = sum(self._idf.get(t, 0.0) for t in distinct if t in covered) / weight if weight else 0.0
        return hits, round(confidence, 3)
