"""user_write_error: a unique violation is a duplicate user, any other integrity error
is not (a NOT NULL column left out was reported as "already exists" by three stores)."""

from __future__ import annotations

import sqlite3

import pytest
from flask_security.datastore import DatastoreError, UserExistsError, user_write_error


def _sqlite_errors() -> tuple[sqlite3.IntegrityError, sqlite3.IntegrityError]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE user (email TEXT UNIQUE, username TEXT NOT NULL)")
    db.execute("INSERT INTO user VALUES ('a@example.com', 'a')")
    errors = []
    for sql in (
        "INSERT INTO user VALUES ('a@example.com', 'b')",  # duplicate email
        "INSERT INTO user (email) VALUES ('b@example.com')",  # username left out
    ):
        with pytest.raises(sqlite3.IntegrityError) as info:
            db.execute(sql)
        errors.append(info.value)
    return errors[0], errors[1]


def test_unique_violation_is_user_exists() -> None:
    duplicate, _ = _sqlite_errors()
    err = user_write_error(duplicate)
    assert isinstance(err, UserExistsError) and "already exists" in str(err)
    pg = 'duplicate key value violates unique constraint "user_email_key"'
    assert isinstance(user_write_error(RuntimeError("wrapped"), pg), UserExistsError)


def test_not_null_violation_is_not_a_duplicate() -> None:
    _, missing = _sqlite_errors()
    err = user_write_error(missing)
    assert type(err) is DatastoreError
    assert "could not be stored" in str(err) and "NOT NULL" in str(err)
    assert "already exists" not in str(err)
