"""What every page family of the web process reads from its app: the settings."""

from __future__ import annotations

from flask import current_app

from bot.config import Settings

SETTINGS = "wismo.settings"


def settings_of() -> Settings:
    """The settings of the app serving the current request."""
    settings: Settings = current_app.config[SETTINGS]
    return settings
