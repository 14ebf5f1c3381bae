"""What a request slot names survives the round trip, and nothing else reads as one."""

from __future__ import annotations

from datetime import timedelta

from actions.requests import (
    Kind,
    Request,
    address_line,
    claim_since,
    decode_address,
    encode_address,
)
from bot.domain.orders import Address
from bot.domain.shipments import ShipmentStatus, StatusDetail
from bot.domain.store_policy import ClaimType
from tests.unit.builders import CLIENT, NOW, FakeCarrier, FakeOrders, granted_wismo, order, tracking


def test_a_request_is_read_back_from_its_slot() -> None:
    for request in (
        Request(Kind.CANCEL),
        Request(Kind.ADDRESS),
        Request(Kind.CLAIM, ClaimType.NOT_RECEIVED, "1Z999AA10123456784"),
        Request(Kind.CLAIM, ClaimType.LOST),
    ):
        assert Request.decode(request.encode()) == request


def test_anything_else_in_the_slot_is_no_request() -> None:
    for value in (None, "", "refund", "claim:stolen:1Z", 3):
        assert Request.decode(value) is None


def test_a_new_address_is_kept_whole_in_a_slot_and_read_back_as_typed() -> None:
    address = Address("12 Oak Street", "Portland", "97201", "US", "Apt 4", "OR")
    assert decode_address(encode_address(address)) == address
    assert address_line(address) == "12 Oak Street, Apt 4, Portland, OR 97201"
    assert decode_address("12 Oak Street") is None


def _parcel(the_tracking):  # type: ignore[no-untyped-def]
    the_order = order()
    wismo = granted_wismo(
        FakeOrders([the_order]), FakeCarrier({"1Z999AA10123456784": the_tracking})
    )
    report = wismo.report(CLIENT, the_order.order_number, None)
    assert report is not None
    return report.shipments[0]


def test_a_claim_window_starts_at_delivery_or_at_the_carriers_damage_scan() -> None:
    delivered = tracking(ShipmentStatus.DELIVERED, hours_ago=30)
    assert claim_since(_parcel(delivered)) == NOW - timedelta(hours=30)
    damaged = tracking(ShipmentStatus.EXCEPTION, detail=StatusDetail.DAMAGED, hours_ago=48)
    assert claim_since(_parcel(damaged)) == NOW - timedelta(hours=48)
    assert claim_since(_parcel(tracking())) is None  # on its way: nothing to claim yet
    assert claim_since(None) is None
