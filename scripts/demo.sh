#!/bin/sh
# Run the demo app on http://localhost:5000 (FSEC_DEMO_PORT to change).
. "$(dirname -- "$0")/bootstrap.sh"
exec "$UV" run --locked --all-packages python examples/demo/app.py
