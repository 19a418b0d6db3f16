"""The OpenAPI document and a readable page for it."""
from flask import Blueprint

bp = Blueprint("docs", __name__)
