"""Check-ins (issue 14): people on community orders check in from their phone, even offline, with a photo and a
GPS fix in one canonical document signed on the phone with its key (wire/checkin.py), optionally confirmed by the
owner with WebAuthn (owner.py). Workers set schedules (schedules.py) and see each check-in with what the hub
could check (service.py, evidence.py, web.py); photos are kept per outcome (retention.py, job.py); a window's
opening is pushed (reminders.py). docs/checkins.md says how; the software never decides what a check-in means."""
