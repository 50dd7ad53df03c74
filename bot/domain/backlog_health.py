"""Backlog health, the PM's view: what looks stale, duplicated, unsized, unquantified or, for
bugs, not triaged.

Nothing here closes anything; it only points at items a person should look at.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

from bot.domain.items import Item, Kind, merge_refusal

STALE_AFTER = timedelta(weeks=8)
DUPLICATE_SIMILARITY = 0.8
# Words that make two titles look different without changing what they are about.
_FILLER = frozenset({"a", "an", "the", "of", "in", "on", "for", "to", "and", "with", "our"})
# Letters and digits are separate words, so "postgres16" reads like "Postgres 16"; everything
# else (punctuation, underscores) only separates words.
_WORD = re.compile(r"[^\W\d_]+|\d+")
# A ratio of at least t between lengths a <= b needs 2a / (a + b) >= t, so b <= a (2 - t) / t.
_LONGEST_MATCH = (2 - DUPLICATE_SIMILARITY) / DUPLICATE_SIMILARITY
# Keys per cdist call. Each block is compared with the keys from its own start on, so smaller
# blocks skip more of the matrix's lower half; below 32 the calls' own cost eats the gain.
_BLOCK = 32


def title_key(title: str) -> str:
    """The title as a person reads it: lower case, filler dropped, words in a fixed order."""
    return " ".join(sorted(w for w in _WORD.findall(title.lower()) if w not in _FILLER))


def _numbers(key: str) -> list[str]:
    return [w for w in key.split() if w.isdigit()]


def similarity(a: str, b: str) -> float:
    """How alike two titles read, 0 to 1, or 0 when below DUPLICATE_SIMILARITY.

    It is the Indel ratio (rapidfuzz) of the title keys, so one typo costs a few letters of
    the score instead of a whole word. Titles whose numbers differ ("Postgres 16" and
    "Postgres 17") are different work however alike they read. Below the duplicate line the
    exact figure means nothing to a reader, and rapidfuzz can skip computing it.
    """
    left, right = title_key(a), title_key(b)
    if not left or not right or _numbers(left) != _numbers(right):
        return 0.0
    return fuzz.ratio(left, right, score_cutoff=DUPLICATE_SIMILARITY * 100) / 100


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

    Keys are sorted by length, and each block of them is compared (rapidfuzz's cdist, in C)
    only with the keys no longer than _LONGEST_MATCH times its longest: a longer key cannot
    reach the ratio. The cutoff is a little lower than the rule so that float rounding in
    cdist never drops a pair; each candidate is then scored by `similarity` itself.
    """
    keys = [title_key(item.title) for item in items]
    order = sorted((i for i, key in enumerate(keys) if key), key=lambda i: len(keys[i]))
    lengths = [len(keys[i]) for i in order]
    candidates: set[tuple[int, int]] = set()
    for start in range(0, len(order), _BLOCK):
        block = order[start : start + _BLOCK]
        stop = bisect_right(lengths, lengths[start + len(block) - 1] * _LONGEST_MATCH)
        others = order[start:stop]
        scores = process.cdist(
            [keys[i] for i in block], [keys[i] for i in others], scorer=fuzz.ratio,
            score_cutoff=DUPLICATE_SIMILARITY * 100 - 1, dtype="float32",
        )
        for row, column in zip(*scores.nonzero(), strict=True):
            if column > row:
                pair = (block[row], others[column])
                candidates.add((min(pair), max(pair)))
    return [(items[a], items[b]) for a, b in sorted(candidates)]
