"""The journal over plain REST: list, read, create, change and delete entries."""
from flask import Blueprint

bp = Blueprint("journal", __name__, url_prefix="/api/learners")
