#!/usr/bin/env python3
"""Fake Equinix Metal (Packet) API for testing runner-scaler's Metal client.

Equinix Metal no longer exists, so the Swift client is tested against this
local fake. The fake checks every request against the published OpenAPI
description (the conformance subset in shared/conformance/equinix-metal/).
A request that breaks the spec gets a 422 and is recorded under
`spec_violations` in `GET /_control/state`, so a test can assert that the
client never sent anything the real API would not have accepted.

Usage:
    python3 fake_metal.py --port 0 [--prefix /metal/v1] [--token TOKEN]
                          [--project-id UUID ...] [--spec PATH]
                          [--provisioning-reads N] [--allow-unknown-properties]

Once the socket is bound, the fake prints exactly `LISTENING <port>` on stdout.
Logs go to stderr. It listens on 127.0.0.1 only and exits cleanly (status 0)
on SIGTERM or SIGINT.

API (under --prefix; default /metal/v1, `--prefix ''` serves at the root like
the legacy https://api.packet.net):
    GET    /projects/{id}                findProjectById
    POST   /projects/{id}/devices        createDevice
    GET    /projects/{id}/devices        findProjectDevices
    GET    /devices/{id}                 findDeviceById
    PUT    /devices/{id}                 updateDevice
    DELETE /devices/{id}                 deleteDevice (?force_delete=true|false)
The spec's other operations (createProject, deleteProject, the api-keys ones)
answer 501. Paths and methods that the spec does not have answer 404 or 405
and are recorded as violations.

Device lifecycle: the 201 from createDevice always shows state
"provisioning". Each later read of the device (GET /devices/{id}, or the device
appearing on a findProjectDevices page) uses up one of its "provisioning
reads"; once it has none left, the read shows "active". The number of
provisioning reads is 0 by default, so the first GET already shows "active".
Set it with --provisioning-reads or POST /_control/config. A deleted device
vanishes at once: GET gives 404 and lists no longer include it.

Replies are JSON with a Content-Length, on HTTP/1.1 keep-alive connections.
The exception is 204 (deleteDevice), which has neither a body nor a
Content-Length, as RFC 9110 requires. Every href includes the prefix
("/metal/v1/devices/<id>"; "/devices/<id>" with no prefix), so it resolves
against the host root. List pages have meta.first/last/self and the counts;
meta.next and meta.previous are left out when there is no such page, because
the spec gives them as Href objects that cannot be null. Page links keep the
request's own filters and per_page. Devices are listed in creation order.

Control API. It needs no auth and is always at /_control/, never under the
prefix:
    POST   /_control/reset                 clear devices, requests, violations and
                                           faults; restore the CLI config
    POST   /_control/faults                add one fault rule (object) or several
                                           (list); returns all active rules
    GET    /_control/faults                list the active rules
    DELETE /_control/faults                remove all rules
    GET    /_control/requests[?since=SEQ]  API requests received (the token
                                           itself is never shown)
    GET    /_control/state                 projects, devices, deleted_devices,
                                           spec_violations, faults, config
    POST   /_control/readonly-token        {"token": "..."} (or null to clear):
                                           a second token that may read but gets
                                           403 on writes
    POST   /_control/config                {"provisioning_reads": N,
                                            "strict_unknown_properties": bool}
    POST   /_control/projects              {"id": uuid, "name": str} add a project
    POST   /_control/devices/{id}          {"state": "...", "provisioning_reads": N}
                                           force a device's state, e.g. "failed"

Fault rule fields (all optional):
    method       HTTP method, or "*" (default: any)
    path         regex, matched with re.search against the API path *without*
                 the prefix, e.g. "^/projects/[^/]+/devices$" (default: any)
    status       400..599; leave it out for a delay-only rule
    count        how many matching requests it affects (default 1; -1 = forever)
    retry_after  seconds, sent as the Retry-After header (meant for 429/503)
    errors       list of strings for the {"errors": [...]} body
    delay_ms     sleep this long before answering
    apply        "before" (default): answer without doing the operation.
                 "after": do the operation (so a device really is created),
                 then send the fault status instead of the real answer. This
                 mimics a lost response, for idempotency tests.
Rules are checked before auth, in the order they were added. The first rule
that matches and still has count left is used.

Order of checks for an API request: record it in the request log; apply a
matching fault rule; route (a path outside the prefix or not in the spec ->
404, a method the path does not define -> 405; both are violations); auth
(401 for a missing or wrong token, 403 for a write with the read-only token);
path and query parameters against their spec schemas (type, format uuid,
per_page 1..1000, force_delete only "true"/"false", no undeclared
parameters); Content-Type and body against the requestBody schema (draft 4
plus format checks for uuid, date-time, date, int32, ipv4); then the
operation itself (unknown project or device -> 404). Every failure in the
parameter/body steps gives 422 `{"errors": [...]}` plus a `spec_violations`
entry:
    {"seq", "method", "path", "operation", "kind", "errors", "body"}
The kind is one of route, parameters, body, content_type, json, schema. Some
rules are stated only in the spec's prose, or are business rules: a private
IPv4 must be among ip_addresses; a locked device cannot be deleted; updating
spot_instance can only set it to false. Breaking one gives a 422 but no
violation entry, because the real API's answer would be the same kind of error.

Beyond the spec: in strict mode (the default) a request body property that
the matching schema does not declare is a violation. The spec's schemas do not
set additionalProperties:false, and the real API would silently ignore such a
property, but here it almost always means a client encoding bug
(`spotPriceMax` instead of `spot_price_max`). Turn this off with
--allow-unknown-properties.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import ipaddress
import json
import math
import re
import signal
import sys
import threading
import time
import urllib.parse
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema

# A parent may spawn us with SIGTERM/SIGINT blocked (Foundation's Process on Linux spawns from
# threads that block them, and children inherit the mask). Unblock them so `terminate()` works.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})


DEFAULT_TOKEN = "test-metal-token"
DEFAULT_PROJECT_ID = "3f9c2b8e-6a1d-4c7e-9b2f-5d8a7e6c4b10"
DEFAULT_PREFIX = "/metal/v1"
SPEC_RELATIVE = "shared/conformance/equinix-metal/metal-devices-projects-subset.openapi.json"
# The repository is two levels above this file (Tests/Peers/fake_metal.py).
DEFAULT_SPEC = Path(__file__).resolve().parents[2] / ".." / SPEC_RELATIVE

# Base URI under which the whole spec document is registered, so that its
# "#/components/..." references resolve from any schema we point into.
SPEC_URI = "urn:fake-metal:openapi"

# Stable ids for things the fake makes up (metros, plans, operating systems).
_NS = uuid.UUID("6f1f7c0e-9a57-4d0c-8a7e-2b1c3d4e5f60")

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def log(msg: str) -> None:
    print(f"fake_metal: {msg}", file=sys.stderr, flush=True)


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# --------------------------------------------------------------------------
# OpenAPI 3.0 -> JSON Schema
# --------------------------------------------------------------------------

def openapi30_to_jsonschema(node):
    """Return a copy of an OpenAPI 3.0 document whose schemas behave as JSON Schema.

    OpenAPI 3.0 schemas are close to JSON Schema draft 4. The main difference
    is `nullable: true`. Draft 4 has no such keyword, so without this rewrite
    a null would be rejected even where the spec allows it. The current subset
    has no `nullable`, but a newer spec might. Next to a `$ref`, OpenAPI 3.0
    ignores every other keyword, `nullable` included, and so does draft 4, so
    such a case is left alone.
    """
    if isinstance(node, list):
        return [openapi30_to_jsonschema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: openapi30_to_jsonschema(v) for k, v in node.items()}
    if out.get("nullable") is True and "$ref" not in out:
        out.pop("nullable")
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
        elif t is None:
            # With no type, null is accepted already unless an enum or a
            # composition keyword excludes it.
            out = {"anyOf": [{"type": "null"}, out]}
        if "enum" in out and None not in out["enum"]:
            out["enum"] = list(out["enum"]) + [None]
    return out


def _format_checker() -> jsonschema.FormatChecker:
    """Format checks for the formats the spec uses.

    Draft 4 only checks formats when a checker is given. The stock checker
    skips date-time unless optional packages are installed, and it knows
    nothing of OpenAPI's int32/float/double. So the checks are spelled out
    here.
    """
    fc = jsonschema.FormatChecker(formats=())

    @fc.checks("uuid")
    def _uuid(v):
        return not isinstance(v, str) or re.fullmatch(
            r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", v) is not None

    @fc.checks("date-time")
    def _date_time(v):
        # RFC 3339. The offset is optional because the spec's termination_time
        # says "If you don't supply timezone info, the timestamp is assumed to
        # be in UTC".
        if not isinstance(v, str):
            return True
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?", v):
            return False
        try:
            dt.datetime.fromisoformat(v.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return False
        return True

    @fc.checks("date")
    def _date(v):
        if not isinstance(v, str):
            return True
        try:
            dt.date.fromisoformat(v)
        except ValueError:
            return False
        return re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None

    @fc.checks("int32")
    def _int32(v):
        return not isinstance(v, int) or isinstance(v, bool) or -(2 ** 31) <= v < 2 ** 31

    @fc.checks("ipv4")
    def _ipv4(v):
        if not isinstance(v, str):
            return True
        try:
            ipaddress.IPv4Address(v)
        except ValueError:
            return False
        return True

    # "float", "double" and HardwareReservation's odd "string" format say
    # nothing that "type" does not already say, so they get no check.
    return fc


def _pointer(*parts: str) -> str:
    """JSON pointer fragment for parts, escaped as RFC 6901 asks and percent-encoded for a URI."""
    esc = [p.replace("~", "~0").replace("/", "~1") for p in parts]
    return "#/" + "/".join(urllib.parse.quote(p, safe="~") for p in esc)


class Spec:
    """The OpenAPI document, plus the validation helpers built on it."""

    def __init__(self, path: Path):
        with open(path, encoding="utf-8") as f:
            self.doc = openapi30_to_jsonschema(json.load(f))
        self.format_checker = _format_checker()
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        try:
            # jsonschema >= 4.18: register the whole document so that its
            # "#/components/..." references resolve from any pointer into it.
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT4
            self._registry = Registry().with_resource(SPEC_URI, Resource(contents=self.doc, specification=DRAFT4))
            self._resolver = None
        except ImportError:  # older jsonschema: use the deprecated RefResolver
            self._registry = None
            self._resolver = jsonschema.RefResolver(base_uri=SPEC_URI, referrer=self.doc)
        # Route table built from the spec's paths: (regex, template, path item).
        self.routes = []
        for template, item in self.doc["paths"].items():
            rx = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
            self.routes.append((re.compile(rx), template, item))

    # -- lookup -------------------------------------------------------------

    def lookup(self, ref: str):
        """Follow a local "#/..." reference inside the document."""
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported: {ref}")
        node = self.doc
        for part in ref[2:].split("/"):
            part = urllib.parse.unquote(part).replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def resolve(self, schema):
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.lookup(schema["$ref"])
            seen += 1
            if seen > 50:
                raise ValueError("reference loop")
        return schema

    def match_route(self, method: str, api_path: str):
        """Return (template, operation or None, path params, allowed methods) or None."""
        for rx, template, item in self.routes:
            m = rx.match(api_path)
            if m:
                op = item.get(method.lower())
                allowed = sorted(k.upper() for k in item if k in ("get", "put", "post", "delete", "patch"))
                return template, op, m.groupdict(), allowed
        return None

    def parameters(self, template: str, method: str) -> list[dict]:
        item = self.doc["paths"][template]
        params = [self.resolve(p) for p in item.get("parameters", [])]
        params += [self.resolve(p) for p in item[method.lower()].get("parameters", [])]
        return params

    # -- validation ---------------------------------------------------------

    def validator(self, pointer: str):
        v = self._validators.get(pointer)
        if v is None:
            schema = {"$ref": SPEC_URI + pointer}
            if self._registry is not None:
                v = jsonschema.Draft4Validator(schema, registry=self._registry, format_checker=self.format_checker)
            else:
                v = jsonschema.Draft4Validator(schema, resolver=self._resolver, format_checker=self.format_checker)
            self._validators[pointer] = v
        return v

    def errors(self, instance, pointer: str) -> list[str]:
        """Readable validation messages for instance against the schema at pointer."""
        errs = sorted(self.validator(pointer).iter_errors(instance), key=lambda e: list(e.absolute_path))
        out: list[str] = []
        for e in errs:
            out.extend(self._flatten(e))
        return list(dict.fromkeys(out))

    def _flatten(self, e) -> list[str]:
        # A failed oneOf/anyOf by itself says "{...whole body...} is not valid
        # under any of the given schemas", which tells the client author
        # nothing. Report each branch's own errors instead. A message that
        # every branch shares is given once; the rest name their branch.
        if e.validator in ("oneOf", "anyOf") and e.context:
            names = [self._branch_name(b, i, e.validator) for i, b in enumerate(e.validator_value)]
            per_branch: dict[int, list[str]] = {}
            for sub in e.context:
                per_branch.setdefault(sub.schema_path[0], []).extend(self._flatten(sub))
            out: list[str] = []
            for msgs in per_branch.values():
                for msg in msgs:
                    if msg in out or any(o.startswith(msg + " (as ") for o in out):
                        continue
                    owners = [names[i] for i, m in per_branch.items() if msg in m]
                    out.append(msg if len(owners) == len(names) else f"{msg} (as {' / '.join(owners)})")
            return out
        if e.validator == "oneOf":  # valid under more than one branch
            names = [self._branch_name(b, i, "oneOf") for i, b in enumerate(e.validator_value)]
            hint = " (send either metro or facility, not both)" if "DeviceCreateInMetroInput" in names else ""
            return [f"{e.json_path}: matches more than one of {', '.join(names)}{hint}"]
        msg = e.message
        if len(msg) > 300:
            msg = msg[:300] + "..."
        return [f"{e.json_path}: {msg}"]

    @staticmethod
    def _branch_name(branch, idx: int, keyword: str) -> str:
        name = branch.get("$ref", "").rsplit("/", 1)[-1] if isinstance(branch, dict) else ""
        return name or f"{keyword} option {idx + 1}"

    def is_valid_schema(self, instance, schema) -> bool:
        """Quick validity test for a schema fragment (used to pick oneOf branches)."""
        if isinstance(schema, dict) and "$ref" in schema:
            return not any(True for _ in self.validator(schema["$ref"]).iter_errors(instance))
        if self._registry is not None:
            v = jsonschema.Draft4Validator(schema, registry=self._registry)
        else:
            v = jsonschema.Draft4Validator(schema, resolver=self._resolver)
        return v.is_valid(instance)

    def unknown_properties(self, instance, schema, path: str = "$") -> list[str]:
        """Properties in instance that schema (through $ref/allOf/oneOf/anyOf) does not declare.

        The check goes into declared properties and array items, so a typo in
        ip_addresses[0] is found too. An object schema that declares no
        properties (for example `{"type": "object"}`) or that allows
        additionalProperties is open and is not checked.
        """
        schema = self.resolve(schema)
        out: list[str] = []
        if isinstance(instance, dict):
            declared, explicitly_open = self._declared(instance, schema)
            is_open = explicitly_open or not declared
            for key, value in instance.items():
                if key not in declared:
                    if not is_open:
                        out.append(f"{path}: property {key!r} is not declared by the schema "
                                   f"(the real API would ignore it silently; check the key spelling)")
                    continue
                for sub in declared[key]:
                    out.extend(self.unknown_properties(value, sub, f"{path}.{key}"))
        elif isinstance(instance, list):
            for items in self._items(schema):
                for i, v in enumerate(instance):
                    out.extend(self.unknown_properties(v, items, f"{path}[{i}]"))
        # One value can be reached through several schemas; report each problem once.
        return list(dict.fromkeys(out))

    def _items(self, schema) -> list:
        schema = self.resolve(schema)
        found = [schema["items"]] if isinstance(schema.get("items"), dict) else []
        for sub in schema.get("allOf", []):
            found += self._items(sub)
        return found

    def _declared(self, instance, schema) -> tuple[dict, bool]:
        """(property name -> schemas declaring it, whether additional properties are allowed explicitly)."""
        schema = self.resolve(schema)
        declared: dict[str, list] = {}
        explicit_open = schema.get("additionalProperties", False) is not False or "patternProperties" in schema
        for name, sub in schema.get("properties", {}).items():
            declared.setdefault(name, []).append(sub)
        parts = list(schema.get("allOf", []))
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key, [])
            valid = [b for b in branches if self.is_valid_schema(instance, b)]
            # With no valid branch the body is rejected anyway. Taking the
            # union of all branches still finds misspelled keys to report.
            parts += valid or branches
        # allOf parts such as {"description": ...} declare nothing and add nothing.
        for sub in parts:
            d, o = self._declared(instance, sub)
            explicit_open = explicit_open or o
            for name, subs in d.items():
                declared.setdefault(name, []).extend(subs)
        return declared, explicit_open


# --------------------------------------------------------------------------
# Made-up but plausible reference data
# --------------------------------------------------------------------------

METROS = {
    "am": ("Amsterdam", "NL"), "at": ("Atlanta", "US"), "ch": ("Chicago", "US"),
    "da": ("Dallas", "US"), "dc": ("Washington DC", "US"), "fr": ("Frankfurt", "DE"),
    "la": ("Los Angeles", "US"), "ld": ("London", "GB"), "ny": ("New York", "US"),
    "pa": ("Paris", "FR"), "se": ("Seattle", "US"), "sg": ("Singapore", "SG"),
    "sv": ("Silicon Valley", "US"), "sy": ("Sydney", "AU"), "tr": ("Toronto", "CA"),
    "ty": ("Tokyo", "JP"),
}
DEFAULT_METRO = "sv"  # where "any" ends up


def stable_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))


def metro_obj(code: str) -> dict:
    name, country = METROS.get(code, (code.upper(), "US"))
    return {"id": stable_id("metro", code), "code": code, "name": name, "country": country}


def facility_obj(code: str) -> dict:
    # Facility codes are letters for the metro plus a number (sv15, da11).
    metro_code = re.match(r"[a-z]*", code).group(0) or DEFAULT_METRO
    return {"id": stable_id("facility", code), "code": code,
            "name": f"{metro_obj(metro_code)['name']} {code[len(metro_code):] or '1'}",
            "features": ["baremetal", "backend_transfer", "global_ipv4"],
            "metro": metro_obj(metro_code)}


def plan_obj(slug: str) -> dict:
    return {"id": stable_id("plan", slug), "slug": slug, "name": slug, "class": slug,
            "line": "baremetal", "type": "standard", "categories": ["compute", "current_gen"],
            "deployment_types": ["on_demand", "spot_market"]}


def os_obj(slug: str) -> dict:
    # "ubuntu_22_04" -> distro "ubuntu", version "22.04"
    distro, _, ver = slug.partition("_")
    version = ver.replace("_", ".")
    return {"id": stable_id("os", slug), "slug": slug, "distro": distro, "version": version,
            "name": f"{distro.capitalize()} {version}".strip(), "distro_label": distro.capitalize(),
            "provisionable_on": [], "preinstallable": False, "licensed": False}


# --------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------

class State:
    """Everything the fake remembers. Every access holds `lock`."""

    def __init__(self, cfg: argparse.Namespace):
        self.cfg = cfg
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.config = {"provisioning_reads": self.cfg.provisioning_reads,
                           "strict_unknown_properties": not self.cfg.allow_unknown_properties}
            created = now_iso()
            self.projects = {pid: {"id": pid, "name": f"fake-project-{i + 1}", "created_at": created}
                             for i, pid in enumerate(self.cfg.project_id or [DEFAULT_PROJECT_ID])}
            self.devices: dict[str, dict] = {}  # id -> record, in creation order
            self.deleted: list[dict] = []
            self.violations: list[dict] = []
            self.requests: list[dict] = []
            self.faults: list[dict] = []
            self.readonly_token: str | None = None
            self.seq = 0
            self.ip_counter = 0


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------

class Reply:
    def __init__(self, status: int, body=None, headers: dict | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


def error_reply(status: int, *messages: str, headers: dict | None = None) -> Reply:
    # The spec's Error schema: {"errors": [str]} and/or {"error": str}. The
    # fake always sends "errors", so a client needs only one decoding path.
    return Reply(status, {"errors": list(messages)}, headers)


DEFAULT_FAULT_MESSAGES = {
    401: "Invalid authentication token", 403: "You are not authorized to perform this action",
    404: "Not found", 409: "Conflict", 422: "Unprocessable entity",
    429: "Too many requests, please slow down", 500: "Internal server error",
    502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout",
}


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive. Every reply then needs a
    # Content-Length (204 excepted: it has no body by definition).
    protocol_version = "HTTP/1.1"
    server_version = "fake-metal/1"
    state: State  # set on the subclass that main() creates
    spec: Spec
    prefix: str
    token: str

    def log_message(self, fmt, *args):
        log(f"{self.address_string()} {fmt % args}")

    # Every method goes through one dispatcher. The spec decides what is valid.
    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    # -- plumbing -----------------------------------------------------------

    def _read_body(self) -> bytes | None:
        """Read the whole request body, so the next request on the connection starts in the right place."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)  # CRLF after each chunk
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        n = int(length)
        if n < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(n)

    def _send(self, reply: Reply) -> None:
        if reply.status == 204 or reply.body is None:
            data = b""
        else:
            data = json.dumps(reply.body, indent=None, separators=(",", ":")).encode()
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, str(v))
        if reply.status != 204:
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _dispatch(self) -> None:
        try:
            raw = self._read_body()
        except (ValueError, OSError) as exc:
            self.close_connection = True
            self._send(error_reply(400, f"unreadable request body: {exc}"))
            return
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        try:
            if path == "/_control" or path.startswith("/_control/"):
                reply = self._control(path, parsed.query, raw)
            else:
                reply = self._api(path, parsed.query, raw)
        except Exception as exc:  # a bug in the fake must not look like a dropped connection
            import traceback
            traceback.print_exc(file=sys.stderr)
            reply = error_reply(500, f"fake_metal internal error: {exc!r}")
        self._send(reply)

    # -- API ----------------------------------------------------------------

    def _api(self, path: str, query: str, raw: bytes) -> Reply:
        st = self.state
        method = self.command
        given = self.headers.get("X-Auth-Token")
        if given is None:
            auth = "missing"
        elif given == self.token:
            auth = "valid"
        elif st.readonly_token is not None and given == st.readonly_token:
            auth = "readonly"
        else:
            auth = "invalid"

        # Without a prefix, everything is an API path. With a prefix, the path
        # must be exactly the prefix or start with prefix + "/".
        api_path: str | None
        if not self.prefix:
            api_path = path
        elif path.startswith(self.prefix + "/"):
            api_path = path[len(self.prefix):]
        else:
            api_path = None

        body_json, body_error = None, None
        if raw:
            try:
                body_json = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                body_error = f"request body is not valid JSON: {exc}"

        with st.lock:
            st.seq += 1
            entry = {
                "seq": st.seq, "time": now_iso(), "method": method, "path": path,
                "api_path": api_path, "query": urllib.parse.parse_qs(query, keep_blank_values=True),
                "auth_present": given is not None, "auth_valid": auth == "valid", "auth": auth,
                "content_type": self.headers.get("Content-Type"),
                "body": body_json if body_error is None else None,
                "body_text": raw.decode("utf-8", "replace") if body_error else None,
                "status": None,
            }
            st.requests.append(entry)
            fault = self._take_fault(method, api_path if api_path is not None else path)

        if fault and fault.get("delay_ms"):
            time.sleep(fault["delay_ms"] / 1000.0)
        if fault and fault.get("status") and fault.get("apply", "before") == "before":
            reply = self._fault_reply(fault)
            with st.lock:
                entry.update(status=reply.status, fault=True)
            return reply

        reply, operation = self._api_inner(method, api_path, path, query, raw, body_json, body_error, auth, entry)
        if fault and fault.get("status"):  # apply == "after": the operation happened; lose its reply
            reply = self._fault_reply(fault)
        with st.lock:
            entry.update(status=reply.status, operation=operation, fault=bool(fault and fault.get("status")))
        return reply

    def _take_fault(self, method: str, api_path: str) -> dict | None:
        for rule in self.state.faults:
            if rule["remaining"] == 0:
                continue
            if rule.get("method") not in (None, "*") and rule["method"].upper() != method:
                continue
            if rule.get("path") and not re.search(rule["path"], api_path):
                continue
            if rule["remaining"] > 0:
                rule["remaining"] -= 1
            rule["hits"] += 1
            return dict(rule)
        return None

    def _fault_reply(self, rule: dict) -> Reply:
        status = rule["status"]
        headers = {}
        if rule.get("retry_after") is not None:
            ra = rule["retry_after"]
            headers["Retry-After"] = str(int(ra)) if float(ra).is_integer() else str(ra)
        messages = rule.get("errors") or [DEFAULT_FAULT_MESSAGES.get(status, HTTPStatus(status).phrase)]
        return error_reply(status, *messages, headers=headers)

    def _violation(self, entry: dict, operation: str | None, kind: str, errors: list[str],
                   status: int = 422) -> Reply:
        """Record a spec violation, and answer with status (422 unless the spec's own answer is a 404/405)."""
        with self.state.lock:
            self.state.violations.append({
                "seq": entry["seq"], "method": entry["method"], "path": entry["path"],
                "operation": operation, "kind": kind, "errors": errors, "body": entry["body"],
            })
        log(f"SPEC VIOLATION ({kind}) {entry['method']} {entry['path']}: {errors}")
        return error_reply(status, *errors)

    def _api_inner(self, method, api_path, path, query, raw, body, body_error, auth, entry):
        spec = self.spec
        if api_path is None:
            return self._violation(entry, None, "route", [
                f"{path} is outside the API prefix {self.prefix!r} (is the client's base URL right?)"], 404), None
        route = spec.match_route(method, api_path)
        if route is None:
            return self._violation(entry, None, "route", [f"no path in the spec matches {api_path}"], 404), None
        template, op, path_params, allowed = route
        if op is None:
            r = self._violation(entry, None, "route",
                                [f"{method} is not defined for {template} (spec allows {', '.join(allowed)})"], 405)
            r.headers["Allow"] = ", ".join(allowed)
            return r, None
        op_id = op.get("operationId")

        # Authenticate before anything else looks at the request, as the real service does.
        if auth in ("missing", "invalid"):
            return error_reply(401, "Invalid authentication token" if auth == "invalid"
                               else "Missing X-Auth-Token header"), op_id
        if auth == "readonly" and method in WRITE_METHODS:
            return error_reply(403, "You are not authorized to perform this action (read-only token)"), op_id

        # Parameters (path and query) against their schemas in the spec.
        params, problems = self._parse_params(template, method, path_params, query)
        if problems:
            return self._violation(entry, op_id, "parameters", problems), op_id

        # The body against the requestBody schema.
        rb = op.get("requestBody")
        if rb is None:
            if raw.strip():
                return self._violation(entry, op_id, "body",
                                       [f"{op_id} takes no request body, but {len(raw)} bytes were sent"]), op_id
        else:
            ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            if not raw.strip():
                if rb.get("required"):
                    return self._violation(entry, op_id, "body", [f"{op_id} requires a JSON request body"]), op_id
            elif ctype not in rb.get("content", {}):
                return self._violation(entry, op_id, "content_type", [
                    f"Content-Type {ctype or '(none)'!r} is not one the spec accepts: "
                    f"{', '.join(rb.get('content', {}))}"]), op_id
            elif body_error:
                return self._violation(entry, op_id, "json", [body_error]), op_id
            else:
                pointer = _pointer("paths", template, method.lower(), "requestBody", "content", ctype, "schema")
                errors = []
                if not isinstance(body, dict):
                    errors.append(f"$: the request body must be a JSON object, got {type(body).__name__}")
                else:
                    errors = spec.errors(body, pointer)
                    if self.state.config["strict_unknown_properties"]:
                        errors += spec.unknown_properties(body, spec.lookup(pointer))
                if errors:
                    return self._violation(entry, op_id, "schema", errors), op_id

        handler = getattr(self, f"op_{op_id}", None)
        if handler is None:
            return error_reply(501, f"{op_id} is in the spec but this fake does not implement it"), op_id
        return handler(path_params, params, body), op_id

    def _parse_params(self, template, method, path_params, query):
        """Turn path and query strings into typed values, checking each against its schema in the spec."""
        defs = self.spec.parameters(template, method)
        by_loc = {(p["in"], p["name"]): p for p in defs}
        values: dict = {}
        problems: list[str] = []
        raw_query: dict[str, list[str]] = {}
        for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
            raw_query.setdefault(k, []).append(v)

        def check(p, raw_values):
            schema = self.spec.resolve(p.get("schema", {}))
            where = f"{p['in']} parameter {p['name']!r}"
            if schema.get("type") == "array":
                explode = p.get("explode", p.get("style", "form") == "form")
                items = raw_values if explode else [x for v in raw_values for x in v.split(",")]
                item_schema = self.spec.resolve(schema.get("items", {}))
                value = []
                for it in items:
                    val, err = self._coerce(it, item_schema)
                    if err:
                        problems.append(f"{where}: {err}")
                        return
                    value.append(val)
            else:
                if len(raw_values) > 1:
                    problems.append(f"{where}: given {len(raw_values)} times, but it is not an array")
                    return
                value, err = self._coerce(raw_values[0], schema)
                if err:
                    problems.append(f"{where}: {err}")
                    return
            v = jsonschema.Draft4Validator(schema, format_checker=self.spec.format_checker)
            errs = [e.message for e in v.iter_errors(value)]
            if errs:
                problems.append(f"{where}: {'; '.join(errs)}")
                return
            values[p["name"]] = value

        for name, raw in path_params.items():
            p = by_loc.get(("path", name))
            if p is not None:
                check(p, [urllib.parse.unquote(raw)])
        for name, raw_values in raw_query.items():
            p = by_loc.get(("query", name))
            if p is None:
                problems.append(f"query parameter {name!r} is not defined for this operation")
                continue
            check(p, raw_values)
        # Fill in the spec's defaults (page=1, per_page=10).
        for p in defs:
            if p["in"] == "query" and p["name"] not in values:
                default = self.spec.resolve(p.get("schema", {})).get("default")
                if default is not None:
                    values[p["name"]] = default
        return values, problems

    @staticmethod
    def _coerce(text: str, schema: dict):
        t = schema.get("type")
        if t == "boolean":
            # Only the literal true/false. Sending 1/0 or True is a client bug
            # that the real API may or may not have tolerated.
            if text in ("true", "false"):
                return text == "true", None
            return None, f"expected true or false, got {text!r}"
        if t == "integer":
            if re.fullmatch(r"-?\d+", text):
                return int(text), None
            return None, f"expected an integer, got {text!r}"
        if t == "number":
            try:
                return float(text), None
            except ValueError:
                return None, f"expected a number, got {text!r}"
        return text, None

    # -- operations ---------------------------------------------------------

    def _href(self, path: str) -> str:
        # Real hrefs include the API prefix ("/metal/v1/devices/<id>"), and
        # at api.packet.net they had none, so a client can resolve them
        # against the host root in both modes.
        return self.prefix + path

    def _project_view(self, pid: str) -> dict:
        st = self.state
        p = st.projects[pid]
        return {
            "id": pid, "name": p["name"], "href": self._href(f"/projects/{pid}"),
            "created_at": p["created_at"], "updated_at": p["created_at"],
            "type": "default", "tags": [], "customdata": {}, "backend_transfer_enabled": False,
            "max_devices": {}, "network_status": {},
            "organization": {"href": self._href(f"/organizations/{stable_id('org', pid)}")},
            "devices": [{"href": self._href(f"/devices/{d}")} for d, r in st.devices.items()
                        if r["project_id"] == pid],
            "ssh_keys": [], "volumes": [], "members": [], "memberships": [], "invitations": [],
        }

    def _device_view(self, rec: dict, consume_read: bool) -> dict:
        """The Device JSON for a stored record. A client read may move provisioning -> active."""
        if consume_read and rec["state"] == "provisioning":
            if rec["provisioning_reads"] > 0:
                rec["provisioning_reads"] -= 1
            else:
                rec["state"] = "active"
                rec["device"]["updated_at"] = now_iso()
        d = copy.deepcopy(rec["device"])
        d["state"] = rec["state"]
        if rec["state"] == "provisioning":
            d["provisioning_percentage"] = 0.0
        return d

    def op_findProjectById(self, path_params, params, body) -> Reply:
        pid = params["id"]
        with self.state.lock:
            if pid not in self.state.projects:
                return error_reply(404, "Not found")
            return Reply(200, self._project_view(pid))

    def op_createDevice(self, path_params, params, body) -> Reply:
        st = self.state
        pid = params["id"]
        # Rules that the spec states only in prose. Breaking them is still a
        # request the real API would refuse, so it gets the same 422.
        ips = body.get("ip_addresses")
        if ips is not None and not any(i.get("address_family", 4) == 4 and i.get("public", True) is False
                                       for i in ips):
            return error_reply(422, "ip_addresses: a private IPv4 address is required "
                                    "(one item needs address_family 4 and public false)")
        with st.lock:
            if pid not in st.projects:
                return error_reply(404, "Not found")
            dev_id = str(uuid.uuid4())
            created = now_iso()
            if "metro" in body:
                metro_code = DEFAULT_METRO if body["metro"] == "any" else body["metro"]
                facility_code = f"{metro_code}1"
            else:
                wanted = body["facility"] if isinstance(body["facility"], list) else [body["facility"]]
                concrete = [f for f in wanted if f != "any"]
                facility_code = concrete[0] if concrete else f"{DEFAULT_METRO}1"
                metro_code = re.match(r"[a-z]*", facility_code).group(0) or DEFAULT_METRO
            short_id = dev_id.split("-")[0]
            href = self._href(f"/devices/{dev_id}")
            device = {
                "id": dev_id, "short_id": short_id, "href": href,
                "hostname": body.get("hostname") or f"{body['plan'].split('.')[0]}-{short_id}",
                "tags": list(body.get("tags", [])),
                "created_at": created, "updated_at": created,
                "plan": plan_obj(body["plan"]),
                "operating_system": os_obj(body["operating_system"]),
                "metro": metro_obj(metro_code),
                "facility": facility_obj(facility_code),
                "userdata": body.get("userdata", ""),
                "customdata": body.get("customdata", {}),
                "spot_instance": body.get("spot_instance", False),
                "billing_cycle": body.get("billing_cycle", "hourly"),
                "always_pxe": body.get("always_pxe", False),
                "locked": body.get("locked", False),
                "network_frozen": body.get("network_frozen", False),
                "project": {"href": self._href(f"/projects/{pid}")},
                "project_lite": {"href": self._href(f"/projects/{pid}")},
                "ip_addresses": self._ips(href, body.get("ip_addresses"), metro_code),
                "ssh_keys": [], "volumes": [], "user": "root",
                "sos": f"{dev_id}@sos.{facility_code}.platformequinix.com",
                "iqn": f"iqn.{created[:7]}.net.packet:device.{short_id}",
            }
            for key in ("description", "spot_price_max", "termination_time", "ipxe_script_url", "storage"):
                if key in body:
                    device[key] = body[key]
            hr = body.get("hardware_reservation_id")
            if hr:
                hr_id = hr if re.fullmatch(r"[0-9a-fA-F-]{36}", hr) else stable_id("hwres", dev_id)
                device["hardware_reservation"] = {"id": hr_id,
                                                  "href": self._href(f"/hardware-reservations/{hr_id}")}
            st.devices[dev_id] = {"device": device, "project_id": pid, "state": "provisioning",
                                  "provisioning_reads": st.config["provisioning_reads"]}
            log(f"created device {dev_id} hostname={device['hostname']} tags={device['tags']}")
            return Reply(201, self._device_view(st.devices[dev_id], consume_read=False))

    def _ips(self, device_href: str, requested, metro_code: str) -> list[dict]:
        """Addresses from the documentation ranges (RFC 5737 / RFC 3849), so nothing points at a real host."""
        st = self.state
        wanted = requested or [{"address_family": 4, "public": True}, {"address_family": 4, "public": False},
                               {"address_family": 6, "public": True}]
        out = []
        for w in wanted:
            st.ip_counter += 1
            n = st.ip_counter
            fam, public = w.get("address_family", 4), w.get("public", True)
            if fam == 4 and public:
                addr, cidr, mask = f"198.51.100.{n % 254 + 1}", 31, "255.255.255.254"
            elif fam == 4:
                addr, cidr, mask = f"10.{(n >> 8) % 256}.{n % 256}.1", 31, "255.255.255.254"
            else:
                addr, cidr, mask = f"2001:db8::{n:x}", 127, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"
            ip_id = str(uuid.uuid4())
            out.append({"id": ip_id, "href": self._href(f"/ips/{ip_id}"), "address_family": fam,
                        "public": public, "address": addr, "network": addr, "gateway": addr,
                        "netmask": mask, "cidr": cidr, "management": True, "manageable": True,
                        "enabled": True, "global_ip": False, "created_at": now_iso(),
                        "assigned_to": {"href": device_href}, "metro": metro_obj(metro_code)})
        return out

    def op_findProjectDevices(self, path_params, params, body) -> Reply:
        st = self.state
        pid = params["id"]
        with st.lock:
            if pid not in st.projects:
                return error_reply(404, "Not found")
            matches = [r for r in st.devices.values() if r["project_id"] == pid and self._matches(r, params)]
            per_page, page = params["per_page"], params["page"]
            total = len(matches)
            last_page = max(1, math.ceil(total / per_page))
            chunk = matches[(page - 1) * per_page: page * per_page]
            devices = [self._device_view(r, consume_read=True) for r in chunk]

        # Page links keep the client's own query (filters, per_page), with only page changed.
        base = self._href(f"/projects/{pid}/devices")
        others = [(k, v) for k, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query,
                                                              keep_blank_values=True) if k != "page"]

        def link(n):
            return {"href": f"{base}?{urllib.parse.urlencode(others + [('page', n)])}"}

        # Meta.next/previous are Href objects and the spec does not make them
        # nullable, so a missing page is left out rather than sent as null.
        meta = {"first": link(1), "last": link(last_page), "self": link(page),
                "total": total, "current_page": page, "last_page": last_page}
        if page < last_page:
            meta["next"] = link(page + 1)
        if page > 1:
            meta["previous"] = link(min(page - 1, last_page))
        return Reply(200, {"devices": devices, "meta": meta})

    @staticmethod
    def _matches(rec: dict, params: dict) -> bool:
        d = rec["device"]
        if "tag" in params and params["tag"] not in d["tags"]:
            return False
        # The spec says "Filter by partial hostname": a substring, not an exact name.
        if "hostname" in params and params["hostname"].lower() not in d["hostname"].lower():
            return False
        if "metro" in params and params["metro"] != d["metro"]["code"]:
            return False
        if "facility" in params and params["facility"] != d["facility"]["code"]:
            return False
        reserved = "hardware_reservation" in d
        if "reserved" in params and params["reserved"] != reserved:
            return False
        if "has_termination_time" in params and params["has_termination_time"] != ("termination_time" in d):
            return False
        if "type" in params:
            kind = "reserved" if reserved else "spot" if d.get("spot_instance") else "ondemand"
            if params["type"] != kind:
                return False
        if "categories" in params and not set(params["categories"]) & set(d["plan"]["categories"]):
            return False
        if "mac_address" in params:
            return False  # fake devices have no network ports, so no MAC matches
        if "search" in params:
            needle = params["search"].lower()
            hay = [d["hostname"], d.get("description", ""), d["short_id"], *d["tags"], d["plan"]["slug"],
                   d["plan"]["name"], d["facility"]["code"], d["facility"]["name"],
                   d["operating_system"]["slug"], d["operating_system"]["name"],
                   *(ip["address"] for ip in d["ip_addresses"])]
            if not any(needle in h.lower() for h in hay):
                return False
        return True

    def op_findDeviceById(self, path_params, params, body) -> Reply:
        with self.state.lock:
            rec = self.state.devices.get(params["id"])
            if rec is None:
                return error_reply(404, "Not found")
            return Reply(200, self._device_view(rec, consume_read=True))

    def op_updateDevice(self, path_params, params, body) -> Reply:
        with self.state.lock:
            rec = self.state.devices.get(params["id"])
            if rec is None:
                return error_reply(404, "Not found")
            d = rec["device"]
            if body.get("spot_instance") is True and not d.get("spot_instance"):
                return error_reply(422, "spot_instance can only be set to false (to convert to on-demand)")
            # Only DeviceUpdateInput's own fields, even with strict mode off.
            updatable = self.spec.doc["components"]["schemas"]["DeviceUpdateInput"]["properties"]
            for key, value in body.items():
                if key in updatable:
                    d[key] = value
            d["updated_at"] = now_iso()
            return Reply(200, self._device_view(rec, consume_read=False))

    def op_deleteDevice(self, path_params, params, body) -> Reply:
        st = self.state
        with st.lock:
            rec = st.devices.get(params["id"])
            if rec is None:
                return error_reply(404, "Not found")
            if rec["device"].get("locked"):
                return error_reply(422, "Cannot delete a locked device; unlock it first")
            del st.devices[params["id"]]
            st.deleted.append({"id": params["id"], "hostname": rec["device"]["hostname"],
                               "tags": rec["device"]["tags"], "project_id": rec["project_id"],
                               "force_delete": params.get("force_delete"), "deleted_at": now_iso()})
            log(f"deleted device {params['id']} force_delete={params.get('force_delete')}")
            return Reply(204)

    # -- control API --------------------------------------------------------

    def _control(self, path: str, query: str, raw: bytes) -> Reply:
        st = self.state
        method = self.command
        try:
            body = json.loads(raw) if raw.strip() else None
        except json.JSONDecodeError as exc:
            return Reply(400, {"error": f"control body is not JSON: {exc}"})
        route = path[len("/_control"):].rstrip("/")
        with st.lock:
            reply = self._control_locked(method, route, path, query, body)
            # Serialising happens after the lock is released, so hand back a
            # snapshot rather than the live lists.
            reply.body = copy.deepcopy(reply.body)
            return reply

    def _control_locked(self, method, route, path, query, body) -> Reply:
        st = self.state
        if route == "/reset" and method == "POST":
            st.reset()
            return Reply(200, {"ok": True})
        if route == "/faults":
            if method == "POST":
                rules = body if isinstance(body, list) else [body]
                try:
                    new = [self._fault_rule(r) for r in rules]
                except ValueError as exc:
                    return Reply(400, {"error": str(exc)})
                st.faults.extend(new)
                return Reply(200, {"faults": st.faults})
            if method == "GET":
                return Reply(200, {"faults": st.faults})
            if method == "DELETE":
                st.faults.clear()
                return Reply(200, {"faults": []})
        if route == "/requests" and method == "GET":
            since = urllib.parse.parse_qs(query).get("since", ["0"])[0]
            try:
                since_n = int(since)
            except ValueError:
                return Reply(400, {"error": "since must be an integer"})
            return Reply(200, {"requests": [r for r in st.requests if r["seq"] > since_n]})
        if route == "/state" and method == "GET":
            return Reply(200, {
                "projects": [self._project_view(p) for p in st.projects],
                "devices": [self._device_view(r, consume_read=False) | {"project_id": r["project_id"]}
                            for r in st.devices.values()],
                "deleted_devices": st.deleted,
                "spec_violations": st.violations,
                "faults": st.faults,
                "config": st.config,
                "readonly_token_configured": st.readonly_token is not None,
                "request_count": len(st.requests),
            })
        if route == "/readonly-token" and method == "POST":
            if not isinstance(body, dict) or not (body.get("token") is None or isinstance(body["token"], str)):
                return Reply(400, {"error": 'expected {"token": "<string>"} or {"token": null}'})
            if body.get("token") == self.token:
                return Reply(400, {"error": "the read-only token must differ from the main token"})
            st.readonly_token = body.get("token") or None
            return Reply(200, {"readonly_token_configured": st.readonly_token is not None})
        if route == "/config" and method == "POST":
            if not isinstance(body, dict):
                return Reply(400, {"error": "expected a JSON object"})
            for key, value in body.items():
                if key == "provisioning_reads" and isinstance(value, int) and value >= 0:
                    st.config[key] = value
                elif key == "strict_unknown_properties" and isinstance(value, bool):
                    st.config[key] = value
                else:
                    return Reply(400, {"error": f"unknown or invalid config key {key!r}"})
            return Reply(200, {"config": st.config})
        if route == "/projects" and method == "POST":
            pid = (body or {}).get("id") or str(uuid.uuid4())
            if not self.spec.format_checker.conforms(pid, "uuid"):
                return Reply(400, {"error": "project id must be a UUID"})
            st.projects[pid] = {"id": pid, "name": (body or {}).get("name") or f"fake-project-{pid[:8]}",
                                "created_at": now_iso()}
            return Reply(200, self._project_view(pid))
        m = re.fullmatch(r"/devices/([^/]+)", route)
        if m and method == "POST":
            rec = st.devices.get(m.group(1))
            if rec is None:
                return Reply(404, {"error": "no such device"})
            states = self.spec.doc["components"]["schemas"]["Device"]["properties"]["state"]["enum"]
            state = (body or {}).get("state", rec["state"])
            if state not in states:
                return Reply(400, {"error": f"state must be one of {states}"})
            reads = (body or {}).get("provisioning_reads", 0)
            if not isinstance(reads, int) or reads < 0:
                return Reply(400, {"error": "provisioning_reads must be a non-negative integer"})
            rec["state"], rec["provisioning_reads"] = state, reads
            return Reply(200, self._device_view(rec, consume_read=False))
        return Reply(404, {"error": f"no control endpoint {method} {path}"})

    @staticmethod
    def _fault_rule(r) -> dict:
        if not isinstance(r, dict):
            raise ValueError("a fault rule must be a JSON object")
        known = {"method", "path", "status", "count", "retry_after", "errors", "delay_ms", "apply"}
        extra = set(r) - known
        if extra:
            raise ValueError(f"unknown fault rule keys: {sorted(extra)}")
        status = r.get("status")
        if status is not None and (not isinstance(status, int) or not 400 <= status <= 599):
            raise ValueError("status must be an integer 400..599")
        if status is None and not r.get("delay_ms"):
            raise ValueError("a fault rule needs a status, a delay_ms, or both")
        if r.get("path") is not None:
            try:
                re.compile(r["path"])
            except re.error as exc:
                raise ValueError(f"bad path regex: {exc}") from None
        count = r.get("count", 1)
        if not isinstance(count, int) or (count < 1 and count != -1):
            raise ValueError("count must be >= 1, or -1 for forever")
        errors = r.get("errors")
        if errors is not None and (not isinstance(errors, list) or not all(isinstance(e, str) for e in errors)):
            raise ValueError("errors must be a list of strings")
        for key in ("retry_after", "delay_ms"):
            if r.get(key) is not None and (not isinstance(r[key], (int, float)) or r[key] < 0):
                raise ValueError(f"{key} must be a non-negative number")
        if r.get("apply", "before") not in ("before", "after"):
            raise ValueError('apply must be "before" or "after"')
        return {**r, "count": count, "remaining": count, "hits": 0}


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Fake Equinix Metal API for tests (validates against the OpenAPI spec).")
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any free port)")
    ap.add_argument("--prefix", default=DEFAULT_PREFIX,
                    help="API path prefix (default /metal/v1; '' = root, like the legacy api.packet.net)")
    ap.add_argument("--token", default=DEFAULT_TOKEN, help="accepted X-Auth-Token value")
    ap.add_argument("--project-id", action="append",
                    help=f"project that exists (repeatable; default {DEFAULT_PROJECT_ID})")
    ap.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="path to the OpenAPI JSON")
    ap.add_argument("--provisioning-reads", type=int, default=0,
                    help="reads after creation that still show 'provisioning' (default 0)")
    ap.add_argument("--allow-unknown-properties", action="store_true",
                    help="do not treat undeclared body properties as violations")
    args = ap.parse_args(argv)
    prefix = args.prefix.rstrip("/")
    if prefix and not prefix.startswith("/"):
        ap.error("--prefix must be empty or start with '/'")
    if prefix == "/_control" or prefix.startswith("/_control/"):
        ap.error("--prefix must not overlap /_control")
    args.prefix = prefix
    for pid in args.project_id or []:
        try:
            uuid.UUID(pid)
        except ValueError:
            ap.error(f"--project-id {pid!r} is not a UUID")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    spec = Spec(args.spec.resolve())
    state = State(args)
    handler = type("BoundHandler", (Handler,), {"state": state, "spec": spec, "prefix": args.prefix,
                                                 "token": args.token})
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    server.daemon_threads = True  # keep-alive connections must not hold up shutdown

    def stop(signum, _frame):
        log(f"signal {signum}: shutting down")
        # shutdown() waits for serve_forever() to return, so it must run in a
        # thread other than the one running serve_forever().
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = server.server_address[1]
    log(f"serving {spec.doc['info'].get('title', 'spec')} at http://127.0.0.1:{port}{args.prefix} "
        f"(projects: {', '.join(state.projects)})")
    print(f"LISTENING {port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
