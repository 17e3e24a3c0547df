#!/usr/bin/env python3
"""Fake GitHub REST API for runner-scaler's tests.

A small, stateful stand-in for api.github.com (or a GHES host with ``--prefix /api/v3``)
that serves the operations in the conformance OpenAPI subset:

    shared/conformance/github/rest-api/github-runners-subset.openapi.json

plus the App hook-deliveries endpoints (``GET /app/hook/deliveries``,
``GET /app/hook/deliveries/{id}``, ``POST /app/hook/deliveries/{id}/attempts``).

The spec, its ``examples/`` and the TEST-ONLY public key in
``github/app-jwt/rs256-github-app-jwt-vectors.json`` are read at start-up from the
conformance directory (``--conformance DIR``; default ``../shared/conformance`` relative
to the repository root).  Nothing from that directory is copied into this file.

Run:
    python3 fake_github.py --port 0 [--prefix /api/v3] [--token-ttl 3600]
                           [--app-id 123456] [--client-id Iv1.0123456789abcdef]
                           [--app-public-key PEM_FILE] [--conformance DIR]

After binding it prints exactly one line ``LISTENING <port>`` on stdout.  Requests are
logged to stderr.  Test control lives under ``/_control/`` (never under the prefix, no
auth); see ``ControlAPI`` below and the module's ``--help``.

Only Python 3.11 stdlib + ``cryptography`` + ``jsonschema`` are used.
"""

from __future__ import annotations

import argparse
import base64
import copy
import datetime as dt
import hashlib
import http.server
import json
import math
import re
import secrets
import signal
import string
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Callable

import jsonschema
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# A parent may spawn us with SIGTERM/SIGINT blocked (Foundation's Process on Linux spawns from
# threads that block them, and children inherit the mask). Unblock them so `terminate()` works.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})


# --------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------

API_VERSION = "2022-11-28"
DOCS = "https://docs.github.com/rest"
DOCS_RUNNERS = "https://docs.github.com/rest/actions/self-hosted-runners"
DOCS_APPS = "https://docs.github.com/rest/apps/apps"
DOCS_RATE_PRIMARY = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
DOCS_RATE_SECONDARY = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"

# GitHub's JWT rules: exp at most 10 minutes after iat. We allow 60 s of clock skew on
# top, as the brief asks (and GitHub itself tolerates a little drift).
JWT_MAX_LIFETIME = 600
JWT_SKEW = 60

RATE_LIMIT = 5000
RATE_WINDOW = 3600

# Labels GitHub applies itself and reports as "read-only"; everything else is "custom".
READ_ONLY_LABELS = {"self-hosted", "linux", "windows", "macos", "x64", "arm64", "arm", "x86"}

# Installation ids that appear in the repo's events/ fixtures and in the octokit
# workflow_job payload examples, mapped to the account each fixture names.
DEFAULT_INSTALLATIONS = [
    {"id": 4242, "account": "octo-org", "type": "Organization"},
    {"id": 3456996, "account": "Codertocat", "type": "Organization"},
    {"id": 23154469, "account": "lineville", "type": "User"},
]

# What an autoscaler's App needs. Requests for more (or other) permissions get GitHub's 422.
DEFAULT_PERMISSIONS = {
    "actions": "read",
    "administration": "write",
    "metadata": "read",
    "organization_self_hosted_runners": "write",
}

PERMISSION_RANK = {"read": 1, "write": 2, "admin": 3}

# Seed ids for well-known labels (taken from the runner examples) so responses resemble them.
SEED_LABEL_IDS = {"self-hosted": 5, "x64": 7, "linux": 11, "macos": 20, "no-gpu": 21}

# Request headers copied into the request log (authorization is reduced to scheme + hash).
LOGGED_HEADERS = ("user-agent", "x-github-api-version", "content-type", "accept")


def log(msg: str) -> None:
    sys.stderr.write(f"[fake-github {time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def iso_z(ts: float) -> str:
    """2016-07-11T22:14:10Z - the format of installation-token expires_at and most timestamps."""
    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms_offset(ts: float) -> str:
    """2020-01-22T12:13:35.123-08:00 - the shape GitHub uses for runner registration/remove
    token expiry (fractional seconds and a numeric, non-UTC offset). Kept deliberately so
    a client that only parses ...Z timestamps fails against the fake as it would for real."""
    tz = dt.timezone(dt.timedelta(hours=-8))
    d = dt.datetime.fromtimestamp(ts, tz)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}" + "-08:00"


def b64url_decode(part: str) -> bytes:
    # RFC 7515: base64url *without* padding. Reject '=' and anything outside the alphabet
    # so a client that pads or uses the standard alphabet is caught here.
    if not part or not re.fullmatch(r"[A-Za-z0-9_-]+", part):
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def gh_error(status: int, message: str, documentation_url: str = DOCS, **extra: Any) -> dict:
    body = {"message": message, "documentation_url": documentation_url}
    body.update(extra)
    body["status"] = str(status)
    return body


def random_token(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


# --------------------------------------------------------------------------------------
# Spec: loads the OpenAPI subset + examples and builds request/response validators
# --------------------------------------------------------------------------------------


class Spec:
    def __init__(self, conformance_dir: Path):
        gh = conformance_dir / "github"
        spec_path = gh / "rest-api" / "github-runners-subset.openapi.json"
        self.doc = json.loads(spec_path.read_text())
        ex_dir = gh / "rest-api" / "examples"
        self.examples: dict[str, Any] = {}
        for f in ex_dir.glob("*.json"):
            if f.name != "_index.json":
                self.examples[f.stem] = json.loads(f.read_text())
        self.vectors_path = gh / "app-jwt" / "rs256-github-app-jwt-vectors.json"
        # OpenAPI 3.0's `nullable: true` is not JSON Schema; translate it once so that
        # null values the spec allows (e.g. job.conclusion) validate.
        components = openapi_to_jsonschema(self.doc["components"])

        def resolve(obj: dict) -> dict:
            while "$ref" in obj:
                obj = self._pointer(obj["$ref"])
            return obj

        def validator(schema: dict) -> jsonschema.Validator:
            # OpenAPI 3.0 schemas are close enough to draft 4. Embedding `components` in the
            # root lets every "#/components/..." $ref resolve inside the spec itself.
            root = dict(openapi_to_jsonschema(schema))
            root["components"] = components
            return jsonschema.Draft4Validator(root)

        # (METHOD, template) -> (validator, required?)
        self.request_validators: dict[tuple[str, str], tuple[jsonschema.Validator, bool]] = {}
        # (METHOD, template, status) -> validator
        self.response_validators: dict[tuple[str, str, int], jsonschema.Validator] = {}
        self.operations: set[tuple[str, str]] = set()
        for path, ops in self.doc["paths"].items():
            for method, op in ops.items():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                key = (method.upper(), path)
                self.operations.add(key)
                rb = op.get("requestBody")
                if rb:
                    rb = resolve(rb)
                    schema = rb.get("content", {}).get("application/json", {}).get("schema")
                    if schema:
                        self.request_validators[key] = (validator(schema), bool(rb.get("required")))
                for status, resp in op["responses"].items():
                    resp = resolve(resp)
                    schema = resp.get("content", {}).get("application/json", {}).get("schema")
                    if schema and status.isdigit():
                        self.response_validators[(key[0], key[1], int(status))] = validator(schema)

    def _pointer(self, ref: str) -> Any:
        assert ref.startswith("#/"), ref
        node: Any = self.doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def example(self, name: str) -> Any:
        return copy.deepcopy(self.examples[name])


def openapi_to_jsonschema(node: Any) -> Any:
    """Deep copy of an OpenAPI 3.0 schema tree with `nullable: true` rewritten as JSON
    Schema (type [T, "null"], null added to enums, or anyOf [..., null])."""
    if isinstance(node, list):
        return [openapi_to_jsonschema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: openapi_to_jsonschema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def schema_errors(v: jsonschema.Validator, instance: Any) -> list[str]:
    """Human-readable violations in the wording GitHub uses for 422s."""
    out = []
    for e in sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in e.absolute_path)
        out.append(f"For 'properties/{where}', {e.message}." if where else f"{e.message}.")
    return out


# --------------------------------------------------------------------------------------
# App JWT verification
# --------------------------------------------------------------------------------------


class JWTError(Exception):
    """`public` is what GitHub would say; `detail` says precisely what was wrong."""

    def __init__(self, public: str, detail: str):
        super().__init__(detail)
        self.public = public
        self.detail = detail


def verify_app_jwt(token: str, public_key: rsa.RSAPublicKey, issuers: set[str]) -> dict:
    undecodable = "A JSON web token could not be decoded"
    parts = token.split(".")
    if len(parts) != 3:
        raise JWTError(undecodable, f"expected 3 dot-separated parts, got {len(parts)}")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, json.JSONDecodeError) as e:
        raise JWTError(undecodable, f"bad encoding: {e}") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JWTError(undecodable, "header/claims are not JSON objects")
    if header.get("alg") != "RS256":
        raise JWTError(undecodable, f"alg must be RS256, got {header.get('alg')!r}")
    try:
        public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"),
                          padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise JWTError(undecodable, "RS256 signature does not verify with the App public key") from None

    def int_claim(name: str) -> int:
        v = claims.get(name)
        # GitHub wants integers; a float like 1714566836.5 (or a bool) is a client bug.
        if not isinstance(v, int) or isinstance(v, bool):
            raise JWTError(f"'{name}' claim must be an Integer", f"{name} is {v!r}, not an integer")
        return v

    iat, exp = int_claim("iat"), int_claim("exp")
    now = time.time()
    if exp - iat > JWT_MAX_LIFETIME + JWT_SKEW:
        raise JWTError("'Expiration time' claim ('exp') is too far in the future",
                       f"exp - iat = {exp - iat} s > {JWT_MAX_LIFETIME} + {JWT_SKEW}")
    if exp > now + JWT_MAX_LIFETIME + JWT_SKEW:
        raise JWTError("'Expiration time' claim ('exp') is too far in the future",
                       f"exp is {exp - now:.0f} s from now")
    if exp < now - JWT_SKEW:
        raise JWTError("'Expiration time' claim ('exp') must be a numeric value representing "
                       "the future time at which the assertion expires",
                       f"expired {now - exp:.0f} s ago")
    if iat > now + JWT_SKEW:
        raise JWTError("'Issued at' claim ('iat') must be an Integer representing a time in the past",
                       f"iat is {iat - now:.0f} s in the future")
    if exp <= iat:
        raise JWTError(undecodable, "exp is not after iat")
    iss = claims.get("iss")
    if isinstance(iss, bool) or not isinstance(iss, (int, str)) or str(iss) not in issuers:
        raise JWTError("Integration not found", f"iss {iss!r} is not one of {sorted(issuers)}")
    return claims


