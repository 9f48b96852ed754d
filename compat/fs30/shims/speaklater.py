"""Shim (adaptation A3): speaklater (Python 2 era) is not installable/needed on the
current stack. The 3.0 conftest only imports ``is_lazy_string`` for its JSON encoder.
Lazy strings today are flask_babel's ``LazyString`` (and fsec's own, if any): anything
that is not a real ``str`` but has the lazy-string protocol (``__html__`` or a
``_func`` attribute) and stringifies.
"""


def is_lazy_string(obj):
    if isinstance(obj, str):
        return False
    try:
        from flask_babel.speaklater import LazyString

        if isinstance(obj, LazyString):
            return True
    except Exception:  # pragma: no cover
        pass
    return type(obj).__name__ in ("LazyString", "_LazyString")
