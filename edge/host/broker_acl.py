"""Who may do what on the edge's Mosquitto: the dynamic security plugin's roles and clients. Pure.

Mosquitto 2.0.11's `acl_file` checks only publishing and delivery, never SUBSCRIBE (it grants every
subscription), so a tablet could make the broker hold any number of subscriptions, each as long as a
packet. The dynamic security plugin, shipped in Debian's mosquitto package, checks SUBSCRIBE too, and
refuses with SUBACK 0x87 (MQTT 5) or 0x80 (3.1.1) what its roles do not allow. It is the broker's only
ACL check here (no `acl_file`): a username the plugin does not know is refused everything, since with no
other check left Mosquitto denies what every plugin passed on.

- Tablets connect with certificates (`use_identity_as_username`): the broker never asks the plugin to
  check a password for them, but it looks each up by that username for every ACL check. 2.0.11's plugin
  has no `%u`/`%c` in its ACLs, so each tablet has a client and a role of its own, named for its device:
  publish to its up topic, subscribe to (and receive) its down topic, nothing else.
- The relay, the console and the edge's control connection log in with passwords from the password
  file: their clients here have no password (the plugin passes the login on to the file) and a role each.
- The relay's user also administers the plugin ($CONTROL/dynamic-security/v1): the edge adds a tablet
  when it enrols and keeps the list in step with its own (edge/host/broker_control.py). The plugin saves
  its state in its own file and reloads it at start; the edge writes that file afresh only when it runs
  Mosquitto itself, just before starting it.
"""

from __future__ import annotations

from wire import topics

CONFIG_NAME = "dynamic-security.json"
CONTROL_TOPIC = "$CONTROL/dynamic-security/v1"
RESPONSE_TOPIC = f"{CONTROL_TOPIC}/response"
CONSOLE_USER = "edge_console"  # also edge.host.broker.CONSOLE_USER
RELAY_ROLE, ADMIN_ROLE, CONSOLE_ROLE = "edge-relay", "edge-broker-admin", "edge-console"
TABLET_ROLE = "tablet:"  # + the device id: a tablet's own role
DEFAULT_ACCESS = {"publishClientSend": False, "publishClientReceive": False, "subscribe": False,
                  "unsubscribe": True}

PUBLISH, RECEIVE, SUBSCRIBE = "publishClientSend", "publishClientReceive", "subscribeLiteral"


def _acl(kind: str, topic: str) -> dict:
    return {"acltype": kind, "topic": topic, "priority": 0, "allow": True}


def tablet_role(device: str) -> dict:
    """Publish to its own up topic; subscribe to, and receive, its own down topic (the literal topic: no
    wildcard, no shared subscription). Everything else falls to the default: refused."""
    return {"rolename": TABLET_ROLE + device,
            "acls": [_acl(PUBLISH, topics.up(device)), _acl(SUBSCRIBE, topics.down(device)),
                     _acl(RECEIVE, topics.down(device))]}


def fixed_roles() -> list[dict]:
    down_all = f"{topics.PREFIX}/+/down"
    return [
        {"rolename": RELAY_ROLE, "acls": [_acl(SUBSCRIBE, topics.UP_FILTER), _acl(RECEIVE, topics.UP_FILTER),
                                          _acl(PUBLISH, down_all)]},
        {"rolename": ADMIN_ROLE, "acls": [_acl(PUBLISH, CONTROL_TOPIC), _acl(SUBSCRIBE, RESPONSE_TOPIC),
                                          _acl(RECEIVE, RESPONSE_TOPIC)]},
        {"rolename": CONSOLE_ROLE, "acls": [_acl(PUBLISH, down_all)]},
    ]


def _client(username: str, *roles: str) -> dict:
    return {"username": username, "roles": [{"rolename": role} for role in roles]}


def render(relay_user: str, devices) -> dict:
    """The plugin's whole configuration (its config file) for these enrolled, unrevoked devices."""
    devices = sorted(set(devices))
    return {
        "defaultACLAccess": dict(DEFAULT_ACCESS),
        "clients": [_client(relay_user, RELAY_ROLE, ADMIN_ROLE), _client(CONSOLE_USER, CONSOLE_ROLE),
                    *(_client(device, TABLET_ROLE + device) for device in devices)],
        "groups": [],
        "roles": [*fixed_roles(), *(tablet_role(device) for device in devices)],
    }


# Keeping the running plugin in step ------------------------------------------------------------------
def _acl_key(acl: dict) -> tuple:
    return acl["acltype"], acl["topic"], bool(acl.get("allow", True))


def _role_commands(wanted: dict, found: dict | None) -> list[dict]:
    name = wanted["rolename"]
    if found is None:
        return [{"command": "createRole", "rolename": name, "acls": wanted["acls"]}]
    have = {_acl_key(acl) for acl in found.get("acls", [])}
    want = {_acl_key(acl): acl for acl in wanted["acls"]}
    return ([{"command": "removeRoleACL", "rolename": name, "acltype": kind, "topic": topic}
             for kind, topic, _ in sorted(have - set(want))]
            + [{"command": "addRoleACL", "rolename": name, **want[key]} for key in sorted(set(want) - have)])


def _client_commands(wanted: dict, found: dict | None) -> list[dict]:
    name = wanted["username"]
    want = [r["rolename"] for r in wanted["roles"]]
    if found is None:
        return [{"command": "createClient", "username": name, "roles": wanted["roles"]}]
    have = {r["rolename"] for r in found.get("roles", [])}
    return ([{"command": "removeClientRole", "username": name, "rolename": role} for role in sorted(have - set(want))]
            + [{"command": "addClientRole", "username": name, "rolename": role} for role in want if role not in have]
            + [{"command": "removeClientFromGroup", "username": name, "groupname": g["groupname"]}
               for g in found.get("groups", [])])


def plan(wanted: dict, clients: list[dict], roles: list[dict], default_access: list[dict]) -> list[dict]:
    """The plugin commands that make its state (clients and roles as `listClients` / `listRoles` with
    verbose give them, and `getDefaultACLAccess`'s list) equal `wanted` (from render). Clients and roles
    not wanted are deleted: the edge's list of tablets is the only source."""
    found_roles = {role["rolename"]: role for role in roles}
    found_clients = {client["username"]: client for client in clients}
    commands: list[dict] = []
    access = {entry["acltype"]: entry["allow"] for entry in default_access}
    if access != wanted["defaultACLAccess"]:
        commands.append({"command": "setDefaultACLAccess",
                         "acls": [{"acltype": k, "allow": v} for k, v in wanted["defaultACLAccess"].items()]})
    wanted_roles = {role["rolename"] for role in wanted["roles"]}
    wanted_clients = {client["username"] for client in wanted["clients"]}
    commands += [{"command": "deleteClient", "username": name} for name in sorted(set(found_clients) - wanted_clients)]
    for role in wanted["roles"]:
        commands += _role_commands(role, found_roles.get(role["rolename"]))
    for client in wanted["clients"]:
        commands += _client_commands(client, found_clients.get(client["username"]))
    commands += [{"command": "deleteRole", "rolename": name} for name in sorted(set(found_roles) - wanted_roles)]
    return commands


def grant_commands(device: str) -> list[dict]:
    """What enrolling one tablet adds (either may already exist: then the plugin says so, harmlessly)."""
    role = tablet_role(device)
    return [{"command": "createRole", "rolename": role["rolename"], "acls": role["acls"]},
            {"command": "createClient", "username": device, "roles": [{"rolename": role["rolename"]}]}]
