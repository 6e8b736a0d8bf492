"""The broker's permissions (edge.host.broker_acl) and its generated configuration, as pure rules; the real
broker applying them is tests/trust/test_trust_broker_limits.py and test_trust_broker_acl.py."""

from __future__ import annotations

import copy
import re
from pathlib import Path

from edge.config import BrokerConfig
from edge.host import broker, broker_acl
from wire import session, topics

RELAY = BrokerConfig.username


def _acls(permissions: dict, rolename: str) -> set[tuple[str, str]]:
    role = next(r for r in permissions["roles"] if r["rolename"] == rolename)
    assert all(acl["allow"] for acl in role["acls"])
    return {(acl["acltype"], acl["topic"]) for acl in role["acls"]}


def test_each_tablet_may_publish_its_up_topic_and_subscribe_to_its_down_topic_only():
    permissions = broker_acl.render(RELAY, ["tab-0002", "tab-0001"])
    assert _acls(permissions, "tablet:tab-0001") == {
        ("publishClientSend", topics.up("tab-0001")), ("subscribeLiteral", topics.down("tab-0001")),
        ("publishClientReceive", topics.down("tab-0001"))}
    clients = {c["username"]: [r["rolename"] for r in c["roles"]] for c in permissions["clients"]}
    assert clients == {RELAY: ["edge-relay", "edge-broker-admin"], "edge_console": ["edge-console"],
                       "tab-0001": ["tablet:tab-0001"], "tab-0002": ["tablet:tab-0002"]}
    assert permissions["defaultACLAccess"] == {"publishClientSend": False, "publishClientReceive": False,
                                               "subscribe": False, "unsubscribe": True}


def test_the_relay_reads_every_up_topic_and_writes_down_topics_and_the_console_only_writes_them():
    permissions = broker_acl.render(RELAY, [])
    assert _acls(permissions, "edge-relay") == {("subscribeLiteral", "throughgate/v1/+/up"),
                                                ("publishClientReceive", "throughgate/v1/+/up"),
                                                ("publishClientSend", "throughgate/v1/+/down")}
    assert _acls(permissions, "edge-console") == {("publishClientSend", "throughgate/v1/+/down")}


def _state(permissions: dict) -> tuple[list, list, list]:
    """What the running plugin reports for this configuration (listClients, listRoles, getDefaultACLAccess)."""
    clients = [{**c, "groups": []} for c in permissions["clients"]]
    access = [{"acltype": k, "allow": v} for k, v in permissions["defaultACLAccess"].items()]
    return copy.deepcopy(clients), copy.deepcopy(permissions["roles"]), access


def test_a_plugin_in_step_needs_no_command():
    wanted = broker_acl.render(RELAY, ["tab-0001", "tab-0002"])
    assert broker_acl.plan(wanted, *_state(wanted)) == []


def test_a_tablet_enrolled_meanwhile_is_added_and_a_revoked_one_removed():
    running = broker_acl.render(RELAY, ["tab-0001", "tab-0002"])
    wanted = broker_acl.render(RELAY, ["tab-0001", "tab-0003"])
    commands = broker_acl.plan(wanted, *_state(running))
    assert [(c["command"], c.get("username") or c.get("rolename")) for c in commands] == [
        ("deleteClient", "tab-0002"), ("createRole", "tablet:tab-0003"), ("createClient", "tab-0003"),
        ("deleteRole", "tablet:tab-0002")]


def test_permissions_changed_by_hand_are_put_back():
    wanted = broker_acl.render(RELAY, ["tab-0001"])
    clients, roles, access = _state(wanted)
    role = next(r for r in roles if r["rolename"] == "tablet:tab-0001")
    role["acls"].append({"acltype": "subscribePattern", "topic": "#", "priority": 0, "allow": True})
    role["acls"] = [a for a in role["acls"] if a["acltype"] != "publishClientSend"]
    client = next(c for c in clients if c["username"] == "tab-0001")
    client["roles"].append({"rolename": "edge-relay"})
    client["groups"] = [{"groupname": "everyone"}]
    access[2]["allow"] = True
    commands = broker_acl.plan(wanted, clients, roles, access)
    assert [c["command"] for c in commands] == ["setDefaultACLAccess", "removeRoleACL", "addRoleACL",
                                                "removeClientRole", "removeClientFromGroup"]
    assert commands[1]["topic"] == "#" and commands[2]["topic"] == topics.up("tab-0001")
    assert commands[3]["rolename"] == "edge-relay"


def test_the_generated_config_refuses_qos2_and_retain_and_caps_queues_without_mosquittos_memory_limit():
    settings = BrokerConfig(port=1883, max_queued_bytes=1000)
    listener = broker.TabletListener("10.0.0.1", 8883, *(Path(f"/x/{n}") for n in ("ca", "cert", "key", "crl")))
    text = broker.render_conf(broker.BrokerFiles(Path("/i/broker")), settings, "mosquitto", listener, "/p/dynsec.so")
    lines = set(text.splitlines())
    assert {"plugin /p/dynsec.so", "plugin_opt_config_file /i/broker/dynamic-security.json", "max_queued_bytes 1000",
            "retain_available false", "max_packet_size 131072"} <= lines
    assert not re.search(r"^acl_file", text, re.M)  # it never checks a SUBSCRIBE
    assert not re.search(r"^memory_limit", text, re.M)  # 2.0.11 miscounts: past it, it refuses every client
    tablets = text[text.index("listener 8883 10.0.0.1"):]
    assert "max_qos 1" in tablets.splitlines() and "max_qos" not in text[:text.index("listener 8883")]


def test_a_session_outlives_its_client_as_long_as_the_clients_ask():
    assert f"{session.SESSION_EXPIRY_S // 86400}d" == broker.SESSION_EXPIRY
