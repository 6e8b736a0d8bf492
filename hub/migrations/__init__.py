"""The hub database's migrations, applied in order by wire.schema (hub/db.py `migrate`).

    m0001_baseline                     every table, index and constraint as they stood when versions
                                       began; on a hub made before that, only what is missing
    m0002_edge_verify_key_to_edge_key  the edge table of a hub from before mutual TLS, rebuilt
    m0003_admin_tokens_approvals_audit admin API tokens (role, expiry), approval requests, the audit trail
    m0004_edge_report                  edges' status reports (a bounded history per edge)
    m0005_staff_accounts               console accounts (admins, workers), their sessions, failed logins
    m0006_enrolment_token_cancelled    enrolment_token.cancelled_at
    m0007_people_phones_sync           people, activation codes, phones, the person's feed, phone changes,
                                       messages
    m0008_caseloads                    workers' caseloads, and every read of a person's data
    m0009_appointments                 appointments, their changes, each person's calendar feed
    m0010_push                         phones' Web Push subscriptions, what waits to be pushed, reminders claimed
    m0011_teams_duty                   teams and their promised reply time, who is on duty, team messages
    m0012_message_attachments          the photos and voice notes a message carries, and phones' uploads of them
    m0013_release_plans                each field of a person's release plan: the winning value, who and
                                       when, and the losing values kept
    m0014_edge_release_transfers       transfers between prisons (what the new prison's edge fetched)
    m0015_person_names                 the names and case references of people in caseloads, sealed
    m0016_code_guessing                activation codes' public lookup part (code id) and wrong tries
    m0017_health                       health records sealed per person: their keys, the records, every
                                       read, the person's shares and choice to carry a summary
    m0018_phone_records                learning records from people's phones after release: statements and
                                       resume states (GET /v1/phone/courses, the LRS)
    m0019_forms                        bespoke forms: published versions (XForm and field list), people's
                                       submissions and the files they carry
    m0020_checkins                     check-ins: schedules, nonces handed to phones, the signed check-ins
                                       (outcome and why), WebAuthn credentials bound to a phone, reminders
    m0021_employment                   help into work: job links, videos and checklists advisers publish, and
                                       people's checklist ticks
    m0022_form_refusals                tablets' form submissions the hub refused, until their edge takes them

A hub database made before versions were recorded is adopted at version 0: 0001 creates what it
lacks, 0002 repairs it if it is that old, and both end at the same schema as a fresh one (the
test in tests/hub/test_hub_migrations.py compares their catalogues). A schema change adds the next
module here, changes the peewee model to match, and adds a test that migrates a database with rows.
"""
