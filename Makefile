# Two commands do all set-up on a fresh clone (they install uv when missing):
#   make demo   run the demo app on http://127.0.0.1:5000
#   make test   run every check and test
# and, not part of the tests:
#   make bench  benchmarks against bare Flask-Login and upstream Flask-Security
.PHONY: demo test bench
demo:
	sh scripts/demo.sh
test:
	sh scripts/test.sh
bench:
	sh scripts/bench.sh
