# specmcp tasks. `uv run just --list` shows them; every recipe runs inside the uv environment.
set shell := ["bash", "-euo", "pipefail", "-c"]

# run the service on the embedded SQLite database (or DATABASE_URL)
serve *ARGS:
    uv run specmcp serve {{ARGS}}

# the whole test suite (PostgreSQL tests skip locally when it is down; CI requires them), then the
# spec compiler's corpus and generated-document tests again on its Python sources, not the mypyc
# build (the variable is set for pytest only: a rebuild by uv with it set compiles nothing)
test *ARGS:
    uv run pytest {{ARGS}}
    uv run env SPECMCP_PURE_PYTHON=1 pytest -q tests/unit/openapi/test_corpus.py tests/unit/openapi/test_generated_documents.py

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
    uv run python bench/outbound_bench.py
    uv run python bench/metering_bench.py
    uv run --group bench python bench/call_path_bench.py --users 20 --modes 2026 --skip-fastmcp
    uv run python bench/metering_bench.py --users 20 --rows 10000 --reps 3

# schemathesis against /schema/openapi.json with a long budget (CI runs a small one)
fuzz EXAMPLES="200":
    SPECMCP_FUZZ_EXAMPLES={{EXAMPLES}} uv run pytest tests/fuzz -q -s -p no:logging

# e.g. `just soak --postgres --duration 1200`; RSS, errors and p99 per kind are reported
# soak run (not in CI): mixed API and MCP traffic on one served process, 600 s by default
soak *ARGS:
    uv run python bench/soak.py {{ARGS}}

# fault tests, including the one that stops and starts this machine's PostgreSQL cluster (root)
faults *ARGS:
    SPECMCP_FAULTS_RESTART_POSTGRES=1 uv run pytest tests/faults -q -s {{ARGS}}
