"""Waking a person's phone with Web Push (RFC 8030, VAPID RFC 8292, aes128gcm RFC 8291): no polling.
When something is added to a person's feed the hub pushes "sync" to each of their phones'
subscriptions; it reminds them of each appointment the day before and an hour before. A payload
never carries personal data: the phone syncs, or shows the appointment from its own synced data.

- models:        push_subscription (one a phone), push_outbox (what waits to be pushed), reminder_sent
- vapid:         the hub's VAPID key pair (P-256, in the instance), its application server key
- subscriptions: checking, saving and removing a phone's subscription
- outbox:        what to push to whom (coalesced per subscription and topic), claimed once, retried
- reminders:     which reminders are due at `now`, each claimed once
- sender:        one push over HTTP (pywebpush), and draining the outbox
- job:           the thread `hub run` starts
- api:           GET, PUT, DELETE /v1/phone/push
"""
