"""How the server serves the app shell: types, cache headers, the manifest in sw.js."""
import json
import re

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path, mimetype", [
    ("/", "text/html"), ("/app.js", "text/javascript"), ("/ui/app.css", "text/css"),
    ("/manifest.webmanifest", "application/manifest+json"), ("/icons/icon-192.png", "image/png"),
    ("/sw.js", "text/javascript")])
def test_shell_files_are_served_with_their_type(client, path, mimetype):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == mimetype


def test_sw_js_carries_the_hash_of_every_shell_file(client):
    body = client.get("/sw.js").get_data(as_text=True)
    shell = json.loads(re.match(r"self\.SHELL = (.*);\n", body).group(1))
    assert {"/index.html", "/app.js", "/views/home.js", "/ui/app.css"} <= set(shell["files"])
    assert not any(p == "/sw.js" or p.startswith("/sw/") or p.endswith(".md") for p in shell["files"])


def test_a_file_asked_for_by_its_current_hash_is_cached_for_a_year(client):
    digest = client.get("/shell-manifest.json").get_json()["files"]["/app.js"]
    assert "immutable" in client.get(f"/app.js?h={digest}").headers["Cache-Control"]
    assert client.get("/app.js?h=stale").headers["Cache-Control"] == "no-cache"


def test_the_service_worker_is_never_cached_and_may_control_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"


def test_the_page_forbids_third_party_scripts_and_connections(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy


def test_a_changed_file_changes_the_version(app, client, pwa_copy):
    app.config["PWA_DIR"] = str(pwa_copy)
    before = client.get("/shell-manifest.json").get_json()
    (pwa_copy / "app.js").write_text((pwa_copy / "app.js").read_text() + "\n// changed\n")
    after = client.get("/shell-manifest.json").get_json()
    assert after["version"] != before["version"]
    assert [p for p in after["files"] if after["files"][p] != before["files"][p]] == ["/app.js"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_api_path_is_a_json_404_for_every_method(client, method):
    response = getattr(client, method)("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("path", ["/../backend/config.py", "/README.md", "/nothing.js"])
def test_files_outside_the_shell_are_not_served(client, path):
    assert client.get(path).status_code == 404


def test_the_staff_review_is_served_but_not_precached_for_the_journal(client, pwa_copy, app):
    (pwa_copy / "review").mkdir(exist_ok=True)
    (pwa_copy / "review" / "index.html").write_text("<!doctype html><title>Review</title>")
    app.config["PWA_DIR"] = str(pwa_copy)
    assert client.get("/review/index.html").status_code == 200
    assert not any(p.startswith("/review/") for p in client.get("/shell-manifest.json").get_json()["files"])
