"""The one place that escapes and unescapes Slack's mrkdwn control characters."""

from __future__ import annotations


def escape(text: str) -> str:
    """User text made safe for mrkdwn: no live mention, broadcast or disguised link survives."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack's escaped inbound text back to what the user typed (`&amp;` last, per Slack)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def split_once_outside_tokens(text: str, separator: str = "|") -> tuple[str, str | None]:
    """Split raw Slack text at the first separator that is not inside a `<...>` token.

    Slack writes links and mentions as `<https://x|label>` and `<@U1|name>`, whose `|` is not
    the user's separator. Raw inbound text only contains `<` as the start of such a token,
    because a `<` the user typed arrives escaped as `&lt;`.
    """
    depth = 0
    for index, char in enumerate(text):
        if char == "<":
            depth += 1
        elif char == ">" and depth:
            depth -= 1
        elif char == separator and depth == 0:
            return text[:index], text[index + 1 :]
    return text, None


def clip(text: str, limit: int) -> str:
    """Text cut to `limit` characters with an ellipsis, never splitting an `&amp;`-style entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def quote(text: str) -> str:
    """User text as a mrkdwn block quote, escaped, every line quoted (a `>` covers one line)."""
    return "\n".join(f">{line}" for line in escape(text).splitlines() or [""])
