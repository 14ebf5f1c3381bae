"""What every page family of the web process reads from its app: the settings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar, cast

from flask import current_app

from bot.config import Settings

SETTINGS = "wismo.settings"


def settings_of() -> Settings:
    """The settings of the app serving the current request."""
    settings: Settings = current_app.config[SETTINGS]
    return settings


_BUILDING = threading.Lock()
Built = TypeVar("Built")


def built(key: str, build: Callable[[Settings], Built]) -> Built:
    """What `build` makes from the app's settings, made once per app (on first use)."""
    with _BUILDING:
        made = current_app.extensions.get(key)
        if made is None:
            made = current_app.extensions[key] = build(settings_of())
        return cast(Built, made)
