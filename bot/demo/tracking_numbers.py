"""Tracking numbers with valid check digits, deterministic from a seed.

The algorithms are the carriers' published ones (as collected by the
tracking_number_data project): UPS "1Z" mod 10, USPS IMpb mod 10, FedEx
Express mod 11 with weights 1, 3, 7, FedEx Ground mod 10 and DHL Express mod 7.
"""

from __future__ import annotations

# The demo store's carrier accounts (fictional).
UPS_SHIPPER = "W5M810"
USPS_MAILER_ID = "902187455"

UPS_SERVICE_CODES = {"Next Day Air": "01", "2nd Day Air": "02", "Ground": "03"}
USPS_PREFIXES = {"Ground Advantage": "94001", "Priority Mail": "92055"}


def _scramble(seed: int, digits: int) -> str:
    """A number of `digits` digits that varies a lot from one seed to the next."""
    modulus = 10**digits
    return f"{(seed * 7_919_113 + 3_141_592) % modulus:0{digits}d}"


def mod10_weight3(payload: str) -> int:
    """GS1-style mod 10: weight 3 on the rightmost digit, then 1, 3, 1 ..."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10


def ups_check_digit(serial: str) -> int:
    """UPS: letters map to digits, every second character counts twice."""
    values = [int(c) if c.isdigit() else (ord(c) - 3) % 10 for c in serial]
    total = sum(v * (2 if i % 2 == 1 else 1) for i, v in enumerate(values))
    return (10 - total % 10) % 10


def fedex_express_check_digit(serial: str) -> int:
    """FedEx Express 12-digit: weights 1, 3, 7 from the right, mod 11, 10 counts as 0."""
    weights = (1, 3, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(serial)))
    return total % 11 % 10


def ups(seed: int, service: str) -> str:
    """A UPS 1Z number: shipper, service code, package number, check digit."""
    serial = UPS_SHIPPER + UPS_SERVICE_CODES[service] + _scramble(seed, 7)
    return f"1Z{serial}{ups_check_digit(serial)}"


def usps(seed: int, service: str) -> str:
    """A 22-digit USPS IMpb number (9400 Ground Advantage, 9205 Priority Mail)."""
    payload = USPS_PREFIXES[service] + USPS_MAILER_ID + _scramble(seed, 7)
    return f"{payload}{mod10_weight3(payload)}"


def fedex_express(seed: int) -> str:
    """A 12-digit FedEx Express number."""
    serial = "7" + _scramble(seed, 10)
    return f"{serial}{fedex_express_check_digit(serial)}"


def fedex_ground(seed: int) -> str:
    """A 15-digit FedEx Ground number."""
    serial = "04" + _scramble(seed, 12)
    return f"{serial}{mod10_weight3(serial)}"


def dhl_express(seed: int) -> str:
    """A 10-digit DHL Express waybill: 9 digits and their remainder mod 7."""
    serial = "3" + _scramble(seed, 8)
    return f"{serial}{int(serial) % 7}"


FEDEX_EXPRESS_SERVICES = frozenset({"Priority Overnight", "Standard Overnight", "2Day"})


def tracking_number(carrier: str, service: str, seed: int) -> str:
    """A valid number for this carrier and service."""
    if carrier == "ups":
        return ups(seed, service)
    if carrier == "usps":
        return usps(seed, service)
    if carrier == "fedex":
        return fedex_express(seed) if service in FEDEX_EXPRESS_SERVICES else fedex_ground(seed)
    if carrier == "dhl":
        return dhl_express(seed)
    raise ValueError(f"no tracking number scheme for carrier {carrier!r}")
