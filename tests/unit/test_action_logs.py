"""An action that fails is logged under a digest of the conversation, never its sender id."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import guarded
from bot.channels.identity import hash_id


class Failing:
    def name(self) -> str:
        return "action_failing"

    @guarded
    async def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        raise RuntimeError("the store is down")


async def test_a_failed_action_logs_a_digest_of_the_sender_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tracker = Tracker.from_dict({"sender_id": "shopper-7f3a2c", "slots": {}, "events": []})
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.ERROR, logger="actions.runtime"):
        await Failing().run(dispatcher, tracker, {})
    assert "action_failing failed" in caplog.text
    assert hash_id("shopper-7f3a2c") in caplog.text
    assert "shopper-7f3a2c" not in caplog.text
    assert dispatcher.messages  # the shopper is still answered
