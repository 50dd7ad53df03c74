"""The kinds of item: feature requests on the PM's side of the scale, debt and bugs on the
other, with the words each kind is shown with."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    BUG = "bug"
    DEBT = "debt"
    FEATURE = "feature"

    @property
    def is_feature(self) -> bool:
        """Features are the PM's side of the scale; debt and bugs are both non-feature work,
        weighed together against the channel's (non-feature) budget."""
        return self is Kind.FEATURE

    @property
    def prefix(self) -> str:
        return KIND_WORDS[self].prefix

    @property
    def noun(self) -> str:
        """What users call one item of this kind."""
        return KIND_WORDS[self].noun

    @property
    def impact_label(self) -> str:
        """The name of the "why it matters" field for this kind."""
        return KIND_WORDS[self].impact_label

    @property
    def heading(self) -> str:
        """The kind as a heading or at the start of a sentence: `Tech debt`, `Bug`."""
        return KIND_WORDS[self].heading

    @property
    def command(self) -> str:
        """The slash command that logs items of this kind."""
        return f"/{self.value}"


@dataclass(frozen=True)
class KindWords:
    prefix: str
    noun: str
    heading: str
    impact_label: str


KIND_WORDS = {
    Kind.BUG: KindWords("B", "bug", "Bug", "user impact"),
    Kind.DEBT: KindWords("D", "tech debt item", "Tech debt", "business impact"),
    Kind.FEATURE: KindWords("F", "feature request", "Feature request", "user value"),
}
NON_FEATURE = frozenset(kind for kind in Kind if not kind.is_feature)
KIND_BY_PREFIX = {words.prefix: kind for kind, words in KIND_WORDS.items()}
