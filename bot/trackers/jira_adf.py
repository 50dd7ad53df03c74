"""Atlassian Document Format (ADF), the rich-text JSON Jira Cloud's REST v3 speaks, in the
two directions the bridge needs: an issue's description read as plain paragraphs, and the
bot's own descriptions and comments written as documents."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

# Inline nodes whose text lives in `attrs` rather than in a `text` field.
_INLINE_ATTR_TEXT = {"mention": "text", "emoji": "text", "date": "timestamp",
                     "status": "text"}


def paragraph_texts(doc: Any) -> list[str]:
    """The text of every `paragraph` node, in document order, at any depth (inside lists,
    quotes, panels). Headings, code blocks and tables are left out: an imported item's
    impact is the description's first paragraph, not its first heading."""
    found: list[str] = []
    for node in _walk(doc):
        if node.get("type") == "paragraph":
            text = " ".join(_inline_text(node).split())
            if text:
                found.append(text)
    return found


def plain_text(doc: Any) -> str:
    """The description as plain text: its paragraphs, separated by blank lines ("" for an
    empty or missing description, or one Jira sent as a plain string by an old client)."""
    if isinstance(doc, str):
        return doc
    return "\n\n".join(paragraph_texts(doc))


def all_text(doc: Any) -> str:
    """Every piece of text in the document, run together: what a marker search looks in."""
    return " ".join(str(node.get("text") or "") for node in _walk(doc))


def document(paragraphs: Sequence[Sequence[dict[str, Any]]]) -> dict[str, Any]:
    """A version-1 ADF document of the given paragraphs (each a list of inline nodes);
    an empty paragraph list still makes a valid, empty document."""
    content = [{"type": "paragraph", "content": list(inline)} for inline in paragraphs if inline]
    return {"type": "doc", "version": 1, "content": content}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def link(value: str, href: str) -> dict[str, Any]:
    return {"type": "text", "text": value, "marks": [{"type": "link", "attrs": {"href": href}}]}


def code(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value, "marks": [{"type": "code"}]}


def from_plain(body: str) -> dict[str, Any]:
    """Plain text (blank-line separated paragraphs, single newlines kept as line breaks)
    as a document. ADF text is never markup, so nothing in it needs escaping."""
    paragraphs: list[list[dict[str, Any]]] = []
    for block in re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip()):
        lines = [line for line in block.split("\n") if line.strip()]
        inline: list[dict[str, Any]] = []
        for n, line in enumerate(lines):
            if n:
                inline.append({"type": "hardBreak"})
            inline.append(text(line))
        paragraphs.append(inline)
    return document(paragraphs)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for child in node.get("content") or ():
            yield from _walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from _walk(child)


def _inline_text(node: dict[str, Any]) -> str:
    parts: list[str] = []
    for child in node.get("content") or ():
        if not isinstance(child, dict):
            continue
        kind = child.get("type")
        raw_attrs = child.get("attrs")
        attrs: dict[str, Any] = raw_attrs if isinstance(raw_attrs, dict) else {}
        if kind == "text":
            parts.append(str(child.get("text") or ""))
        elif kind == "hardBreak":
            parts.append(" ")
        elif kind in _INLINE_ATTR_TEXT:
            parts.append(str(attrs.get(_INLINE_ATTR_TEXT[kind]) or attrs.get("shortName") or ""))
        elif kind in ("inlineCard", "blockCard"):
            parts.append(str(attrs.get("url") or ""))
        elif child.get("content"):
            parts.append(_inline_text(child))
    return "".join(parts)
