"""Hostile documents are refused with 400 or compiled within stated bounds, and the process
keeps serving: each case runs in a child process (tests/support/hostile_import.py), so that a
crash or a hang would fail its case instead of the run.

Bounds (docs/security.md): each import answers within 10 s of wall time (measured: under
0.2 s; billion laughs about 1 s) and grows the peak RSS
by at most 256 MiB over a warmed-up app; a normal import right after succeeds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.hostile_import import CASES

ROOT = Path(__file__).resolve().parents[2]
MAX_SECONDS = 10.0
MAX_RSS_GROWTH_MIB = 256.0

# What each case must come to: refused (400) or compiled (201).
EXPECTED = {
    "deep_json_object_10mib": 400,
    "deep_json_array_text_10mib": 400,
    "deep_yaml_flow_mapping_10mib": 400,
    "schema_nested_240_levels": 201,
    "billion_laughs_yaml": 400,
    "recursive_and_5000_long_ref_chains": 201,
    "operations_10000": 201,
    "operations_10001": 400,
    "operation_ids_2000_chars": 201,
    "non_utf8_bytes": 400,
    "lone_surrogates": 400,
    "duplicate_keys": 201,
    "numbers_too_big_json": 400,
    "numbers_too_big_yaml": 201,
}


def test_every_case_has_an_expectation():
    assert set(EXPECTED) == set(CASES)


def _run(case: str) -> tuple[int, str, str]:
    # One child at a time: the timings must not measure contention between cases.
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.support.hostile_import", case],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = child.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
    return child.returncode, out, err


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_document_is_refused_or_compiled_within_bounds(case):
    returncode, stdout, stderr = _run(case)
    assert returncode == 0, stderr[-3000:]
    figures = json.loads(stdout.strip().splitlines()[-1])
    assert figures["status"] == EXPECTED[case], figures
    if figures["status"] == 400:
        assert figures["code"] == "VALIDATION_ERROR", figures
    else:
        assert figures["get_after"] == 200, figures  # stored, and served back
    assert figures["seconds"] < MAX_SECONDS, figures
    assert figures["peak_rss_growth_mib"] < MAX_RSS_GROWTH_MIB, figures
    assert figures["normal_after"] == 201, figures
