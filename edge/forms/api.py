"""The forms for tablets, on the edge's tablet HTTPS API (edge/tablets/api.py registers `bp`):

    GET /v1/tablets/forms   {"forms": [field list, ...], "limits": {"photo_bytes", "voice_bytes", "chunk_bytes"}}

The latest version of each form the hub published, as the edge last fetched it (edge/forms/pull.py), by title;
the limits are the hub's for a photo and a voice note, no more than the edge takes for one attachment
(attachments.max_bytes), and the edge's chunk size. The app fills a form in with no network to the hub, uploads
its files to the edge (/v1/attachments/...) and sends it as a `form_submission` record (wire/forms.py).
Needs the certificate of an enrolled tablet that is not revoked.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from edge.attachments.api import tablet_device
from edge.forms import pull

bp = Blueprint("tablet_forms", __name__, url_prefix="/v1/tablets")
DEFAULT_LIMITS = {"photo_bytes": 10 * 1024 * 1024, "voice_bytes": 5 * 1024 * 1024}
"""Before the first pull: the hub's defaults (PHONE_PHOTO_MAX_BYTES, PHONE_VOICE_MAX_BYTES)."""


@bp.get("/forms")
def forms():
    if tablet_device() is None:
        return jsonify(error="client_certificate_required", reason="forms need the certificate of an enrolled "
                       "tablet that is not revoked"), 401
    found, hub_limits = pull.kept()
    attachments = current_app.config["EDGE"].attachments
    limits = {key: min(int(hub_limits.get(key) or most), attachments.max_bytes)
              for key, most in DEFAULT_LIMITS.items()}
    response = jsonify(forms=found, limits={**limits, "chunk_bytes": attachments.chunk_bytes})
    response.headers["Cache-Control"] = "no-store"
    return response