# --------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------


def scope_key(kind: str, *names: str) -> str:
    """Normalised scope id: 'repos/owner/repo', 'orgs/org', 'enterprises/slug' (GitHub
    treats these names case-insensitively)."""
    return "/".join([kind] + [n.lower() for n in names])


def parse_scope(s: str) -> str:
    parts = [p for p in s.strip("/").split("/") if p]
    if len(parts) == 3 and parts[0] == "repos":
        return scope_key("repos", parts[1], parts[2])
    if len(parts) == 2 and parts[0] in ("orgs", "enterprises"):
        return scope_key(parts[0], parts[1])
    raise ValueError(f"scope must be repos/OWNER/REPO, orgs/ORG or enterprises/SLUG, got {s!r}")


class State:
    """All mutable fake state. Every access happens under `lock`."""

    def __init__(self, token_ttl: int):
        self.lock = threading.RLock()
        self.token_ttl = token_ttl
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.installations: dict[int, dict] = {}
            for inst in DEFAULT_INSTALLATIONS:
                self.add_installation(inst)
            self.tokens: dict[str, dict] = {}  # ghs_ token -> record
            self.tokens_issued = 0
            self.registration_tokens: list[dict] = []  # registration/remove tokens handed out
            self.runners: dict[str, list[dict]] = {}  # scope -> runners
            self.next_runner_id = 23
            self.label_ids = dict(SEED_LABEL_IDS)
            self.next_label_id = 100
            self.runner_groups: dict[str, list[dict]] = {}  # 'orgs/x' | 'enterprises/y' -> extra groups
            self.jobs: dict[tuple[str, int], dict] = {}
            self.deliveries: list[dict] = []
            self.next_delivery_id = 12_000_000_000  # realistic magnitude: catches Int32 bugs
            self.redeliveries: list[int] = []
            self.faults: list[dict] = []
            self.requests: list[dict] = []
            self.next_seq = 1
            self.spec_violations: list[dict] = []
            self.response_violations: list[dict] = []
            self.rate_buckets: dict[str, dict] = {}

    # -- installations -----------------------------------------------------------------
    def add_installation(self, spec: dict) -> dict:
        inst_id = int(spec["id"])
        account = str(spec.get("account") or spec.get("login") or "")
        if not account:
            raise ValueError("installation needs 'account'")
        itype = spec.get("type") or "Organization"
        if itype not in ("Organization", "User", "Enterprise"):
            raise ValueError("type must be Organization, User or Enterprise")
        inst = {
            "id": inst_id,
            "account": account,
            "type": itype,
            "account_id": int(spec.get("account_id") or (int(hashlib.sha256(account.lower().encode()).hexdigest()[:7], 16))),
            "permissions": dict(spec.get("permissions") or DEFAULT_PERMISSIONS),
            "repository_selection": spec.get("repository_selection") or "all",
            "suspended": bool(spec.get("suspended", False)),
        }
        self.installations[inst_id] = inst
        return inst

    def installation_for_account(self, login: str, types: tuple[str, ...]) -> dict | None:
        for inst in self.installations.values():
            if inst["account"].lower() == login.lower() and inst["type"] in types:
                return inst
        return None

    # -- labels / runners ---------------------------------------------------------------
    def label_id(self, name: str) -> int:
        k = name.lower()
        if k not in self.label_ids:
            self.label_ids[k] = self.next_label_id
            self.next_label_id += 1
        return self.label_ids[k]

    def find_runner(self, scope: str, *, runner_id: int | None = None, name: str | None = None) -> dict | None:
        for r in self.runners.get(scope, []):
            if runner_id is not None and r["id"] == runner_id:
                return r
            if name is not None and r["name"].lower() == name.lower():
                return r
        return None

    def groups(self, scope: str) -> list[dict]:
        """Runner groups of an org/enterprise: always 'Default' (id 1), plus seeded ones."""
        default = {"id": 1, "name": "Default", "visibility": "all", "default": True}
        extra = sorted(self.runner_groups.get(scope, []), key=lambda g: g["id"])
        return [default] + [g for g in extra if g["id"] != 1]

    # -- rate limit headers ---------------------------------------------------------------
    def rate(self, bucket: str) -> dict:
        now = time.time()
        b = self.rate_buckets.get(bucket)
        if b is None or now >= b["reset"]:
            b = {"used": 0, "reset": int(now) + RATE_WINDOW}
            self.rate_buckets[bucket] = b
        b["used"] += 1
        return b


# --------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------


class Response:
    def __init__(self, status: int, body: Any = None, headers: dict | None = None):
        self.status = status
        self.body = body
        self.headers = headers or {}


class Request:
    def __init__(self, method: str, raw_path: str, route_path: str | None, query: str,
                 headers: Any, body_bytes: bytes, host: str):
        self.method = method
        self.raw_path = raw_path
        self.path = route_path  # path with the prefix removed; None if the prefix was missing
        self.query_string = query
        self.query = urllib.parse.parse_qs(query, keep_blank_values=True)
        self.headers = headers
        self.body_bytes = body_bytes
        self.host = host
        self.params: dict[str, str] = {}
        self.operation: str | None = None
        self.installation_id: int | None = None
        self._json: Any = None
        self.json_error: str | None = None
        if body_bytes:
            try:
                self._json = json.loads(body_bytes)
            except (ValueError, UnicodeDecodeError) as e:
                self.json_error = str(e)

    @property
    def json(self) -> Any:
        return self._json

    def q(self, name: str) -> str | None:
        v = self.query.get(name)
        return v[0] if v else None


