"""The slash-command grammar and mrkdwn escaping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.command_text import parse_quick_add, parse_subcommand
from bot.slack.text import clip, escape, split_once_outside_tokens, unescape


@pytest.mark.parametrize(
    ("raw", "title", "impact"),
    [
        ("Title | Impact", "Title", "Impact"),
        ("Title|Impact|more", "Title", "Impact|more"),
        ("Title", "Title", None),
        ("Title |  ", "Title", None),
        ("", "", None),
        ("See <https://x.io/a|docs> | why", "See <https://x.io/a|docs>", "why"),
        ("<@U1|jo> owns it | why", "<@U1|jo> owns it", "why"),
        ("a &lt; b | c &amp;&gt; d", "a < b", "c &> d"),
    ],
)
def test_quick_add_split(raw: str, title: str, impact: str | None) -> None:
    parsed = parse_quick_add(raw)
    assert (parsed.title, parsed.impact) == (title, impact)


def test_subcommand_is_case_insensitive_and_keeps_args() -> None:
    sub = parse_subcommand("  DONE   D-3 ")
    assert (sub.name, sub.args) == ("done", ("D-3",))
    assert parse_subcommand("").name == ""


def test_escape_handles_ampersand_first() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape("&lt;") == "&amp;lt;"


@given(st.text())
def test_escape_round_trips(text: str) -> None:
    assert unescape(escape(text)) == text


@given(st.text())
def test_escaped_text_has_no_angle_brackets(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped


@given(st.text(alphabet=st.sampled_from("ab|<>&; ")))
def test_split_never_loses_text(text: str) -> None:
    head, tail = split_once_outside_tokens(text)
    assert (head if tail is None else f"{head}|{tail}") == text


@given(st.text(alphabet=st.sampled_from("a&;<>mpltg")), st.integers(min_value=2, max_value=40))
def test_clip_never_splits_an_entity(text: str, limit: int) -> None:
    escaped = escape(text)
    clipped = clip(escaped, limit)
    assert len(clipped) <= limit
    body = clipped.removesuffix("…")
    assert escaped.startswith(body)
    # Every '&' kept still starts a whole entity.
    for index, char in enumerate(body):
        if char == "&":
            assert body[index:].startswith(("&amp;", "&lt;", "&gt;"))
