"""Phone sync: one signed request carries the phone's queued changes and its cursor; the answer
carries every change for the person since that cursor, and the new cursor (docs/phone-sync.md).

- models:  person_change (the person's feed, append-only), phone_change (each change a phone sent,
           once), message
- feed:    appending to and reading the feed, in pages
- changes: the phone's changes, applied exactly once (kinds: message, receipt)
- api:     POST /v1/phone/sync
"""
