"""What every carrier adapter promises: a `TrackingProvider` that fails only with these.

    WismoError
    └── CarrierError           the carrier rejected our request (400, 422, other 4xx)
        ├── CarrierUnavailable   timeout, connection refused, 5xx, 429, garbage body
        ├── CarrierAuthError     the carrier refused our credentials (401/403)
        └── TrackingNotFound     the carrier does not know this tracking number (404)

The classes live in `bot.domain.errors` so that services can catch them without
importing an adapter; they are re-exported here for the adapters' convenience.
Library exceptions (`requests`, `json`) never leave an adapter: each client
translates them into one of the classes above.
"""

from bot.domain.errors import (
    CarrierAuthError,
    CarrierError,
    CarrierUnavailable,
    TrackingNotFound,
)
from bot.services.ports import TrackingProvider

__all__ = [
    "CarrierAuthError",
    "CarrierError",
    "CarrierUnavailable",
    "TrackingNotFound",
    "TrackingProvider",
]
