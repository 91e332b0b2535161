"""docs/quickstart.md, executed as written from a fresh clone, so the doc cannot rot."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest

from tests.support.threaded_upstream import threaded_upstream
from tests.support.upstream_server import ReceivedRequest, Reply

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```(sh|python)\n(.*?)```", re.DOTALL)


def _petstore(request: ReceivedRequest) -> Reply:
    if request.path == "/api/v3/pet/1":
        pet = {"id": 1, "name": "doggie", "status": "available"}
        return Reply(200, {"content-type": "application/json"}, json.dumps(pet).encode())
    return Reply(404, {"content-type": "application/json"}, b'{"message": "not found"}')


def _script() -> str:
    parts = ["set -euo pipefail", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT"]
    for kind, body in BLOCK.findall((ROOT / "docs" / "quickstart.md").read_text()):
        if kind == "sh":
            parts.append(body)
        else:
            parts.append(
                f"cat > quickstart_client.py <<'PYEOF'\n{body}PYEOF\n"
                "uv run python quickstart_client.py"
            )
    return "\n".join(parts)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git repository to clone")
def test_the_quickstart_runs_as_written(tmp_path: Path):
    clone = tmp_path / "specmcp"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SPECMCP_", "CLERK_", "DATABASE_URL", "STRIPE_", "VIRTUAL_ENV"))
    }
    with threaded_upstream(_petstore) as upstream:
        env.update(
            SPECMCP_PORT=str(_free_port()),
            API_BASE=f"{upstream.url}/api/v3",
            SPECMCP_OUTBOUND_ALLOW_CIDRS="127.0.0.0/8",
        )
        result = subprocess.run(
            ["bash", "-c", _script()],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        calls = [r for r in upstream.received if r.path == "/api/v3/pet/1"]
    assert "['findPetsByStatus', 'getPetById']" in result.stdout
    assert '"name": "doggie"' in result.stdout or '"name":"doggie"' in result.stdout
    assert len(calls) >= 2  # the test route, then the MCP client
    assert all(c.headers.get("api_key") == "special-key" for c in calls)
