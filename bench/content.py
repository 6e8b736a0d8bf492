"""Phase 5: course content to tablets. The edge's tablet API (Python, TLS with client
certificates, edge/courses/serve.py) against nginx (Debian's nginx-light, TLS with the same
certificates and client-certificate check) serving the same files on the same machine.

Load: curl (C, so the client is not the limit), two processes of 100 parallel transfers each =
200 concurrent TLS connections with a tablet's client certificate.

    large  200 transfers of the 100 MB file at once; each stops after `seconds` (curl -m);
           throughput = bytes received by all / wall time
    small  the 1,000 small files, round after round, 200 connections kept alive; stopped after
           `seconds`; throughput = files (and bytes) received / wall time

Ratios: edge / nginx, same run, same files, same client.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import nginx
from bench.content_setup import ContentSetup, prepare
from bench.progress import cpu_seconds, say
from edge.host.broker import wait_for_port
from throughgate.stack import free_port

CLIENT_PROCESSES = 2
PARALLEL_EACH = 100  # x CLIENT_PROCESSES = 200 concurrent clients
ROUNDS = 20  # small-file rounds queued per client process (more than a phase can finish)


@dataclass
class Load:
    files: int
    bytes: int
    seconds: float
    errors: int

    @property
    def bytes_per_s(self) -> float:
        return self.bytes / self.seconds if self.seconds else 0.0

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0


def curl_load(setup: ContentSetup, port: int, urls: list[str], seconds: float, per_transfer_max: float | None,
              workdir: Path) -> Load:
    """Fetch `urls` split over CLIENT_PROCESSES curl processes; stop them after `seconds`."""
    procs = []
    for n in range(CLIENT_PROCESSES):
        config = workdir / f"curl-{port}-{n}.conf"
        config.write_text("".join(f'url = "https://{setup.server_name}:{port}{u}"\noutput = "/dev/null"\n'
                                  for u in urls[n::CLIENT_PROCESSES]))
        argv = ["curl", "-s", "--no-progress-meter", "-Z", "--parallel-max", str(PARALLEL_EACH), "--parallel-immediate",
                "--cacert", str(setup.ca), "--cert", str(setup.cert), "--key", str(setup.key),
                "--resolve", f"{setup.server_name}:{port}:127.0.0.1", "-w", "%{stderr}%{http_code} %{size_download}\\n",
                "-K", str(config)]
        if per_transfer_max:
            argv[1:1] = ["-m", str(per_transfer_max)]
        procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      start_new_session=True))  # stderr: unbuffered, nothing lost on a kill
    started = time.monotonic()
    outputs = []
    for proc in procs:
        try:
            _, out = proc.communicate(timeout=max(0.1, started + seconds - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, out = proc.communicate()
        outputs.append(out)
    elapsed = time.monotonic() - started
    files = size = errors = 0
    for out in outputs:
        for line in out.decode(errors="replace").splitlines():
            code, _, got = line.partition(" ")
            if not (code.isdigit() and got.isdigit()):
                continue
            size += int(got)
            if code in ("200", "206"):
                files += 1
            else:
                errors += 1
    return Load(files, size, min(elapsed, seconds), errors)


STATIC_SERVER = """\
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name {name};
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_client_certificate {ca};
        ssl_verify_client on;
        ssl_protocols TLSv1.2 TLSv1.3;
        location ~ "^/v1/content/(?<aa>[0-9a-f]{{2}})(?<rest>[0-9a-f]{{62}})$" {{
            alias {blobs}/$aa/$aa$rest;
            default_type application/octet-stream;
            etag off;
            add_header ETag "\\"$aa$rest\\"";
            add_header Cache-Control "private, max-age=31536000, immutable";
        }}
    }}
