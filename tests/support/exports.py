"""Running /tradeoff export and reading the CSV files it uploaded to the fake Slack."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from tests.conftest import Bot


async def run_export(bot: Bot) -> tuple[httpx.Response, dict[str, Any]]:
    """Run `/tradeoff export` and wait for the upload to complete; returns the ack and the
    completeUploadExternal params."""
    response = await bot.slack.command("/tradeoff", "export")
    [complete] = await bot.fake.wait_for("files.completeUploadExternal")
    return response, complete.params


def uploaded_csvs(bot: Bot, complete: dict[str, Any]) -> dict[str, list[list[str]]]:
    """Title → parsed rows of each file the completion named, read from the uploaded bytes."""
    files = complete["files"]
    assert isinstance(files, list)
    out: dict[str, list[list[str]]] = {}
    for entry in files:
        raw = bot.fake.uploads[entry["id"]]
        out[entry["title"].split(",")[0]] = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    return out


def by_column(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]
