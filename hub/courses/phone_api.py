"""The person's courses on their phone after release, signed like a sync (hub/phones: RFC 9421, the phone's key):

- GET /v1/phone/courses: `{"courses": [{"course", "title", "format", "version", "envelope", "items": [{"item",
  "started", "done", "score", "state"}]}], "content": bool}`: the courses they had in prison, the signed manifest
  of the version to play, and where they are in each item, with the newest resume state (hub/courses/person.py).
  Only the caller's own; no audit (it is their learning, read by them, not health data).
- POST /v1/phone/courses/<course>/launch `{"version"?: n}`: a capability URL on the hub's content origin
  (`CONTENT_PORT`), as the edge's tablet API answers a tablet: `{"course", "version", "learner", "origin",
  "frame", "content", "expires"}`, the learner being the person. 404 for a course that is not theirs; 503
  `content_origin_off` where the hub serves no content origin.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from hub import limits
from hub.courses import person
from hub.phones import service as phones
from hub.refusals import Refused
from provisioning import capability, content_origin, signatures
from wire.records import valid_dns_label

bp = Blueprint("phone_courses", __name__, url_prefix="/v1/phone")


@bp.get("/courses")
def courses():
    caller = phones.check(request.method, signatures.request_url(request.environ), request.headers, b"")
    return jsonify(courses=person.for_person(caller.person_id),
                   content=current_app.config["CONTENT_PORT"] is not None)


@bp.post("/courses/<course>/launch")
def launch(course: str):
    body = limits.read_body()
    caller = phones.check(request.method, signatures.request_url(request.environ), request.headers, body)
    try:
        sent = request.get_json(force=True, silent=True) if body else {}
    except ValueError:
        sent = None
    version = sent.get("version") if isinstance(sent, dict) else None
    if not isinstance(sent, dict) or (version is not None and (type(version) is not int or not 1 <= version < 2**31)):
        raise Refused(400, "bad_request", 'send {} or {"version": <a version number of the course>}')
    row = person.playable(caller.person_id, course, version) if valid_dns_label(course) else None
    if row is None:
        raise Refused(404, "not_found", f"{course[:80]!r} is not one of your courses"
                      + (f", or has no version {version}" if version is not None else "")
                      + ": fetch GET /v1/phone/courses again")
    port = current_app.config["CONTENT_PORT"]
    if port is None:
        raise Refused(503, "content_origin_off", "this hub does not play courses yet: its operator must set "
                      "CONTENT_PORT (docs/hub.md)")
    token, expires = capability.mint(capability.load_key(current_app.instance_path), learner=caller.person_id,
                                     device=caller.key_id, course=course, version=row.version)
    origin = content_origin.origin(request.host, "localhost", port)
    return jsonify(course=course, version=row.version, learner=caller.person_id, origin=origin,
                   frame=f"{origin}/frame.html", content=f"{origin}/c/{token}/", expires=expires)