"""


class NginxServer:
    """nginx (bench/nginx.py) on a free port: alone on the cache's files (the baseline), or in front
    of the edge's side of X-Accel-Redirect (bench/accel.py, `upstream`, started and stopped with it)."""

    def __init__(self, workdir: Path, setup: ContentSetup, name: str, upstream: EdgeApi | None = None):
        self.upstream, self.port = upstream, free_port()
        if upstream:
            server = nginx.server_block(host="127.0.0.1", port=self.port, server_name=setup.server_name,
                                        cert=setup.server_cert, key=setup.server_key, tablet_ca=setup.ca,
                                        edge_port=upstream.port, blobs=setup.blobs)
        else:
            server = STATIC_SERVER.format(port=self.port, name=setup.server_name, cert=setup.server_cert,
                                          key=setup.server_key, ca=setup.ca, blobs=setup.blobs)
        self.nginx = nginx.Nginx(workdir / name, nginx.standalone_conf(workdir / name, server))

    @property
    def proc(self):
        return self.nginx.proc

    def start(self) -> NginxServer:
        if self.upstream:
            self.upstream.start()
        self.nginx.start()
        wait_for_port("127.0.0.1", self.port, 10)
        return self

    def stop(self) -> None:
        self.nginx.stop()
        if self.upstream:
            self.upstream.stop()


class EdgeApi:
    """The edge's tablet API in its own process (bench/content_setup.py serve), or with `accel_port`
    its course routes for nginx in front (bench/accel.py), on plain HTTP (serve-accel)."""

    def __init__(self, setup: ContentSetup, log: Path, accel_port: int | None = None):
        self.setup, self.log, self.accel_port = setup, log, accel_port
        self.proc: subprocess.Popen | None = None

    @property
    def port(self) -> int:
        return self.accel_port or self.setup.port

    def start(self) -> EdgeApi:
        root = Path(__file__).resolve().parent.parent
        mode = ["serve-accel", str(self.setup.instance), str(self.accel_port)] if self.accel_port else [
            "serve", str(self.setup.instance)]
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.content_setup", *mode],
                                     cwd=root, stdout=subprocess.DEVNULL, stderr=open(self.log, "wb"),  # noqa: SIM115
                                     start_new_session=True)
        wait_for_port("127.0.0.1", self.port, 20)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def group_cpu(*leaders) -> float:
    """CPU seconds so far of every process in these process groups (nginx's workers, the edge)."""
    groups = {proc.pid for proc in leaders if proc is not None}
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:  # field 5 of stat: the process group
            total += cpu_seconds(int(stat.parent.name))
    return total


def _leaders(server) -> list:
    return [server.proc, getattr(getattr(server, "upstream", None), "proc", None)]


def measure(server, setup: ContentSetup, workdir: Path, seconds: float) -> dict:
    cpu_before = group_cpu(*_leaders(server))
    large_urls = [f"/v1/content/{setup.large}"] * (CLIENT_PROCESSES * PARALLEL_EACH)
    large = curl_load(setup, server.port, large_urls, seconds + 5, seconds, workdir)
    cpu_large = group_cpu(*_leaders(server)) - cpu_before
    small_urls = [f"/v1/content/{sha}" for _ in range(ROUNDS * CLIENT_PROCESSES) for sha in setup.small]
    small = curl_load(setup, server.port, small_urls, seconds, None, workdir)
    return {"large_bytes_per_s": large.bytes_per_s, "large_bytes": large.bytes, "large_seconds": large.seconds,
            "large_errors": large.errors, "small_files_per_s": small.files_per_s, "small_bytes_per_s":
            small.bytes_per_s, "small_files": small.files, "small_errors": small.errors,
            "server_cpu_s_large": cpu_large,
            "server_cpu_s_small": group_cpu(*_leaders(server)) - cpu_before - cpu_large}


