"""Numeric settings of the console and the event consumer: read, or refused by name."""

from __future__ import annotations

import pytest

from bot.config import Settings, SettingsError

ENV = {"WISMO_SECRET": "s" * 40}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CONSOLE_IDLE_MINUTES", "0"),
        ("CONSOLE_SESSION_HOURS", "-1"),
        ("CONSOLE_MAX_FAILED_LOGINS", "five"),
        ("EVENTS_BATCH_SIZE", "0"),
        ("EVENTS_POLL_SECONDS", "soon"),
    ],
)
def test_a_number_that_is_not_above_zero_is_refused_naming_its_variable(
    variable: str, value: str
) -> None:
    with pytest.raises(SettingsError, match=f"{variable}: '{value}' is not a number above 0"):
        Settings.from_env({**ENV, variable: value})


def test_numbers_are_read_and_unset_ones_keep_their_defaults() -> None:
    settings = Settings.from_env(
        {**ENV, "CONSOLE_IDLE_MINUTES": "0.5", "CONSOLE_MAX_FAILED_LOGINS": "3"}
    )
    assert (settings.console_idle_minutes, settings.console_max_failed_logins) == (0.5, 3)
    assert settings.console_session_hours == Settings.console_session_hours
    assert settings.events_batch_size == Settings.events_batch_size
