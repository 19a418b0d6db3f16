"""The OpenAPI document and a readable page for it, both from our own origin."""
from flask import Blueprint, current_app, jsonify, render_template

from ..apidoc import documented
from .openapi import build_spec

bp = Blueprint("docs", __name__)


def _spec():
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build_spec(current_app)
    return current_app.extensions["openapi"]


@bp.get("/api/openapi.json")
@documented(public=True)
def openapi():
    """The OpenAPI 3 document of this API."""
    return jsonify(_spec())


@bp.get("/api/docs")
@documented(public=True, content="text/html")
def api_docs():
    """A readable page of the API, made from the OpenAPI document."""
    return render_template("api-docs.html", spec=_spec())
