"""No cookie sessions: every request carries its bearer token (or a tablet's key), so the app
keeps nothing in cookies and has no cookie session to open or to send back."""
from flask.sessions import NullSession, SecureCookieSessionInterface


class NoSession(NullSession):
    """The session every request gets: empty, and refusing any write, so that no code can set
    a cookie by mistake."""

    def _refuse(self, *args, **kwargs):
        raise RuntimeError("What Matters keeps nothing in cookies: requests carry a bearer "
                           "token (docs/architecture.md)")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _refuse


class NoCookieSessions(SecureCookieSessionInterface):
    """Flask's cookie sessions, never opened: Flask's own interface builds a signing serializer
    for every request to find no cookie, about 2% of a sync request's time
    (docs/performance.md, item 19)."""

    null_session_class = NoSession

    def open_session(self, app, request):
        return self.make_null_session(app)
