"""Likely duplicates among 10,000 open titles: seconds for `check_health`.

    python -m bench.duplicates [--titles 10000] [--repeat 3]

The titles are made of a 2,000-word vocabulary, 3 to 8 words each; one in twenty is a planted
twin of an earlier title (case, joined digits, punctuation, word order or a typo). The
reference, measured in the same run, scores every pair with rapidfuzz's cdist and no
candidate filter.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz, process

from bot.domain.backlog_health import DUPLICATE_SIMILARITY, check_health, title_key
from bot.domain.items import Item, ItemRef, Kind, Status

NOW = datetime(2026, 12, 3, tzinfo=UTC)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _twin(title: str, rng: random.Random) -> str:
    words = title.split()
    match rng.randrange(5):
        case 0:
            return title.upper()
        case 1 if words[-1].isdigit():
            return " ".join([*words[:-2], "".join(words[-2:])])
        case 1:
            return title.lower()
        case 2:
            return ", ".join(words) + "!"
        case 3:
            return " ".join(reversed(words))
        case _:
            word = max(words, key=len)
            cut = rng.randrange(len(word))
            return title.replace(word, word[:cut] + word[cut + 1 :], 1)


def titles(count: int, seed: int = 13) -> tuple[list[str], set[tuple[int, int]]]:
    """The titles, and the planted (original, twin) pairs as 1-based item numbers."""
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice(_LETTERS) for _ in range(rng.randint(3, 10))) for _ in range(2000)
    ]
    made: list[str] = []
    planted: set[tuple[int, int]] = set()
    for n in range(count):
        if n > 20 and n % 20 == 0:
            original = rng.randrange(len(made))
            made.append(_twin(made[original], rng))
            planted.add((original + 1, n + 1))
        else:
            words = [rng.choice(vocabulary) for _ in range(rng.randint(3, 8))]
            if rng.random() < 0.2:
                words.append(str(rng.randrange(1, 30)))
            made.append(" ".join(words).capitalize())
    return made, planted


def items_of(made: list[str]) -> list[Item]:
    return [
        Item(ItemRef(Kind.DEBT, n), "T", "C", title, "i", "U", Status.OPEN,
             NOW - timedelta(minutes=len(made) - n), NOW)
        for n, title in enumerate(made, start=1)
    ]


def all_pairs(made: list[str]) -> float:
    """The reference: every key against every key in cdist, no filter; seconds."""
    start = time.perf_counter()
    keys = [title_key(t) for t in made]
    for row in range(0, len(keys), 1000):
        process.cdist(keys[row : row + 1000], keys, scorer=fuzz.ratio,
                      score_cutoff=DUPLICATE_SIMILARITY * 100, dtype="float32")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--titles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    made, planted = titles(args.titles)
    items = items_of(made)
    times: list[float] = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        health = check_health(items, NOW)
        times.append(time.perf_counter() - start)
    reference = all_pairs(made)
    found = {(p.keep.ref.number, p.duplicate.ref.number) for p in health.duplicates}
    print(
        f"duplicates: {len(items)} open titles; {len(planted & found)} of {len(planted)} "
        f"planted twins found; check_health median "
        f"{statistics.median(times):.3f} s, max {max(times):.3f} s (target < 1 s); "
        f"{len(health.duplicates)} pairs found; reference all-pairs cdist {reference:.3f} s"
    )


if __name__ == "__main__":
    main()
