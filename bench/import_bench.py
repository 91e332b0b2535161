"""Import the largest corpus documents through the HTTP API (SQLite), timing each import.

Run: uv run python bench/import_bench.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.test_serve_command import _env, _free_port

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "specs"
DOCUMENTS = [
    "microsoft-graph__graph.json",
    "github__api.github.com.json",
    "aws-ec2__ec2.json",
    "stripe__spec3.yaml",
    "kubernetes__swagger.json",
]


def main() -> None:
    import subprocess

    workdir = Path(tempfile.mkdtemp())
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli.main", "serve", "--port", str(port)],
        cwd=workdir,
        env=_env(workdir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        token = subprocess.run(
            [sys.executable, "-m", "entrypoints.cli.main", "dev-token", "--user", "bench"],
            cwd=workdir,
            env=_env(workdir),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
        print(f"{'document':40} {'bytes sent':>11} {'status':>6} {'median s':>9}  notes")
        for name in DOCUMENTS:
            text = (CORPUS / name).read_text()
            if name.endswith(".json"):
                # Sent as a JSON object, compact, as a client would re-encode it.
                body = json.dumps(
                    {"name": name, "rawSpec": json.loads(text)}, separators=(",", ":")
                ).encode()
            else:
                body = json.dumps({"name": name, "rawSpec": text}).encode()
            times, status, note = [], 0, ""
            for _ in range(3):
                started = time.perf_counter()
                response = httpx.post(
                    f"{base}/api/specs", content=body, headers=headers, timeout=120
                )
                times.append(time.perf_counter() - started)
                status = response.status_code
                if status != 201:
                    note = response.json()["error"]["details"]
                    note = str(note)[:80] if note else response.json()["error"]["message"]
                else:
                    data = response.json()["data"]
                    note = f"{data['operationCount']} operations, {data['toolCount']} tools"
            print(
                f"{name:40} {len(body):>11,} {status:>6} {statistics.median(times):>9.3f}  {note}"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
