"""``AsaList``: a list of strings kept in one text column (upstream Flask-Security
5.x's documented type for its "list of string" model fields: ``Role.permissions``,
``User.mf_recovery_codes``, ``WebAuthn.transports``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.types import TypeDecorator, UnicodeText

__all__ = ["AsaList"]


class AsaList(TypeDecorator[Any]):
    """A list of strings stored as their comma-separated join in a ``UnicodeText``
    column, as upstream 5.x stores them (so a 5.x database's rows read the same).

    Writing: ``None`` stays ``NULL``; a list (or any iterable) of strings is joined
    with ``","``; a ``str`` is stored as given (already joined: lets
    ``column.contains("x")`` queries bind). Reading: ``NULL`` gives ``None``, text
    gives the list of its non-empty comma-separated parts (``""`` gives ``[]``).
    Wrap it as ``MutableList.as_mutable(AsaList())`` so in-place changes of the
    list are saved.

    :raises ValueError: (on write) an item holds a comma, which would split it.
    :raises TypeError: (on write) an item is not a string.
    """

    impl = UnicodeText
    cache_ok = True

    def process_bind_param(self, value: Iterable[str] | str | None, dialect: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        items = list(value)
        for item in items:
            if not isinstance(item, str):
                raise TypeError(f"AsaList holds strings, not {type(item).__name__}")
            if "," in item:
                raise ValueError(f"an AsaList item may not hold a comma: {item!r}")
        return ",".join(items)

    def process_result_value(self, value: str | None, dialect: Any) -> list[str] | None:
        if value is None:
            return None
        return [part for part in value.split(",") if part]
