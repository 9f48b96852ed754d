"""Helpers of the datastore base module shared by every store."""

from __future__ import annotations

import pytest
from flask_security.datastore import MAX_INT_KEY, coerce_int_key


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1", 1),
        (7, 7),
        ("007", 7),
        (str(MAX_INT_KEY), MAX_INT_KEY),
        (str(MAX_INT_KEY + 1), None),
        (-1, None),
        ("-1", None),
        ("\uff11", None),
        ("\u00b2", None),
        ("1.0", None),
        ("", None),
        (None, None),
        (True, None),
        ("1 OR 1=1", None),
    ],
)
def test_coerce_int_key(raw, expected):
    assert coerce_int_key(raw) == expected
