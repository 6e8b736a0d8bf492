"""The edge service: store, broker (in development), relay and uplink, started and stopped together."""

from __future__ import annotations

import faulthandler
import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

from edge import config as edge_config
from edge import health, identity, jobs, store
from edge import metrics as edge_metrics
from edge.attachments import store as attachments_store
from edge.attachments.uplink import AttachmentForwarder
from edge.console import learning as console_learning
from edge.courses import progress as course_progress
from edge.courses import sync as course_sync
from edge.courses.content_origin import ContentOriginServer
from edge.downlink.publisher import Downlink
from edge.forms import pull as forms_pull
from edge.host import broker, broker_check, broker_control, processes, systemd
from edge.intake.quota import Quota
from edge.intake.relay import Relay
from edge.plans import pull as plans_pull
from edge.tablets import registry as tablets
from edge.tablets.api import TabletApiServer
from edge.transfers import pull as transfers
from edge.uplink import enrolment
from edge.uplink import report as health_report
from edge.uplink import stages as uplink
from edge.uplink.hubclient import HubClient
from edge.wifi import eap
from provisioning import pki
from provisioning.stopping import StopSignals
from wire.keys import HubPublicKeys, signing_key_from_pem
from wire.records import timestamp

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 15


class EdgeService:
    def __init__(self, config: edge_config.EdgeConfig):
        self.config = config
        self.child_broker: broker.ChildBroker | None = None
        self.relay: Relay | None = None
        self.downlink: Downlink | None = None
        self.scheduler = None
        self.forwarder: uplink.Forwarder | None = None
        self.tablet_api: TabletApiServer | None = None
        self.content_origin: ContentOriginServer | None = None
        self.advertiser = None
        self.files = identity.EdgeFiles(config.instance)
        self.broker_acl = broker_control.AclKeeper(config, tablets.active_devices)  # the broker's list of tablets
        self._lock = threading.Lock()
        self.metrics = edge_metrics.EdgeMetrics()  # its own registry, served by metrics_server ([metrics] port)
        self.metrics_server: edge_metrics.MetricsServer | None = None
        self.started_at = time.time()
        self._report_skew: float | None = None

    def start(self) -> EdgeService:
        cfg = self.config
        log.info("edge %s starting (pid %d)", cfg.edge_id, os.getpid())
        for path in (cfg.signing_key_path, cfg.relay_secret_path, self.files.ca_cert):
            if not path.exists():
                raise edge_config.ConfigError(f"{path} is missing: run `throughgate edge init` for this instance")
        if not (self.files.enrolled and cfg.hub_keys_path.exists()):
            raise edge_config.ConfigError(f"edge {cfg.edge_id} is not enrolled with a hub: run `throughgate edge "
                                          f"enrol --instance {cfg.instance} ...` with a token from the hub's admin")
        self.signing_key = signing_key_from_pem(cfg.signing_key_path.read_bytes())
        self.hub_keys = HubPublicKeys.from_document(cfg.hub_keys_path.read_text())
        store.open_store(str(cfg.db_path))  # the one process that applies pending migrations (edge.migrations)
        self.quota = Quota(cfg.quota_bytes, store.outbox_bytes)
        self.quota.refresh()
        identity.ensure_server_cert(self.files, cfg.edge_id, cfg.server_name)
        self.refresh_crl()
        if cfg.broker.dev:
            files = broker.BrokerFiles(cfg.broker_dir)
            broker.write_files(files, cfg.broker, tablets=broker.tablet_listener(cfg), devices=tablets.active_devices())
            self.child_broker = broker.ChildBroker(files, cfg.broker.host, cfg.broker.port).start()
        if broker_check.check_ours(cfg):  # raises WrongBroker when another broker holds the relay's port
            self.sync_broker_acl()
        else:
            log.warning("nothing answers MQTT on %s:%s yet: the relay keeps trying", cfg.broker.host, cfg.broker.port)
        self.hub_client = HubClient.for_edge(cfg)
        self.forwarder = uplink.Forwarder(cfg.uplink, self.hub_keys, self.hub_client, self.quota, metrics=self.metrics)
        self.attachment_forwarder = AttachmentForwarder(cfg, lambda: HubClient.for_edge(cfg))
        relay_password = cfg.relay_secret_path.read_text().strip()
        # down messages (feedback, awards) to tablets until each acknowledges them; the relay wakes it on acks
        self.downlink = Downlink(cfg.broker.host, cfg.broker.port, cfg.broker.username, relay_password,
                                 give_up_days=cfg.relay.down_give_up_days)
        self.relay = Relay(cfg, relay_password, self.quota, on_down=self.downlink.wake,
                           observing=[console_learning.TutorCopy(), course_progress.Inbox()],
                           metrics=self.metrics).start()
        self.downlink.start()
        self.tablet_api = TabletApiServer(cfg, on_revoked=self.cut_off, on_enrolled=self.grant,
                                          intake=self.relay.intake).start()  # the app's records: the relay's commit
        try:  # course files for the SCORM player, no client certificate asked
            self.content_origin = ContentOriginServer(cfg).start()
            store.clear_alarm("content_origin_down")
        except OSError as exc:  # the relay goes on; only the player's courses wait for the port
            log.error("the content origin (courses.content_port %s) did not start: %s; the SCORM player cannot "
                      "open courses until it does: free the port or set another, then restart the edge",
                      cfg.courses.content_port, exc)
            store.raise_alarm("content_origin_down", f"the SCORM player's content origin (port "
                              f"{cfg.courses.content_port}) did not start: {exc}")
        self._advertise()
        if cfg.metrics.port:
            self.metrics_server = edge_metrics.serve(self.metrics, self.files, cfg.metrics.host or cfg.console.host,
                                                     cfg.metrics.port)
        self.scheduler = jobs.schedule(self)
        self.scheduler.start()
        if self.relay.subscribed.wait(READY_TIMEOUT_S):
            cfg.ready_path.write_text(f"{os.getpid()}\n")
            systemd.ready()
        else:
            log.warning("the relay is not subscribed after %ss; is Mosquitto running on %s:%s?",
                        READY_TIMEOUT_S, cfg.broker.host, cfg.broker.port)
        log.info("edge %s running: broker %s:%s, hub %s, outbox %d of %d bytes used", cfg.edge_id,
                 cfg.broker.host, cfg.broker.port, cfg.uplink.hub_url, self.quota.used, self.quota.limit)
        return self

    def _advertise(self) -> None:
        addresses = [a.strip() for a in self.config.tablets.advertise_on.split(",") if a.strip()]
        if not addresses:
            return
        from edge.host.discovery import Advertiser

        cfg = self.config
        self.advertiser = Advertiser(cfg.edge_id, cfg.server_name, identity.ca_pin(self.files), cfg.tablets.mqtt_port,
                                     cfg.tablets.api_port, addresses)
        self.advertiser.start()

    def cut_off(self, device: str) -> None:
        """After a tablet's certificates were revoked: Mosquitto re-reads the CRL, and the tablet's
        live connection is closed (Mosquitto checks certificates only at the handshake)."""
        log.info("tablet %s's earlier certificates revoked: %s", device, broker.cut_off(self.config, device))

    def grant(self, device: str) -> None:
        """A tablet just enrolled: let it use its own topics before it gets its certificate. If the broker
        cannot be told now, the broker_acl job tells it as soon as it can (and the alarm says so meanwhile)."""
        try:
            self.broker_acl.grant(device)
        except broker_control.ControlError as exc:
            self._broker_acl_failed(exc)

    # what the jobs call
    def sync_broker_acl(self) -> None:
        """Keep the broker's list of tablets (its dynamic security plugin) equal to the enrolled, unrevoked ones."""
        try:
            self.broker_acl.tick()
        except broker_control.ControlError as exc:
            self._broker_acl_failed(exc)
        else:
            store.clear_alarm("broker_permissions")

    def _broker_acl_failed(self, exc: Exception) -> None:
        if store.raise_alarm("broker_permissions", f"the broker's tablet permissions could not be updated ({exc}): "
                             "tablets enrolled or revoked since may be refused or still let in. Check that Mosquitto "
                             "runs with this edge's configuration (systemctl status throughgate-mosquitto); the edge "
                             "retries every few seconds"):
            log.error("could not update the broker's tablet permissions: %s", exc)

    def check_broker_store(self) -> None:
        """Alarm when Mosquitto's persistence file grows past broker.store_alarm_bytes (broker.store_alarm)."""
        problem = broker.store_alarm(broker.BrokerFiles(self.config.broker_dir), self.config.broker.store_alarm_bytes)
        if problem:
            store.raise_alarm("broker_store_large", problem)
        else:
            store.clear_alarm("broker_store_large")

    def refresh_crl(self) -> None:
        """Re-issue the CRL when missing or a day old, and alarm if it is running out: an expired
        CRL locks every tablet out of Mosquitto."""
        tablet_cfg = self.config.tablets
        left = tablets.crl_remaining(self.files)
        if left is None or left < timedelta(days=tablet_cfg.crl_days - 1):
            try:
                tablets.write_crl(self.files, tablet_cfg.crl_days)
                left = tablets.crl_remaining(self.files)
                broker.signal_reload(broker.BrokerFiles(self.config.broker_dir))
            except Exception as exc:  # noqa: BLE001 - any failure must reach the alarm below
                log.error("could not re-issue the tablet CRL: %s", exc)
        if left is not None and left < timedelta(days=tablet_cfg.crl_alarm_days):
            store.raise_alarm("crl_expiring", f"the tablet CRL runs out in {left}: when it does, no tablet can "
                              "connect. Check the edge log for why it is not re-issued")
        else:
            store.clear_alarm("crl_expiring")

    def renew_identity(self) -> None:
        """Renew the edge's certificate at 2/3 of its life; keep the server certificate and hub keys fresh."""
        cfg = self.config
        served = pki.load_cert(self.files.server_cert.read_bytes())
        if identity.ensure_server_cert(self.files, cfg.edge_id, cfg.server_name):
            broker.signal_reload(broker.BrokerFiles(cfg.broker_dir))  # Mosquitto reloads certificates on SIGHUP
            for server in (self.tablet_api, self.content_origin, self.metrics_server):
                if server:
                    server.reload_certificate()
            if eap.EapFiles.of(self.files).enabled:  # hostapd keeps serving the old one until restarted
                left = pki.remaining(served)
                store.raise_alarm("wifi_restart_needed", "the edge's server certificate was renewed: restart hostapd "
                                  f"(systemctl restart throughgate-hostapd) within {left.days} days, when the "
                                  "certificate it still serves runs out and the wifi refuses tablets")
        if self._hostapd_has_current_cert():
            store.clear_alarm("wifi_restart_needed")
        cert = identity.edge_cert(self.files)
        client = HubClient.for_edge(cfg)  # its own connection: the forwarder may be mid-send on its own
        try:
            if cert is not None and pki.due_for_renewal(cert):
                cert = enrolment.renew(cfg, client)
                client.reload_identity()
                self.hub_client.reload_identity()  # the forwarder's next connection uses the new certificate
            keys = enrolment.refresh_hub_keys(cfg, client)
            if keys is not None:
                with self._lock:
                    self.hub_keys = keys
                self.forwarder.hub_keys = keys
        except enrolment.EnrolmentError as exc:
            log.warning("renewal with the hub failed, will retry: %s", exc)
        if cert is not None and pki.remaining(cert) < timedelta(days=3):
            store.raise_alarm("edge_cert_expiring", f"the edge's certificate runs out at {cert.not_valid_after_utc}: "
                              "after that the hub refuses this box until it is enrolled again")
        else:
            store.clear_alarm("edge_cert_expiring")

    def _hostapd_has_current_cert(self) -> bool:
        """hostapd started after the server certificate was last written."""
        return processes.started_after(eap.EapFiles.of(self.files).pid, "hostapd",
                                       self.files.server_cert.stat().st_mtime)

    def check_clock(self) -> None:
        skew = self.hub_client.clock_skew_s if self.hub_client else None
        if skew is not None and abs(skew) > self.config.uplink.max_clock_skew_s:
            store.raise_alarm("clock_skew", f"this box's clock is {skew:+.0f} s off the hub's: set the time "
                              "(timedatectl / NTP); certificates and logs depend on it")
        elif skew is not None:
            store.clear_alarm("clock_skew")

    def report_health(self) -> None:
        """Send the hub this edge's status report (edge/health.py) over its own connection: the forwarder
        may be mid-send on its own. A report the hub does not get is simply sent again next interval."""
        skew = self.hub_client.clock_skew_s
        report = health.report(self.config, self.started_at, self._report_skew if skew is None else skew)
        client = HubClient.for_edge(self.config)
        try:
            error = health_report.send(client, report)
        finally:
            client.close()
        self._report_skew = client.clock_skew_s  # known even while no batch goes (the forwarder's is None then)
        if error:
            log.info("status report not sent: %s", error)

    def _from_hub(self, pull, failure: type[Exception], what: str):
        """pull(client) over a connection of its own to the hub; None (logged) when it fails, so what it
        did not fetch is fetched next time."""
        client = HubClient.for_edge(self.config)
        try:
            return pull(client)
        except failure as exc:
            log.info("%s not fetched: %s", what, exc)
            return None
        finally:
            client.close()

    def pull_transfers(self) -> None:
        """Import what learners transferred here did at earlier prisons (edge/transfers/pull.py). A transfer
        not imported is offered again next time."""
        pulled = self._from_hub(transfers.pull, transfers.TransferError, "transfers")
        if pulled and pulled.transfers:
            log.info("%d transfers imported (%d records)", pulled.transfers, pulled.records)

    def pull_plans(self) -> None:
        """Send the learners' tablets the release plan items the hub merged (edge/plans/pull.py), from the
        cursor where the last pull ended."""
        queued = self._from_hub(plans_pull.pull, plans_pull.PlanPullError, "release plans")
        if queued:
            log.info("%d release plan items from the hub queued for tablets", queued)

    def pull_forms(self) -> None:
        """Keep the forms the hub published, for the tablets (edge/forms/pull.py)."""
        pulled = self._from_hub(forms_pull.pull, forms_pull.FormPullError, "forms")
        if pulled and pulled.changed:
            log.info("%d forms new or changed from the hub (%d kept)", pulled.changed, pulled.forms)
        if pulled and pulled.refusals:
            log.warning("%d forms from tablets refused at the hub: their tablets are told, and staff see them at "
                        "/courses/refusals", pulled.refusals)

    def seal_ready(self, force: bool = False) -> int:
        with self._lock:
            return uplink.seal_ready(self.config.edge_id, self.config.uplink, self.hub_keys,
                                     self.signing_key, self.quota, force)

    def watchdog(self) -> None:
        """Tell systemd the edge is alive (the scheduler runs this job; see edge/host/systemd.py), but only
        while the relay's worker runs: if it died, the missing ping gets the service restarted."""
        if self.relay is not None and self.relay.alive:
            systemd.watchdog()
        else:
            log.error("the relay's worker is not running: not telling systemd we are alive")

    def sync_courses(self) -> None:
        """Fetch new course versions from the hub (edge/courses/sync.py)."""
        with self._lock:
            key = self.hub_keys.receipt
        try:
            report = course_sync.sync_edge(self.config, key)
        except course_sync.SyncBusy as exc:
            self.metrics.course_syncs.labels("busy").inc()
            log.info("scheduled course sync skipped: %s", exc)
        except Exception:
            self.metrics.course_syncs.labels("failed").inc()
            raise
        else:
            self.metrics.course_syncs.labels("ok" if report.ok else "failed").inc()

    def forward(self) -> int:
        return self.forwarder.tick()

    def forward_attachments(self) -> int:
        return self.attachment_forwarder.tick()

    def prune(self) -> tuple[int, int]:
        cutoff = datetime.now(UTC) - timedelta(days=self.config.retention_days)
        records, batches = store.prune(timestamp(cutoff))
        if batches:
            log.info("pruned %d delivered batches (%d record ids) older than %s days", batches, records,
                     self.config.retention_days)
        stale = timestamp(datetime.now(UTC) - timedelta(days=self.config.attachments.abandon_days))
        if abandoned := attachments_store.abandon(attachments_store.Files(self.config.attachments_dir), stale):
            log.info("discarded %d attachment uploads with no new chunk for %s days", abandoned,
                     self.config.attachments.abandon_days)
        return records, batches

    def stop(self) -> None:
        systemd.stopping()
        self.config.ready_path.unlink(missing_ok=True)
        if self.scheduler:
            self.scheduler.shutdown(wait=True)
        if self.advertiser:
            self.advertiser.stop()
        if self.tablet_api:
            self.tablet_api.stop()
        if self.content_origin:
            self.content_origin.stop()
        if self.metrics_server:
            self.metrics_server.stop()
        if self.downlink:
            self.downlink.stop()
        if self.relay:
            self.relay.stop()
        if self.child_broker:
            self.child_broker.stop()
        store.db.close()
        log.info("edge stopped")

    def run_forever(self) -> None:
        faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1` prints every thread's stack
        stopping = StopSignals()
        self.start()
        try:
            stopping.wait()
        finally:
            self.stop()
