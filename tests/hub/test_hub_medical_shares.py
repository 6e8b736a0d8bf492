"""A link the person shares with a GP or pharmacy (hub/medical/shares.py, share_web.py): it opens a page a
clinician reads, with the bundle and a PDF to download, each use counted and recorded as a health read;
it expires (in UTC), and once revoked it is refused exactly as a link never made; wrong links from one
address are limited. On SQLite: the SQL is the services' own (tested on both databases there)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import ipskit
import pytest

from hub import db
from hub.medical import service, shares
from hub.medical.models import HealthRead, HealthShare
from hub.people import service as people
from hub.refusals import Refused

SAME_PAGE_FOR_UNKNOWN_AND_REVOKED = "There is no health summary at this link"


@pytest.fixture
def hub_db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def person(app):
    with app.app_context(), db.connected():
        found = people.add("test").person_id
        service.import_bundle(found, ipskit.summary(found), "summary", "nurse", "health_care", "cli")
    return found


def _share(app, person: str, days: int = 7, now: datetime | None = None) -> tuple[HealthShare, str]:
    with app.app_context(), db.connected():
        return shares.make(person, "new GP", days, now)


def test_a_share_opens_a_page_a_clinician_reads_with_the_bundle_and_pdf_and_each_use_is_recorded(app, client,
                                                                                              person):
    share, secret = _share(app, person)
    page = client.get(f"/health/shared/{secret}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert ipskit.MEDICINE in text and "Depression" in text
    assert f'href="/health/shared/{secret}/bundle.json"' in text and "Download the FHIR bundle" in text
    assert f'href="/health/shared/{secret}/summary.pdf"' in text and "Download as PDF" in text
    assert "new GP" not in text  # what the person called the link is theirs alone
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Robots-Tag"].startswith("noindex")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'sha256-")

    bundle = client.get(f"/health/shared/{secret}/bundle.json")
    assert bundle.mimetype == "application/fhir+json" and bundle.get_json()["resourceType"] == "Bundle"
    assert "attachment" in bundle.headers["Content-Disposition"]
    pdf = client.get(f"/health/shared/{secret}/summary.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")

    with app.app_context(), db.connected():
        assert HealthShare.get_by_id(share.share_id).uses == 3
        reads = [(r.who, r.role, r.purpose, r.via, r.what) for r in
                 HealthRead.select().where(HealthRead.via == "share").order_by(HealthRead.id)]
    who, purpose = f"share:{share.share_id[:8]}", "opened the link the person shared (new GP)"
    assert reads == [(who, "clinician via share", purpose, "share", what) for what in ("summary", "bundle",
                                                                                       "printable")]


def test_a_share_expires_in_utc_and_then_says_to_ask_for_a_new_link(app, client, person):
    _share_, secret = _share(app, person, days=1, now=datetime.now(UTC) - timedelta(days=1, seconds=1))
    for path in ("", "/bundle.json", "/summary.pdf"):
        gone = client.get(f"/health/shared/{secret}{path}")
        assert gone.status_code == 410 and gone.mimetype == "text/html"
        assert "ask the person who gave you this link for a new one" in gone.get_data(as_text=True)
        assert gone.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context(), db.connected():
        working, fresh = shares.make(person, "pharmacy", 1)
        assert shares.open(fresh).share_id == working.share_id
        with pytest.raises(Refused) as later:
            shares.open(fresh, now=datetime.now(UTC) + timedelta(days=1, seconds=1))
        assert later.value.code == "share_expired"
        assert HealthRead.select().where(HealthRead.via == "share").count() == 0


def test_a_revoked_share_is_refused_exactly_as_one_never_made(app, client, person):
    share, secret = _share(app, person)
    assert client.get(f"/health/shared/{secret}").status_code == 200
    with app.app_context(), db.connected():
        shares.revoke(person, share.share_id)
    revoked = client.get(f"/health/shared/{secret}")
    never = client.get("/health/shared/" + "A" * 43)
    assert revoked.status_code == never.status_code == 404
    assert revoked.data == never.data and SAME_PAGE_FOR_UNKNOWN_AND_REVOKED in revoked.get_data(as_text=True)
    assert client.get(f"/health/shared/{secret}/bundle.json").status_code == 404
    with app.app_context(), db.connected():
        assert HealthShare.get_by_id(share.share_id).uses == 1
        with pytest.raises(Refused) as others:  # another person cannot revoke (or learn of) it
            shares.revoke(people.add("test").person_id, share.share_id)
        assert others.value.code == "unknown_share"


def test_saying_no_to_carrying_a_summary_stops_every_link(app, client, person):
    _share_, secret = _share(app, person)
    with app.app_context(), db.connected():
        service.set_choice(person, False, "person")
    assert client.get(f"/health/shared/{secret}").status_code == 404


def test_wrong_links_from_one_address_are_limited(app, client, person):
    _share_, secret = _share(app, person)
    answers = [client.get(f"/health/shared/{'B' * 42}{n}").status_code for n in range(6)]  # LOGIN_FAILURES is 5
    assert answers == [404] * 5 + [429]
    limited = client.get(f"/health/shared/{secret}")
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert "wait" in limited.get_data(as_text=True)
