"""The datastore contract's compare-and-set suite: what consumes one-time tokens and
counts logins. ``compare_and_set`` applies once per expected state, ``None`` matches an
unset field, increments happen in the database, bad arguments raise, and of
simultaneous writers exactly one wins (real threads when
``concurrent_writers`` is set). Part of
:class:`~flask_security.testing.datastore_contract.DatastoreContract`."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from ..datastore import UserDatastore
from .datastore_suite_base import DatastoreSuite
from .store_contract_base import (
    _STORED_HASH,
)


class DatastoreCompareAndSetRulesContract(DatastoreSuite):
    """What one ``compare_and_set`` does: once per expected state, ``None`` for an
    unset field, increments in the database, bad arguments refused."""

    # -- compare_and_set -------------------------------------------------------------

    def test_compare_and_set_applies_once_per_expected_state(
        self, datastore: UserDatastore
    ) -> None:
        user = self._user(datastore, "matt@example.com")
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        new_hash = _STORED_HASH + "-2"
        assert datastore.compare_and_set(user, {"password": _STORED_HASH}, {"password": new_hash})
        assert user.password == new_hash
        datastore.commit()
        # A second use of the same expectation (a replayed one-time link) is refused.
        assert not datastore.compare_and_set(
            user, {"password": _STORED_HASH}, {"password": _STORED_HASH + "-3"}
        )
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert stored.password == new_hash
        # Every expected field must match; nothing is written otherwise.
        assert not datastore.compare_and_set(
            stored, {"password": new_hash, "active": False}, {"username": "x"}
        )
        assert datastore.compare_and_set(
            stored, {"password": new_hash, "active": True}, {"username": "matt", "active": False}
        )
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert (stored.username, stored.active, stored.password) == ("matt", False, new_hash)

    def test_compare_and_set_consumes_two_factor_state(self, datastore: UserDatastore) -> None:
        """fsec-two-factor's use of a code or recovery code: one conditional write on
        ``tf_totp_secret`` that also replaces the ``mf_recovery_codes`` list. Skipped
        for a user model without upstream's two-factor fields."""
        model = datastore.user_model
        fields = ("tf_primary_method", "tf_totp_secret", "mf_recovery_codes")
        if not all(
            hasattr(model, f) or f in (getattr(model, "_fields", None) or {}) for f in fields
        ):
            pytest.skip("the user model has no two-factor fields")
        old, new = "fsec1;g=0;{}", "fsec1;a=7,g=1;{}"
        user = self._user(
            datastore,
            "matt@example.com",
            tf_primary_method="authenticator",
            tf_totp_secret=old,
            mf_recovery_codes=["h1", "h2"],
        )
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        assert list(user.mf_recovery_codes) == ["h1", "h2"]
        assert datastore.compare_and_set(
            user, {"tf_totp_secret": old}, {"tf_totp_secret": new, "mf_recovery_codes": ["h2"]}
        )
        assert list(user.mf_recovery_codes) == ["h2"]
        datastore.commit()
        # The same expectation again (the same code replayed): refused, nothing written.
        assert not datastore.compare_and_set(
            user, {"tf_totp_secret": old}, {"tf_totp_secret": "x", "mf_recovery_codes": []}
        )
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert stored.tf_totp_secret == new
        assert list(stored.mf_recovery_codes) == ["h2"]

    def test_compare_and_set_none_matches_an_unset_field(self, datastore: UserDatastore) -> None:

        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        when = datetime.datetime(2026, 5, 4, 3, 2, 1)
        assert datastore.compare_and_set(user, {"confirmed_at": None}, {"confirmed_at": when})
        assert user.confirmed_at == when
        datastore.commit()
        later = when + datetime.timedelta(days=1)
        assert not datastore.compare_and_set(user, {"confirmed_at": None}, {"confirmed_at": later})
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert stored.confirmed_at == when
        # Setting back to None, then a value equal to the stored one matches.
        assert datastore.compare_and_set(stored, {"confirmed_at": when}, {"confirmed_at": None})
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com").confirmed_at is None

    def test_compare_and_set_increments_in_the_database(self, datastore: UserDatastore) -> None:
        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        assert user.login_count is None
        assert datastore.compare_and_set(user, {}, increment={"login_count": 1})
        assert user.login_count == 1  # NULL counts as 0, the new value is read back
        datastore.commit()
        assert datastore.compare_and_set(user, {}, increment={"login_count": 2})
        assert user.login_count == 3
        datastore.commit()
        # Conditional on the counter itself: a version number.
        assert datastore.compare_and_set(user, {"login_count": 3}, increment={"login_count": 1})
        datastore.commit()
        assert not datastore.compare_and_set(user, {"login_count": 3}, increment={"login_count": 1})
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert stored.login_count == 4
        # A later write of another field through the same object keeps the counter.
        stored.username = "renamed"
        datastore.put(stored)
        datastore.commit()
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert (stored.login_count, stored.username) == (4, "renamed")

    def test_compare_and_set_bad_arguments(self, datastore: UserDatastore) -> None:
        user = self._user(datastore, "matt@example.com")
        self.restart(datastore)
        user = self._fresh(datastore, "matt@example.com")
        with pytest.raises(ValueError, match="no_such_field"):
            datastore.compare_and_set(user, {"no_such_field": 1}, {"username": "x"})
        with pytest.raises(ValueError, match="no_such_field"):
            datastore.compare_and_set(user, {}, {"no_such_field": 1})
        with pytest.raises(ValueError, match="nothing to write"):
            datastore.compare_and_set(user, {"active": True})
        with pytest.raises(ValueError, match="login_count"):
            datastore.compare_and_set(user, {}, {"login_count": 1}, increment={"login_count": 1})
        with pytest.raises(TypeError):
            datastore.compare_and_set(user, {}, increment={"login_count": True})
        self.restart(datastore)
        stored = self._fresh(datastore, "matt@example.com")
        assert (stored.username, stored.login_count) == (None, None)


