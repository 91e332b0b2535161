# specmcp tasks. `uv run just --list` shows them; every recipe runs inside the uv environment.
set shell := ["bash", "-euo", "pipefail", "-c"]

# run the service on the embedded SQLite database (or DATABASE_URL)
serve *ARGS:
    uv run specmcp serve {{ARGS}}

# the whole test suite (PostgreSQL tests skip locally when it is down; CI requires them)
test *ARGS:
    uv run pytest {{ARGS}}

# ruff, the type checker (strict on domain/ and application/) and the layer contracts
lint:
    uv run ruff check .
    uv run ruff format --check .
    uv run mypy domain application
    uv run mypy adapters entrypoints
    uv run lint-imports

# apply database migrations to DATABASE_URL
migrate:
    uv run specmcp migrate

# benchmarks: figures and ratios against the peers named in the issues
bench:
    uv run --group bench python bench/compile_bench.py
    uv run python bench/import_bench.py
    uv run --group bench python bench/call_path_bench.py
    uv run python bench/metering_bench.py
