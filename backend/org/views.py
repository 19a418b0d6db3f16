"""Staff set up their organisation: people, mentor pairings, tablets."""
from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/api")
