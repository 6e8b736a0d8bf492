"""Serving a WSGI app over HTTPS with optional client certificates: the hub's API for edges and
the edge's API for tablets both run on it.

    server = HttpsServer(app, "127.0.0.1", 0, make_context).start()   # port 0: any free port
    server.url; server.reload_certificate(); server.stop()

- TLS 1.2 or later; a client certificate is asked for (OPTIONAL) and, when sent, verified against
  the given CA at the handshake; werkzeug puts the verified one in environ["SSL_CLIENT_CERT"].
- Each connection's handshake runs in its own request thread with a timeout, not in the accepting
  thread: a client that connects and says nothing holds up no one else.
- `caps` (provisioning/connections.py) bound how many connections it holds, in all and per peer
  address, and how long a handshake and request head may take; the hub sets them from its
  settings, and without them there is no bound.
- `reload_certificate()` makes new connections use the certificate files as they are now (after a
  re-issue), without a restart.
- HTTP/1.1 keep-alive: after a request without a body, whose response ended where its
  Content-Length (or chunked encoding) said, the connection stays open for the client's next
  request, so a tablet fetching many small files pays for one TLS handshake, not one a file. A
  request with a body still closes the connection after its response (what is left of a refused
  body is drained, 64 KiB at a time, as before). A kept connection idle for KEEP_ALIVE_IDLE_S is
  closed and its thread ends; `stop()` closes every open connection.
- No access log line per request (codes, learner ids and paths stay out of logs); errors still are.
- A connection that breaks (a failed handshake, a TLS error, a peer gone mid-request) is one log
  line naming the peer's address, never a traceback: anyone can cause one without a certificate.
  Repeats are counted, not written (ConnectionErrorLog): an independent probe filled the log at
  about 1.2 KB a broken connection before.

Stored, content-addressed files are served by provisioning/stored.py.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from provisioning.connections import Caps, ConnectionErrorLog, ConnectionGuard, reason_of

log = logging.getLogger(__name__)

SOCKET_TIMEOUT_S = 60
"""A connection that sends nothing for this long (mid-handshake, or mid-request) is closed."""
KEEP_ALIVE_IDLE_S = 15
"""A kept-alive connection with no next request for this long is closed (its thread ends)."""
DRAIN_CHUNK = 64 * 1024
"""The most read at once from a request whose response has started."""
WRITE_BUFFER = 64 * 1024


def server_context(cert_file, key_file, client_ca_file) -> ssl.SSLContext:
    """TLS 1.2+, our certificate, and client certificates checked against `client_ca_file` if sent."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert_file), str(key_file))
    context.load_verify_locations(cafile=str(client_ca_file))
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


