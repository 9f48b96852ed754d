"""Extract, update, compile and check the translation catalogues of fsec's distributions.

    uv run --all-packages python scripts/i18n.py update              # every distribution
    uv run --all-packages python scripts/i18n.py compile packages/fsec-twofactor
    uv run --all-packages python scripts/i18n.py check

With no folder, every first-party distribution (``packages/*``) and the example plugins
(``examples/*``). The work is done by
``flask_security.i18n`` (``python -m flask_security.i18n`` for plugin authors outside
this repository); see docs/translations.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def distribution_folders() -> list[str]:
    """Every distribution's folder: ``packages/*`` and the example plugins. One with no
    translatable string (a store) needs no catalogues and passes ``check``."""
    found = [*ROOT.glob("packages/*/pyproject.toml"), *ROOT.glob("examples/*/pyproject.toml")]
    return sorted(str(p.parent) for p in found)


if __name__ == "__main__":
    from flask_security.i18n import main

    raise SystemExit(main(sys.argv[1:], default_folders=distribution_folders()))
