"""Where `milestone serve` finds the web app: a configured directory, else the package's own."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from milestone.api.app import WEB_DIST, create_app, web_app_report, web_dir_of
from milestone.auth import FAST_HASHER
from milestone.settings import Settings


def _built(directory: Path) -> Path:
    directory.mkdir()
    (directory / "index.html").write_text("<!doctype html><title>Milestone here</title>")
    return directory


def test_a_configured_directory_is_served_and_named_in_the_log(
    settings: Settings, clock, database, program, tmp_path: Path
) -> None:
    settings.web_dir = _built(tmp_path / "elsewhere")
    assert web_dir_of(settings) == settings.web_dir
    assert web_app_report(settings) == f"serving the web app from {settings.web_dir}"
    app = create_app(settings, clock, database=database, hasher=FAST_HASHER)
    with TestClient(app) as client:
        assert "Milestone here" in client.get("/").text
        # The app's files, mounted at /, take no part in what an API path allows.
        assert client.options("/api/v1/store/merchants").headers["allow"] == "GET, POST, OPTIONS"
        assert client.options("/api/v1/activities/campaigns/1/close").headers["allow"] == (
            "POST, OPTIONS"
        )
        assert client.options("/index.html").headers["allow"] == "GET, HEAD, OPTIONS"
        # A GET the API does not route is the API's 405 or 404, not the files' 404.
        refused = client.get("/api/v1/activities/campaigns/1/close")
        assert refused.status_code == 405 and refused.headers["allow"] == "POST, OPTIONS"
        assert client.get("/api/v1/nowhere").json()["code"] == "route_not_found"


def test_without_a_built_app_the_root_says_how_to_build_one(
    settings: Settings, clock, database, program, tmp_path: Path
) -> None:
    settings.web_dir = tmp_path / "empty"
    assert web_app_report(settings).startswith(f"no web app at {settings.web_dir}")
    app = create_app(settings, clock, database=database, hasher=FAST_HASHER)
    with TestClient(app) as client:
        answer = client.get("/")
        assert answer.status_code == 404 and "make web" in answer.text
        assert "MILESTONE_WEB_DIR" in answer.text
        assert client.get("/api/v1/program").status_code == 200


def test_by_default_the_app_is_the_one_inside_the_package() -> None:
    assert web_dir_of(Settings()) == WEB_DIST
    assert WEB_DIST.parent.name == "milestone" and (WEB_DIST.parent / "__init__.py").is_file()
