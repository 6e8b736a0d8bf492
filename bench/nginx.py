"""nginx for phase 5 of the bench: alone on the course cache's files (the baseline), or in front
of the edge for course content (X-Accel-Redirect, bench/accel.py has the edge's side). The box
uses neither: the tablet API alone (keep-alive) serves small files at twice the rate and half the
CPU per file of nginx in front (docs/bench.md, "Course content to tablets: which design").

    tablet --TLS, client certificate--> nginx --loopback HTTP, X-Tablet-Cert--> edge (bench/accel.py)
    edge: authorises (certificate current, file in a published version) and answers
          X-Accel-Redirect: /_blobs/<aa>/<sha256>
    nginx: sends the file from the cache's blobs/ (Range, keep-alive, TLS in C)

`server_block()` renders nginx's side in front of the edge (pure); `standalone_conf()` a whole
nginx.conf; `Nginx` runs nginx from it in a folder, in the foreground.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from edge.courses.serve import CONTENT_POLICY

ACCEL_SERVER = """\
    server {{
        listen {host}:{port} ssl;
        server_name {server_name};
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_client_certificate {tablet_ca};
        ssl_verify_client optional;  # none: the edge answers 401 client_certificate_required
        ssl_protocols TLSv1.2 TLSv1.3;
{crl}        location = /v1/courses {{
            proxy_pass http://127.0.0.1:{edge_port};
            proxy_set_header X-Tablet-Cert $ssl_client_escaped_cert;  # always set: a tablet's own is replaced
        }}
        location ^~ /v1/content/ {{
            proxy_pass http://127.0.0.1:{edge_port};
            proxy_set_header X-Tablet-Cert $ssl_client_escaped_cert;
        }}
        location ~ "^/_blobs/(?<aa>[0-9a-f]{{2}})/(?<sha>[0-9a-f]{{64}})$" {{
            internal;
            alias {blobs}/$aa/$sha;
            etag off;
            add_header ETag "\\"$sha\\"";  # nginx keeps Cache-Control from the edge's answer, not ETag
            add_header Content-Security-Policy "{content_policy}" always;  # nor these (CONTENT_POLICY)
            add_header X-Content-Type-Options nosniff always;
        }}
    }}
"""

STANDALONE = """\
{user}worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/tmp; proxy_temp_path {prefix}/tmp; fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp; scgi_temp_path {prefix}/tmp;
{servers}}}
"""


def server_block(*, host: str, port: int, server_name: str, cert, key, tablet_ca, edge_port: int, blobs,
                 crl=None) -> str:
    """nginx's server for the course routes, in front of bench.accel.AccelServer on `edge_port`. With `crl`
    (the edge's tablet CRL), revoked tablets are refused at the handshake too (reload nginx when
    the CRL is re-issued)."""
    return ACCEL_SERVER.format(host=host, port=port, server_name=server_name, cert=cert, key=key,
                               tablet_ca=tablet_ca, edge_port=edge_port, blobs=blobs, content_policy=CONTENT_POLICY,
                               crl=f"        ssl_crl {crl};\n" if crl else "")


def standalone_conf(prefix: Path, servers: str, workers: int | None = None) -> str:
    """A whole nginx.conf that keeps every file in `prefix` (pid, logs, temp)."""
    return STANDALONE.format(user="user root;\n" if os.geteuid() == 0 else "", workers=workers or os.cpu_count() or 2,
                             prefix=prefix, servers=servers)


class Nginx:
    """nginx from `conf` in `prefix`, in the foreground (`-g 'daemon off;'`), checked with -t first."""

    def __init__(self, prefix: Path, conf: str):
        self.prefix = Path(prefix)
        (self.prefix / "tmp").mkdir(parents=True, exist_ok=True)
        self.conf_path = self.prefix / "nginx.conf"
        self.conf_path.write_text(conf)
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Nginx:
        check = subprocess.run([self.binary, "-t", "-q", "-p", str(self.prefix), "-c", str(self.conf_path)],
                               capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx refused {self.conf_path}: {check.stderr.strip()}")
        with open(self.prefix / "stderr.log", "ab") as log:
            self.proc = subprocess.Popen([self.binary, "-p", str(self.prefix), "-c", str(self.conf_path),
                                          "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=log,
                                         start_new_session=True)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # fast shutdown, the workers with it
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

