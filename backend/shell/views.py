"""Serves the progressive web app in ``pwa/`` from our own origin."""
from flask import Blueprint

bp = Blueprint("shell", __name__)
