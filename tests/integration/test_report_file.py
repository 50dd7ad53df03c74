"""`tradeoff report --team T`: the JSON for dashboards and the self-contained HTML file, the
latter opened in a real headless Chromium with the network cut off."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.domain.items import Kind
from bot.store.unit_of_work import Store
from tests.support.decisions import record_decision
from tests.support.items import add_item
from tests.support.processes import TRADEOFF, clean_env

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                        else None)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE = "C<b>&x"  # a channel id that would break unescaped HTML


async def _seed(store: Store, team_id: str) -> None:
    await record_decision(store, team_id, "C111", 2, 8)
    await record_decision(store, team_id, "C222", 0, 10)
    await add_item(store, team_id, Kind.DEBT, "Flaky <script>", channel_id="C111", interest="4")
    await add_item(store, team_id, Kind.DEBT, "Old", channel_id=HOSTILE)


def _tradeoff(database_url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(TRADEOFF), "report", *args], cwd=cwd, env=clean_env(DATABASE_URL=database_url),
        capture_output=True, text=True, timeout=120, check=False,
    )


async def test_json_lists_every_channel_with_the_documented_keys(
    store: Store, database_url: str, team_id: str, tmp_path: Path
) -> None:
    await _seed(store, team_id)

    done = _tradeoff(database_url, "--team", team_id, "--format", "json", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["format_version"] == 1 and document["team_id"] == team_id
    channels = {c["channel_id"]: c for c in document["channels"]}
    assert [c["channel_id"] for c in document["channels"]] == ["C222", "C111", HOSTILE]
    assert channels["C111"] == {
        "channel_id": "C111", "last_decision": channels["C111"]["last_decision"],
        "debt_share_pct": 20, "budget_pct": 20, "under_budget_pct": 0,
        "recent_debt_shares_pct": [20], "open_debt": 1, "interest_hours_per_week": 4.0,
        "oldest_debt_days": 0, "last_digest_undecided": False,
    }
    assert channels[HOSTILE]["debt_share_pct"] is None


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install -y chromium")
async def test_the_html_report_renders_offline_in_a_headless_browser(
    store: Store, database_url: str, team_id: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    await _seed(store, team_id)
    out = tmp_path / "report.html"
    done = _tradeoff(database_url, "--team", team_id, "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    assert "<b>" not in html and "C&lt;b&gt;&amp;x" in html
    assert "http://" not in html and "https://" not in html

    errors: list[str] = []
    outside: list[str] = []
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = await browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:"))
                    else outside.append(r.url))
            await page.goto(out.as_uri())
            rows = await page.locator("#channels tbody tr").all_inner_texts()
            images = await page.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete, e.naturalWidth, e.offsetHeight])"
            )
            assert await page.title() == f"Tradeoff across channels · {team_id}"
            assert await page.locator("text=C<b>&x").first.is_visible()
        finally:
            await browser.close()

    assert errors == [] and outside == []
    assert [r.split("\t")[0] for r in rows] == ["C222", "C111", HOSTILE]
    assert "20 under" in rows[0] and "4 h" in rows[1]
    # The overview and each channel's trends (all three have history): decoded and laid out.
    assert len(images) == 4
    assert all(complete and width > 0 and height > 0 for complete, width, height in images)


def test_html_needs_a_file_to_write_to(tmp_path: Path) -> None:
    done = _tradeoff(f"sqlite:///{tmp_path / 'x.db'}", "--team", "T1", "--format", "html",
                     cwd=tmp_path)
    assert done.returncode != 0 and "--format html needs --out" in done.stderr
