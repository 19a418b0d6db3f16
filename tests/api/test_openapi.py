"""The OpenAPI document describes every endpoint, and its readable page is served."""
import urllib.error
import urllib.request

import orjson
import pytest

from ..live_server import ServerProcess


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield rule, method.lower()


def test_openapi_document_lists_every_api_route_with_a_summary(app, client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for rule, method in _api_rules(app):
        path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        op = spec["paths"][path][method]
        assert op["summary"], f"{method} {path} has no summary"


def test_every_endpoint_that_takes_a_body_documents_its_schema(app, client):
    spec = client.get("/api/openapi.json").json
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in ("post", "patch", "put") and not path.endswith(("/logout", "/end",
                                                                         "/revoke", "/unlock")):
                assert "requestBody" in op, f"{method} {path} documents no request body"


def test_error_responses_share_one_schema(client):
    spec = client.get("/api/openapi.json").json
    assert set(spec["components"]["schemas"]["Error"]["properties"]) == {
        "code", "error", "message", "details"}


@pytest.mark.parametrize("path", ["/api/docs"])
def test_readable_api_page_is_served_from_our_origin(client, path):
    resp = client.get(path)
    assert resp.status_code == 200
    assert b"/api/auth/login" in resp.data
    assert b"http://" not in resp.data and b"https://" not in resp.data


def test_an_entry_as_the_api_answers_it_fits_its_documented_shape(client, make, auth):
    org = make.org()
    ada = make.learner(org)
    goal = make.goal(ada, title="Paint the sea")

    resp = client.get(f"/api/learners/{ada.id}/goals/{goal.id}", headers=auth.headers(ada))

    assert resp.status_code == 200 and resp.json["title"] == "Paint the sea"
    spec = client.get("/api/openapi.json").json
    op = spec["paths"]["/api/learners/{learner_id}/{collection}/{record_id}"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    shape = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    # the collection's own fields come beside the documented ones
    assert set(resp.json) - set(shape["properties"]) >= {"title"}
    assert shape["additionalProperties"] is not False


@pytest.mark.parametrize("path, method, codes", [
    ("/api/auth/login", "post", {"401", "423"}),
    ("/api/auth/pin", "post", {"401", "423"}),
    ("/api/auth/tiles", "post", {"401"}),
    ("/api/people", "post", {"409"}),
    ("/api/pairings", "post", {"409"}),
    ("/api/learners/{learner_id}/{collection}", "post", {"409"}),
    ("/api/learners/{learner_id}/{collection}/{record_id}", "patch", {"409"}),
    ("/api/sync/push", "post", {"426"}),
    ("/api/sync/pull", "post", {"409", "426"}),
])
def test_the_answers_an_operation_gives_beyond_every_ones_are_documented(client, path, method,
                                                                        codes):
    op = client.get("/api/openapi.json").json["paths"][path][method]
    assert codes <= set(op["responses"]), sorted(op["responses"])
    assert all(op["responses"][code]["description"] for code in codes)


def test_the_http_servers_own_answers_to_an_oversized_request_are_as_documented(
        app, database_url, tmp_path):
    """gunicorn answers a request line or a header that is too large itself, as HTML, before
    the app sees it; the document says so for every operation."""
    server = ServerProcess(database_url, str(tmp_path)).start()
    try:
        spec = _get(server.url + "/api/openapi.json")[2]
        long_query = _get(server.url + "/api/health?q=" + "a" * 5000)
        long_header = _get(server.url + "/api/health", {"X-Note": "b" * 9000})
    finally:
        server.stop()

    documented = orjson.loads(spec)["paths"]["/api/health"]["get"]["responses"]
    for status, content_type, _ in (long_query, long_header):
        assert content_type.startswith("text/html")
        assert list(documented[str(status)]["content"]) == ["text/html"]
    assert (long_query[0], long_header[0]) == (414, 431)


def _get(url, headers=None):
    """(status, content type, body) of a GET, errors included."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}),
                                    timeout=10) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()
