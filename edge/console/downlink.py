"""The console's own broker user (edge.host.broker.CONSOLE_USER), on the loopback listener.

Its role in the broker's permissions (edge.host.broker_acl) lets it publish to `throughgate/v1/+/down` and
nothing else: it cannot read any tablet's records. The console uses it to close a revoked tablet's live
connection (views/tablets.py), so the console never holds the relay's password. Its password is made on first
use, kept 0600 in the instance folder, and added to the broker's password file (the broker re-reads it on
SIGHUP).

Down messages themselves (feedback, awards) are not the console's to send: it writes them into the store
(edge.downlink.messages) and the edge service publishes them until each tablet acknowledges them.
"""

from __future__ import annotations

import secrets

from edge.config import EdgeConfig
from edge.host import broker
from provisioning.files import write_private

SECRET_NAME = "console-broker.secret"  # noqa: S105 (a file name, not a secret)


def broker_password(config: EdgeConfig) -> str:
    """The console's broker password: made (and given to the broker) the first time it is needed."""
    path = config.instance / SECRET_NAME
    if not path.exists():
        password = secrets.token_urlsafe(32)
        files = broker.BrokerFiles(config.broker_dir)
        broker.set_password(files, broker.CONSOLE_USER, password)
        write_private(path, password.encode())
        broker.signal_reload(files)
    return path.read_text().strip()
