"""The sync endpoints: thin views over the engine in ``sync/``."""
from flask import Blueprint

bp = Blueprint("sync_api", __name__, url_prefix="/api/sync")
