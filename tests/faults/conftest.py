"""Fault tests: the throwaway PostgreSQL databases of the contract suite (same skip/fail rule),
and the MCP suite's served app (memory persistence) for the error-mapping tests."""

from tests.contract.conftest import (  # noqa: F401  (fixtures)
    make_postgres_database,
    postgres_admin_url,
)
from tests.mcp.conftest import (  # noqa: F401  (fixtures)
    api,
    recorder,
    rsa_key,
    server_of,
    upstream,
)
