"""A person's health summary at the hub (issue 12): an HL7 International Patient Summary (FHIR R4) that
prison health care (or a community service) uploads, checked (checks.py), sealed with a key of the
person's own (keys.py), read only by health care, the person, and those the person shares it with,
every read recorded (service.py), carried on the person's phone and shared with a new GP or pharmacy
through a time-limited link (phone_api.py, shares.py, share_web.py). docs/health.md says how."""
