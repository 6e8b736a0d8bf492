"""The hub's application factory: create_app(test_config=None, instance_path=None) -> Flask.

Settings come from hub/config.py's defaults, then the instance's hub.toml, then environment
variables (THROUGHGATE_HUB_<KEY>, and plain DATABASE_URL); a test_config replaces the last two.
Nothing connects at import time; the database is opened per request. The app holds the hub's
keys (`extensions["hub_keys"]`, a keys.KeyFiles), its root CA (`extensions["hub_ca"]`) and the
terms of what it issues (`extensions["hub_terms"]`, an enrolment.Terms read from the settings once).
"""

from __future__ import annotations

import os

from flask import Flask

from hub import admin, ca, config, console, db, errors, health, keys, limits, metrics, records, webapp_web
from hub.appointments import calendar as appointments_calendar
from hub.approvals.api import bp as approvals_bp
from hub.attachments.api import bp as attachments_bp
from hub.audit.api import bp as audit_bp
from hub.checkins import phone_api as checkins_phone_api
from hub.courses import admin_api as courses_admin_api
from hub.courses import edge_api as courses_edge_api
from hub.courses import phone_api as courses_phone_api
from hub.employment import phone_api as employment_phone_api
from hub.enrolment import api as enrol
from hub.enrolment import edge_api
from hub.enrolment import service as enrolment
from hub.fleet import api as fleet_api
from hub.forms import edge_api as forms_edge_api
from hub.forms import phone_api as forms_phone_api
from hub.ingest import batches, slots
from hub.medical import api as health_api
from hub.medical import phone_api as health_phone_api
from hub.medical import share_web as health_share_web
from hub.people import edge_api as people_edge_api
from hub.phones import api as phones_api
from hub.plans import edge_api as plans_edge_api
from hub.push import api as push_api
from hub.sync import api as sync_api
from hub.sync import uploads_api
from hub.sync import views as views_api
from hub.workers import web as workers_web


def create_app(test_config: dict | None = None, instance_path: str | os.PathLike | None = None) -> Flask:
    instance_path = os.path.abspath(instance_path or config.default_instance())
    app = Flask("hub", instance_path=instance_path, instance_relative_config=True)
    config.load(app.config, instance_path, test_config)
    app.extensions["hub_keys"] = keys.KeyFiles(app.config["SEALING_KEY_FILE"], app.config["SIGNING_KEY_FILE"])
    app.extensions["hub_ca"] = ca.load_root(ca.files(instance_path))
    app.extensions["hub_terms"] = enrolment.Terms.from_config(app.config)
    metrics.init_app(app)  # first: every request is timed and counted, a refused one too (GET /metrics)
    limits.init_app(app)  # then: an oversized body is refused before the database is touched
    db.init_app(app)
    errors.init_app(app)
    slots.init_app(app)  # how many batches are opened at once
    for blueprint in (health.bp, enrol.bp, batches.bp, edge_api.bp, admin.bp, records.bp, attachments_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(courses_edge_api.bp)
    app.register_blueprint(people_edge_api.bp)
    app.register_blueprint(plans_edge_api.bp)
    app.register_blueprint(forms_edge_api.bp)  # the published forms, for tablets inside
    app.register_blueprint(courses_admin_api.bp)
    app.register_blueprint(approvals_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(fleet_api.bp)
    app.register_blueprint(phones_api.bp)
    app.register_blueprint(sync_api.bp)
    app.register_blueprint(views_api.bp)
    app.register_blueprint(courses_phone_api.bp)  # the person's courses and progress, on their phone
    app.register_blueprint(uploads_api.bp)
    app.register_blueprint(push_api.bp)
    app.register_blueprint(appointments_calendar.bp)
    app.register_blueprint(health_api.bp)
    app.register_blueprint(health_phone_api.bp)  # the person's own summary, from their phone
    app.register_blueprint(health_share_web.bp)  # the links they share with a GP or pharmacy
    app.register_blueprint(forms_phone_api.bp)  # the forms a phone renders (hub/forms)
    app.register_blueprint(checkins_phone_api.bp)  # check-ins: nonces, the next window, WebAuthn (hub/checkins)
    app.register_blueprint(employment_phone_api.bp)  # job links, videos and checklists (hub/employment)
    app.register_blueprint(webapp_web.bp)  # the person's app for phones, at /app/ (webapp/dist)
    console.init_app(app)  # the admin console's pages under /admin (hub/console)
    workers_web.init_app(app)  # the workers' console's pages under /work (hub/workers)
    return app
