"""Describe a view for the OpenAPI document: ``@documented(body=..., response=...)``.

The view's docstring gives the summary (first line) and description (the rest).
Place it under the route decorator; it survives ``functools.wraps`` wrappers.
"""


def documented(body=None, response=None, status=200, query=None, public=False, content=None,
               errors=None):
    """Attach request and response schemas to a view.

    :param body: marshmallow schema (class or instance) of the JSON request body
    :param response: schema of the one success response
    :param status: the success status code
    :param query: schema of the query string parameters
    :param public: True when no bearer token is needed
    :param content: a non-JSON media type of the response, e.g. ``text/html``
    :param errors: {status: why} the view answers besides those every view may (a 400, a 401,
        a 403, a 404)
    """

    def decorate(view):
        view.__apidoc__ = {"body": body, "response": response, "status": status,
                           "query": query, "public": public, "content": content,
                           "errors": errors or {}}
        return view

    return decorate


def public(view):
    """Mark a view that needs no sign-in."""
    doc = dict(getattr(view, "__apidoc__", {}) or {})
    doc["public"] = True
    view.__apidoc__ = doc
    return view