def run(workdir: Path, seconds: float = 10.0, large_bytes: int | None = None) -> dict:
    """Both servers, one after the other, on the same files; figures and ratios."""
    workdir.mkdir(parents=True, exist_ok=True)
    curl_dir = Path(tempfile.mkdtemp(prefix="curl-", dir=workdir))
    say("content", "writing a 100 MB file and 1,000 small files into an edge's course cache")
    setup = prepare(workdir, **({"large_bytes": large_bytes} if large_bytes else {}))
    results = {}
    accel = EdgeApi(setup, workdir / "edge-accel.log", accel_port=free_port())
    for name, server in (("nginx", NginxServer(workdir, setup, "nginx")),
                         ("edge", EdgeApi(setup, workdir / "edge-api.log")),
                         ("accel", NginxServer(workdir, setup, "nginx-accel", upstream=accel))):
        server.start()
        try:
            say("content", f"{name}: 200 clients, large file then small files, {seconds:.0f} s each")
            results[name] = measure(server, setup, curl_dir, seconds)
        finally:
            server.stop()
        say("content", f"{name}: large {results[name]['large_bytes_per_s'] / 1e6:,.0f} MB/s, small "
                       f"{results[name]['small_files_per_s']:,.0f} files/s")
    edge, nginx, accel = results["edge"], results["nginx"], results["accel"]
    return {**results, "seconds_per_load": seconds, "clients": CLIENT_PROCESSES * PARALLEL_EACH,
            "large_file_bytes": large_bytes or 100 * 1024 * 1024, "small_files": len(setup.small),
            "large_vs_nginx": _ratio(edge["large_bytes_per_s"], nginx["large_bytes_per_s"]),
            "small_vs_nginx": _ratio(edge["small_files_per_s"], nginx["small_files_per_s"]),
            "accel_large_vs_nginx": _ratio(accel["large_bytes_per_s"], nginx["large_bytes_per_s"]),
            "accel_small_vs_nginx": _ratio(accel["small_files_per_s"], nginx["small_files_per_s"])}


def _ratio(a: float, b: float) -> float | None:
    return a / b if a and b else None


LARGE_TARGET = 0.8  # edge / nginx, large file throughput, at least


def figures(result: dict | None) -> dict:
    """The keys phase 5 adds to the JSON line."""
    def pick(*path, digits=3):
        value = result
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return None if value is None else round(value, digits)

    return {"content_large_vs_nginx": pick("large_vs_nginx"), "content_small_vs_nginx": pick("small_vs_nginx"),
            "content_accel_large_vs_nginx": pick("accel_large_vs_nginx"),
            "content_accel_small_vs_nginx": pick("accel_small_vs_nginx"),
            "content_large_mb_per_s": pick("edge", "large_bytes_per_s", digits=0) and
            round(result["edge"]["large_bytes_per_s"] / 1e6),
            "content_small_files_per_s": pick("edge", "small_files_per_s", digits=0)}


def table(result: dict | None) -> str:
    """Phase 5's rows, in the same layout as bench/report.py's table."""
    rows = ["5 CONTENT (course files to 200 TLS clients with tablet certificates; curl)"]
    if not result:
        return "\n".join([*rows, "  failed (see stderr)"])
    for name, label in (("nginx", "nginx alone (baseline)"), ("edge", "edge tablet API (Python)"),
                        ("accel", "nginx + edge authorising (X-Accel-Redirect)")):
        r = result[name]
        rows.append(f"  {label:44} large {r['large_bytes_per_s'] / 1e6:7,.0f} MB/s  "
                    f"({r['server_cpu_s_large']:.1f} CPU s)   small {r['small_files_per_s']:7,.0f} files/s  "
                    f"({r['server_cpu_s_small']:.1f} CPU s)")
    ratio = result["large_vs_nginx"]
    verdict = "ok" if ratio is not None and ratio >= LARGE_TARGET else "MISS"
    rows.append(f"  edge / nginx: large {_fmt(ratio)} (target >= {LARGE_TARGET}: {verdict}), small "
                f"{_fmt(result['small_vs_nginx'])}; X-Accel / nginx: large {_fmt(result['accel_large_vs_nginx'])}, "
                f"small {_fmt(result['accel_small_vs_nginx'])}")
    return "\n".join(rows)


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    import json

    folder = Path(tempfile.mkdtemp(prefix="throughgate-bench-content-"))
    try:
        print(json.dumps(run(folder, float(sys.argv[1]) if len(sys.argv) > 1 else 10.0), indent=1))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
