"""People who log in to the hub's web consoles: admins (the admin console, hub/console) and, for the
workers' console, workers. One account table for both, so a name is one person everywhere (the
audit trail, the approvals' "a second, different admin").

- models:    the accounts, their sessions, and failed logins (migration m0005)
- passwords: argon2id hashes, checked a few at a time
- totp:      the second factor, RFC 6238 codes (cryptography's TOTP), each usable once
- sealing:   the TOTP secrets sealed at rest with a key file in the instance (Fernet)
- accounts:  adding, setting up (a one-time setup code, a password, an authenticator), disabling
- sessions:  server-side sessions: idle and absolute expiry, ended on logout, password reset or disable
- throttle:  the login limit, per address and per account
"""
