"""A tiny loopback TCP proxy that counts the bytes crossing it, each way.

    proxy = CountingProxy(target_port).start()   # listens on proxy.port
    ... point a client at 127.0.0.1:proxy.port ...
    proxy.stop(); proxy.upstream, proxy.downstream

What it counts is what TCP carried: request lines, headers and bodies, exactly as sent.
"""

from __future__ import annotations

import contextlib
import socket
import threading

HOST = "127.0.0.1"
CHUNK = 1 << 16


class CountingProxy:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.upstream = 0  # client -> server bytes
        self.downstream = 0  # server -> client bytes
        self._lock = threading.Lock()
        self._listener = socket.create_server((HOST, 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    def start(self) -> CountingProxy:
        self._spawn(self._accept_loop)
        return self

    def stop(self) -> None:
        self._stop.set()
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(5)

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name="bench-proxy", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection((HOST, self.target_port))
            self._sockets += [client, server]
            self._spawn(self._pump, client, server, True)
            self._spawn(self._pump, server, client, False)

    def _pump(self, source: socket.socket, sink: socket.socket, upstream: bool) -> None:
        try:
            while data := source.recv(CHUNK):
                sink.sendall(data)
                with self._lock:
                    if upstream:
                        self.upstream += len(data)
                    else:
                        self.downstream += len(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


class TlsCountingProxy(CountingProxy):
    """The same, but it ends TLS itself (with the server's own certificate and key, as a load balancer
    does) and opens its own TLS to the server: it counts the HTTP bytes, request line, headers and
    bodies as sent, without the TLS handshake and record overhead, which a phone's kept-alive or
    resumed connection does not pay on every sync."""

    def __init__(self, target_port: int, cert_file: str, key_file: str, ca_file: str):
        super().__init__(target_port)
        import ssl

        self._server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._server_tls.load_cert_chain(cert_file, key_file)
        self._client_tls = ssl.create_default_context(cafile=ca_file)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            raw.settimeout(None)
            try:
                client = self._server_tls.wrap_socket(raw, server_side=True)
                server = self._client_tls.wrap_socket(socket.create_connection((HOST, self.target_port)),
                                                      server_hostname=HOST)
            except OSError:
                raw.close()
                continue
            self._sockets += [client, server]
            self._spawn(self._pump, client, server, True)
            self._spawn(self._pump, server, client, False)
