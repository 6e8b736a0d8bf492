"""Appointments between a person and their workers: made and changed by workers, every change kept
(who, when, why), the person's requests from their phone, a Jitsi link for video, an iCalendar feed."""
