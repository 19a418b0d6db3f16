"""A transport for the reference client (``sync.Client``) over the app's HTTP API."""
import json


class FlaskTransport:
    """Sends the client's requests through the Flask test client, with a bearer token."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def __call__(self, path, body):
        resp = self.client.post(path, data=json.dumps(body), headers=self.headers,
                                content_type="application/json")
        return resp.status_code, resp.get_json()
