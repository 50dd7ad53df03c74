"""Hypothesis strategies for text users type and text Slack delivers.

Lone surrogates (U+D800 to U+DFFF) are never generated. They are not characters: UTF-8 cannot
encode them, so a Slack payload (JSON or a form body, both UTF-8) cannot carry one and
PostgreSQL's text type refuses them. Everything else is fair game, NUL included where the bot
receives raw text (it drops NUL before storing; see `bot.domain.items._clean`).
"""

from __future__ import annotations

from hypothesis import strategies as st

from bot.slack.text import escape

# Every code point except lone surrogates.
CHARACTERS = st.characters(codec="utf-8")

# Tokens Slack puts in command text in place of what the user picked: broadcasts, user groups,
# users, channels, links (each can carry a `|label`), and dates.
SLACK_TOKENS = (
    "<!channel>", "<!here>", "<!everyone>", "<!here|here>", "<!subteam^S0614TZR7|@platform>",
    "<@U0ABC|jo>", "<@W0ABC>", "<#C0999|general>", "<https://evil.example/a|click me>",
    "<mailto:a@example.com|mail>", "<!date^1700000000^{date_short}|Nov 14>",
)
# What people type that has broken other software: SQL, format strings, escapes, direction
# overrides, zero-width and combining characters, entities typed literally, our own separators.
NASTY_TYPED = (
    "'; DROP TABLE items; --", "\" OR 1=1 --", "%s%n%x", "%(title)s", "{0}", "{title}", "${x}",
    "$(rm -rf /)", "\\", "\\n", "\u202eevil\u202c", "\u200f\u200e", "\u200b", "e\u0301",
    "👩‍💻", "🏳️‍🌈", "&lt;", "&amp;", "&gt;", "<", ">", "&", "|", "D-1", "F-1", "@here",
    "@channel", "*bold*", "_it_", "~x~", "`code`", "```", "\x01\x02\x1b[31m", "\x7f", "\t", "\n",
    "\r\n", "\u2028", "\ufeff", "\U0010fffd",
)

typed_text = st.text(CHARACTERS)
"""Anything a user might type, as they typed it."""

typed_fragment = st.one_of(st.text(CHARACTERS, max_size=12), st.sampled_from(NASTY_TYPED))


def typed(max_size: int = 60) -> st.SearchStrategy[str]:
    """Typed text with the nasty fragments mixed in, at most `max_size` characters."""
    return st.lists(typed_fragment, max_size=8).map(lambda parts: "".join(parts)[:max_size])


wire_fragment = st.one_of(
    typed_fragment.map(escape),  # what the user typed, escaped by Slack
    st.sampled_from(SLACK_TOKENS),  # what the user picked from Slack's autocomplete
    st.text(CHARACTERS, max_size=6),  # raw bytes Slack would never send, angle brackets and all
)
wire_text = st.lists(wire_fragment, max_size=10).map("".join)
"""Text as it arrives in a slash command's `text` field (`should_escape` on), and worse."""
