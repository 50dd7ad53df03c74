"""Backlog health, the PM's view: what looks stale, duplicated, unsized, unquantified or, for
bugs, not triaged.

Nothing here closes anything; it only points at items a person should look at.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil

from bot.domain.items import Item, Kind, merge_refusal

STALE_AFTER = timedelta(weeks=8)
DUPLICATE_SIMILARITY = 0.8
# Words that make two titles look different without changing what they are about.
_FILLER = frozenset({"a", "an", "the", "of", "in", "on", "for", "to", "and", "with", "our"})
_WORD = re.compile(r"[\w-]+")


def title_tokens(title: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(title.lower()) if w not in _FILLER)


def similarity(a: str, b: str) -> float:
    """Token-set similarity of two titles: shared words over all words (Jaccard), 0 to 1."""
    return _token_similarity(title_tokens(a), title_tokens(b))


def _token_similarity(left: frozenset[str], right: frozenset[str]) -> float:
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)



@dataclass(frozen=True)
class DuplicatePair:
    keep: Item  # the older item: merging into it keeps the id people already use
    duplicate: Item
    similarity: float


@dataclass(frozen=True)
class BacklogHealth:
    stale: list[Item]
    duplicates: list[DuplicatePair]
    unsized: list[Item]
    unquantified: list[Item]
    untriaged: list[Item] = field(default_factory=list)  # bugs without a severity

    @property
    def is_healthy(self) -> bool:
        return not (
            self.stale or self.duplicates or self.unsized or self.unquantified or self.untriaged
        )


def check_health(items: Sequence[Item], now: datetime) -> BacklogHealth:
    open_items = sorted((i for i in items if i.is_open), key=lambda i: i.created_at)
    stale = [i for i in open_items if i.votes == 0 and now - i.created_at > STALE_AFTER]
    pairs = [
        DuplicatePair(older, newer, round(score, 2))
        for older, newer in _candidate_pairs(open_items)
        if merge_refusal(newer.ref, older.ref) is None
        and (score := similarity(older.title, newer.title)) >= DUPLICATE_SIMILARITY
    ]
    return BacklogHealth(
        stale=stale,
        duplicates=pairs,
        unsized=[i for i in open_items if i.size is None],
        unquantified=[i for i in open_items if i.kind is Kind.DEBT and i.interest is None],
        untriaged=[i for i in open_items if i.kind is Kind.BUG and i.severity is None],
    )


def _candidate_pairs(items: Sequence[Item]) -> list[tuple[Item, Item]]:
    """Pairs that can reach DUPLICATE_SIMILARITY, older item first, without comparing all pairs.

    Two word sets with Jaccard similarity >= t must share a word among the first
    |A| - ceil(t * |A|) + 1 words of each, when every set is sorted the same way (rarest words
    first, so few items share them). Only items sharing such a word are compared.
    """
    tokens = [title_tokens(item.title) for item in items]
    frequency: dict[str, int] = {}
    for words in tokens:
        for word in words:
            frequency[word] = frequency.get(word, 0) + 1
    by_word: dict[str, list[int]] = {}
    candidates: set[tuple[int, int]] = set()
    for index, words in enumerate(tokens):
        ordered = sorted(words, key=lambda w: (frequency[w], w))
        prefix = ordered[: len(ordered) - ceil(DUPLICATE_SIMILARITY * len(ordered)) + 1]
        for word in prefix:
            for other in by_word.get(word, []):
                candidates.add((other, index))
            by_word.setdefault(word, []).append(index)
    return [(items[a], items[b]) for a, b in sorted(candidates)]
