"""The API's OpenAPI schema: served, valid, and generated without warnings."""

import json

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from jsonschema import Draft202012Validator


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


def strict(schema):
    """The schema with no room for undeclared keys anywhere (an object lists all it holds)."""
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
        return schema
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return strict(response.json())


def check(openapi, path, body, method="get"):
    content = openapi["paths"][path][method]["responses"]["200"]["content"]
    schema = {**content["application/json"]["schema"], "components": openapi["components"]}
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(body)]
    assert errors == [], f"{path}: {errors[:3]}"


def test_every_response_is_what_the_schema_says(scripted, openapi):
    """The schema is generated from the serializers that produce the responses: real
    responses of a real room must match it, every key declared and every declared key there."""
    client = HttpClient()
    client.force_login(scripted.owner)
    room = scripted.room.id
    for path, url in [
        ("/api/v1/rooms/", "/api/v1/rooms/"),
        ("/api/v1/rooms/{room_id}/", f"/api/v1/rooms/{room}/"),
        ("/api/v1/rooms/{room_id}/transcript", f"/api/v1/rooms/{room}/transcript"),
        ("/api/v1/rooms/{room_id}/code", f"/api/v1/rooms/{room}/code?at=2026-11-25T10:02:00Z"),
        ("/api/v1/rooms/{room_id}/updates", f"/api/v1/rooms/{room}/updates?checkpoints=1"),
        ("/api/v1/rooms/{room_id}/scorecard", f"/api/v1/rooms/{room}/scorecard"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = json.loads(
            b"".join(response.streaming_content) if response.streaming else response.content
        )
        check(openapi, path, body)


def test_the_check_catches_a_response_that_drifted(scripted, openapi):
    client = HttpClient()
    client.force_login(scripted.owner)
    body = client.get(f"/api/v1/rooms/{scripted.room.id}/").json()
    with pytest.raises(AssertionError):
        check(openapi, "/api/v1/rooms/{room_id}/", {**body, "surprise": 1})
    del body["title"]
    with pytest.raises(AssertionError):
        check(openapi, "/api/v1/rooms/{room_id}/", body)
