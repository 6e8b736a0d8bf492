"""Teams at the hub: a team a person can write to (for example the probation office), who in it is on
duty, and the team messages waiting for an answer (migration m0011).

- models:   team (name, promised reply time), team_duty (who is on duty now), team_message (a message
            to or from a team, and when it was answered)
- rules:    pure: the promise as text and back, how long a message has waited, whether it is flagged
- service:  adding and changing teams, duty, routing a person's message to a team, answering it, the
            manager's "Waiting too long" list
- contacts: whom a person can write to (their workers and those workers' teams), sent to their phone
- cli:      `throughgate hub teams add|list|show|set|duty`

Membership has one source of truth: a worker account's `team` (hub/staff). A team's managers are its
accounts with the team manager role.
"""
