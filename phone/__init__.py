"""The reference phone client: what the person's app does after release, in Python, for app developers
and for the tests. It speaks the hub's phone protocol (docs/phone-sync.md):

- identity: the phone's own key (Ed25519, made here, never sent), the hub it belongs to (URL and pinned root)
- store:    SQLite: the outbox of changes made offline, the received feed, the cursor
- client:   activation with the release letter's code, and sync: one signed request a round
- cli:      `throughgate phone activate|send|read|sync|messages`
It imports only wire and provisioning, like tablet/.
"""
