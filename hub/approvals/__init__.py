"""Two admins for the most dangerous actions: an enrolment token, revoking an edge, rotating keys.

With ADMIN_APPROVALS on (the default), such an action asked for through the admin API becomes a
pending request (service.py); it takes effect only when a second, different admin whose role may do
it approves (API: api.py; `throughgate hub approvals approve ID`). A request not decided within
APPROVAL_TTL_S expires.
"""
