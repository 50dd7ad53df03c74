"""A linked item's tracker issue, as a link wherever the item is shown."""

from __future__ import annotations

from bot.domain.items import Item
from bot.slack.text import escape


def issue_link(ref: str, url: str) -> str:
    """`<url|owner/repo#12>`; a URL Slack could misread (a `|`, spaces) is shown as text."""
    if "|" in url or any(c.isspace() for c in url) or not url.startswith(("http://", "https://")):
        return escape(ref)
    return f"<{escape(url)}|{escape(ref)}>"


def item_issue(item: Item) -> str:
    """` · <url|acme/shop#12>` for a linked item, else ""."""
    if item.tracker_ref and item.link:
        return f" · {issue_link(item.tracker_ref, item.link)}"
    return ""
