#!/usr/bin/env python3
"""Self-check for fake_metal.py: spawn it, drive it over HTTP, and assert.

    python3 Tests/Peers/check_fake_metal.py [--spec PATH] [-v]

Exits 0 on success. On failure it exits 1 and prints the fake's stderr.

The fake's job is to say whether the Swift client's requests match the spec,
so the fake's own answers have to match the spec too. This check therefore
validates every API response body it receives against the response schema
that the spec gives for that operation and status code (Device, DeviceList,
Project, Error). The check builds its own validator rather than reusing the
fake's. The one thing it borrows from fake_metal is the "undeclared property"
walker, used to catch keys that the fake made up. That walker's request-side
use is tested separately below.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import jsonschema

HERE = Path(__file__).resolve().parent
FAKE = HERE / "fake_metal.py"
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # leave no __pycache__ next to the sources
import fake_metal  # noqa: E402  (only for Spec.unknown_properties and the default spec path)

TOKEN = "check-token-1"
PROJECT = "0b8a4f8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
SPEC_URI = "urn:check-fake-metal:openapi"
VERBOSE = False


def say(msg: str) -> None:
    if VERBOSE:
        print(msg, flush=True)


# --------------------------------------------------------------------------
# Independent response validation
# --------------------------------------------------------------------------

class ResponseChecker:
    def __init__(self, spec_path: Path):
        with open(spec_path, encoding="utf-8") as f:
            self.doc = json.load(f)
        # The subset has no `nullable`. If a newer spec adds one, this check
        # would need the same rewrite the fake does, so fail loudly.
        assert '"nullable"' not in json.dumps(self.doc), "spec uses nullable: teach ResponseChecker about it"
        fc = jsonschema.FormatChecker(formats=())
        fc.checks("uuid")(lambda v: not isinstance(v, str) or bool(
            re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", v)))
        # The fake's own timestamps must be strict RFC 3339 with an offset.
        fc.checks("date-time")(lambda v: not isinstance(v, str) or bool(
            re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", v)))
        self.fc = fc
        try:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT4
            self.kw = {"registry": Registry().with_resource(SPEC_URI, Resource(contents=self.doc,
                                                                                specification=DRAFT4))}
        except ImportError:
            self.kw = {"resolver": jsonschema.RefResolver(base_uri=SPEC_URI, referrer=self.doc)}
        self.routes = [(re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(t)) + "$"), t)
                       for t in self.doc["paths"]]
        self.walker = fake_metal.Spec(spec_path)
        self.validated = 0
        self.by_schema: dict[str, int] = {}

    def schema_ref(self, method: str, api_path: str, status: int) -> str | None:
        for rx, template in self.routes:
            if rx.match(api_path):
                op = self.doc["paths"][template].get(method.lower())
                if op is None:
                    break
                resp = op["responses"].get(str(status))
                if resp is None:
                    break
                content = resp.get("content", {}).get("application/json")
                return content["schema"]["$ref"] if content else None
        # No response declared for this status (a 405, or an injected 429, 500
        # or 503). The spec's Error description says it covers "4xx and 5xx
        # HTTP responses", so validate against Error.
        if status >= 400:
            return "#/components/schemas/Error"
        raise AssertionError(f"spec declares no {status} response for {method} {api_path}")

    def check(self, method: str, api_path: str, status: int, raw: bytes, ctype: str | None):
        ref = self.schema_ref(method, api_path, status)
        if ref is None:  # e.g. 204 No Content
            assert raw == b"", f"{method} {api_path} {status}: expected an empty body, got {raw[:200]!r}"
            return None
        assert ctype and ctype.split(";")[0].strip() == "application/json", f"Content-Type {ctype!r}"
        body = json.loads(raw)
        v = jsonschema.Draft4Validator({"$ref": SPEC_URI + ref}, format_checker=self.fc, **self.kw)
        errs = [f"{e.json_path}: {e.message}" for e in v.iter_errors(body)]
        unknown = self.walker.unknown_properties(body, {"$ref": ref})
        assert not errs and not unknown, \
            f"{method} {api_path} {status} body breaks {ref}: {errs + unknown}\n{json.dumps(body)[:800]}"
        if ref.endswith("/Error"):
            # Either key may be set per the spec; the fake promises "errors".
            assert isinstance(body.get("errors"), list) and body["errors"], f"Error body without errors: {body}"
        self.validated += 1
        name = ref.rsplit("/", 1)[-1]
        self.by_schema[name] = self.by_schema.get(name, 0) + 1
        return body


# --------------------------------------------------------------------------
# Process and HTTP helpers
# --------------------------------------------------------------------------

class Fake:
    def __init__(self, spec: Path, checker: ResponseChecker, *args: str):
        self.checker = checker
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, str(FAKE), "--port", "0", "--spec", str(spec), *args],
                                     stdout=subprocess.PIPE, stderr=self.stderr)
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        assert ready, "fake printed nothing within 15 s"
        line = self.proc.stdout.readline().decode()
        m = re.fullmatch(r"LISTENING (\d+)\n", line)
        assert m, f"first stdout line should be 'LISTENING <port>', got {line!r}"
        self.port = int(m.group(1))
        assert self.port > 0
        self.root = f"http://127.0.0.1:{self.port}"
        self.prefix = next((a for i, a in enumerate(args) if i and args[i - 1] == "--prefix"), "/metal/v1")

    def log(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("fake did not exit within 10 s of SIGTERM")
        return self.proc.returncode

    # -- requests -----------------------------------------------------------

    def raw(self, method: str, url: str, body=None, headers=None, data: bytes | None = None):
        hdrs = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def api(self, method: str, path: str, body=None, *, token: str | None = TOKEN, expect: int,
            query: dict | None = None, headers=None, data: bytes | None = None, href: str | None = None):
        """One API call. Asserts the status and validates the body against the spec."""
        if href is not None:  # a meta link: resolve it against the host root like a client would
            url = urllib.parse.urljoin(self.root + "/", href)
        else:
            url = self.root + self.prefix + path + ("?" + urllib.parse.urlencode(query) if query else "")
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["X-Auth-Token"] = token
        status, rh, raw = self.raw(method, url, body, hdrs, data)
        say(f"  {method} {url} -> {status}")
        assert status == expect, f"{method} {url}: expected {expect}, got {status}: {raw[:500]!r}"
        api_path = urllib.parse.urlsplit(url).path
        if self.prefix and api_path.startswith(self.prefix + "/"):
            api_path = api_path[len(self.prefix):]
        parsed = self.checker.check(method, api_path, status, raw, rh.get("Content-Type"))
        if status != 204:
            assert rh.get("Content-Length") == str(len(raw)), "every non-204 reply needs a Content-Length"
        return parsed, rh

    def control(self, method: str, path: str, body=None, expect: int = 200):
        status, _, raw = self.raw(method, self.root + "/_control" + path, body)
        assert status == expect, f"control {method} {path}: expected {expect}, got {status}: {raw[:300]!r}"
        return json.loads(raw) if raw else None

    def violations(self) -> list:
        return self.control("GET", "/state")["spec_violations"]


class Violations:
    """Counts the violations a test provoked on purpose, so any other violation is caught."""

    def __init__(self, fake: Fake):
        self.fake, self.expected = fake, len(fake.violations())

    def expect(self, kind: str, *fragments: str) -> dict:
        got = self.fake.violations()
        self.expected += 1
        assert len(got) == self.expected, f"expected {self.expected} violations, have {len(got)}: {got[-3:]}"
        last = got[-1]
        assert last["kind"] == kind, f"violation kind {last['kind']!r}, wanted {kind!r}: {last}"
        text = " | ".join(last["errors"])
        for frag in fragments:
            assert frag in text, f"violation errors {last['errors']} should mention {frag!r}"
        return last

    def none_new(self) -> None:
        got = self.fake.violations()
        assert len(got) == self.expected, f"unexpected spec violations: {got[self.expected:]}"


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------

def device_body(hostname: str, tags: list[str], **extra) -> dict:
    return {"metro": "da", "hostname": hostname, "plan": "c3.small.x86", "operating_system": "ubuntu_22_04",
            "tags": tags, **extra}


def check_prefixed(fake: Fake) -> None:
    v = Violations(fake)
    assert v.expected == 0, "a fresh fake has no violations"

    say("auth")
    body, _ = fake.api("GET", f"/projects/{PROJECT}", token=None, expect=401)
    assert body["errors"]
    body, _ = fake.api("GET", f"/projects/{PROJECT}", token="wrong-token", expect=401)
    fake.api("POST", f"/projects/{PROJECT}/devices", device_body("x", []), token=None, expect=401)
    assert not fake.control("GET", "/state")["devices"], "an unauthenticated create must not create anything"

    say("project")
    proj, _ = fake.api("GET", f"/projects/{PROJECT}", expect=200)
    assert proj["id"] == PROJECT and proj["href"] == f"/metal/v1/projects/{PROJECT}"
    fake.api("GET", f"/projects/{uuid.uuid4()}", expect=404)
    fake.api("POST", f"/projects/{uuid.uuid4()}/devices", device_body("x", []), expect=404)

    say("create in metro")
    userdata = "#!/bin/bash\necho runner > /tmp/hello\n"
    term = "2030-01-01T00:00:00Z"
    dev, _ = fake.api("POST", f"/projects/{PROJECT}/devices", device_body(
        "gh-runner-spot", ["runner-scaler", "pool:linux-x64"], userdata=userdata, spot_instance=True,
        spot_price_max=0.75, termination_time=term, billing_cycle="hourly",
        customdata={"job_id": 42}), expect=201)
    assert dev["hostname"] == "gh-runner-spot"
    assert dev["tags"] == ["runner-scaler", "pool:linux-x64"]
    assert dev["plan"]["slug"] == "c3.small.x86"
    assert dev["operating_system"]["slug"] == "ubuntu_22_04"
    assert dev["metro"]["code"] == "da" and dev["facility"]["metro"]["code"] == "da"
    assert dev["userdata"] == userdata and dev["customdata"] == {"job_id": 42}
    assert dev["spot_instance"] is True and dev["spot_price_max"] == 0.75
    assert dev["termination_time"] == term
    assert dev["state"] == "provisioning", "the 201 shows provisioning"
    assert dev["href"] == f"/metal/v1/devices/{dev['id']}"
    assert dev["project"]["href"] == f"/metal/v1/projects/{PROJECT}"
    uuid.UUID(dev["id"])
    got, _ = fake.api("GET", f"/devices/{dev['id']}", expect=200)
    assert got["state"] == "active", "with the default provisioning_reads=0 the first GET shows active"
    assert got["userdata"] == userdata
    v.none_new()

    say("create in facility (deprecated input form), on-demand defaults")
    dev2, _ = fake.api("POST", f"/projects/{PROJECT}/devices",
                       {"facility": ["any"], "plan": "m3.large.x86", "operating_system": "debian_12"}, expect=201)
    assert dev2["spot_instance"] is False and "spot_price_max" not in dev2 and dev2["tags"] == []
    assert dev2["hostname"], "the fake makes a hostname up when none is given"

    say("provisioning reads")
    fake.control("POST", "/config", {"provisioning_reads": 2})
    dev3, _ = fake.api("POST", f"/projects/{PROJECT}/devices", device_body("slow", ["slow"]), expect=201)
    states = [fake.api("GET", f"/devices/{dev3['id']}", expect=200)[0]["state"] for _ in range(3)]
    assert states == ["provisioning", "provisioning", "active"], states
    fake.control("POST", "/config", {"provisioning_reads": 0})
    forced = fake.control("POST", f"/devices/{dev3['id']}", {"state": "failed"})
    assert forced["state"] == "failed"
    assert fake.api("GET", f"/devices/{dev3['id']}", expect=200)[0]["state"] == "failed"
    v.none_new()

    say("spec-breaking bodies -> 422 + recorded")
    bad = device_body("bad", ["bad"])
    del bad["operating_system"]
    err, _ = fake.api("POST", f"/projects/{PROJECT}/devices", bad, expect=422)
    assert any("operating_system" in e for e in err["errors"]), err
    viol = v.expect("schema", "'operating_system' is a required property")
    assert viol["operation"] == "createDevice" and viol["body"] == bad
    fake.api("POST", f"/projects/{PROJECT}/devices", device_body("bad", "not-a-list"), expect=422)
    v.expect("schema", "$.tags")
    fake.api("POST", f"/projects/{PROJECT}/devices", device_body("bad", [], spot_price_max="0.5"), expect=422)
    v.expect("schema", "$.spot_price_max")
    fake.api("POST", f"/projects/{PROJECT}/devices", device_body("bad", [], facility="da11"), expect=422)
    v.expect("schema", "metro or facility, not both")
    fake.api("POST", f"/projects/{PROJECT}/devices",
             {"hostname": "x", "plan": "c3.small.x86", "operating_system": "ubuntu_22_04"}, expect=422)
    v.expect("schema", "'metro' is a required property", "'facility' is a required property")
    # The camelCase bug: spec-valid (it declares no additionalProperties) but caught in strict mode.
    fake.api("POST", f"/projects/{PROJECT}/devices", device_body("bad", [], spotInstance=True), expect=422)
    v.expect("schema", "'spotInstance' is not declared")
    fake.api("POST", f"/projects/{PROJECT}/devices",
             device_body("bad", [], ip_addresses=[{"address_family": 4, "public": False, "cdir": 30}]), expect=422)
    v.expect("schema", "$.ip_addresses[0]", "'cdir'")
    fake.api("POST", f"/projects/{PROJECT}/devices", device_body("bad", [], termination_time="next week"),
             expect=422)
    v.expect("schema", "date-time")
    fake.api("POST", f"/projects/{PROJECT}/devices", data=b"{not json", expect=422,
             headers={"Content-Type": "application/json"})
    v.expect("json", "not valid JSON")
    fake.api("POST", f"/projects/{PROJECT}/devices", data=json.dumps(device_body("bad", [])).encode(),
             headers={"Content-Type": "text/plain"}, expect=422)
    v.expect("content_type", "text/plain")
    fake.api("GET", "/devices/not-a-uuid", expect=422)
    v.expect("parameters", "'not-a-uuid' is not a 'uuid'")
    fake.api("DELETE", f"/devices/{dev2['id']}", query={"force_delete": "1"}, expect=422)
    v.expect("parameters", "force_delete")
    fake.api("GET", f"/projects/{PROJECT}/devices", query={"per_page": "1001"}, expect=422)
    v.expect("parameters", "per_page")
    fake.api("GET", f"/projects/{PROJECT}/devices", query={"tags": "x"}, expect=422)
    v.expect("parameters", "'tags' is not defined")
    fake.api("GET", "/nowhere", expect=404)
    v.expect("route", "/nowhere")
    fake.api("PATCH", f"/devices/{dev2['id']}", {"hostname": "x"}, expect=405)
    v.expect("route", "PATCH")
    status, _, _ = fake.raw("GET", f"{fake.root}/projects/{PROJECT}", headers={"X-Auth-Token": TOKEN})
    assert status == 404, "without the prefix the path is not the API"
    v.expect("route", "outside the API prefix")
    # Rules that the spec only states in prose give a 422 but are not schema violations.
    fake.api("POST", f"/projects/{PROJECT}/devices",
             device_body("x", [], ip_addresses=[{"address_family": 4, "public": True}]), expect=422)
    v.none_new()
    assert len(fake.control("GET", "/state")["devices"]) == 3, "no rejected create may leave a device behind"

    say("pagination by tag and hostname")
    pool = "pool:paged"
    made = []
    for i in range(23):
        d, _ = fake.api("POST", f"/projects/{PROJECT}/devices", device_body(f"gh-runner-{i:02d}", [pool]),
                        expect=201)
        made.append(d["id"])
    for i in range(4):  # same hostname pattern, other tag: the tag filter must leave these out
        fake.api("POST", f"/projects/{PROJECT}/devices", device_body(f"gh-runner-x{i}", ["other"]), expect=201)
    page, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"tag": pool}, expect=200)
    seen, pages = [], 0
    while True:
        pages += 1
        meta = page["meta"]
        assert meta["total"] == 23 and meta["last_page"] == 3 and meta["current_page"] == pages, meta
        assert len(page["devices"]) == (10 if pages < 3 else 3), "default per_page is 10"
        assert all(pool in d["tags"] for d in page["devices"])
        assert meta["first"]["href"].startswith(f"/metal/v1/projects/{PROJECT}/devices?")
        assert ("previous" in meta) == (pages > 1)
        seen += [d["id"] for d in page["devices"]]
        if "next" not in meta:
            break
        assert "tag=pool%3Apaged" in meta["next"]["href"], "page links keep the filter"
        page, _ = fake.api("GET", "", href=meta["next"]["href"], expect=200)
    assert pages == 3 and seen == made, "pages in creation order, nothing lost or repeated"
    last, _ = fake.api("GET", "", href=meta["last"]["href"], expect=200)
    assert last["meta"]["current_page"] == 3
    big, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"tag": pool, "per_page": "1000"}, expect=200)
    assert len(big["devices"]) == 23 and "next" not in big["meta"]
    beyond, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"tag": pool, "page": "9"}, expect=200)
    assert beyond["devices"] == [] and beyond["meta"]["total"] == 23

    # hostname is a partial match per the spec ("Filter by partial hostname").
    hp, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"hostname": "gh-runner-1"}, expect=200)
    assert (hp["meta"]["total"], hp["meta"]["last_page"]) == (10, 1), hp["meta"]  # gh-runner-10..19
    hp2, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"hostname": "gh-runner-", "per_page": "5"},
                      expect=200)
    # 23 pool devices + 4 "other" + gh-runner-spot, in creation order with gh-runner-spot first.
    assert (hp2["meta"]["total"], hp2["meta"]["last_page"], len(hp2["devices"])) == (28, 6, 5), hp2["meta"]
    hp3, _ = fake.api("GET", "", href=hp2["meta"]["next"]["href"], expect=200)
    assert "hostname=gh-runner-" in hp2["meta"]["next"]["href"] and "per_page=5" in hp2["meta"]["next"]["href"]
    assert hp3["meta"]["current_page"] == 2
    assert [d["hostname"] for d in hp3["devices"]] == [f"gh-runner-{i:02d}" for i in range(4, 9)], \
        [d["hostname"] for d in hp3["devices"]]
    exact, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"hostname": "gh-runner-spot"}, expect=200)
    assert [d["id"] for d in exact["devices"]] == [dev["id"]]
    srch, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"search": "spot"}, expect=200)
    assert [d["id"] for d in srch["devices"]] == [dev["id"]]
    spot, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"type": "spot"}, expect=200)
    assert [d["id"] for d in spot["devices"]] == [dev["id"]]
    v.none_new()

    say("update")
    upd, _ = fake.api("PUT", f"/devices/{dev['id']}", {"tags": ["runner-scaler", "draining"], "locked": True},
                      expect=200)
    assert upd["tags"] == ["runner-scaler", "draining"] and upd["locked"] is True
    fake.api("PUT", f"/devices/{dev['id']}", {"plan": "x"}, expect=422)
    v.expect("schema", "'plan' is not declared")

    say("delete")
    err, _ = fake.api("DELETE", f"/devices/{dev['id']}", expect=422)  # locked: a 422 the spec allows
    assert "locked" in err["errors"][0]
    fake.api("PUT", f"/devices/{dev['id']}", {"locked": False}, expect=200)
    fake.api("DELETE", f"/devices/{dev['id']}", query={"force_delete": "true"}, expect=204)
    fake.api("GET", f"/devices/{dev['id']}", expect=404)
    fake.api("DELETE", f"/devices/{dev['id']}", expect=404)
    fake.api("DELETE", f"/devices/{made[0]}", query={"force_delete": "false"}, expect=204)
    fake.api("GET", f"/devices/{uuid.uuid4()}", expect=404)
    fake.api("DELETE", f"/devices/{uuid.uuid4()}", query={"force_delete": "true"}, expect=404)
    after, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"tag": pool, "per_page": "1000"}, expect=200)
    assert made[0] not in [d["id"] for d in after["devices"]] and after["meta"]["total"] == 22
    gone, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"hostname": "gh-runner-spot"}, expect=200)
    assert gone["devices"] == [] and gone["meta"]["total"] == 0 and gone["meta"]["last_page"] == 1
    deleted = {d["id"]: d for d in fake.control("GET", "/state")["deleted_devices"]}
    assert deleted[dev["id"]]["force_delete"] is True and deleted[made[0]]["force_delete"] is False
    v.none_new()

    say("read-only token")
    fake.control("POST", "/readonly-token", {"token": "read-only-token"})
    fake.api("GET", f"/projects/{PROJECT}/devices", token="read-only-token", expect=200)
    fake.api("POST", f"/projects/{PROJECT}/devices", device_body("ro", []), token="read-only-token", expect=403)
    fake.api("DELETE", f"/devices/{made[1]}", token="read-only-token", expect=403)
    fake.control("POST", "/readonly-token", {"token": None})
    fake.api("GET", f"/projects/{PROJECT}/devices", token="read-only-token", expect=401)

    say("faults")
    fake.control("POST", "/faults", {"status": 99}, expect=400)
    fake.control("POST", "/faults", {"path": "(", "status": 500}, expect=400)
    rules = fake.control("POST", "/faults", {"method": "POST", "path": r"^/projects/[^/]+/devices$", "status": 429,
                                            "retry_after": 2})["faults"]
    assert rules[0]["remaining"] == 1
    before = len(fake.control("GET", "/state")["devices"])
    err, hdrs = fake.api("POST", f"/projects/{PROJECT}/devices", device_body("rl", ["rl"]), expect=429)
    assert hdrs.get("Retry-After") == "2", f"429 needs Retry-After: 2, headers were {dict(hdrs)}"
    assert err["errors"]
    assert len(fake.control("GET", "/state")["devices"]) == before, "a 429 before the operation creates nothing"
    ok, _ = fake.api("POST", f"/projects/{PROJECT}/devices", device_body("rl", ["rl"]), expect=201)
    assert fake.control("GET", "/faults")["faults"][0]["hits"] == 1
    fake.control("DELETE", "/faults")
    fake.control("POST", "/faults", [
        {"method": "GET", "path": "^/devices/", "status": 503, "count": 2, "errors": ["maintenance"],
         "delay_ms": 50},
        {"method": "DELETE", "status": 500, "apply": "after"},
    ])
    t0 = time.monotonic()
    err, _ = fake.api("GET", f"/devices/{ok['id']}", expect=503)
    assert err == {"errors": ["maintenance"]} and time.monotonic() - t0 >= 0.05
    fake.api("GET", f"/devices/{ok['id']}", expect=503)
    fake.api("GET", f"/devices/{ok['id']}", expect=200)
    # apply=after: the delete happens, but the client only sees a 500. A retry then gets 404.
    fake.api("DELETE", f"/devices/{ok['id']}", expect=500)
    fake.api("DELETE", f"/devices/{ok['id']}", expect=404)
    fake.control("DELETE", "/faults")
    v.none_new()

    say("request log")
    reqs = fake.control("GET", "/requests")["requests"]
    dump = json.dumps(reqs)
    assert TOKEN not in dump and "read-only-token" not in dump and "wrong-token" not in dump, \
        "the request log must never contain a token"
    first = reqs[0]
    assert first["auth_present"] is False and first["auth_valid"] is False and first["status"] == 401
    assert reqs[1]["auth_present"] is True and reqs[1]["auth_valid"] is False
    creates = [r for r in reqs if r["method"] == "POST" and r["status"] == 201]
    assert creates[0]["body"]["spot_price_max"] == 0.75 and creates[0]["auth_valid"] is True
    assert any(r.get("fault") and r["status"] == 429 for r in reqs)
    dels = [r for r in reqs if r["method"] == "DELETE" and r["query"].get("force_delete") == ["true"]]
    assert dels, "query strings are recorded"
    since = fake.control("GET", f"/requests?since={reqs[-1]['seq']}")["requests"]
    assert since == []

    say("keep-alive over one connection")
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    sock = None
    for method, path, expect in [("GET", f"/projects/{PROJECT}", 200), ("DELETE", f"/devices/{made[2]}", 204),
                                 ("GET", f"/devices/{made[2]}", 404), ("GET", f"/projects/{PROJECT}", 401)]:
        hdrs = {} if expect == 401 else {"X-Auth-Token": TOKEN}
        conn.request(method, fake.prefix + path, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        assert resp.status == expect, (method, path, resp.status, raw)
        assert not resp.will_close, "the fake must keep the connection open"
        sock = sock or conn.sock
        assert conn.sock is sock, "the same socket is reused"
        fake.checker.check(method, path, resp.status, raw, resp.getheader("Content-Type"))
    conn.close()

    say("chunked request body")
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    payload = json.dumps(device_body("chunked", ["chunked"])).encode()
    conn.request("POST", f"{fake.prefix}/projects/{PROJECT}/devices", body=iter([payload[:20], payload[20:]]),
                 headers={"X-Auth-Token": TOKEN, "Content-Type": "application/json"}, encode_chunked=True)
    resp = conn.getresponse()
    raw = resp.read()
    assert resp.status == 201, raw
    fake.checker.check("POST", f"/projects/{PROJECT}/devices", 201, raw, resp.getheader("Content-Type"))
    conn.close()

    say("state validates as Device / Project; reset")
    st = fake.control("GET", "/state")
    for d in st["devices"]:
        d = {k: val for k, val in d.items() if k != "project_id"}  # project_id is control-only
        fake.checker.check("GET", f"/devices/{d['id']}", 200, json.dumps(d).encode(), "application/json")
    for p in st["projects"]:
        fake.checker.check("GET", f"/projects/{p['id']}", 200, json.dumps(p).encode(), "application/json")
    v.none_new()
    violations = fake.violations()
    assert len(violations) == v.expected
    fake.control("POST", "/reset")
    st = fake.control("GET", "/state")
    assert st["devices"] == [] and st["spec_violations"] == [] and st["deleted_devices"] == []
    assert fake.control("GET", "/requests")["requests"] == []


def check_legacy(fake: Fake) -> None:
    """--prefix '': served at the root like https://api.packet.net."""
    v = Violations(fake)
    proj, _ = fake.api("GET", f"/projects/{PROJECT}", expect=200)
    assert proj["href"] == f"/projects/{PROJECT}"
    dev, _ = fake.api("POST", f"/projects/{PROJECT}/devices",
                      device_body("legacy", ["legacy"], spot_instance=True, spot_price_max=1), expect=201)
    assert dev["href"] == f"/devices/{dev['id']}" and dev["project"]["href"] == f"/projects/{PROJECT}"
    lst, _ = fake.api("GET", f"/projects/{PROJECT}/devices", query={"tag": "legacy"}, expect=200)
    assert [d["id"] for d in lst["devices"]] == [dev["id"]]
    assert lst["meta"]["self"]["href"].startswith(f"/projects/{PROJECT}/devices?")
    fake.api("DELETE", f"/devices/{dev['id']}", query={"force_delete": "true"}, expect=204)
    v.none_new()
    status, _, _ = fake.raw("GET", f"{fake.root}/metal/v1/projects/{PROJECT}", headers={"X-Auth-Token": TOKEN})
    assert status == 404
    v.expect("route", "no path in the spec")
    # Control stays at /_control even without a prefix.
    assert fake.control("GET", "/state")["config"]["strict_unknown_properties"] is False
    fake.api("POST", f"/projects/{PROJECT}/devices", device_body("lenient", [], spotInstance=True), expect=201)
    v.none_new()


