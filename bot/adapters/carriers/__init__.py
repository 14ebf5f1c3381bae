"""Carrier adapters: tracking-number detection, the EasyPost client, the sandbox carrier.

The errors every carrier adapter raises are drawn in `bot.adapters.carriers.base`.
"""

from bot.adapters.carriers.base import (
    CarrierAuthError,
    CarrierError,
    CarrierUnavailable,
    TrackingNotFound,
)

__all__ = ["CarrierAuthError", "CarrierError", "CarrierUnavailable", "TrackingNotFound"]
