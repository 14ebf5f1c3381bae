"""Console accounts: adding people, logging in (limited), and sessions that end."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher as Argon2Hasher

from bot.domain.accounts import Role, token_digest
from bot.services.access import keyed_digest
from bot.services.accounts import AccountInvalid, Accounts, LoginRefused
from tests.unit.builders import NOW, FakeAccessStore
from tests.unit.fake_console import FakeAccountStore, cheap_passwords

PASSWORD = "correct horse battery"  # noqa: S105 (a test account's)
HOME = "203.0.113.7"


def make_accounts(store: FakeAccountStore | None = None, **limits: Any) -> Accounts:
    return Accounts(
        store or FakeAccountStore(),
        FakeAccessStore(),
        cheap_passwords(),
        keyed_digest(b"test-secret"),
        **limits,
    )


def with_ana(**limits: Any) -> Accounts:
    accounts = make_accounts(**limits)
    accounts.add("ana", "Ana", Role.AGENT, PASSWORD, NOW)
    return accounts


def test_a_new_account_with_bad_details_is_refused_with_every_problem_at_once() -> None:
    accounts = make_accounts()
    with pytest.raises(AccountInvalid) as refused:
        accounts.add("Ana Smith!", "  ", Role.AGENT, "short", NOW)
    said = refused.value.problems
    assert len(said) == 3
    assert any("username" in p for p in said)
    assert any("name" in p and "username" not in p for p in said)
    assert any("at least 12 characters" in p for p in said)
    assert accounts.store.by_username("ana smith!") is None


def test_a_taken_username_is_refused_and_the_first_account_kept() -> None:
    accounts = with_ana()
    with pytest.raises(AccountInvalid) as refused:
        accounts.add("ana", "Another Ana", Role.LEAD, "another long password", NOW)
    assert refused.value.problems == ["the username 'ana' is taken"]
    kept = accounts.store.by_username("ana")
    assert kept is not None and kept.name == "Ana" and kept.role is Role.AGENT


def test_the_right_password_logs_in_and_the_store_keeps_only_the_tokens_digest() -> None:
    accounts = with_ana()
    done = accounts.log_in("ana", PASSWORD, HOME, NOW)
    assert done.account.username == "ana"
    store = accounts.store
    assert isinstance(store, FakeAccountStore)
    assert list(store.sessions) == [token_digest(done.token)]
    assert done.token not in repr(store.sessions)
    assert PASSWORD not in repr(store.accounts)
    found = accounts.current(done.token, NOW + timedelta(minutes=1))
    assert found is not None and found[0].username == "ana"


def test_a_wrong_password_and_an_unknown_username_are_refused_the_same_way() -> None:
    accounts = with_ana()
    with pytest.raises(LoginRefused) as wrong:
        accounts.log_in("ana", "not the password", HOME, NOW)
    with pytest.raises(LoginRefused) as unknown:
        accounts.log_in("bob", PASSWORD, HOME, NOW)
    assert str(wrong.value) == str(unknown.value) == "wrong username or password"
    assert not wrong.value.limited and not unknown.value.limited


def test_five_failures_lock_out_even_the_right_password_until_the_window_passes() -> None:
    accounts = with_ana()
    for n in range(5):
        with pytest.raises(LoginRefused) as refused:
            accounts.log_in("ana", f"wrong password {n}", f"198.51.100.{n}", NOW)
        assert not refused.value.limited
    with pytest.raises(LoginRefused) as locked:
        accounts.log_in("ANA", PASSWORD, HOME, NOW + timedelta(minutes=1))
    assert locked.value.limited and locked.value.retry_minutes == 15
    later = NOW + timedelta(minutes=16)
    assert accounts.log_in("ana", PASSWORD, HOME, later).account.username == "ana"


def test_failures_from_one_address_lock_that_address_out_across_usernames() -> None:
    accounts = with_ana(max_failures_per_address=3)
    for name in ("bob", "cat", "dan"):
        with pytest.raises(LoginRefused):
            accounts.log_in(name, "a guessed password", HOME, NOW)
    with pytest.raises(LoginRefused) as locked:
        accounts.log_in("ana", PASSWORD, HOME, NOW)
    assert locked.value.limited
    assert accounts.log_in("ana", PASSWORD, "192.0.2.1", NOW).account.username == "ana"


def test_a_session_ends_after_it_is_left_idle() -> None:
    accounts = with_ana(idle=timedelta(minutes=30))
    token = accounts.log_in("ana", PASSWORD, HOME, NOW).token
    assert accounts.current(token, NOW + timedelta(minutes=29)) is not None
    assert accounts.current(token, NOW + timedelta(minutes=58)) is not None  # used at 29
    assert accounts.current(token, NOW + timedelta(minutes=89)) is None
    assert accounts.current(token, NOW + timedelta(minutes=90)) is None


def test_a_page_refreshing_itself_does_not_keep_an_idle_session_alive() -> None:
    accounts = with_ana(idle=timedelta(minutes=30))
    token = accounts.log_in("ana", PASSWORD, HOME, NOW).token
    for minutes in range(5, 30, 5):  # the open queue page's refreshes
        assert accounts.current(token, NOW + timedelta(minutes=minutes), touch=False)
    assert accounts.current(token, NOW + timedelta(minutes=31), touch=False) is None


def test_a_session_ends_after_its_lifetime_however_much_it_is_used() -> None:
    accounts = with_ana(idle=timedelta(minutes=30), lifetime=timedelta(hours=2))
    token = accounts.log_in("ana", PASSWORD, HOME, NOW).token
    for minutes in range(20, 120, 20):
        assert accounts.current(token, NOW + timedelta(minutes=minutes)) is not None
    assert accounts.current(token, NOW + timedelta(minutes=121)) is None


def test_a_disabled_accounts_session_is_refused_and_it_cannot_log_in() -> None:
    accounts = with_ana()
    store = accounts.store
    assert isinstance(store, FakeAccountStore)
    token = accounts.log_in("ana", PASSWORD, HOME, NOW).token
    store.accounts["ana"] = replace(store.accounts["ana"], disabled=True)
    assert accounts.current(token, NOW + timedelta(minutes=1)) is None
    with pytest.raises(LoginRefused):
        accounts.log_in("ana", PASSWORD, HOME, NOW)


def test_logging_out_ends_the_session() -> None:
    accounts = with_ana()
    token = accounts.log_in("ana", PASSWORD, HOME, NOW).token
    other = accounts.log_in("ana", PASSWORD, HOME, NOW).token
    accounts.log_out(token)
    assert accounts.current(token, NOW) is None
    assert accounts.current(other, NOW) is not None  # another browser stays in


def test_a_hash_made_with_older_parameters_is_replaced_at_login() -> None:
    store = FakeAccountStore()
    make_accounts(store).add("ana", "Ana", Role.AGENT, PASSWORD, NOW)  # t=1, 8 KiB
    old = store.accounts["ana"].password_hash
    stronger = Argon2Hasher(time_cost=2, memory_cost=16, parallelism=1)
    accounts = replace(make_accounts(store), hasher=cheap_passwords(time_cost=2, memory_cost=16))
    accounts.log_in("ana", PASSWORD, HOME, NOW)
    new = store.accounts["ana"].password_hash
    assert new != old and not stronger.check_needs_rehash(new)
    assert stronger.verify(new, PASSWORD)
    assert accounts.log_in("ana", PASSWORD, HOME, NOW).account.password_hash == new
