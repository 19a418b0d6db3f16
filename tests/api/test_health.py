def test_health_answers_ok(client):
    resp = client.get("/api/health")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok"}


def test_unknown_api_path_is_a_json_404(client):
    resp = client.get("/api/nothing-here")
    assert resp.status_code == 404
    assert resp.json["error"] == "not_found"
