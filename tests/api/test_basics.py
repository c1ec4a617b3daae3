"""The app's skeleton: health, metrics, OpenAPI, problem+json for every kind of failure."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .support import assert_problem


def test_health_reports_the_database_and_the_program(client: TestClient, database) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["program_initialized"] is True
    assert response.json()["database"] == database.dialect


def test_openapi_is_3_1_and_docs_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "ProblemPublic" in schema["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/api/v1/program")
    text = client.get("/metrics").text
    assert 'route="/api/v1/program"' in text
    assert "milestone_http_request_duration_seconds_bucket" in text


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nowhere"), 404, "route_not_found")


def test_wrong_method_is_a_problem(client: TestClient) -> None:
    assert_problem(client.delete("/api/v1/program"), 405, "method_not_allowed")


def test_invalid_json_is_a_problem_listing_where(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 422, "invalid_request")
    assert body["errors"]


def test_missing_field_is_a_problem(client: TestClient) -> None:
    response = client.post("/api/v1/auth/login", json={"username": "x"})
    body = assert_problem(response, 422, "invalid_request")
    assert ["body", "password"] in [error["loc"] for error in body["errors"]]


def test_body_over_the_limit_is_refused_before_reading(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login",
        content=b"x" * (8 * 1024 * 1024 + 1),
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413, "payload_too_large")


def test_chunked_body_over_the_limit_is_refused(client: TestClient) -> None:
    def chunks():
        for _ in range(9):
            yield b"x" * (1024 * 1024)

    response = client.post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


def test_service_refusal_keeps_its_code(client: TestClient, people) -> None:
    response = client.get("/api/v1/vehicles/999", headers=people.headers["olga"])
    assert_problem(response, 404, "unknown_vehicle")


def test_program_is_public(client: TestClient) -> None:
    body = client.get("/api/v1/program").json()
    assert body["preset"] == "minimal"
    assert body["current_epoch"] == 0
    assert body["totals"]["issued"] == {"pebbles": str(1_500 * 10**8), "stones": "1500.00000000"}
    # Every integer of the parameters is a string: the supply alone passes 2^53 in production.
    assert body["parameters"]["total_supply"] == str(1_500 * 10**8)
    assert body["parameters"]["mining"]["pool"].isdigit()
    assert body["totals"]["reconciles"] is True
    assert body["genesis"]["iso"] == "2026-01-01T00:00:00Z"


def test_the_built_web_app_is_served_at_the_root_beside_the_api(
    settings, clock, database, program, tmp_path
) -> None:
    from milestone.api.app import create_app
    from milestone.auth import FAST_HASHER

    web = tmp_path / "dist"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>Milestone</title>")
    app = create_app(settings, clock, database=database, hasher=FAST_HASHER, web_dir=web)
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200 and "<title>Milestone</title>" in page.text
        assert client.get("/api/v1/program").json()["preset"] == "minimal"
        assert_problem(client.get("/api/v1/nowhere"), 404, "route_not_found")
        assert_problem(client.get("/missing.js"), 404, "route_not_found")