class DatastoreCompareAndSetRaceContract(DatastoreSuite):
    """Simultaneous writers: exactly one wins, every increment counts (real threads
    when ``concurrent_writers`` is set)."""

    def _racers(self, datastore: UserDatastore, count: int, act: Callable[[Any], Any]) -> list[Any]:
        """Run ``act(user)`` ``count`` times, each on its own copy of the user
        "matt@example.com" read before any of them writes. With
        :attr:`concurrent_writers`, each runs in its own thread, application context
        and database connection, released together by a barrier; otherwise one after
        the other (every copy read first)."""
        import threading

        from flask import current_app

        app = current_app._get_current_object()  # type: ignore[attr-defined]
        user_id = str(self._fresh(datastore, "matt@example.com").id)
        self.restart(datastore)
        if not self.concurrent_writers:
            users = [datastore.load_user(user_id) for _ in range(count)]
            expectations = [act(u) for u in users]
            datastore.commit()
            return expectations
        barrier = threading.Barrier(count, timeout=30)
        results: list[Any] = [None] * count

        def run(i: int) -> None:
            with app.app_context():
                try:
                    user = datastore.load_user(user_id)
                    barrier.wait()
                    results[i] = act(user)
                    datastore.commit()
                except BaseException as exc:  # reported by the caller
                    results[i] = exc
                    barrier.abort()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results

    def test_compare_and_set_one_winner_among_simultaneous_writers(
        self, datastore: UserDatastore
    ) -> None:
        self._user(datastore, "matt@example.com")
        self.restart(datastore)

        serial = itertools.count()

        def use_link(user: Any) -> tuple[bool, str]:
            mine = f"{_STORED_HASH}-{next(serial)}"
            expected = {"password": _STORED_HASH}
            applied = datastore.compare_and_set(user, expected, {"password": mine})
            return applied, mine

        outcomes = self._racers(datastore, 4, use_link)
        winners = [mine for applied, mine in outcomes if applied]
        assert len(winners) == 1, outcomes
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com").password == winners[0]

    def test_compare_and_set_counts_every_simultaneous_increment(
        self, datastore: UserDatastore
    ) -> None:
        self._user(datastore, "matt@example.com")
        self.restart(datastore)
        outcomes = self._racers(
            datastore, 8, lambda u: datastore.compare_and_set(u, {}, increment={"login_count": 1})
        )
        assert outcomes == [True] * 8
        self.restart(datastore)
        assert self._fresh(datastore, "matt@example.com").login_count == 8


class DatastoreCompareAndSetContract(
    DatastoreCompareAndSetRulesContract, DatastoreCompareAndSetRaceContract
):
    """``Datastore.compare_and_set``: one conditional write decided by the database (both
    suites above)."""
