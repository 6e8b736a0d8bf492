"""The health systems' push API: a prison's (or a community service's) health system sends a person's
summary or health appointments as they change, with an admin API token of the role `health`, which
may do this and nothing else (hub/admins/roles.py). Every call, allowed or refused, goes into the
audit trail (hub/auth.py admin_required), with the person and the record id, never the contents.

- POST /v1/health/people/<person_id>/summary: the body is an IPS bundle (FHIR R4 JSON, Content-Type
  application/fhir+json or application/json, at most HEALTH_MAX_BUNDLE_BYTES). 201 {"record_id",
  "created": true, "resources"} when stored; 200 with "created": false when it is the person's current
  summary already; 422 {"error": "not_an_ips", "reason", "problems": [{"resource", "path", "reason"}]}
  when the checks refuse it (nothing stored); 409 not_carried when the person said no; 404 unknown_person.
- POST /v1/health/people/<person_id>/appointments: the same for a bundle of FHIR Appointments
  (422 "not_appointments").

Only JSON: FHIR's XML form has no reader here that refuses what the JSON checks refuse (docs/health.md).
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from hub.auth import admin_required, note
from hub.limits import body_limit, read_body
from hub.medical import service
from hub.medical.models import APPOINTMENTS, SUMMARY
from hub.refusals import Refused

bp = Blueprint("health_api", __name__, url_prefix="/v1/health/people")

FHIR_TYPES = ("application/fhir+json", "application/json")


def _push(person_id: str, kind: str):
    note(target=f"{person_id}/{kind}")
    if request.mimetype not in FHIR_TYPES:
        raise Refused(415, "unsupported_media_type", "send the bundle as FHIR JSON, with Content-Type: "
                      "application/fhir+json (XML is not taken)")
    bundle = service.parse(read_body(), kind)
    made = service.import_bundle(person_id, bundle, kind, g.admin.name, g.admin.role, "api")
    note(record=made.record_id, created=made.created)
    return jsonify(record_id=made.record_id, created=made.created, resources=made.resources), \
        201 if made.created else 200


@bp.post("/<person_id>/summary")
@body_limit("HEALTH_MAX_BUNDLE_BYTES")
@admin_required("health.import")
def summary(person_id: str):
    return _push(person_id, SUMMARY)


@bp.post("/<person_id>/appointments")
@body_limit("HEALTH_MAX_BUNDLE_BYTES")
@admin_required("health.import")
def appointments(person_id: str):
    return _push(person_id, APPOINTMENTS)
