"""`throughgate hub seed`: demo data for trying the workers' console and the phone on a new hub (refused on
a hub that holds people). Prints each worker's one-time setup code, as `hub workers add` does, and the
released person's activation code, as `hub people release` does."""

from __future__ import annotations

from hub import address, ca, config
from hub.admins.cli import note, operator, with_app
from hub.seed import demo, service
from hub.staff import cli as staff_cli
from provisioning.tokens import ActivationOffer

_NO_ADDRESS = "https://hub.invalid"


def register(commands, command, open_app) -> None:
    command(commands, "seed", with_app(open_app, cmd_seed), "fill a new hub with demo workers, people, messages, "
            "appointments and plans, to try the workers' console and the phone")


def _offer(app, code: str) -> ActivationOffer:
    from hub.enrolment.tokens import edge_hub_url

    hub_url = edge_hub_url(app.config, app.instance_path) or _NO_ADDRESS
    return ActivationOffer(hub_url, code, ca.root_pin(app.extensions["hub_ca"]))


def cmd_seed(args, app) -> int:
    with app.app_context():  # the names are sealed with this instance's console key
        made = service.seed(app.config, operator().name, app.config["SETUP_CODE_HOURS"])
    note(people=len(made.people), appointments=len(made.appointments) + len(made.check_ins))
    print(f"Made the team {demo.TEAM!r} (reply within {demo.REPLY_WITHIN_MIN // 60} h), "
          f"{len(made.setup_codes)} workers, {len(made.people)} people in their caseloads (names are made up), "
          f"{made.messages} messages, {len(made.appointments)} appointments over the next two weeks, "
          f"{len(made.check_ins)} video check-ins with {demo.ADVISER} on the day before each, "
          f"and {made.plan_fields} release plan fields.")
    print()
    base = address.edge_url(app.config.get("PUBLIC_URL"), address.running(app.instance_path),
                            config.tls_names(app.config)) or "https://<this hub's address>"
    for account, code in made.setup_codes:
        for line in staff_cli.setup_lines(account, code, base, app.config["SETUP_CODE_HOURS"]):
            print(line)
        print()
    for person, person_id in zip(demo.PEOPLE, made.people, strict=True):
        state = "released today" if person.release_in_days == 0 else f"due out in {person.release_in_days} days"
        print(f"{person_id}: {person.name}, {state}, in the caseloads of {', '.join(person.workers)}")
    if made.health_summary:
        print()
        print(f"{made.health_summary} carries a release health summary (medicines, methadone, naloxone, GP "
              f"registration): health care staff read it at /work/people/{made.health_summary}/health.")
    if made.released:
        person_id, code, expires = made.released
        print()
        print(f"Activation code for {person_id}: {code}")
        print(f"It works once, until {expires}. Try the phone with:")
        offer = _offer(app, code)
        print(f"  throughgate phone activate '{offer.to_link()}'")
        if offer.hub == _NO_ADDRESS:
            print("(This hub is not running yet, so the offer has no address: start `throughgate hub run`, then "
                  f"`throughgate hub people code {person_id}` prints one with it.)")
    links = [a for a in made.appointments + made.check_ins if a.kind == "video"]
    if links and not any(a.video_url for a in links):
        print()
        print("The video appointments have no link: this hub has no video service (JITSI_URL, JITSI_APP_ID, "
              "JITSI_SECRET_FILE in hub.toml).")
    return 0