class _CapAfterResponse:
    """The request stream, read in pieces of at most DRAIN_CHUNK once the response has started.

    After answering, werkzeug's server reads whatever the client still sends (so it sees e.g. a 413
    rather than a reset), 10 MB per read: a client sending a huge refused body cost ~20 MB a
    connection. Once the response has started the app has read all it wanted, so smaller reads
    change nothing else. On a kept-alive connection (`kept`: the request had no body) nothing is
    drained: what follows is the client's next request."""

    def __init__(self, stream):
        self._stream = stream
        self.capped = False
        self.kept = False
        self.ended = False

    def read(self, size: int | None = -1) -> bytes:
        if self.capped:
            if self.kept:
                return b""
            if size is None or size < 0 or size > DRAIN_CHUNK:
                size = DRAIN_CHUNK
        return self._stream.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        """A line of the request head (or body); an empty one, the end of the stream, is remembered:
        a head that ends there was cut short."""
        line = self._stream.readline(size)
        self.ended = not line
        return line

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _CountWritten:
    """The response stream, counting the bytes written (to check a body against its Content-Length)."""

    def __init__(self, stream):
        self._stream = stream
        self.written = 0

    def write(self, data) -> int:
        self._stream.write(data)
        self.written += len(data)
        return len(data)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class TlsRequestHandler(WSGIRequestHandler):
    """Completes the TLS handshake in the request's thread, with a timeout; keeps the connection
    alive where that is safe (see the module's docstring)."""

    timeout = SOCKET_TIMEOUT_S
    idle_timeout = KEEP_ALIVE_IDLE_S
    wbufsize = WRITE_BUFFER  # a small file's head and body leave in one TLS record (werkzeug flushes each write)

    def setup(self) -> None:
        super().setup()
        self.rfile = _CapAfterResponse(self.rfile)
        self.wfile = _CountWritten(self.wfile)

    def run_wsgi(self) -> None:
        self.connection.settimeout(self.timeout)
        self.rfile.capped = False
        self.rfile.kept = self._may_keep_alive()
        self._status, self._length, self._body_from = None, None, None
        try:
            super().run_wsgi()
            if self.rfile.kept and not self._response_ended():
                self.close_connection = True
        finally:
            self.rfile.kept = False  # errors outside a request (a bad request line) still close
        if not self.close_connection:
            self.connection.settimeout(self.idle_timeout)
            self.server.guard.waiting(self.connection)

    def parse_request(self) -> bool:
        """The request head, if whole: one cut short (the client closed, or the guard cut it for
        being late) is not served, and logs nothing (werkzeug wrote a line for each, unlimited)."""
        parsed = super().parse_request()
        if not self.server.guard.head_read(self.connection) or self.rfile.ended:
            self.close_connection = True
            return False
        return parsed  # the request head is in: no deadline for the rest

    def _may_keep_alive(self) -> bool:
        """HTTP/1.1, the client did not ask to close, and no request body: nothing of this request
        can be left on the connection once it is answered."""
        return (not self.close_connection and self.request_version == "HTTP/1.1"
                and self.headers.get("Content-Length", "0").strip() == "0" and "Transfer-Encoding" not in self.headers)

    def _response_ended(self) -> bool:
        """The client can tell where this response ended: its body matches its Content-Length, or
        it is chunked (werkzeug closes a chunked response that failed part-way)."""
        if self._body_from is None:
            return False
        sent = self.wfile.written - self._body_from
        if self.command == "HEAD" or self._status in (204, 304) or 100 <= self._status < 200:
            return sent == 0
        return self._length == "chunked" or (self._length is not None and sent == int(self._length))

    def send_response(self, code, message=None) -> None:
        self.rfile.capped = True
        self._status = code
        super().send_response(code, message)

    def send_header(self, keyword: str, value: str) -> None:
        name = keyword.lower()
        if name == "connection" and self.rfile.kept:
            return  # werkzeug always says "close"
        if name == "content-length":
            self._length = value
        elif name == "transfer-encoding" and value.lower() == "chunked":
            self._length = "chunked"
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        super().end_headers()
        self._body_from = self.wfile.written

    def handle(self) -> None:
        self._broken = False
        try:
            self.connection.do_handshake()
        except OSError as exc:  # ssl.SSLError too
            self._report("TLS handshake failed", reason_of(exc))
            return
        super().handle()

    def finish(self) -> None:
        """Flushing the last of the response fails when the peer has gone: one line, not a traceback."""
        try:
            super().finish()
        except OSError as exc:
            self._report("connection broke", reason_of(exc))

    def connection_dropped(self, error: BaseException, environ=None) -> None:
        """werkzeug's hook for a peer gone mid-request (a tablet leaving the wifi, or someone probing)."""
        self._report("connection dropped mid-request", reason_of(error))

    def _report(self, kind: str, detail: str) -> None:
        if not self._broken:  # one line per connection, whatever else fails after
            self._broken = True
            self.server.connection_errors.report(self.client_address[0], kind, detail)

    def log_request(self, code="-", size="-") -> None:
        pass

    def log_error(self, format: str, *args) -> None:  # noqa: A002 (http.server's name)
        if format.startswith("Request timed out"):  # a kept-alive connection left idle: normal
            return
        if format.startswith("SSL error occurred"):  # werkzeug's, for a TLS error after the handshake
            self._report("TLS error", reason_of(args[0]) if args and isinstance(args[0], BaseException) else "")
            return
        super().log_error(format, *args)


