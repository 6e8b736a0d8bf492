"""A person's appointments as an iCalendar feed (RFC 5545, made with `icalendar`): one VEVENT per
appointment, UID its id, DTSTART/DTEND in UTC, SEQUENCE the worker's changes since it was made,
STATUS CANCELLED once cancelled. Nothing beyond what the person needs: no names, no case
references, the worker named only by what they are ("your probation officer")."""

from __future__ import annotations

from hub.appointments import service
from wire.records import parse_timestamp

PRODID = "-//Throughgate//Appointments//EN"
WHO = {"offender_manager": "your probation officer", "employment_adviser": "your employment adviser",
       "health_care": "health care", "team_manager": "your probation team"}
HOW = {"in_person": "Appointment", "phone": "Phone appointment", "video": "Video appointment"}


def summary(kind: str, role: str | None) -> str:
    return f"{HOW.get(kind, 'Appointment')} with {WHO.get(role or '', 'your worker')}"


def feed(person_id: str) -> bytes:
    from icalendar import Calendar, Event  # here, not at import: every CLI command would load it

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Appointments")
    for row in service.listing(person_id):
        now = service.state(row)
        event = Event()
        event.add("uid", row.appointment_id)
        event.add("dtstamp", parse_timestamp(row.updated_at))
        event.add("dtstart", parse_timestamp(row.starts_at))
        event.add("dtend", parse_timestamp(row.ends_at))
        event.add("sequence", now["sequence"])
        event.add("summary", summary(row.kind, now["role"]))
        event.add("location", row.place)
        if row.video_url:
            event.add("url", row.video_url)
            event.add("description", f"Join the video call: {row.video_url}")
        event.add("status", "CANCELLED" if row.status == "cancelled" else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
