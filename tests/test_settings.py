"""One settings object: defaults, `MILESTONE_*` variables, and command-line overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from milestone.settings import Settings, load_settings, operator_key_of


def test_defaults_put_a_sqlite_file_in_the_data_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MILESTONE_DATA_DIR", "MILESTONE_DATABASE_URL", "MILESTONE_CHAIN_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.data_dir == Path(".milestone")
    assert settings.database_url == "sqlite:///.milestone/milestone.db"
    assert settings.chain_url is None


def test_the_environment_configures_and_options_override_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MILESTONE_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.delenv("MILESTONE_DATABASE_URL", raising=False)
    assert load_settings().database_url == f"sqlite:///{tmp_path}/env/milestone.db"
    given = load_settings(data_dir=tmp_path / "cli", database_url=None)
    assert given.database_url == f"sqlite:///{tmp_path}/cli/milestone.db"
    monkeypatch.setenv("MILESTONE_DATABASE_URL", "postgresql+psycopg://u:p@h/db")
    assert load_settings().database_url == "postgresql+psycopg://u:p@h/db"
    assert load_settings(database_url="sqlite:///x.db").database_url == "sqlite:///x.db"


def test_the_operator_key_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MILESTONE_OPERATOR_KEY", raising=False)
    assert operator_key_of(load_settings()) is None
    monkeypatch.setenv("MILESTONE_OPERATOR_KEY", "0xabc123")
    settings = load_settings()
    assert operator_key_of(settings) == "0xabc123"
    assert "abc123" not in repr(settings)
    assert operator_key_of(load_settings(operator_key="0xdef")) == "0xdef"