class TlsWSGIServer(ThreadedWSGIServer):
    """werkzeug's threaded server; accepted sockets are wrapped for TLS without a handshake yet."""

    def __init__(self, host: str, port: int, app, context: ssl.SSLContext, caps: Caps | None = None):
        self._bind_error: OSError | None = None
        try:
            super().__init__(host, port, app, handler=TlsRequestHandler)
        except SystemExit:  # werkzeug prints why it cannot listen and exits the process: the caller decides here
            raise self._bind_error or OSError(f"cannot listen on {host}:{port}") from None
        self.ssl_context = context  # werkzeug reads it: https URLs in environ, TLS errors logged quietly
        self.connection_errors = ConnectionErrorLog(log)
        self._open: set[ssl.SSLSocket] = set()
        self._open_lock = threading.Lock()
        self.guard = ConnectionGuard(caps or Caps())  # provisioning/connections.py
        self.guard.start()

    def get_request(self):
        """The next connection within the guard's caps; one over them is closed at once (OSError: skipped)."""
        try:
            sock, address = self.socket.accept()
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE):  # out of descriptors: wait, do not spin on accept
                time.sleep(0.05)
            raise
        if not self.guard.admit(address[0]):
            sock.close()
            raise OSError(errno.ECONNREFUSED, "over the connection caps")
        try:
            # The head and the body are separate writes: without this, on a kept-alive connection the
            # body waits for the client's delayed ACK of the head (Nagle's algorithm), 40 ms a response.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        except OSError:
            self.guard.released(None, address[0])
            sock.close()
            raise
        self.guard.opened(connection, address[0])
        with self._open_lock:
            self._open.add(connection)
        return connection, address

    def handle_error(self, request, client_address) -> None:
        """An error no handler caught: a broken connection is one line; anything else keeps its traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            self.connection_errors.report(client_address[0], "connection broke", reason_of(exc))
        else:
            super().handle_error(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.discard(request)
        self.guard.released(request)
        super().shutdown_request(request)

    def server_bind(self) -> None:
        try:
            super().server_bind()
        except OSError as exc:  # a port in use, an address not this machine's: kept for __init__ to raise
            self._bind_error = exc
            raise

    def server_close(self) -> None:
        if hasattr(self, "guard"):  # not yet when werkzeug closes a server that could not listen
            self.guard.stop()
        super().server_close()

    def close_connections(self) -> None:
        """End every open connection: a kept-alive one would hold its thread (and server_close,
        which waits for the threads) until the idle timeout."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):  # the TCP socket's: the TLS state is its thread's
                socket.socket.shutdown(connection, socket.SHUT_RDWR)


class HttpsServer:
    def __init__(self, app, host: str, port: int, make_context: Callable[[], ssl.SSLContext], name: str = "https",
                 caps: Caps | None = None):
        """caps: how many connections it holds, and how long a request head may take (default: no caps)."""
        self._make_context = make_context
        self._server = TlsWSGIServer(host, port, app, make_context(), caps)
        self._thread: threading.Thread | None = None
        self._name = name

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    @property
    def connection_errors(self) -> ConnectionErrorLog:
        return self._server.connection_errors

    def open_connections(self, address: str | None = None) -> int:
        """Connections held now (from `address`, or in all)."""
        return self._server.guard.open_count(address)

    def reload_certificate(self) -> None:
        """New connections use the certificate files as they are now."""
        self._server.ssl_context = self._make_context()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self):
        """Serve in a background thread; returns once the socket is listening."""
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=self._name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting requests, end the open connections, then close the socket."""
        if self._thread is not None:  # shutdown() waits for serve_forever, so only when serving
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.close_connections()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
