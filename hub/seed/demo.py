"""The demo a newcomer's hub is seeded with (`throughgate hub seed`): who, and when. Pure: no I/O.

A probation team with an offender manager, an employment adviser and their manager, a health care
worker, and a handful of people (names made up) with appointments over the next two weeks. The seed's
employment adviser also holds a 5-minute video call with the person on the day before each of their
appointments (`check_ins`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

TEAM = "Cardiff probation"
REPLY_WITHIN_MIN = 4 * 60
ADVISER = "ed"
CHECK_IN_MINUTES = 5
CHECK_IN_PLACE = "A quick video check-in before tomorrow"
CHECK_IN_AT = time(15, 0)
"""The adviser's check-ins start at 15:00 UTC, 10 minutes apart."""


@dataclass(frozen=True)
class Worker:
    name: str
    role: str
    display_name: str
    team: str | None


WORKERS = (
    Worker("olivia", "offender_manager", "Olivia Jones", TEAM),
    Worker(ADVISER, "employment_adviser", "Ed Davies", TEAM),
    Worker("tom", "team_manager", "Tom Williams", TEAM),
    Worker("hana", "health_care", "Hana Ali", None),
)


@dataclass(frozen=True)
class Person:
    name: str
    prison_number: str
    case_reference: str
    workers: tuple[str, ...]
    release_in_days: int
    """Days from today to their release date; 0: released today, with an activation code."""


PEOPLE = (
    Person("Jordan Evans", "A1234BC", "X123456", ("olivia", ADVISER, "hana"), 0),
    Person("Alex Morgan", "B2345CD", "X234567", ("olivia", ADVISER), 10),
    Person("Chris Hughes", "C3456DE", "X345678", ("olivia", ADVISER, "hana"), 21),
)


@dataclass(frozen=True)
class Appointment:
    person: int
    """Index into PEOPLE."""
    worker: str
    kind: str
    starts_at: datetime
    minutes: int
    place: str


def appointments(today: date) -> list[Appointment]:
    """The people's appointments over the next two weeks (from the day after tomorrow, so each has its
    check-in the day before, still to come)."""
    def at(days: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, minute), UTC)

    office = "Cardiff probation office, 1 Fitzalan Place, Cardiff"
    return [
        Appointment(0, "olivia", "in_person", at(2, 10), 45, office),
        Appointment(0, "hana", "video", at(5, 11), 30, "Video call with your health care worker"),
        Appointment(0, "olivia", "phone", at(9, 14), 20, "Olivia will call the number you gave us"),
        Appointment(1, "olivia", "video", at(4, 9, 30), 30, "Video call before your release"),
        Appointment(1, "olivia", "in_person", at(12, 10), 60, office),
        Appointment(2, "hana", "phone", at(7, 15, 30), 15, "Hana will call you about your medicines"),
    ]


def check_ins(found: list[Appointment]) -> list[Appointment]:
    """The adviser's 5-minute video call with the person on the day before each of their appointments
    with another worker, 10 minutes apart on a day with several."""
    made: list[Appointment] = []
    per_day: dict[date, int] = {}
    for appointment in sorted(found, key=lambda a: (a.starts_at, a.person)):
        if appointment.worker == ADVISER:
            continue
        day = appointment.starts_at.date() - timedelta(days=1)
        n = per_day[day] = per_day.get(day, -1) + 1
        starts = datetime.combine(day, CHECK_IN_AT, UTC) + timedelta(minutes=10 * n)
        made.append(Appointment(appointment.person, ADVISER, "video", starts, CHECK_IN_MINUTES, CHECK_IN_PLACE))
    return made


MESSAGES = (  # (person, worker, text) from a worker to the person
    (0, "olivia", "Welcome home, Jordan. I'm Olivia, your probation officer. See you on your first appointment."),
    (0, ADVISER, "Hi Jordan, I'm Ed, your employment adviser. I'll call you by video the day before each "
                 "appointment."),
    (1, "olivia", "Hello Alex, your release date is in your plan. Write to me here if anything changes."),
)
TEAM_MESSAGES = (  # (person, text) from the person to the team, waiting for an answer
    (0, "Hello, I can't find the bus to the office on Monday. Who can help?"),
)
PLAN = (  # (person, pathway, field, value)
    (0, "accommodation", "status", "done"),
    (0, "accommodation", "notes", "Room at the Adamsdown hostel from the day of release."),
    (0, "id", "status", "in_progress"),
    (0, "id", "owner", "Olivia Jones"),
    (0, "bank_account", "status", "in_progress"),
    (0, "probation", "status", "done"),
    (1, "accommodation", "status", "in_progress"),
    (1, "accommodation", "owner", "Olivia Jones"),
    (1, "gp", "status", "not_started"),
    (1, "education_work", "owner", "Ed Davies"),
    (1, "education_work", "notes", "CSCS card course booked for the week after release."),
)

HEALTH_PERSON = 0
"""Index into PEOPLE: Jordan, released today and in the health care worker's caseload, carries a release
health summary (hub/medical) with every continuity field; places and clinicians are made up."""


def health_facts(today: date) -> dict:
    """Jordan's release health summary, as wire.ips_build.release_summary takes it, dated from today."""
    def day(days: int) -> str:
        return (today + timedelta(days=days)).isoformat()

    def at(days: int, hour: int, minute: int = 0) -> str:
        return datetime.combine(today + timedelta(days=days), time(hour, minute), UTC).isoformat()

    pharmacy = "Adamsdown Pharmacy, 4 Clifton Street, Cardiff"
    return {
        "patient": {"name": PEOPLE[HEALTH_PERSON].name, "born": "1992-03-17"},
        "author": {"name": "Hana Ali", "organisation": "HMP Cardiff Healthcare"},
        "release_date": day(0),
        "medicines": [
            {"name": "Sertraline 100 mg tablets", "dose": "100 mg once a day", "last_given": at(0, 8),
             "days_supplied": 14, "prescription_issued": day(-1), "prescriber": "Dr Rhys Price"},
            {"name": "Salbutamol 100 micrograms/dose inhaler", "dose": "2 puffs when needed for breathlessness",
             "last_given": at(-2, 20), "days_supplied": 28},
        ],
        "ost": {"drug": "methadone", "form": "oral solution", "product": "Methadone 1 mg/mL oral solution",
                "daily_dose_mg": 60, "last_supervised_dose": at(0, 8, 15),
                "prescriber": "Dr Cerys Lloyd, Cardiff community drug service", "pharmacy": pharmacy,
                "prescription_issued": day(-3),
                "first_dose_appointment": {"start": at(1, 9, 30), "where": pharmacy, "with": "Dr Cerys Lloyd",
                                           "minutes": 15}},
        "naloxone": {"kits": 1, "product": "Prenoxad 1 mg/mL injection", "handed_over": at(0, 9),
                     "training": day(-4)},
        "gp": {"practice": "Splott Road Surgery, Cardiff", "status": "requested"},
        "allergies": [{"what": "Penicillin", "reaction": "Rash", "severity": "moderate"}],
        "problems": [{"what": "Opioid dependence", "since": "2018", "status": "active"},
                     {"what": "Depression", "since": "2021-06", "status": "active"},
                     {"what": "Asthma", "since": "2005", "status": "active"}],
        "appointments": [{"start": at(6, 14), "what": "Asthma review", "where": "Splott Road Surgery, Cardiff",
                          "with": "Practice nurse", "minutes": 20}],
    }
