"""Driving App Home, the thread menu and shortcuts as Slack sends them; reading opened views."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.conftest import Bot
from tests.fakes.slack_api import SlackCall
from tests.support.slack_requests import fixture


async def open_home(bot: Bot, user_id: str = "U111") -> dict[str, Any]:
    already = len(bot.fake.calls_to("views.publish"))
    await bot.slack.event({"type": "app_home_opened", "user": user_id, "tab": "home",
                           "channel": "D111"})
    calls = await bot.fake.wait_for("views.publish", count=already + 1)
    call = calls[-1]
    assert call.params["user_id"] == user_id
    view = call.params["view"]
    return view if isinstance(view, dict) else json.loads(view)


def home_action(bot: Bot, action: dict[str, Any], user_id: str = "U111") -> dict[str, Any]:
    """A block_actions payload from a button or menu on the Home tab (no channel)."""
    payload = fixture("block_actions_button.json")
    for key in ("channel", "message", "container", "state"):
        payload.pop(key, None)
    payload.update(
        user={"id": user_id, "team_id": bot.team_id}, team={"id": bot.team_id},
        container={"type": "view", "view_id": "VHOME"},
        view={"id": "VHOME", "type": "home", "team_id": bot.team_id},
        trigger_id=f"{time.time_ns()}.1.home", actions=[action], response_url=None,
    )
    payload.pop("response_url")
    return payload


def menu_choice(value: str) -> dict[str, Any]:
    return {"action_id": "item_menu", "block_id": "item_menu", "type": "overflow",
            "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
            "action_ts": f"{time.time():.6f}"}


def thread_menu(bot: Bot, value: str, user_id: str = "U111") -> dict[str, Any]:
    """The item menu used on a digest thread reply in the channel."""
    payload = bot.slack.block_action("item_menu", value, "1700000000.000100", user_id=user_id)
    payload["actions"] = [menu_choice(value)]
    return payload


def opened_view(call: SlackCall) -> dict[str, Any]:
    view = call.params["view"]
    return view if isinstance(view, dict) else json.loads(view)


def initial(view: dict[str, Any], block_id: str) -> Any:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    element = block["element"]
    return element.get("initial_value") or (element.get("initial_option") or {}).get("value")


def shortcut_payload(bot: Bot, callback_id: str, text: str) -> dict[str, Any]:
    payload = fixture("message_shortcut.json")
    payload["team"] = {"id": bot.team_id, "domain": "acme"}
    payload["user"] = {"id": "U111", "team_id": bot.team_id}
    payload["channel"] = {"id": "C111", "name": "dev"}
    payload["callback_id"] = callback_id
    payload["trigger_id"] = f"{time.time_ns()}.1.shortcut"
    payload["message"].update(text=text, ts="1583636382.000300")
    payload["message_ts"] = "1583636382.000300"
    payload["response_url"] = bot.slack.response_url
    return payload
