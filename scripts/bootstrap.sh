# Sourced by the other scripts: makes `uv` available and the workspace synced.
# Needs only python3 (3.11+) and sh. Installs uv into .cache/tools when missing.
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
if [ -n "${UV:-}" ] && [ -x "$UV" ]; then
    : # the uv that runs us (`uv run` sets UV), or the one the caller chose
elif command -v uv >/dev/null 2>&1; then
    UV=$(command -v uv)
elif [ -x "$ROOT/.cache/tools/bin/uv" ]; then
    UV="$ROOT/.cache/tools/bin/uv"
else
    echo "fsec: installing uv into .cache/tools" >&2
    python3 -m venv "$ROOT/.cache/tools"
    "$ROOT/.cache/tools/bin/pip" install --quiet --disable-pip-version-check uv
    UV="$ROOT/.cache/tools/bin/uv"
fi
export UV
# Every workspace member, the dev tools, exactly as uv.lock pins them.
"$UV" sync --quiet --locked --all-packages
