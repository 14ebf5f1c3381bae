"""EasyPost Trackers API client: the only module here that does carrier HTTP.

https://docs.easypost.com/docs/trackers: POST /trackers with
{"tracker": {"tracking_code", "carrier"}} creates a tracker, or returns the one
that already exists for that code and carrier, so one call both registers a
parcel and reads its current state. Authentication is HTTP basic with the API
key as the user name and no password. The sandbox carrier speaks the same API.

Every call has one total deadline (`timeout`), the retry included: requests'
read timeout bounds each socket read, not the answer, so the body is streamed
and each read may only wait for what is left of the deadline.
"""

from __future__ import annotations

import logging
import time

import requests
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ReadTimeoutError

from bot.adapters.carriers.easypost.codes import carrier_to_easypost
from bot.adapters.carriers.easypost.parse import parse_error, parse_tracker
from bot.domain.clock import Clock
from bot.domain.errors import CarrierUnavailable
from bot.domain.shipments import Tracking

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 2.0  # seconds; never more than what is left of the whole timeout
RETRY_PAUSE = 0.1  # seconds before the one retry
RETRY_STATUSES = frozenset({502, 503, 504})
CHUNK = 16_384  # bytes asked of the socket at a time while streaming a body


class EasyPostClient:
    """A TrackingProvider over EasyPost's Trackers API (or the sandbox carrier)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout: float,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        self._url = base_url.rstrip("/") + "/trackers"
        self._auth = (api_key, "")
        self._timeout = timeout
        self._connect_timeout = connect_timeout
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
        response = self._post(payload, deadline=time.monotonic() + self._timeout)
        try:
            body = response.json()
        except ValueError:
            body = None
            if response.ok:
                raise CarrierUnavailable("EasyPost answered with a body that is not JSON") from None
        if not response.ok:
            raise parse_error(response.status_code, body)
        return parse_tracker(body, fetched_at=self._clock.now())

    def _post(self, payload: dict[str, dict[str, str]], deadline: float) -> requests.Response:
        """POST /trackers; one quick retry after a refused connection or a 502/503/504.

        The retry only happens while the deadline leaves time for it.
        """
        for attempt in (1, 2):
            left = deadline - time.monotonic()
            last = attempt == 2 or left < 2 * RETRY_PAUSE
            try:
                response = self._attempt(payload, deadline)
            except requests.ConnectionError as exc:
                if last or _timed_out(exc):
                    raise _unavailable(exc, self._timeout) from exc
                log.warning("EasyPost connection failed, retrying once: %s", exc)
            except requests.RequestException as exc:
                raise _unavailable(exc, self._timeout) from exc
            else:
                if last or response.status_code not in RETRY_STATUSES:
                    return response
                log.warning("EasyPost answered %s, retrying once", response.status_code)
                response.close()
            time.sleep(min(RETRY_PAUSE, max(0.0, deadline - time.monotonic())))
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _attempt(self, payload: dict[str, dict[str, str]], deadline: float) -> requests.Response:
        """One POST whose connect, headers and body all end by `deadline`."""
        left = _left(deadline, self._timeout)
        timeout = (min(self._connect_timeout, left), left)
        response = self._session.post(
            self._url, json=payload, auth=self._auth, timeout=timeout, stream=True
        )
        try:
            _read_body(response, deadline, self._timeout)
        finally:
            response.close()
        return response


def _left(deadline: float, timeout: float) -> float:
    """What is left of the deadline; CarrierUnavailable once nothing is."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise CarrierUnavailable(f"EasyPost did not answer within {timeout:g} s")
    return left


def _read_body(response: requests.Response, deadline: float, timeout: float) -> None:
    """Stream the body into `response`, each socket read waiting at most until `deadline`."""
    chunks: list[bytes] = []
    try:
        while True:
            left = _left(deadline, timeout)
            connection = response.raw.connection
            sock = getattr(connection, "sock", None) if connection is not None else None
            if sock is not None:
                sock.settimeout(left)
            chunk = response.raw.read1(CHUNK, decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
    except ReadTimeoutError as exc:
        raise CarrierUnavailable(f"EasyPost did not answer within {timeout:g} s") from exc
    except (Urllib3Error, OSError) as exc:
        raise CarrierUnavailable(f"EasyPost broke off its answer: {type(exc).__name__}") from exc
    response._content = b"".join(chunks)  # what requests' `.content` and `.json()` read


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
