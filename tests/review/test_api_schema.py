"""The API's OpenAPI schema: served, valid, and generated without warnings."""

from django.core.management import call_command


def test_schema_is_served(client, db):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/rooms/",
        "/api/v1/rooms/{room_id}/",
        "/api/v1/rooms/{room_id}/transcript",
        "/api/v1/rooms/{room_id}/code",
        "/api/v1/rooms/{room_id}/updates",
        "/api/v1/rooms/{room_id}/scorecard",
    ]:
        assert path in paths
    assert set(paths["/api/v1/rooms/{room_id}/scorecard"]) == {"get", "put"}


def test_schema_generates_without_warnings(tmp_path, db):
    # --fail-on-warn turns any warning or error of drf-spectacular into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert "/api/v1/rooms/{room_id}/code" in (tmp_path / "s.yml").read_text()
