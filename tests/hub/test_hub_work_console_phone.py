"""The workers' console with a real phone: against a real `throughgate hub run`, an offender manager
releases a person from the console, the code it shows once activates the reference phone client, the
message they write reaches the phone's sync, and the person's answer, once the worker opens it, comes
back to the phone as read."""

from __future__ import annotations

import html
import re

import pytest
from consolekit import BASE, browser, post
from hubkit import make_instance
from hubprocess import HubProcess
from phonekit import hub_app
from workkit import add_person, login, make_worker

from hub import ca
from phone import client
from phone.store import Store
from provisioning.tokens import ActivationOffer, parse_activation_offer
from wire.records import timestamp


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("work-phone")
    instance = make_instance(root / "hub")
    url = f"sqlite:///{instance / 'hub.db'}"
    process = HubProcess(instance, url, root / "hub.log").start()
    try:
        yield process, hub_app(instance, url), instance
    finally:
        process.stop()


def test_a_release_from_the_console_activates_a_phone_and_messages_go_both_ways(hub, tmp_path):
    process, app, instance = hub
    olivia = make_worker(app, "olivia", "offender_manager", "Cardiff probation")
    person = add_person(app, "olivia")
    console = browser(app)
    assert login(app, console, olivia).status_code == 302

    shown = post(console, f"/work/people/{person}/release", {"days": "7"}, page=f"/work/people/{person}")
    assert shown.status_code == 200
    code = re.search(r'name="code" value="([A-Z0-9-]{14})"', shown.get_data(as_text=True)).group(1)
    printed = parse_activation_offer(html.unescape(re.search(r'class="uri">([^<]+)<', shown.get_data(
        as_text=True)).group(1)))
    assert printed.code == code and printed.ca == ca.root_pin(ca.load_root(ca.files(instance)))
    offer = ActivationOffer(process.url, code, printed.ca)  # the letter's hub address, as this test reaches it
    folder = tmp_path / "phone"
    done = client.activate(offer.to_uri(), folder, "Alex's phone")
    assert done.person == person
    assert "Alex&#39;s phone" in console.get(f"/work/people/{person}", base_url=BASE).get_data(as_text=True)

    sent = post(console, f"/work/people/{person}/messages", {"text": "Your first appointment is Monday at 10."})
    assert sent.status_code == 303
    store = Store(folder / "phone.db")
    client.sync(folder, store)
    [received] = [m for m in store.messages() if not m["from_person"]]
    assert received["text"] == "Your first appointment is Monday at 10."

    store.queue("message", {"to": "olivia", "text": "Thank you, I will be there.", "written_at": timestamp()})
    client.sync(folder, store)
    page = console.get(f"/work/people/{person}/messages", base_url=BASE).get_data(as_text=True)
    assert "Thank you, I will be there." in page
    row = page.split("Your first appointment is Monday at 10.", 1)[1].split("</tr>", 1)[0]
    assert row.count("not yet") == 1  # delivered (the phone synced), not read yet
    client.sync(folder, store)  # the phone learns the worker read its message
    reads = [row for row in store.db.execute("SELECT kind, body FROM feed WHERE kind = 'read'")]
    assert len(reads) == 1 and '"read_at"' in reads[0][1]
    store.close()