def main() -> int:
    global VERBOSE
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", type=Path, default=fake_metal.DEFAULT_SPEC)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose
    spec = args.spec.resolve()
    checker = ResponseChecker(spec)
    fakes = []
    try:
        fake = Fake(spec, checker, "--token", TOKEN, "--project-id", PROJECT)
        fakes.append(fake)
        say(f"prefixed fake on port {fake.port}")
        check_prefixed(fake)
        rc = fake.stop()
        assert rc == 0, f"SIGTERM should exit 0, got {rc}"

        legacy = Fake(spec, checker, "--prefix", "", "--token", TOKEN, "--project-id", PROJECT,
                      "--allow-unknown-properties")
        fakes.append(legacy)
        say(f"legacy fake on port {legacy.port}")
        check_legacy(legacy)
        rc = legacy.stop()
        assert rc == 0, f"SIGTERM should exit 0, got {rc}"
    except AssertionError as exc:
        import traceback
        traceback.print_exc()
        for f in fakes:
            f.stop()
            print(f"---- fake on port {f.port} stderr (tail) ----\n{f.log()[-4000:]}", file=sys.stderr)
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    finally:
        for f in fakes:
            if f.proc.poll() is None:
                f.proc.kill()
    counts = ", ".join(f"{k} {n}" for k, n in sorted(checker.by_schema.items()))
    print(f"OK: fake_metal self-check passed; {checker.validated} response bodies validated against the spec "
          f"({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
