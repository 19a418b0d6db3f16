"""What the API's views answer with."""
from .extensions import db


def committed(schema, obj, status=200):
    """Commit the request's work (the change itself, audit entries, the token's last use), then
    answer ``obj`` as ``schema`` dumps it."""
    db.session.commit()
    return schema.dump(obj), status
