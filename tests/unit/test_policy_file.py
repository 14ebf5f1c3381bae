"""The policy file: the real one loads; a bad one lists every problem with its key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from bot.adapters.policy_file import load_policy
from bot.config import Settings
from bot.domain.errors import PolicyInvalid
from bot.domain.policy_check import check_policy
from bot.domain.store_policy import DEFAULT_POLICY

STORE_YML = Path(__file__).resolve().parents[2] / "policy" / "store.yml"


def good() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(STORE_YML.read_text(encoding="utf-8")))


def problems(data: object) -> tuple[str, ...]:
    with pytest.raises(PolicyInvalid) as caught:
        check_policy(data)
    return caught.value.problems


def test_the_store_policy_file_loads_as_the_default_policy() -> None:
    assert load_policy(STORE_YML) == DEFAULT_POLICY


def test_settings_find_the_policy_file_from_the_package_not_the_cwd(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert Path(Settings.from_env({}).store_policy) == STORE_YML


def test_store_policy_names_another_file() -> None:
    assert Settings.from_env({"STORE_POLICY": "/etc/shop.yml"}).store_policy == "/etc/shop.yml"


def test_a_non_positive_wait_is_reported_with_its_key() -> None:
    data = good()
    data["delivered_not_received"]["wait_hours"] = 0
    assert problems(data) == ("delivered_not_received.wait_hours: must be a number of hours > 0",)


def test_every_problem_is_listed_not_just_the_first() -> None:
    data = good()
    data["stalled"]["domestic_days"] = -1
    data["damaged"]["photos_required"] = "yes"
    data["refunds"]["person_above"] = "lots"
    data["ship_window"]["cutoff"] = 840  # what YAML makes of an unquoted 14:00
    assert problems(data) == (
        'ship_window.cutoff: must be a time of day in quotes, like "14:00"',
        "stalled.domestic_days: must be a number of days > 0",
        "damaged.photos_required: must be true or false",
        'refunds.person_above: must be an amount >= 0, like "150.00"',
    )


def test_wrong_types_are_reported() -> None:
    data = good()
    data["ship_window"]["business_days"] = 1.5
    data["lateness"]["grace_days"] = True
    data["cancel"]["after_shipping"] = "refuse_delivery"
    data["remedies"]["damaged"]["refund"] = "everything"
    data["remedies"]["lost"]["offer"] = ["reship", "voucher"]
    data["ship_window"]["holidays"] = ["2026-11-26", "someday"]
    data["store"]["timezone"] = "Mars/Olympus"
    assert set(problems(data)) == {
        "ship_window.business_days: must be a whole number >= 0",
        "lateness.grace_days: must be a whole number >= 0",
        "cancel.after_shipping: must be a list of one or more of "
        "refuse_delivery, return, carrier_redirect",
        "remedies.damaged.refund: must be one of order, item, shipping",
        "remedies.lost.offer[1]: must be one of reship, refund",
        "ship_window.holidays[1]: must be a date (YYYY-MM-DD)",
        "store.timezone: must be a time zone name, like America/New_York",
    }


def test_missing_keys_and_sections_are_reported_once_each() -> None:
    data = good()
    del data["forgotten_label"]
    del data["delivered_not_received"]["claim_days"]
    del data["remedies"]["lost"]
    assert set(problems(data)) == {
        "forgotten_label: missing",
        "delivered_not_received.claim_days: missing",
        "remedies.lost: missing",
    }


def test_negative_numbers_are_refused() -> None:
    data = good()
    data["stalled"]["past_estimate_hours"] = -1
    data["carriers"]["usps"]["wait_hours"] = -48
    data["remedies"]["damaged"]["reship_up_to"] = "-1"
    assert set(problems(data)) == {
        "stalled.past_estimate_hours: must be a number of hours >= 0",
        "carriers.usps.wait_hours: must be a number of hours > 0",
        'remedies.damaged.reship_up_to: must be an amount >= 0, like "150.00"',
    }


def test_unknown_keys_are_reported_at_every_level() -> None:
    data = good()
    data["returns"] = {"days": 30}
    data["stalled"]["domestic_hours"] = 96
    data["carriers"]["ups"]["redirects"] = True
    assert set(problems(data)) == {
        "returns: unknown key",
        "stalled.domestic_hours: unknown key",
        "carriers.ups.redirects: unknown key",
    }


def test_thresholds_that_contradict_each_other_are_refused() -> None:
    data = good()
    data["stalled"]["lost_after_days"] = 7
    data["delivered_not_received"]["claim_days"] = 1
    assert set(problems(data)) == {
        "stalled.lost_after_days: must be more than domestic_days and international_days",
        "delivered_not_received.claim_days: must be longer than wait_hours",
    }


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    assert problems(["a", "list"]) == ("the file: must be a mapping of keys to values",)


def test_carrier_overrides_are_read() -> None:
    data = good()
    data["carriers"]["ontrac"] = {"wait_hours": 12, "redirect": False}
    policy = check_policy(data)
    assert policy.wait("ontrac").total_seconds() == 12 * 3600
    assert policy.wait("ups") == DEFAULT_POLICY.delivered_not_received.wait


def test_a_missing_file_gives_one_problem_and_no_policy(tmp_path: Path) -> None:
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(tmp_path / "nope.yml")
    assert len(caught.value.problems) == 1
    assert "cannot be read" in caught.value.problems[0]


def test_bad_yaml_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("store:\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(bad)
    assert "not valid YAML at line" in caught.value.problems[0]


def test_the_error_message_has_one_line_per_problem(tmp_path: Path) -> None:
    data = good()
    data["delivered_not_received"]["wait_hours"] = 0
    data["damaged"]["claim_days"] = "two weeks"
    path = tmp_path / "shop.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"2 problem(s) in {path}:"
    assert lines[1:] == [
        "  delivered_not_received.wait_hours: must be a number of hours > 0",
        "  damaged.claim_days: must be a number of days > 0",
    ]
