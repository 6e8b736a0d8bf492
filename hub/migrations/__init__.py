"""The hub database's migrations, applied in order by wire.schema (hub/db.py `migrate`).

    m0001_baseline                     every table, index and constraint as they stood when versions
                                       began; on a hub made before that, only what is missing
    m0002_edge_verify_key_to_edge_key  the edge table of a hub from before mutual TLS, rebuilt
    m0003_admin_tokens_approvals_audit admin API tokens (role, expiry), approval requests, the audit trail
    m0004_edge_report                  edges' status reports (a bounded history per edge)

A hub database made before versions were recorded is adopted at version 0: 0001 creates what it
lacks, 0002 repairs it if it is that old, and both end at the same schema as a fresh one (the
test in tests/hub/test_hub_migrations.py compares their catalogues). A schema change adds the next
module here, changes the peewee model to match, and adds a test that migrates a database with rows.
"""
