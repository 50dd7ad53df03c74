"""Parsing the text users type after `/debt`, `/feature` and `/tradeoff` (the public grammar)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack.text import split_once_outside_tokens, unescape


@dataclass(frozen=True)
class QuickAdd:
    """`/debt <title> | <impact>`: the title and impact as the user typed them."""

    title: str
    impact: str | None

    @property
    def is_empty(self) -> bool:
        return not self.title and not self.impact


def parse_quick_add(raw_text: str) -> QuickAdd:
    """Split the escaped slash-command text into title and impact, both unescaped and trimmed.

    An impact that is present but blank counts as missing.
    """
    title, impact = split_once_outside_tokens(raw_text or "")
    clean_impact = unescape(impact).strip() if impact is not None else ""
    return QuickAdd(title=unescape(title).strip(), impact=clean_impact or None)


@dataclass(frozen=True)
class SubCommand:
    """`/tradeoff <name> <args...>`; name is lower-cased, "" for a bare `/tradeoff`."""

    name: str
    args: tuple[str, ...]


def parse_subcommand(raw_text: str) -> SubCommand:
    words = unescape(raw_text or "").split()
    if not words:
        return SubCommand("", ())
    return SubCommand(words[0].lower(), tuple(words[1:]))


def whole_number(text: str, low: int, high: int) -> int | None:
    """`text` as an int within [low, high], or None. ASCII digits only: str.isdigit() also
    accepts characters such as '²' that int() then refuses."""
    digits = text.strip().removesuffix("%")
    if not (digits.isascii() and digits.isdigit()):
        return None
    # int() refuses more than 4,300 digits; a number longer than `high` is out of range anyway.
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(high)):
        return None
    value = int(significant)
    return value if low <= value <= high else None
