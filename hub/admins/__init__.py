"""The hub's administrators: who they are (scoped, expiring API tokens, hub/admins/tokens.py), what each
role may do (hub/admins/roles.py, one table), and the `throughgate hub admins|approvals|audit` commands
(hub/admins/cli.py). The approvals are in hub/approvals/, the audit trail in hub/audit/.
"""
