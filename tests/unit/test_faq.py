"""The FAQ's figures agree with the store's policy file: the bot decides by the file."""

from __future__ import annotations

from decimal import Decimal

from bot.adapters.policy_file import load_policy
from bot.config import DEFAULT_STORE_POLICY
from tests.unit.domain_responses import responses

POLICY = load_policy(DEFAULT_STORE_POLICY)


def answer(topic: str) -> str:
    (variation,) = [v for v in responses()[f"utter_faq/{topic}"] if "channel" not in v]
    return str(variation["text"])


def days(value: object) -> str:
    return f"{round(value.total_seconds() / 86400)} days"  # type: ignore[attr-defined]


def hours(value: object) -> str:
    return f"{round(value.total_seconds() / 3600)} hours"  # type: ignore[attr-defined]


def test_the_claims_answer_states_the_policys_windows_and_limits() -> None:
    text = answer("claims_policy")
    person_above = f"${POLICY.refunds.person_above.quantize(Decimal('1'))}"
    for figure in (
        f"within {days(POLICY.damaged.claim_within)} of delivery",
        f"look around for {hours(POLICY.delivered_not_received.wait)}",
        f"({hours(POLICY.wait('usps')).split()[0]} with USPS)",
        f"within {days(POLICY.delivered_not_received.claim_within)} of delivery",
        f"no new scan for {days(POLICY.stalled.lost_after)}",
        f"more than {person_above}",
        f"within {days(POLICY.refunds.repeat_within)}",
    ):
        assert figure in text, figure


def test_the_other_answers_state_the_policys_figures() -> None:
    window = f"within {POLICY.ship_window.business_days} business days after the order day"
    assert window in answer("shipping_times")
    assert window in answer("order_processing_time")
    cutoff = POLICY.ship_window.cutoff
    assert f"after {cutoff.hour - 12 if cutoff.hour > 12 else cutoff.hour} pm" in answer(
        "order_processing_time"
    )
    secure = answer("secure_delivery")
    assert f"give it {hours(POLICY.delivered_not_received.wait)}" in secure
    assert f"within {days(POLICY.delivered_not_received.claim_within)} of delivery" in secure
    assert f"hasn't moved for {days(POLICY.stalled.domestic)}" in answer("tracking_update_lag")


def step(name: str) -> str:
    (variation,) = [v for v in responses()[name] if "channel" not in v]
    return str(variation["text"])


def test_the_late_steps_name_the_policys_wait_past_the_new_date() -> None:
    # A late parcel not delivered this long after the carrier's new date counts as stalled.
    after = f"hasn't arrived {days(POLICY.stalled.past_estimate)} after the new date"
    assert after in step("utter_step_wait_late")
    assert after in step("utter_step_wait_late_held")
