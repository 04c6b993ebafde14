"""Relay's Web API client: slack_sdk's WebClient, its calls sent over kept-alive connections.

slack_sdk's WebClient opens a connection for every call (urllib: over TLS a handshake too)
and closes it after the answer. This one keeps them in urllib3's pool, so that a busy
Relay reuses them. Only the HTTP exchange is replaced: arguments, answers and errors
(`SlackApiError`, Retry-After) are slack_sdk's, and a failed exchange reaches the caller as
urllib's would (`HTTPError` for an error status, `URLError` or `TimeoutError` when no answer
came), so the outbox tells a refusal from an answer that may have been lost as before.
Nothing is retried here: a POST whose answer was lost may have reached Slack (the outbox
decides, after looking for it)."""

import io
from http.client import HTTPMessage
from urllib.error import HTTPError, URLError
from urllib.request import Request

import urllib3
from slack_sdk import WebClient

CONNECTIONS = 64  # kept per host, unless told: one per thread that calls Slack


class KeptAliveClient(WebClient):
    def __init__(self, *args, connections: int = CONNECTIONS, **kwargs):
        super().__init__(*args, **kwargs)
        self._pool = urllib3.PoolManager(maxsize=connections, retries=False, ssl_context=self.ssl)

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict:
        if self.proxy is not None or not url.lower().startswith(("http://", "https://")):
            return super()._perform_urllib_http_request_internal(url, req)
        try:
            answer = self._pool.request(
                req.get_method(),
                url,
                body=req.data,
                headers=dict(req.header_items()),
                timeout=self.timeout,
                redirect=False,
            )
        except urllib3.exceptions.TimeoutError as exc:
            raise TimeoutError(str(exc)) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise URLError(exc) from exc
        headers = HTTPMessage()
        for name, value in answer.headers.items():
            headers[name] = value
        if not 200 <= answer.status < 300:
            raise HTTPError(url, answer.status, answer.reason, headers, io.BytesIO(answer.data))
        if headers.get_content_type() == "application/gzip":
            return {"status": answer.status, "headers": headers, "body": answer.data}
        body = answer.data.decode(headers.get_content_charset() or "utf-8")
        return {"status": answer.status, "headers": headers, "body": body}
