"""The hub as the course source, over the edge's mutual-TLS connection (edge.uplink.hubclient):

    GET /v1/courses            {"courses": [{"envelope": <signed manifest>, "groups": [...]}]}
    GET /v1/content/<sha256>   the file; with `Range: bytes=N-` the rest from N (206)

Files are streamed in chunks, never held whole in memory. The source counts its requests and the
bytes it received (the tests and `edge courses sync` report them).
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator

from edge.uplink.hubclient import HubClient

CHUNK = 256 * 1024


class SourceError(Exception):
    """The hub answered, but not with what was asked for. code: short word; reason: what to do."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


class ContentClient(HubClient):
    """HubClient with streamed responses (HubClient.request reads a whole body into memory)."""

    def open(self, path: str, headers: dict) -> http.client.HTTPResponse:
        """Send a GET; the caller reads the response to its end (or calls close() on failure)."""
        return self.exchange("GET", path, None, headers)


class Stream:
    """One file's bytes from `start` on."""

    def __init__(self, source: HubSource, response: http.client.HTTPResponse, start: int):
        self.source, self.response, self.start = source, response, start

    def chunks(self) -> Iterator[bytes]:
        try:
            while True:
                chunk = self.response.read(CHUNK)
                if not chunk:
                    break
                self.source.bytes_received += len(chunk)
                yield chunk
        except (OSError, http.client.HTTPException) as exc:
            self.source.client.close()
            raise OSError(f"the hub stopped sending mid-file ({exc or type(exc).__name__}): "
                          "the next sync resumes where this one stopped") from exc
        finally:
            if not self.response.isclosed():  # left part-read: its rest would come before the next answer
                self.source.client.close()
        if self.response.length not in (None, 0):  # the body ended early without an error
            self.source.client.close()
            raise OSError("the hub's answer ended early: the next sync resumes where this one stopped")


class HubSource:
    def __init__(self, client: ContentClient):
        self.client = client
        self.requests = 0
        self.bytes_received = 0

    @classmethod
    def for_edge(cls, config) -> HubSource:
        from edge.identity import EdgeFiles

        files = EdgeFiles(config.instance)
        return cls(ContentClient(config.uplink.hub_url, config.uplink.timeout_s, ca_file=files.hub_root,
                                 cert_file=files.edge_cert, key_file=files.edge_key))

    def courses(self) -> list[dict]:
        self.requests += 1
        status, body = self.client.call_json("GET", "/v1/courses")
        if status != 200:
            raise SourceError(body.get("error", f"http_{status}"),
                              f"the hub refused the course list ({status} {body.get('error')}: {body.get('reason')})")
        listed = body.get("courses")
        if not isinstance(listed, list) or not all(isinstance(c, dict) for c in listed):
            raise SourceError("bad_course_list", "the hub's course list is not {\"courses\": [...]}: report this "
                              "to the hub's admin")
        return listed

    def stream(self, sha: str, offset: int) -> Stream:
        """The file from `offset` (a Range request when > 0). The hub may answer with the whole file
        (200): then the stream starts at 0."""
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        self.requests += 1
        response = self.client.open(f"/v1/content/{sha}", headers)
        if response.status == 206 and offset and _range_start(response.getheader("Content-Range")) == offset:
            return Stream(self, response, offset)
        if response.status == 200:
            return Stream(self, response, 0)
        detail = response.read(2000).decode(errors="replace")
        if not response.isclosed():  # more than we read: not on a connection we use again
            self.client.close()
        response.close()
        if response.status == 416:
            raise SourceError("range_refused", f"the hub refused to resume {sha} at byte {offset}; the partial "
                              "file was dropped and the next sync starts it again")
        if response.status == 404:
            raise SourceError("not_offered", f"the hub no longer offers {sha} to this edge (404): run the sync "
                              "again; if it persists, ask the hub's admin whether the course is still targeted here")
        raise SourceError(f"http_{response.status}", f"the hub answered {response.status} for {sha}: {detail[:200]}")

    def close(self) -> None:
        self.client.close()


def _range_start(header: str | None) -> int | None:
    """The first byte of `Content-Range: bytes a-b/n`."""
    try:
        return int(header.split()[1].split("-")[0])
    except (AttributeError, IndexError, ValueError):
        return None
