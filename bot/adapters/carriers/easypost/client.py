"""EasyPost Trackers API client: the only module here that does carrier HTTP.

https://docs.easypost.com/docs/trackers: POST /trackers with
{"tracker": {"tracking_code", "carrier"}} creates a tracker, or returns the one
that already exists for that code and carrier, so one call both registers a
parcel and reads its current state. Authentication is HTTP basic with the API
key as the user name and no password. The sandbox carrier speaks the same API.
"""

from __future__ import annotations

import logging
import time

import requests
from urllib3.exceptions import ReadTimeoutError

from bot.adapters.carriers.easypost.codes import carrier_to_easypost
from bot.adapters.carriers.easypost.parse import parse_error, parse_tracker
from bot.domain.clock import Clock
from bot.domain.errors import CarrierUnavailable
from bot.domain.shipments import Tracking

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 2.0  # seconds; never more than the whole timeout
RETRY_PAUSE = 0.1  # seconds before the one retry
RETRY_STATUSES = frozenset({502, 503, 504})


class EasyPostClient:
    """A TrackingProvider over EasyPost's Trackers API (or the sandbox carrier)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout: float,
        session: requests.Session | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/trackers"
        self._auth = (api_key, "")
        self._timeout = (min(CONNECT_TIMEOUT, timeout), timeout)
        self._session = session if session is not None else requests.Session()
        self._clock = clock if clock is not None else Clock()

    def track(self, carrier: str, tracking_number: str) -> Tracking:
        """The parcel's current tracking; raises a CarrierError subclass on failure."""
        payload = {
            "tracker": {
                "tracking_code": tracking_number,
                "carrier": carrier_to_easypost(carrier),
            }
        }
        response = self._post(payload)
        try:
            body = response.json()
        except ValueError:
            body = None
            if response.ok:
                raise CarrierUnavailable("EasyPost answered with a body that is not JSON") from None
        if not response.ok:
            raise parse_error(response.status_code, body)
        return parse_tracker(body, fetched_at=self._clock.now())

    def _post(self, payload: dict[str, dict[str, str]]) -> requests.Response:
        """POST /trackers; one quick retry after a refused connection or a 502/503/504."""
        for attempt in (1, 2):
            last = attempt == 2
            try:
                response = self._session.post(
                    self._url, json=payload, auth=self._auth, timeout=self._timeout
                )
            except requests.ConnectionError as exc:
                if last or _timed_out(exc):
                    raise _unavailable(exc, self._timeout[1]) from exc
                log.warning("EasyPost connection failed, retrying once: %s", exc)
            except requests.RequestException as exc:
                raise _unavailable(exc, self._timeout[1]) from exc
            else:
                if last or response.status_code not in RETRY_STATUSES:
                    return response
                log.warning("EasyPost answered %s, retrying once", response.status_code)
                response.close()
            time.sleep(RETRY_PAUSE)
        raise AssertionError("unreachable: the second attempt returns or raises")


def _timed_out(exc: requests.ConnectionError) -> bool:
    """Whether a "connection error" is really a timeout (never retried: it doubles the wait)."""
    if isinstance(exc, requests.Timeout):  # ConnectTimeout is both
        return True
    reason = exc.args[0] if exc.args else None
    return isinstance(reason, ReadTimeoutError) or isinstance(
        getattr(reason, "reason", None), ReadTimeoutError
    )


def _unavailable(exc: requests.RequestException, timeout: float) -> CarrierUnavailable:
    """The CarrierUnavailable telling what went wrong, without the library's exception type."""
    if isinstance(exc, requests.Timeout) or (
        isinstance(exc, requests.ConnectionError) and _timed_out(exc)
    ):
        return CarrierUnavailable(f"EasyPost did not answer within {timeout:g} s")
    if isinstance(exc, requests.ConnectionError):
        return CarrierUnavailable("EasyPost could not be reached")
    return CarrierUnavailable(f"EasyPost request failed: {type(exc).__name__}")
