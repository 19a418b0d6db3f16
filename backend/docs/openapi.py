"""Build the OpenAPI 3 document from the app's routes and their marshmallow schemas."""
import inspect
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

ERROR_CODES = {400: "Bad input: `details.fields` names each field and why",
               401: "Not signed in, or the sign-in expired; `details.tablet_not_enrolled` is "
                    "`true` when the tablet it was made on is no longer enrolled",
               403: "Not allowed",
               404: "No such thing, or not yours to see"}
# Answered by gunicorn itself, before the app sees the request, as a short HTML page
# (docs/deployment.md, section 4, "Limits of a request"): no request of ours comes near them.
HTTP_SERVER_CODES = {
    414: "URI too long: the request line (method, path and query string) is over 4,094 bytes "
         "(gunicorn's `limit_request_line`); answered by the HTTP server as text/html",
    431: "Request header fields too large: a header line over 8,190 bytes, or over 100 header "
         "fields (gunicorn's `limit_request_field_size` and `limit_request_fields`); answered "
         "by the HTTP server as text/html"}


class ErrorSchema(Schema):
    code = fields.Integer(metadata={"description": "the HTTP status"})
    error = fields.String(metadata={"description": "a stable snake_case name (backend/errors.py)"})
    message = fields.String(metadata={"description": "plain English"})
    details = fields.Dict(metadata={"description": "e.g. {\"fields\": {\"title\": [\"...\"]}}"})


def _path(rule):
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)


def _path_params(rule):
    params = []
    for arg in sorted(rule.arguments):
        kind = rule._converters[arg].__class__.__name__
        schema = {"type": "integer"} if kind == "IntegerConverter" else {"type": "string"}
        params.append({"name": arg, "in": "path", "required": True, "schema": schema})
    return params


def _operation(view, rule, method):
    doc = getattr(view, "__apidoc__", {}) or {}
    text = inspect.getdoc(view) or ""
    summary, _, description = text.partition("\n")
    op = {"summary": summary.strip() or view.__name__.replace("_", " "),
          "tags": [rule.endpoint.split(".")[0]], "parameters": _path_params(rule),
          "responses": {}}
    if description.strip():
        op["description"] = description.strip()
    if doc.get("query"):
        op["parameters"].append({"in": "query", "schema": doc["query"]})
    if doc.get("body") and method in ("post", "put", "patch"):
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": doc["body"]}}}
    ok = {"description": "Success"}
    if doc.get("content"):
        ok["content"] = {doc["content"]: {"schema": {"type": "string"}}}
    elif doc.get("response"):
        ok["content"] = {"application/json": {"schema": doc["response"]}}
    op["responses"][str(doc.get("status", 200))] = ok
    codes = dict(ERROR_CODES)
    if doc.get("public"):
        codes.pop(401)
        op["security"] = []
    codes.update(doc.get("errors", {}))
    for code, why in codes.items():
        op["responses"][str(code)] = {"description": why, "content": {
            "application/json": {"schema": "Error"}}}
    for code, why in HTTP_SERVER_CODES.items():
        op["responses"][str(code)] = {"description": why, "content": {
            "text/html": {"schema": {"type": "string"}}}}
    return op


def build_spec(app):
    """The OpenAPI 3 document of every ``/api/`` route of ``app``."""
    spec = APISpec(title="What Matters API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "The journal service of What Matters. Sign in at "
                                        "/api/auth/login or /api/auth/pin and send "
                                        "`Authorization: Bearer <token>`."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    paths = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        ops = paths.setdefault(_path(rule), {})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            ops[method.lower()] = _operation(view, rule, method.lower())
    for path, ops in paths.items():
        spec.path(path=path, operations=ops)
    doc = spec.to_dict()
    doc["security"] = [{"bearer": []}]
    return doc
