# Two commands do all set-up on a fresh clone (they install uv when missing):
#   make demo   run the demo app on http://127.0.0.1:5000
#   make test   run every check and test
# and, not part of the tests:
#   make docs                 preview the documentation on http://127.0.0.1:8000
#   make flask ARGS="..."     the demo app's flask CLI (ARGS="users unlock EMAIL")
#   make uv ARGS="..."        uv with the workspace (ARGS="run --all-packages pytest -q")
#   make bench                benchmarks against bare Flask-Login and upstream Flask-Security
.PHONY: demo test docs flask uv bench
demo:
	sh scripts/demo.sh
test:
	sh scripts/test.sh
docs:
	sh scripts/docs.sh
flask:
	sh scripts/flask.sh $(ARGS)
uv:
	sh scripts/uv.sh $(ARGS)
bench:
	sh scripts/bench.sh
