"""The configuration reference is generated from the settings table and cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from entrypoints.cli.main import main
from entrypoints.config import SETTINGS, ConfigError, Settings
from entrypoints.config_docs import CONFIGURATION_DOC, configuration_markdown

ROOT = Path(__file__).resolve().parents[2]
_VARIABLE = re.compile(
    r"\b(?:SPECMCP_[A-Z0-9_]+|STRIPE_[A-Z0-9_]+|CLERK_[A-Z0-9_]+|REDIS_URL|DATABASE_URL)\b"
)
_DERIVED_OR_FIXED = {"ratelimit", "max_body_bytes"}


def test_the_committed_doc_is_the_generated_one():
    committed = (ROOT / CONFIGURATION_DOC).read_text(encoding="utf-8")
    assert committed == configuration_markdown(), (
        "docs/configuration.md is stale: run `uv run specmcp config-docs --write "
        "docs/configuration.md`"
    )


def test_the_check_command_agrees(capsys):
    assert main(["config-docs", "--check", str(ROOT / CONFIGURATION_DOC)]) == 0


def test_every_variable_named_in_the_code_is_in_the_table():
    named: set[str] = set()
    for package in ("domain", "application", "adapters", "entrypoints"):
        for path in (ROOT / package).rglob("*.py"):
            named |= set(_VARIABLE.findall(path.read_text(encoding="utf-8")))
    documented = {s.env for s in SETTINGS}
    assert named - documented == set()


def test_every_settings_field_comes_from_one_row_with_the_same_default():
    rows = {s.field: s for s in SETTINGS if s.field is not None}
    fields = set(Settings.__struct_fields__) - _DERIVED_OR_FIXED
    assert fields == set(rows)
    plain = Settings()
    for name, row in rows.items():
        if row.default is not None:
            assert getattr(plain, name) == row.default, name


def test_from_env_reads_every_row_through_its_type():
    settings = Settings.from_env(
        {
            "SPECMCP_MCP_ALLOWED_ORIGINS": "https://a.example, https://b.example",
            "SPECMCP_PURGE_JOB_SECONDS": "5",
            "SPECMCP_METRICS": "off",
            "SPECMCP_LOG_FORMAT": "text",
            "SPECMCP_AUTO_MIGRATE": "",
        }
    )
    assert settings.mcp_allowed_origins == ("https://a.example", "https://b.example")
    assert settings.purge_job_seconds == 5.0
    assert settings.metrics is False and settings.log_format == "text"
    assert settings.auto_migrate is True  # empty is unset


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SPECMCP_LOG_FORMAT": "xml"}, "SPECMCP_LOG_FORMAT"),
        ({"SPECMCP_PURGE_JOB_SECONDS": "0"}, "SPECMCP_PURGE_JOB_SECONDS"),
        ({"SPECMCP_METRICS": "maybe"}, "SPECMCP_METRICS"),
        ({"DATABASE_URL": "postgresql+asyncpg://h/db"}, "SPECMCP_VAULT_KEYS"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(env, named):
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)


def test_settings_stay_a_plain_struct():
    assert msgspec.structs.replace(Settings(), metrics=False).metrics is False
