"""The edge's scheduled jobs, all in one place. Jobs call service functions and hold no logic."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from edge.host import systemd

TRANSFERS_S = 60  # one small GET: a learner who arrives from another prison brings their record within a minute
PLANS_S = 60  # one small GET: a worker's change to a release plan reaches the learner's tablet within a minute
FORMS_S = 120  # one small GET: a form published at the hub reaches the tablets within 2 minutes
BROKER_ACL_S = 5  # a check of the store; the broker is asked only when the list of tablets changed (or every 10 min)

logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per run is noise; failures still show


def schedule(service) -> BackgroundScheduler:
    """service: an edge.service.EdgeService (seal_ready, forward, forward_attachments, prune, refresh_crl,
    renew_identity, check_clock, sync_courses, pull_transfers, pull_plans, pull_forms, sync_broker_acl,
    check_broker_store, report_health, watchdog)."""
    interval = service.config.uplink.interval_s
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(service.seal_ready, "interval", seconds=interval, id="seal",
                      name="cut and seal batches by count and age")
    scheduler.add_job(service.forward, "interval", seconds=interval, id="forward",
                      name="send sealed batches to the hub")
    # A long upload outlasts the interval: a second instance may start, finds the forwarder busy and
    # returns at once (instead of apscheduler's "skipped" warning every interval).
    scheduler.add_job(service.forward_attachments, "interval", seconds=interval, id="attachments", max_instances=2,
                      name="send attachments of delivered submissions to the hub")
    scheduler.add_job(service.prune, "interval", hours=1, id="prune",
                      name="forget delivered batches older than retention_days")
    scheduler.add_job(service.refresh_crl, "interval", hours=1, id="crl",
                      name="re-issue the tablet CRL once a day; alarm before it runs out")
    scheduler.add_job(service.renew_identity, "interval", seconds=service.config.uplink.identity_check_s,
                      id="identity",
                      name="renew the edge and server certificates when due; fetch rotated hub keys")
    scheduler.add_job(service.sync_broker_acl, "interval", seconds=BROKER_ACL_S, id="broker_acl",
                      name="give the broker's permissions to tablets just enrolled, take them from revoked ones")
    scheduler.add_job(service.check_broker_store, "interval", minutes=1, id="broker_store",
                      name="alarm when Mosquitto's persistence file grows past broker.store_alarm_bytes")
    scheduler.add_job(service.check_clock, "interval", minutes=1, id="clock",
                      name="alarm when the box's clock is far from the hub's")
    # Likewise a long download: a second run finds the sync lock held and returns at once.
    scheduler.add_job(service.sync_courses, "interval", seconds=service.config.courses.sync_interval_s,
                      id="courses", max_instances=2, name="fetch new course versions from the hub; reclaim old ones")
    scheduler.add_job(service.pull_transfers, "interval", seconds=TRANSFERS_S,
                      id="transfers", name="import what learners transferred here did at earlier prisons")
    scheduler.add_job(service.pull_plans, "interval", seconds=PLANS_S,
                      id="plans", name="send learners' tablets the release plan items the hub merged")
    scheduler.add_job(service.pull_forms, "interval", seconds=FORMS_S, id="forms", next_run_time=datetime.now(UTC),
                      name="keep the forms the hub published for the tablets (first at start)")
    scheduler.add_job(service.report_health, "interval", seconds=service.config.uplink.report_interval_s,
                      id="health", next_run_time=datetime.now(UTC),
                      name="send the hub this edge's status report (first at start)")
    watchdog_s = systemd.watchdog_interval_s()
    if watchdog_s:
        scheduler.add_job(service.watchdog, "interval", seconds=watchdog_s, id="watchdog",
                          name="tell systemd the edge is alive (WATCHDOG=1) at half of WatchdogSec")
    return scheduler
