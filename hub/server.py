"""Serving the hub over HTTP with werkzeug's threaded server, in the foreground or in a thread.

    server = HubServer(app, "127.0.0.1", 0).start()   # port 0: any free port
    server.url                                         # http://127.0.0.1:PORT
    server.stop()
"""

from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: ingest logs one line per batch, and query strings
    (learner ids) stay out of the log. Errors are still logged."""

    def log_request(self, code="-", size="-") -> None:
        pass


class HubServer:
    def __init__(self, app, host: str = "127.0.0.1", port: int = 8080):
        self._server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self) -> HubServer:
        """Serve in a background thread; returns once the socket is listening."""
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="hub-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting requests, then close the socket."""
        if self._thread is not None:  # shutdown() waits for serve_forever, so only when serving
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
