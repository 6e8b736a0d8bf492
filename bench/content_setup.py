"""Phase 5's fixtures: an edge instance whose course cache holds one published version with a
100 MB file and 1,000 small files, a tablet certificate to fetch them with, and the edge's tablet
API run on its own (`python -m bench.content_setup serve INSTANCE`), as the edge process runs it,
or its course routes for nginx in front (`serve-accel INSTANCE PORT`).
"""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python -m bench.content_setup` from anywhere

from edge import config as edge_config  # noqa: E402
from edge import identity, store  # noqa: E402
from edge.courses import catalogue  # noqa: E402
from edge.tablets import registry as tablets  # noqa: E402
from provisioning import pki  # noqa: E402
from throughgate.stack import CLI, free_port  # noqa: E402
from wire.blobs import BlobStore  # noqa: E402
from wire.courses import parse_fields  # noqa: E402
from wire.records import timestamp  # noqa: E402

LARGE_BYTES = 100 * 1024 * 1024
SMALL_FILES = 1000
SMALL_SIZES = (1024, 32 * 1024)  # uniform between, seeded: ~16 KB mean


@dataclass(frozen=True)
class ContentSetup:
    instance: Path
    blobs: Path  # <cache>/blobs
    server_name: str
    port: int
    ca: Path  # the tablet CA (what a tablet trusts)
    server_cert: Path
    server_key: Path
    cert: Path  # the tablet's client certificate and key
    key: Path
    large: str  # sha256
    small: tuple[str, ...]
    small_bytes: int


def prepare(workdir: Path, large_bytes: int = LARGE_BYTES, small_files: int = SMALL_FILES) -> ContentSetup:
    instance = workdir / "edge"
    port = free_port()
    subprocess.run([*CLI, "edge", "init", "--instance", str(instance), "--edge-id", "bench-edge", "--hub-url",
                    "https://127.0.0.1:9", "--api-port", str(port), "--system-broker"], check=True,
                   capture_output=True)
    cfg = edge_config.load(instance)
    files = identity.EdgeFiles(instance)
    identity.ensure_server_cert(files, cfg.edge_id, cfg.server_name)
    store.open_store(str(cfg.db_path))
    tablet_dir = workdir / "tablet"
    tablet_dir.mkdir()
    key = pki.new_key()
    (tablet_dir / "key.pem").write_bytes(pki.key_to_pem(key))
    code, _ = tablets.create_code("tab-bench", 60)
    issued = tablets.redeem(code, "tab-bench", pki.csr_to_pem(pki.make_csr(key, "tab-bench")).decode(), files,
                            cfg.tablets.cert_days)
    (tablet_dir / "cert.pem").write_bytes(pki.cert_to_pem(issued.certificate))
    blobs = BlobStore(cfg.courses_dir).create()
    rng = random.Random(5)
    entries = [_put(blobs, "video/lecture.mp4", rng.randbytes(large_bytes), "video/mp4")]
    entries += [_put(blobs, f"pages/p{i:04d}.html", rng.randbytes(rng.randint(*SMALL_SIZES)), "text/html")
                for i in range(small_files)]
    manifest = parse_fields({"v": 1, "course": "bench", "version": 1, "title": "Bench", "format": "native",
                             "entry": entries[1]["path"], "items": [], "files": entries, "published": timestamp()})
    catalogue.publish(manifest, {"manifest": manifest.to_fields(), "signature": "bench"}, [])
    store.db.close()
    return ContentSetup(instance, blobs.blobs, cfg.server_name, port, files.ca_cert, files.server_cert,
                        files.server_key, tablet_dir / "cert.pem", tablet_dir / "key.pem", entries[0]["sha256"],
                        tuple(e["sha256"] for e in entries[1:]), sum(e["size"] for e in entries[1:]))


def _put(blobs: BlobStore, path: str, data: bytes, media_type: str) -> dict:
    sha = hashlib.sha256(data).hexdigest()
    target = blobs.path(sha)
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(data)
    return {"path": path, "sha256": sha, "size": len(data), "type": media_type}


def serve(instance: str) -> None:
    """The edge's tablet API alone (what `edge run` starts), until SIGTERM."""
    from edge.tablets.api import TabletApiServer

    cfg = edge_config.load(instance)
    store.open_store(str(cfg.db_path))
    server = TabletApiServer(cfg).start()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    print("serving", flush=True)
    stopping.wait()
    server.stop()


def serve_accel(instance: str, port: int) -> None:
    """The course routes for nginx in front (bench/accel.py), plain HTTP on loopback."""
    from bench.accel import AccelServer

    cfg = edge_config.load(instance)
    store.open_store(str(cfg.db_path))
    server = AccelServer(cfg, port).start()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    stopping.wait()
    server.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2])
    elif sys.argv[1:2] == ["serve-accel"]:
        serve_accel(sys.argv[2], int(sys.argv[3]))