def route_regex(template: str) -> re.Pattern:
    # Integer path parameters (per the spec) only match digits, so /runners/abc is a 404
    # like on GitHub, not a 422.
    def repl(m: re.Match) -> str:
        name = m.group(1)
        if name in ("installation_id", "runner_id", "job_id", "delivery_id"):
            return f"(?P<{name}>[0-9]+)"
        return f"(?P<{name}>[^/]+)"

    return re.compile("^" + re.sub(r"\{([a-z_]+)\}", repl, template) + "$")


class FakeGitHub:
    """Routing + operation handlers. One instance per server."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.prefix = (args.prefix or "").rstrip("/")
        self.spec = Spec(Path(args.conformance))
        self.state = State(args.token_ttl)
        # Public key: --app-public-key, else the TEST-ONLY key from the vectors file.
        if args.app_public_key:
            pem = Path(args.app_public_key).read_bytes()
        else:
            pem = json.loads(self.spec.vectors_path.read_text())["public_key_pem"].encode()
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, rsa.RSAPublicKey):
            raise SystemExit("--app-public-key must be an RSA public key")
        self.public_key = key
        self.issuers = {str(args.app_id), str(args.client_id)}
        self.app_id_int = int(args.app_id) if str(args.app_id).isdigit() else 1

        # (method, compiled regex, template, handler, auth)
        self.routes: list[tuple[str, re.Pattern, str, Callable[[Request], Response], str]] = []
        self._add("POST", "/app/installations/{installation_id}/access_tokens", self.create_access_token, "jwt")
        self._add("GET", "/repos/{owner}/{repo}/installation", self.get_repo_installation, "jwt")
        self._add("GET", "/orgs/{org}/installation", self.get_org_installation, "jwt")
        self._add("GET", "/app", self.get_app, "jwt")
        self._add("GET", "/app/installations", self.list_installations, "jwt")
        self._add("GET", "/app/hook/deliveries", self.list_deliveries, "jwt")
        self._add("GET", "/app/hook/deliveries/{delivery_id}", self.get_delivery, "jwt")
        self._add("POST", "/app/hook/deliveries/{delivery_id}/attempts", self.redeliver, "jwt")
        for base in ("/repos/{owner}/{repo}", "/orgs/{org}", "/enterprises/{enterprise}"):
            r = base + "/actions/runners"
            self._add("POST", r + "/generate-jitconfig", self.generate_jitconfig, "token")
            self._add("POST", r + "/registration-token", self.registration_token, "token")
            self._add("POST", r + "/remove-token", self.remove_token, "token")
            self._add("GET", r, self.list_runners, "token")
            self._add("GET", r + "/{runner_id}", self.get_runner, "token")
            self._add("DELETE", r + "/{runner_id}", self.delete_runner, "token")
        self._add("GET", "/orgs/{org}/actions/runner-groups", self.list_runner_groups, "token")
        self._add("GET", "/repos/{owner}/{repo}/actions/jobs/{job_id}", self.get_job, "token")
        self.control = ControlAPI(self)

    def _add(self, method: str, template: str, handler: Callable, auth: str) -> None:
        self.routes.append((method, route_regex(template), template, handler, auth))

    # ---------------------------------------------------------------- request pipeline
    def handle(self, req: Request, entry: dict) -> Response:
        if req.path is None:
            return Response(404, gh_error(404, "Not Found"))
        # Fault injection comes first: a 503/429 from GitHub's edge arrives regardless of
        # credentials, and delays must apply before any work is done.
        fault = self._take_fault(req)
        if fault is not None:
            entry["fault"] = fault["index"]
            delay = fault["rule"].get("delay_ms")
            if delay:
                time.sleep(delay / 1000.0)
            if fault["rule"].get("status"):
                return self._fault_response(fault["rule"], req)
        for method, rx, template, handler, auth in self.routes:
            m = rx.match(req.path)
            if not m:
                continue
            if method != req.method:
                continue
            req.params = {k: urllib.parse.unquote(v) for k, v in m.groupdict().items()}
            req.operation = f"{method} {template}"
            entry["operation"] = req.operation
            denied = self._authenticate(req, auth, entry)
            if denied:
                return denied
            body_problem = self._validate_body(req, template, entry)
            if body_problem:
                return body_problem
            resp = handler(req)
            self._validate_response(req, template, resp)
            return resp
        return Response(404, gh_error(404, "Not Found"))

    # -- auth -------------------------------------------------------------------------
    def _credential(self, req: Request) -> tuple[str, str] | None:
        h = req.headers.get("Authorization")
        if not h:
            return None
        scheme, _, cred = h.strip().partition(" ")
        return scheme, cred.strip()

    def _authenticate(self, req: Request, kind: str, entry: dict) -> Response | None:
        cred = self._credential(req)
        if kind == "jwt":
            if cred is None:
                entry["auth"] = {"kind": "none"}
                return Response(401, gh_error(401, "Requires authentication", DOCS_APPS))
            scheme, token = cred
            if scheme.lower() != "bearer":
                entry["auth"] = {"kind": "invalid", "error": f"JWTs must use the Bearer scheme, got {scheme!r}"}
                return Response(401, gh_error(401, "A JSON web token could not be decoded", DOCS_APPS))
            try:
                claims = verify_app_jwt(token, self.public_key, self.issuers)
            except JWTError as e:
                entry["auth"] = {"kind": "invalid", "error": e.detail}
                log(f"JWT rejected: {e.detail}")
                return Response(401, gh_error(401, e.public, DOCS_APPS))
            entry["auth"] = {"kind": "jwt", "iss": claims.get("iss")}
            return None
        # installation token
        if cred is None:
            entry["auth"] = {"kind": "none"}
            return Response(401, gh_error(401, "Requires authentication", DOCS_RUNNERS))
        scheme, token = cred
        if scheme.lower() not in ("bearer", "token"):
            entry["auth"] = {"kind": "invalid", "error": f"unsupported scheme {scheme!r}"}
            return Response(401, gh_error(401, "Bad credentials", DOCS))
        with self.state.lock:
            rec = self.state.tokens.get(token)
            if rec is None:
                why = "a JWT cannot call this endpoint" if token.count(".") == 2 else "token was never issued by this fake"
                entry["auth"] = {"kind": "invalid", "error": why}
                return Response(401, gh_error(401, "Bad credentials", DOCS))
            if rec["expires_at"] <= time.time():
                entry["auth"] = {"kind": "invalid", "error": "installation token expired",
                                 "installation_id": rec["installation_id"]}
                return Response(401, gh_error(401, "Bad credentials", DOCS))
            req.installation_id = rec["installation_id"]
            inst = self.state.installations.get(rec["installation_id"])
        entry["auth"] = {"kind": "installation_token", "installation_id": rec["installation_id"],
                         "scope_matches_installation": self._scope_matches(req, inst)}
        return None

    def _scope_matches(self, req: Request, inst: dict | None) -> bool | None:
        """Whether the token's installation owns the addressed repo/org/enterprise. Only
        recorded (tests can assert on it), never enforced, so unseeded names still work."""
        if inst is None:
            return None
        owner = req.params.get("owner") or req.params.get("org") or req.params.get("enterprise")
        if owner is None:
            return None
        if "enterprise" in req.params:
            return inst["type"] == "Enterprise" and inst["account"].lower() == owner.lower()
        return inst["account"].lower() == owner.lower()

    # -- body validation against the spec ---------------------------------------------
    def _validate_body(self, req: Request, template: str, entry: dict) -> Response | None:
        v = self.spec.request_validators.get((req.method, template))
        if v is None:
            return None
        validator, required = v
        if req.json_error is not None:
            self._violation(req, [f"body is not JSON: {req.json_error}"])
            return Response(400, gh_error(400, "Problems parsing JSON", DOCS))
        body = req.json
        if body is None:
            if not required:
                return None
            body = {}
        errors = schema_errors(validator, body)
        if errors:
            self._violation(req, errors)
            return Response(422, gh_error(422, "Invalid request.\n\n" + "\n".join(errors), DOCS,
                                          errors=errors))
        return None

    def _violation(self, req: Request, errors: list[str]) -> None:
        with self.state.lock:
            self.state.spec_violations.append({
                "time": iso_z(time.time()), "method": req.method, "path": req.raw_path,
                "operation": req.operation, "errors": errors, "body": req.json,
            })
        log(f"spec violation in {req.operation}: {errors}")

    def _validate_response(self, req: Request, template: str, resp: Response) -> None:
        """Self-check of the fake: every JSON body it sends for a spec operation must match
        the spec's response schema. Mismatches go to /_control/state response_violations."""
        v = self.spec.response_validators.get((req.method, template, resp.status))
        if v is None or resp.body is None:
            return
        errors = schema_errors(v, resp.body)
        if errors:
            with self.state.lock:
                self.state.response_violations.append(
                    {"operation": req.operation, "status": resp.status, "errors": errors})
            log(f"FAKE BUG: response for {req.operation} violates the spec: {errors}")

    # -- faults -------------------------------------------------------------------------
    def _take_fault(self, req: Request) -> dict | None:
        with self.state.lock:
            for i, rule in enumerate(self.state.faults):
                if rule["method"] and rule["method"].upper() != req.method:
                    continue
                # Match against the path as sent *and* without the prefix, so one rule works
                # in both api.github.com and GHES modes.
                rx = rule["_rx"]
                if not (rx.search(req.raw_path) or rx.search(req.path or "")):
                    continue
                rule["hits"] += 1
                if rule["count"] > 0:
                    rule["count"] -= 1
                    if rule["count"] == 0:
                        self.state.faults.pop(i)
                return {"rule": rule, "index": rule["id"]}
        return None

    def _installation_for_fault(self, req: Request) -> int | None:
        cred = self._credential(req)
        if cred:
            with self.state.lock:
                rec = self.state.tokens.get(cred[1])
            if rec:
                return rec["installation_id"]
        m = re.search(r"/app/installations/([0-9]+)/", req.path or "")
        return int(m.group(1)) if m else None

    def _fault_response(self, rule: dict, req: Request) -> Response:
        status = int(rule["status"])
        headers: dict[str, str] = {}
        if rule.get("retry_after") is not None:
            headers["Retry-After"] = str(int(rule["retry_after"]))
        reset_in = rule.get("ratelimit_reset_in")
        inst = self._installation_for_fault(req)
        primary = reset_in is not None or (status == 403 and rule.get("retry_after") is None)
        if primary and status in (403, 429):
            # Primary rate limit exhausted: remaining 0 and reset in the future.
            headers["x-ratelimit-remaining"] = "0"
            headers["x-ratelimit-reset"] = str(int(time.time() + (reset_in if reset_in is not None else 60)))
            headers["x-ratelimit-used"] = str(RATE_LIMIT)
        elif reset_in is not None:
            headers["x-ratelimit-remaining"] = "0"
            headers["x-ratelimit-reset"] = str(int(time.time() + reset_in))
        if rule.get("body") is not None:
            body = rule["body"]
        elif status in (403, 429) and primary:
            who = f"installation ID {inst}" if inst is not None else "127.0.0.1"
            body = gh_error(status, f"API rate limit exceeded for {who}. If you reach out to GitHub "
                            "Support for help, please include the request ID.", DOCS_RATE_PRIMARY)
        elif status in (403, 429):
            body = gh_error(status, "You have exceeded a secondary rate limit. Please wait a few "
                            "minutes before you try again. If you reach out to GitHub Support for "
                            "help, please include the request ID.", DOCS_RATE_SECONDARY)
        elif status == 500:
            body = gh_error(500, "Server Error")
        elif status == 502:
            body = gh_error(502, "Server Error: Sorry, this diff is taking too long to generate.")
        elif status == 503:
            body = gh_error(503, "Service Unavailable")
        else:
            body = gh_error(status, http.HTTPStatus(status).phrase)
        return Response(status, body, headers)

    # ---------------------------------------------------------------- helpers
    def base_url(self, req: Request) -> str:
        return f"http://{req.host}{self.prefix}"

    def link_header(self, req: Request, page: int, last: int) -> str | None:
        """GitHub-style Link: prev, next, last, first (only those that apply), absolute URLs
        built from the Host header, keeping the other query parameters."""
        if last <= 1 and page <= 1:
            return None
        others = [(k, v) for k, vs in req.query.items() if k != "page" for v in vs]

        def url(p: int) -> str:
            qs = urllib.parse.urlencode(others + [("page", str(p))])
            return f"<{self.base_url(req)}{req.path}?{qs}>"

        links = []
        if page > 1:
            links.append(f'{url(page - 1)}; rel="prev"')
        if page < last:
            links.append(f'{url(page + 1)}; rel="next"')
            links.append(f'{url(last)}; rel="last"')
        if page > 1:
            links.append(f'{url(1)}; rel="first"')
        return ", ".join(links) if links else None

    @staticmethod
    def paging(req: Request) -> tuple[int, int]:
        def intq(name: str, default: int) -> int:
            try:
                return int(req.q(name) or default)
            except ValueError:
                return default
        per_page = min(max(intq("per_page", 30), 1), 100)  # GitHub clamps to 100
        page = max(intq("page", 1), 1)
        return per_page, page

    def paginate(self, req: Request, items: list) -> tuple[list, dict]:
        per_page, page = self.paging(req)
        last = max(1, math.ceil(len(items) / per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        link = self.link_header(req, page, last)
        return chunk, ({"Link": link} if link else {})

    def scope_of(self, req: Request) -> str:
        p = req.params
        if "repo" in p:
            return scope_key("repos", p["owner"], p["repo"])
        if "org" in p:
            return scope_key("orgs", p["org"])
        return scope_key("enterprises", p["enterprise"])

    def runner_json(self, r: dict) -> dict:
        labels = [{"id": self.state.label_id(n),
                   "name": n,
                   "type": "read-only" if n.lower() in READ_ONLY_LABELS else "custom"}
                  for n in r["labels"]]
        return {"id": r["id"], "runner_group_id": r["runner_group_id"], "name": r["name"], "os": r["os"],
                "status": r["status"], "busy": r["busy"], "labels": labels}

    def account_json(self, inst: dict) -> dict:
        login, aid = inst["account"], inst["account_id"]
        if inst["type"] == "Enterprise":
            return {"id": aid, "node_id": base64.b64encode(f"E_{aid}".encode()).decode(),
                    "name": login, "slug": login.lower(), "description": None, "website_url": None,
                    "html_url": f"https://github.com/enterprises/{login.lower()}",
                    "created_at": "2019-05-10T19:37:01Z", "updated_at": "2023-01-10T19:37:01Z",
                    "avatar_url": f"https://avatars.githubusercontent.com/b/{aid}?v=4"}
        # Shaped like examples/installation.json's account, with this account's names.
        acct = self.spec.example("installation")["account"]
        kind = "orgs" if inst["type"] == "Organization" else "users"
        text = json.dumps(acct).replace("/orgs/github", f"/{kind}/{login}").replace(
            "/users/github", f"/users/{login}").replace("github.com/github", f"github.com/{login}")
        acct = json.loads(text)
        node_prefix = "Organization" if inst["type"] == "Organization" else "User"
        acct.update({"login": login, "id": aid, "type": inst["type"],
                     "node_id": base64.b64encode(f"0{len(node_prefix)}:{node_prefix}{aid}".encode()).decode(),
                     "avatar_url": f"https://avatars.githubusercontent.com/u/{aid}?v=4"})
        return acct

    def installation_json(self, inst: dict) -> dict:
        body = self.spec.example("installation")
        iid = inst["id"]
        settings = (f"https://github.com/organizations/{inst['account']}/settings/installations/{iid}"
                    if inst["type"] == "Organization" else f"https://github.com/settings/installations/{iid}")
        body.update({
            "id": iid, "account": self.account_json(inst),
            "repository_selection": inst["repository_selection"],
            "access_tokens_url": f"https://api.github.com/app/installations/{iid}/access_tokens",
            "html_url": settings, "app_id": self.app_id_int, "target_id": inst["account_id"],
            "target_type": inst["type"], "permissions": dict(inst["permissions"]),
            "events": ["workflow_job"], "app_slug": "runner-scaler-test",
            "single_file_name": None, "has_multiple_single_files": False, "single_file_paths": [],
            "suspended_at": "2024-01-01T00:00:00Z" if inst["suspended"] else None,
        })
        return body

    # ---------------------------------------------------------------- App (JWT) endpoints
    def get_app(self, req: Request) -> Response:
        return Response(200, {"id": self.app_id_int, "slug": "runner-scaler-test",
                              "client_id": str(self.args.client_id), "name": "runner-scaler test app",
                              "node_id": "MDM6QXBwMQ==", "permissions": DEFAULT_PERMISSIONS,
                              "events": ["workflow_job"], "installations_count": len(self.state.installations)})

    def list_installations(self, req: Request) -> Response:
        with self.state.lock:
            items = [self.installation_json(i) for i in sorted(self.state.installations.values(), key=lambda i: i["id"])]
        chunk, headers = self.paginate(req, items)
        return Response(200, chunk, headers)

    def create_access_token(self, req: Request) -> Response:
        iid = int(req.params["installation_id"])
        body = req.json or {}
        with self.state.lock:
            inst = self.state.installations.get(iid)
            if inst is None:
                return Response(404, gh_error(404, "Not Found", DOCS_APPS + "#create-an-installation-access-token-for-an-app"))
            if inst["suspended"]:
                return Response(403, gh_error(403, "This installation has been suspended", DOCS_APPS))
            granted = inst["permissions"]
            perms = dict(granted)
            if body.get("permissions"):
                # A token may narrow, never widen, the installation's permissions.
                for name, level in body["permissions"].items():
                    if PERMISSION_RANK.get(level, 99) > PERMISSION_RANK.get(granted.get(name, ""), 0):
                        return Response(422, gh_error(422, "The permissions requested are not granted to this installation.", DOCS_APPS))
                perms = dict(body["permissions"])
            token = "ghs_" + random_token(string.ascii_letters + string.digits, 36)
            expires = time.time() + self.state.token_ttl
            repos = list(body.get("repositories") or []) + [str(r) for r in body.get("repository_ids") or []]
            self.state.tokens[token] = {"installation_id": iid, "expires_at": expires,
                                        "issued_at": time.time(), "permissions": perms,
                                        "repositories": repos}
            self.state.tokens_issued += 1
            account = inst["account"]
            selection = "selected" if repos else inst["repository_selection"]
        resp = {"token": token, "expires_at": iso_z(expires), "permissions": perms,
                "repository_selection": selection}
        if repos:
            resp["repositories"] = [self._repository_json(account, r) for r in repos]
        return Response(201, resp)

    def _repository_json(self, owner: str, name: str) -> dict:
        # Shaped like the repository in examples/installation-token.json, renamed.
        repo = self.spec.example("installation-token")["repositories"][0]
        text = json.dumps(repo).replace("octocat/Hello-World", f"{owner}/{name}").replace(
            "/users/octocat", f"/users/{owner}").replace("github.com/octocat", f"github.com/{owner}")
        repo = json.loads(text)
        repo["name"] = name
        repo["full_name"] = f"{owner}/{name}"
        repo["id"] = int(hashlib.sha256(f"{owner}/{name}".lower().encode()).hexdigest()[:8], 16)
        repo["owner"]["login"] = owner
        return repo

    def get_org_installation(self, req: Request) -> Response:
        with self.state.lock:
            inst = self.state.installation_for_account(req.params["org"], ("Organization",))
            if inst is None:
                return Response(404, gh_error(404, "Not Found", DOCS_APPS + "#get-an-organization-installation-for-the-authenticated-app"))
            return Response(200, self.installation_json(inst))

    def get_repo_installation(self, req: Request) -> Response:
        with self.state.lock:
            inst = self.state.installation_for_account(req.params["owner"], ("Organization", "User"))
            if inst is None:
                return Response(404, gh_error(404, "Not Found", DOCS_APPS + "#get-a-repository-installation-for-the-authenticated-app"))
            return Response(200, self.installation_json(inst))

    # -- hook deliveries (not in the subset; GitHub REST docs) -------------------------
    @staticmethod
    def _delivery_sort_key(d: dict) -> tuple:
        try:
            ts = dt.datetime.fromisoformat(str(d.get("delivered_at")).replace("Z", "+00:00")).timestamp()
        except ValueError:
            ts = 0.0
        return (ts, d["id"])

    def list_deliveries(self, req: Request) -> Response:
        per_page, _ = self.paging(req)
        with self.state.lock:
            items = sorted(self.state.deliveries, key=self._delivery_sort_key, reverse=True)
        if req.q("redelivery") is not None:
            want = req.q("redelivery") == "true"
            items = [d for d in items if bool(d.get("redelivery")) == want]
        if req.q("status") in ("success", "failure"):
            ok = req.q("status") == "success"
            items = [d for d in items if (200 <= int(d.get("status_code") or 0) < 300) == ok]
        start = 0
        cursor = req.q("cursor")
        if cursor:
            # The cursor names the first delivery of the page (opaque to clients).
            m = re.fullmatch(r"v1_([0-9]+)", cursor)
            ids = [d["id"] for d in items]
            if not m or int(m.group(1)) not in ids:
                return Response(422, gh_error(422, "Invalid cursor", DOCS + "/apps/webhooks#list-deliveries-for-an-app-webhook"))
            start = ids.index(int(m.group(1)))
        page = [self._delivery_public(d) for d in items[start:start + per_page]]
        headers = {}
        if start + per_page < len(items):
            nxt = items[start + per_page]["id"]
            others = [(k, v) for k, vs in req.query.items() if k != "cursor" for v in vs]
            qs = urllib.parse.urlencode(others + [("cursor", f"v1_{nxt}")])
            headers["Link"] = f'<{self.base_url(req)}{req.path}?{qs}>; rel="next"'
        return Response(200, page, headers)

    @staticmethod
    def _delivery_public(d: dict) -> dict:
        keys = ("id", "guid", "delivered_at", "redelivery", "duration", "status", "status_code",
                "event", "action", "installation_id", "repository_id", "throttled_at")
        return {k: d.get(k) for k in keys}

    def get_delivery(self, req: Request) -> Response:
        did = int(req.params["delivery_id"])
        with self.state.lock:
            d = next((d for d in self.state.deliveries if d["id"] == did), None)
        if d is None:
            return Response(404, gh_error(404, "Not Found", DOCS + "/apps/webhooks#get-a-delivery-for-an-app-webhook"))
        out = self._delivery_public(d)
        out.update({"url": d.get("url", "https://runner-scaler.example.com/webhook"),
                    "request": d.get("request", {"headers": {"X-GitHub-Event": d.get("event")}, "payload": {}}),
                    "response": d.get("response", {"headers": {}, "payload": ""})})
        return Response(200, out)

    def redeliver(self, req: Request) -> Response:
        did = int(req.params["delivery_id"])
        with self.state.lock:
            orig = next((d for d in self.state.deliveries if d["id"] == did), None)
            if orig is None:
                return Response(404, gh_error(404, "Not Found", DOCS + "/apps/webhooks#redeliver-a-delivery-for-an-app-webhook"))
            self.state.redeliveries.append(did)
            new = dict(orig)
            new.update({"id": self.state.next_delivery_id, "redelivery": True,
                        "delivered_at": iso_z(time.time()), "status": "OK", "status_code": 200,
                        "duration": 0.05, "throttled_at": None})
            self.state.next_delivery_id += 1
            self.state.deliveries.append(new)
        return Response(202, {})

    # ---------------------------------------------------------------- runners
    def generate_jitconfig(self, req: Request) -> Response:
        body = req.json
        scope = self.scope_of(req)
        name = body["name"]
        docs = DOCS_RUNNERS + "#create-configuration-for-a-just-in-time-runner-for-an-organization"
        if not name.strip():
            self._violation(req, ["name must not be empty"])
            return Response(422, gh_error(422, "Invalid request.\n\nname must not be empty", docs,
                                          errors=["name must not be empty"]))
        with self.state.lock:
            group_id = body["runner_group_id"]
            if scope.startswith("repos/"):
                groups = [{"id": 1, "name": "Default"}]  # repositories only have the default group
            else:
                groups = self.state.groups(scope)
            group = next((g for g in groups if g["id"] == group_id), None)
            if group is None:
                log(f"jitconfig: runner group {group_id} unknown in {scope} (seed it via /_control/runner-groups)")
                return Response(404, gh_error(404, "Not Found", docs))
            if self.state.find_runner(scope, name=name):
                return Response(409, gh_error(409, f"Already exists - A runner with the name '{name}' already exists.", docs))
            runner = {"id": self.state.next_runner_id, "name": name, "os": "unknown", "status": "offline",
                      "busy": False, "labels": list(body["labels"]), "runner_group_id": group_id,
                      "work_folder": body.get("work_folder", "_work"), "jit": True,
                      "created_at": iso_z(time.time()), "installation_id": req.installation_id}
            self.state.next_runner_id += 1
            self.state.runners.setdefault(scope, []).append(runner)
            rj = self.runner_json(runner)
        return Response(201, {"runner": rj, "encoded_jit_config": self._encoded_jit_config(scope, runner, group)})

    @staticmethod
    def _encoded_jit_config(scope: str, runner: dict, group: dict) -> str:
        """Base64 of a JSON object shaped like GitHub's: each of '.runner', '.credentials' and
        '.credentials_rsaparams' holds base64 JSON. Contents are fake (no real secrets)."""
        kind, _, rest = scope.partition("/")
        gh_url = "https://github.com/" + (f"enterprises/{rest}" if kind == "enterprises" else rest)

        def b64j(o: Any) -> str:
            return base64.b64encode(json.dumps(o).encode()).decode()

        blob = {
            ".runner": b64j({"AgentId": runner["id"], "AgentName": runner["name"], "PoolId": group["id"],
                             "PoolName": group["name"], "DisableUpdate": True, "Ephemeral": True,
                             "ServerUrl": "https://pipelines.actions.githubusercontent.com/fake-github/",
                             "GitHubUrl": gh_url, "WorkFolder": runner["work_folder"],
                             "Labels": runner["labels"], "Fake": True}),
            ".credentials": b64j({"Scheme": "OAuth", "Data": {
                "ClientId": str(uuid.uuid4()),
                "AuthorizationUrl": "https://vstoken.actions.githubusercontent.com/fake-github/oauth2/token",
                "RequireFipsCryptography": "False"}}),
            ".credentials_rsaparams": b64j({"Fake": "TEST-ONLY - not an RSA key"}),
        }
        return base64.b64encode(json.dumps(blob).encode()).decode()

    def _runner_token(self, req: Request, kind: str) -> Response:
        token = random_token(string.ascii_uppercase + "234567", 29)
        expires = time.time() + 3600
        with self.state.lock:
            self.state.registration_tokens.append({"kind": kind, "scope": self.scope_of(req),
                                                   "token_sha256": hashlib.sha256(token.encode()).hexdigest(),
                                                   "expires_at": iso_ms_offset(expires)})
        return Response(201, {"token": token, "expires_at": iso_ms_offset(expires)})

    def registration_token(self, req: Request) -> Response:
        return self._runner_token(req, "registration")

    def remove_token(self, req: Request) -> Response:
        return self._runner_token(req, "remove")

    def list_runners(self, req: Request) -> Response:
        scope = self.scope_of(req)
        with self.state.lock:
            runners = sorted(self.state.runners.get(scope, []), key=lambda r: r["id"])
            name = req.q("name")
            if name is not None:
                runners = [r for r in runners if r["name"].lower() == name.lower()]
            page, headers = self.paginate(req, runners)
            body = {"total_count": len(runners), "runners": [self.runner_json(r) for r in page]}
        return Response(200, body, headers)

    def get_runner(self, req: Request) -> Response:
        with self.state.lock:
            r = self.state.find_runner(self.scope_of(req), runner_id=int(req.params["runner_id"]))
            if r is None:
                return Response(404, gh_error(404, "Not Found", DOCS_RUNNERS))
            return Response(200, self.runner_json(r))

    def delete_runner(self, req: Request) -> Response:
        scope = self.scope_of(req)
        with self.state.lock:
            r = self.state.find_runner(scope, runner_id=int(req.params["runner_id"]))
            if r is None:
                return Response(404, gh_error(404, "Not Found", DOCS_RUNNERS))
            if r["busy"]:
                # What GitHub answers when a runner is mid-job.
                return Response(422, gh_error(422, f"Bad request - Runner \"{r['name']}\" is still running a job\"", DOCS_RUNNERS))
            self.state.runners[scope].remove(r)
        return Response(204)

    def list_runner_groups(self, req: Request) -> Response:
        scope = self.scope_of(req)
        org = req.params["org"]
        with self.state.lock:
            groups = self.state.groups(scope)
        items = []
        for g in groups:
            item = {"id": g["id"], "name": g["name"], "visibility": g.get("visibility", "all"),
                    "default": g["id"] == 1,
                    "runners_url": f"https://api.github.com/orgs/{org}/actions/runner_groups/{g['id']}/runners",
                    "inherited": bool(g.get("inherited", False)),
                    "allows_public_repositories": bool(g.get("allows_public_repositories", g["id"] == 1)),
                    "restricted_to_workflows": bool(g.get("restricted_to_workflows", False)),
                    "selected_workflows": list(g.get("selected_workflows", [])),
                    "workflow_restrictions_read_only": False}
            if item["visibility"] == "selected":
                item["selected_repositories_url"] = f"https://api.github.com/orgs/{org}/actions/runner_groups/{g['id']}/repositories"
            items.append(item)
        page, headers = self.paginate(req, items)
        return Response(200, {"total_count": len(items), "runner_groups": page}, headers)

    def get_job(self, req: Request) -> Response:
        owner, repo, job_id = req.params["owner"], req.params["repo"], int(req.params["job_id"])
        with self.state.lock:
            seeded = self.state.jobs.get((f"{owner}/{repo}".lower(), job_id))
        if seeded is None:
            return Response(404, gh_error(404, "Not Found", DOCS + "/actions/workflow-jobs#get-a-job-for-a-workflow-run"))
        return Response(200, self.job_json(owner, repo, seeded))

    def job_json(self, owner: str, repo: str, j: dict) -> dict:
        # Shaped like examples/job.json, plus workflow_name/head_branch which the schema
        # requires but the example lacks.
        body = self.spec.example("job")
        run_id = int(j.get("run_id", body["run_id"]))
        jid = int(j["id"])
        body.update({
            "id": jid, "run_id": run_id, "run_attempt": int(j.get("run_attempt", 1)),
            "run_url": f"https://api.github.com/repos/{owner}/{repo}/actions/runs/{run_id}",
            "node_id": base64.b64encode(f"08:CheckRun{jid}".encode()).decode(),
            "url": f"https://api.github.com/repos/{owner}/{repo}/actions/jobs/{jid}",
            "html_url": f"https://github.com/{owner}/{repo}/actions/runs/{run_id}/job/{jid}",
            "check_run_url": f"https://api.github.com/repos/{owner}/{repo}/check-runs/{jid}",
            "workflow_name": j.get("workflow_name", "CI"), "head_branch": j.get("head_branch", "main"),
        })
        status = j.get("status", "queued")
        defaults = {
            "status": status,
            "conclusion": j.get("conclusion", None),
            "started_at": body["started_at"],
            "completed_at": body["completed_at"] if status == "completed" else None,
            "name": body["name"], "labels": ["self-hosted"], "steps": [],
            "runner_id": None, "runner_name": None, "runner_group_id": None, "runner_group_name": None,
        }
        for k, v in defaults.items():
            body[k] = j.get(k, v)
        return body


# --------------------------------------------------------------------------------------
# Control API (/_control/...): no auth, never under the prefix
# --------------------------------------------------------------------------------------


class ControlError(Exception):
    pass


class ControlAPI:
    """Endpoints (all JSON):

    POST   /_control/reset                  back to the start-up state (everything below cleared)
    GET    /_control/state                  runners per scope, tokens, installations, groups,
                                            jobs, deliveries, faults, spec_violations, ...
    GET    /_control/requests[?since=SEQ]   {"count", "requests": [...]} request log (not /_control)
    DELETE /_control/requests               clear the request log
    GET    /_control/faults                 pending fault rules
    POST   /_control/faults                 append rule(s): a list or one object
    DELETE /_control/faults                 drop all rules
    POST   /_control/runners                seed/patch runner(s) by (scope, name)
    POST   /_control/installations          seed installation(s) {id, account, type, ...}
    POST   /_control/runner-groups          seed group(s) {org|enterprise, id, name, ...}
    POST   /_control/jobs                   seed job(s) {repo: "owner/name", id, status, ...}
    POST   /_control/deliveries             seed hook deliveries (items as GitHub lists them)
    GET    /_control/redeliveries           {"delivery_ids": [...]} redelivered so far
    POST   /_control/tokens/expire          expire issued tokens ({installation_id} optional)
    """

    def __init__(self, app: FakeGitHub):
        self.app = app
        self.state = app.state

    def handle(self, method: str, path: str, query: dict, body: Any) -> Response:
        route = {
            ("POST", "/_control/reset"): self.reset,
            ("GET", "/_control/state"): self.get_state,
            ("GET", "/_control/requests"): self.get_requests,
            ("DELETE", "/_control/requests"): self.clear_requests,
            ("GET", "/_control/faults"): self.get_faults,
            ("POST", "/_control/faults"): self.add_faults,
            ("DELETE", "/_control/faults"): self.clear_faults,
            ("POST", "/_control/runners"): self.seed_runners,
            ("POST", "/_control/installations"): self.seed_installations,
            ("POST", "/_control/runner-groups"): self.seed_groups,
            ("POST", "/_control/jobs"): self.seed_jobs,
            ("POST", "/_control/deliveries"): self.seed_deliveries,
            ("GET", "/_control/redeliveries"): self.get_redeliveries,
            ("POST", "/_control/tokens/expire"): self.expire_tokens,
        }.get((method, path.rstrip("/")))
        if route is None:
            return Response(404, {"error": f"no control endpoint {method} {path}"})
        try:
            with self.state.lock:
                return route(query, body)
        except (ControlError, ValueError, KeyError, TypeError) as e:
            return Response(400, {"error": f"{type(e).__name__}: {e}"})

    @staticmethod
    def _items(body: Any) -> list[dict]:
        if isinstance(body, dict):
            return [body]
        if isinstance(body, list) and all(isinstance(x, dict) for x in body):
            return body
        raise ControlError("body must be a JSON object or a list of objects")

    def reset(self, query: dict, body: Any) -> Response:
        self.state.reset()
        return Response(200, {"ok": True})

    def get_state(self, query: dict, body: Any) -> Response:
        s = self.state
        runners = {scope: [dict(self.app.runner_json(r), jit=r.get("jit", False),
                                work_folder=r.get("work_folder")) for r in rs]
                   for scope, rs in s.runners.items()}
        now = time.time()
        return Response(200, {
            "runners": runners,
            "tokens_issued": s.tokens_issued,
            "tokens": [{"installation_id": t["installation_id"], "expires_at": iso_z(t["expires_at"]),
                        "expired": t["expires_at"] <= now,
                        "sha256": hashlib.sha256(tok.encode()).hexdigest(),
                        "permissions": t["permissions"], "repositories": t["repositories"]}
                       for tok, t in s.tokens.items()],
            "runner_tokens_issued": len(s.registration_tokens),
            "runner_tokens": s.registration_tokens,
            "installations": [{k: v for k, v in i.items()} for i in s.installations.values()],
            "runner_groups": {k: s.groups(k) for k in sorted(set(s.runner_groups) | {k for k in s.runners if not k.startswith("repos/")})},
            "jobs": [dict(j, repo=repo) for (repo, _), j in s.jobs.items()],
            "deliveries": len(s.deliveries),
            "redeliveries": list(s.redeliveries),
            "faults": self._public_faults(),
            "requests": len(s.requests),
            "spec_violations": list(s.spec_violations),
            "response_violations": list(s.response_violations),
            "token_ttl": s.token_ttl,
            "prefix": self.app.prefix,
        })

    def get_requests(self, query: dict, body: Any) -> Response:
        since = int((query.get("since") or ["0"])[0])
        reqs = [r for r in self.state.requests if r["seq"] > since]
        return Response(200, {"count": len(reqs), "requests": reqs})

    def clear_requests(self, query: dict, body: Any) -> Response:
        self.state.requests.clear()
        return Response(200, {"ok": True})

    def _public_faults(self) -> list[dict]:
        return [{k: v for k, v in f.items() if not k.startswith("_")} for f in self.state.faults]

    def get_faults(self, query: dict, body: Any) -> Response:
        return Response(200, {"faults": self._public_faults()})

    def add_faults(self, query: dict, body: Any) -> Response:
        added = []
        for raw in self._items(body):
            status = raw.get("status")
            if status is not None and int(status) not in (500, 502, 503, 429, 403) and raw.get("body") is None:
                raise ControlError("status must be 500, 502, 503, 429, 403 or null (or give a body)")
            if status is None and not raw.get("delay_ms"):
                raise ControlError("a rule needs a status, a delay_ms, or both")
            count = raw.get("count", 1)
            count = 1 if count is None else int(count)
            if count == 0 or count < -1:
                raise ControlError("count must be >= 1, or -1 for every matching request")
            rule = {
                "id": secrets.token_hex(4),
                "method": (raw.get("method") or None),
                "path": str(raw.get("path") or ".*"),
                "status": int(status) if status is not None else None,
                "count": count,
                "retry_after": raw.get("retry_after"),
                "ratelimit_reset_in": raw.get("ratelimit_reset_in"),
                "delay_ms": raw.get("delay_ms"),
                "body": raw.get("body"),
                "hits": 0,
            }
            rule["_rx"] = re.compile(rule["path"])
            self.state.faults.append(rule)
            added.append({k: v for k, v in rule.items() if not k.startswith("_")})
        return Response(200, {"added": added})

    def clear_faults(self, query: dict, body: Any) -> Response:
        self.state.faults.clear()
        return Response(200, {"ok": True})

    def seed_runners(self, query: dict, body: Any) -> Response:
        out = []
        for item in self._items(body):
            scope = parse_scope(item["scope"])
            name = str(item["name"])
            r = self.state.find_runner(scope, name=name)
            if r is None:
                r = {"id": int(item.get("id") or self.state.next_runner_id), "name": name, "os": "linux",
                     "status": "online", "busy": False, "labels": ["self-hosted", "linux", "x64"],
                     "runner_group_id": 1, "work_folder": "_work", "jit": False,
                     "created_at": iso_z(time.time())}
                self.state.next_runner_id = max(self.state.next_runner_id, r["id"]) + 1
                self.state.runners.setdefault(scope, []).append(r)
            if item.get("delete"):
                self.state.runners[scope].remove(r)
                out.append({"scope": scope, "deleted": r["id"]})
                continue
            for k in ("status", "busy", "labels", "os", "runner_group_id"):
                if k in item:
                    r[k] = item[k]
            if r["status"] not in ("online", "offline"):
                raise ControlError("status must be online or offline")
            out.append(dict(self.app.runner_json(r), scope=scope))
        return Response(200, {"runners": out})

    def seed_installations(self, query: dict, body: Any) -> Response:
        return Response(200, {"installations": [self.state.add_installation(i) for i in self._items(body)]})

    def seed_groups(self, query: dict, body: Any) -> Response:
        out = []
        for g in self._items(body):
            if g.get("org"):
                scope = scope_key("orgs", g["org"])
            elif g.get("enterprise"):
                scope = scope_key("enterprises", g["enterprise"])
            else:
                raise ControlError("runner group needs 'org' or 'enterprise'")
            group = {k: v for k, v in g.items() if k not in ("org", "enterprise")}
            group["id"], group["name"] = int(g["id"]), str(g["name"])
            lst = self.state.runner_groups.setdefault(scope, [])
            lst[:] = [x for x in lst if x["id"] != group["id"]] + [group]
            out.append(dict(group, scope=scope))
        return Response(200, {"runner_groups": out})

    def seed_jobs(self, query: dict, body: Any) -> Response:
        out = []
        for j in self._items(body):
            repo = str(j["repo"]).lower()
            if repo.count("/") != 1:
                raise ControlError("job 'repo' must be OWNER/NAME")
            job = {k: v for k, v in j.items() if k != "repo"}
            job["id"] = int(j["id"])
            self.state.jobs[(repo, job["id"])] = job
            out.append(dict(job, repo=repo))
        return Response(200, {"jobs": out})

    def seed_deliveries(self, query: dict, body: Any) -> Response:
        out = []
        for d in self._items(body):
            item = {"guid": str(uuid.uuid4()), "delivered_at": iso_z(time.time()), "redelivery": False,
                    "duration": 0.03, "status": "OK", "status_code": 200, "event": "workflow_job",
                    "action": "queued", "installation_id": None, "repository_id": None, "throttled_at": None}
            item.update(d)
            if "id" not in d:
                item["id"] = self.state.next_delivery_id
            item["id"] = int(item["id"])
            self.state.next_delivery_id = max(self.state.next_delivery_id, item["id"] + 1)
            self.state.deliveries = [x for x in self.state.deliveries if x["id"] != item["id"]] + [item]
            out.append(item)
        return Response(200, {"deliveries": out})

    def get_redeliveries(self, query: dict, body: Any) -> Response:
        return Response(200, {"delivery_ids": list(self.state.redeliveries)})

    def expire_tokens(self, query: dict, body: Any) -> Response:
        iid = (body or {}).get("installation_id") if isinstance(body, dict) else None
        n = 0
        for t in self.state.tokens.values():
            if iid is None or t["installation_id"] == int(iid):
                t["expires_at"] = time.time() - 1
                n += 1
        return Response(200, {"expired": n})


# --------------------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 so the client's connection reuse works; every response carries
    # Content-Length (except 204, where RFC 9110 forbids it).
    protocol_version = "HTTP/1.1"
    app: FakeGitHub  # set on the subclass in main()

    def version_string(self) -> str:
        return "GitHub.com"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log(f"{self.address_string()} {format % args}")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_GET

    def _dispatch(self) -> None:
        app = self.app
        parsed = urllib.parse.urlsplit(self.path)
        raw_path = parsed.path
        body_bytes = self._read_body()
        # ---- control API: outside the prefix, not logged
        if raw_path.startswith("/_control/") or raw_path == "/_control":
            try:
                body = json.loads(body_bytes) if body_bytes else None
            except ValueError as e:
                self._send(Response(400, {"error": f"body is not JSON: {e}"}), {})
                return
            resp = app.control.handle(self.command, raw_path, urllib.parse.parse_qs(parsed.query), body)
            self._send(resp, {})
            return
        # ---- GitHub API
        if app.prefix:
            route_path = raw_path[len(app.prefix):] if raw_path.startswith(app.prefix + "/") else None
        else:
            route_path = raw_path
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        req = Request(self.command, raw_path, route_path, parsed.query, self.headers, body_bytes, host)
        entry = self._log_entry(req)
        api_version = self.headers.get("X-GitHub-Api-Version")
        try:
            if api_version is not None and api_version != API_VERSION:
                # What GitHub does for an unknown version; a missing header is served
                # (GitHub defaults to 2022-11-28) and only recorded.
                resp = Response(400, gh_error(400, f"API version {api_version} is not supported.",
                                              DOCS + "/overview/api-versions"))
            else:
                resp = app.handle(req, entry)
        except Exception:  # a bug in the fake: answer 500 and say so loudly
            log("FAKE BUG:\n" + traceback.format_exc())
            resp = Response(500, gh_error(500, "fake_github internal error (see its stderr)"))
        entry["status"] = resp.status
        self._send(resp, self._rate_headers(req, entry))

    def _log_entry(self, req: Request) -> dict:
        headers: dict[str, Any] = {h: self.headers.get(h) for h in LOGGED_HEADERS}
        auth = self.headers.get("Authorization")
        if auth:
            scheme, _, cred = auth.strip().partition(" ")
            headers["authorization"] = {"scheme": scheme,
                                        "sha256": hashlib.sha256(cred.strip().encode()).hexdigest()}
        else:
            headers["authorization"] = None
        body: Any = req.json if req.json_error is None else req.body_bytes.decode("utf-8", "replace")
        with self.app.state.lock:
            entry = {
                "seq": self.app.state.next_seq, "time": iso_z(time.time()), "method": req.method,
                "path": req.raw_path, "query": {k: v[-1] for k, v in req.query.items()},
                "raw_query": req.query_string, "headers": headers,
                "api_version_missing": self.headers.get("X-GitHub-Api-Version") is None,
                "body": body, "operation": None, "auth": None, "fault": None, "status": None,
            }
            self.app.state.next_seq += 1
            self.app.state.requests.append(entry)
        return entry

    def _rate_headers(self, req: Request, entry: dict) -> dict:
        auth = entry.get("auth") or {}
        if auth.get("installation_id") is not None:
            bucket = f"installation:{auth['installation_id']}"
        elif auth.get("kind") == "jwt":
            bucket = "app"
        else:
            bucket = "anonymous"
        limit = RATE_LIMIT if bucket != "anonymous" else 60
        with self.app.state.lock:
            b = self.app.state.rate(bucket)
            used, reset = b["used"], b["reset"]
        return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(max(limit - used, 0)),
                "x-ratelimit-reset": str(reset), "x-ratelimit-used": str(used),
                "x-ratelimit-resource": "core"}

    def _send(self, resp: Response, base_headers: dict) -> None:
        headers = dict(base_headers)
        headers.update(resp.headers)  # fault headers (e.g. remaining 0) override the defaults
        data = b""
        if resp.status != 204 and resp.body is not None:
            data = json.dumps(resp.body, separators=(",", ":")).encode()
        self.send_response(resp.status)
        if resp.status != 204:
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
        self.send_header("X-GitHub-Api-Version-Selected", API_VERSION)
        self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
        self.send_header("X-GitHub-Request-Id", secrets.token_hex(8).upper())
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The stdlib default backlog of 5 resets connections when a client opens many at once.
    request_queue_size = 128


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    repo_root = Path(__file__).resolve().parents[2]
    p = argparse.ArgumentParser(description="Fake GitHub REST API (runner subset) for tests.",
                                epilog=ControlAPI.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = pick a free one)")
    p.add_argument("--prefix", default="", help="serve under this path prefix, e.g. /api/v3 (GHES)")
    p.add_argument("--token-ttl", type=int, default=3600, help="installation token lifetime, seconds")
    p.add_argument("--app-id", default="123456",
                   help="App ID accepted as JWT iss (default: the vectors file's 123456)")
    p.add_argument("--client-id", default="Iv1.0123456789abcdef",
                   help="client ID also accepted as JWT iss (default: the vectors file's)")
    p.add_argument("--app-public-key", default=None,
                   help="PEM public key for JWT verification (default: TEST-ONLY key in the vectors file)")
    p.add_argument("--conformance", default=str((repo_root / ".." / "shared" / "conformance").resolve()),
                   help="conformance data directory (default: ../shared/conformance from the repo root)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.prefix and not args.prefix.startswith("/"):
        args.prefix = "/" + args.prefix
    if not (Path(args.conformance) / "github" / "rest-api").is_dir():
        log(f"conformance directory not found: {args.conformance} (use --conformance DIR)")
        return 2
    app = FakeGitHub(args)
    handler = type("BoundHandler", (Handler,), {"app": app})
    server = Server(("127.0.0.1", args.port), handler)
    port = server.server_address[1]

    def stop(signum: int, frame: Any) -> None:
        # shutdown() blocks until serve_forever() returns, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write(f"LISTENING {port}\n")
    sys.stdout.flush()
    log(f"serving on 127.0.0.1:{port} prefix={args.prefix or '(none)'} app_id={args.app_id} "
        f"client_id={args.client_id} token_ttl={args.token_ttl}s conformance={args.conformance}")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
