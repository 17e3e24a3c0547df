#!/usr/bin/env python3
"""End-to-end self-check for fake_github.py (no pytest).

Spawns the fake (twice: plain and with --prefix /api/v3), talks to it with urllib /
http.client, and asserts. Exits 0 when everything passes, 1 on the first failure.

    python3 Tests/Peers/check_fake_github.py [--conformance DIR]

Set QUIET=1 to discard the fakes' stderr request logs.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import hashlib
import http.client
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

HERE = Path(__file__).resolve().parent
FAKE = HERE / "fake_github.py"
DEFAULT_CONFORMANCE = (HERE.parents[1] / ".." / "shared" / "conformance").resolve()
UA = "runner-scaler-selfcheck/1.0"


class CheckFailed(Exception):
    pass


def check(cond: bool, what: str) -> None:
    if not cond:
        raise CheckFailed(what)
    print(f"  ok  {what}")


# ----------------------------------------------------------------------------- process


class Fake:
    def __init__(self, conformance: Path, *extra: str):
        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE), "--port", "0", "--conformance", str(conformance), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if os.environ.get("QUIET") else None,
            text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        if not ready:
            self.stop()
            raise CheckFailed("fake did not print LISTENING within 15 s")
        line = self.proc.stdout.readline()
        parts = line.split()
        check(len(parts) == 2 and parts[0] == "LISTENING" and parts[1].isdigit(),
              f"first stdout line is 'LISTENING <port>' (got {line!r})")
        self.port = int(parts[1])
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return -9
        return self.proc.returncode


# ----------------------------------------------------------------------------- HTTP


class Resp:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def h(self, name: str) -> str | None:
        return self.headers.get(name)


def call(url: str, method: str = "GET", body=None, token: str | None = None, scheme: str = "Bearer",
         api_version: bool = True, headers: dict | None = None) -> Resp:
    hdrs = {"Accept": "application/vnd.github+json", "User-Agent": UA}
    if api_version:
        hdrs["X-GitHub-Api-Version"] = "2022-11-28"
    if token is not None:
        hdrs["Authorization"] = f"{scheme} {token}"
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    hdrs.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return Resp(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Resp(e.code, e.headers, e.read())


def control(fake: Fake, path: str, body=None, method: str | None = None) -> Resp:
    m = method or ("POST" if body is not None else "GET")
    r = call(fake.base + "/_control/" + path, m, body)
    if r.status != 200:
        raise CheckFailed(f"control {m} {path} -> {r.status} {r.raw!r}")
    return r


def parse_link(value: str | None) -> dict[str, str]:
    out = {}
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        url, _, rel = part.partition(";")
        out[rel.strip().removeprefix('rel="').removesuffix('"')] = url.strip()[1:-1]
    return out


# ----------------------------------------------------------------------------- JWT


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Signer:
    def __init__(self, vectors: dict):
        self.key = serialization.load_pem_private_key(vectors["private_key_pem_pkcs8"].encode(), None)

    def sign_input(self, signing_input: str) -> str:
        return b64url(self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()))

    def jwt(self, iss=123456, iat_off: int = -60, exp_off: int = 540, alg: str = "RS256", claims=None) -> str:
        now = int(time.time())
        header = b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
        c = claims if claims is not None else {"iat": now + iat_off, "exp": now + exp_off, "iss": iss}
        payload = b64url(json.dumps(c, separators=(",", ":")).encode())
        return f"{header}.{payload}.{self.sign_input(header + '.' + payload)}"


# ----------------------------------------------------------------------------- checks


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--conformance", default=str(DEFAULT_CONFORMANCE))
    args = ap.parse_args()
    conf = Path(args.conformance)
    vectors = json.loads((conf / "github/app-jwt/rs256-github-app-jwt-vectors.json").read_text())
    spec = json.loads((conf / "github/rest-api/github-runners-subset.openapi.json").read_text())
    signer = Signer(vectors)

    fakes: list[Fake] = []
    try:
        print("== signer sanity (vectors)")
        for case in vectors["cases"]:
            check(signer.sign_input(case["signing_input"]) == case["signature_b64url"],
                  f"local signer reproduces vector {case['name']}")

        print("== start fake")
        fake = Fake(conf)
        fakes.append(fake)
        run_main_checks(fake, signer, vectors, spec)

        print("== prefix mode (--prefix /api/v3)")
        pfake = Fake(conf, "--prefix", "/api/v3", "--token-ttl", "120")
        fakes.append(pfake)
        run_prefix_checks(pfake, signer)

        print("== --app-id / --client-id / --app-public-key")
        with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as f:
            f.write(vectors["public_key_pem"])
        try:
            kfake = Fake(conf, "--app-id", "12345", "--client-id", "Iv1.other", "--app-public-key", f.name)
            fakes.append(kfake)
            url = kfake.base + "/orgs/octo-org/installation"
            check(call(url, token=signer.jwt(iss=12345)).status == 200, "configured app id accepted")
            check(call(url, token=signer.jwt(iss="Iv1.other")).status == 200, "configured client id accepted")
            check(call(url, token=signer.jwt(iss=123456)).status == 401, "default app id no longer accepted")
        finally:
            os.unlink(f.name)

        print("== shutdown")
        for f in fakes:
            check(f.stop() == 0, f"SIGTERM stops fake on port {f.port} with exit code 0")
    except CheckFailed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    except Exception:
        traceback.print_exc()
        print("FAIL: unexpected error (above)", file=sys.stderr)
        return 1
    finally:
        for f in fakes:
            f.stop()
    print("ALL CHECKS PASSED")
    return 0


def response_schema(spec: dict, method: str, template: str, status: int) -> dict:
    resp = spec["paths"][template][method.lower()]["responses"][str(status)]
    while "$ref" in resp:
        node = spec
        for p in resp["$ref"][2:].split("/"):
            node = node[p]
        resp = node
    schema = dict(resp["content"]["application/json"]["schema"])
    schema["components"] = spec["components"]
    return schema


def nullable(node):
    """OpenAPI 3.0 `nullable: true` -> JSON Schema (independent of the fake's own copy)."""
    if isinstance(node, list):
        return [nullable(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: nullable(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def conforms(spec: dict, method: str, template: str, status: int, body) -> bool:
    schema = nullable(response_schema(spec, method, template, status))
    errs = list(jsonschema.Draft4Validator(schema).iter_errors(body))
    for e in errs:
        print("    schema:", e.message, list(e.absolute_path))
    return not errs


def run_main_checks(fake: Fake, signer: Signer, vectors: dict, spec: dict) -> None:
    B = fake.base
    jwt = signer.jwt()

    print("== JWT auth")
    r = call(B + "/orgs/octo-org/installation", token=jwt)
    check(r.status == 200 and r.json["id"] == 4242, "valid JWT (integer iss) -> org installation 4242")
    check(r.json["account"]["login"] == "octo-org" and r.json["target_type"] == "Organization",
          "installation account is octo-org")
    check(conforms(spec, "GET", "/orgs/{org}/installation", 200, r.json), "installation body matches spec schema")
    for hdr in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used"):
        check(r.h(hdr) is not None and r.h(hdr).isdigit(), f"{hdr} header present")
    r = call(B + "/repos/octo-org/octo-repo/installation", token=signer.jwt(iss="Iv1.0123456789abcdef"))
    check(r.status == 200 and r.json["id"] == 4242, "client-id iss accepted; repo installation lookup")
    r = call(B + "/repos/lineville/elastic-machines-testing/installation", token=signer.jwt(iss="123456"))
    check(r.status == 200 and r.json["id"] == 23154469, "string app-id iss accepted; user installation")
    check(call(B + "/orgs/nobody/installation", token=jwt).status == 404, "unknown org installation -> 404")

    bad = jwt[:-4] + ("AAAA" if not jwt.endswith("AAAA") else "BBBB")
    for what, tok in [
        ("tampered signature", bad),
        ("wrong iss", signer.jwt(iss=999)),
        ("expired", signer.jwt(iat_off=-1200, exp_off=-700)),
        ("lifetime > 10 min", signer.jwt(iat_off=-60, exp_off=1200)),
        ("iat in the future", signer.jwt(iat_off=300, exp_off=600)),
        ("alg HS256", signer.jwt(alg="HS256")),
        ("float iat", signer.jwt(claims={"iat": time.time() - 60, "exp": int(time.time()) + 500, "iss": 123456})),
        ("garbage", "not-a-jwt"),
    ]:
        r = call(B + "/app/installations/4242/access_tokens", "POST", token=tok)
        check(r.status == 401 and "message" in r.json and "documentation_url" in r.json,
              f"JWT rejected ({what}) -> 401 GitHub error body")
    check(call(B + "/app/installations/4242/access_tokens", "POST").status == 401, "no Authorization -> 401")
    # The published vector is long expired: must be rejected against real time.
    check(call(B + "/orgs/octo-org/installation", token=vectors["cases"][0]["jwt"]).status == 401,
          "vector JWT (2024, expired) rejected")

    print("== installation tokens")
    r = call(B + "/app/installations/4242/access_tokens", "POST", token=jwt)
    check(r.status == 201 and r.json["token"].startswith("ghs_"), "access_tokens -> 201 ghs_ token")
    tok = r.json["token"]
    exp = calendar.timegm(time.strptime(r.json["expires_at"], "%Y-%m-%dT%H:%M:%SZ"))
    check(abs(exp - (time.time() + 3600)) < 10 and r.json["expires_at"].endswith("Z"),
          f"expires_at ~ now+3600, Z format ({r.json['expires_at']})")
    check("permissions" in r.json and r.json["repository_selection"] in ("all", "selected"),
          "permissions + repository_selection present")
    check(conforms(spec, "POST", "/app/installations/{installation_id}/access_tokens", 201, r.json),
          "token body matches spec schema")
    r = call(B + "/app/installations/4242/access_tokens", "POST", token=jwt,
             body={"repositories": ["octo-repo"], "permissions": {"organization_self_hosted_runners": "write"}})
    check(r.status == 201 and r.json["repository_selection"] == "selected"
          and r.json["repositories"][0]["full_name"] == "octo-org/octo-repo", "scoped token -> selected repos")
    r = call(B + "/app/installations/4242/access_tokens", "POST", token=jwt, body={"permissions": {"issues": "write"}})
    check(r.status == 422, "requesting ungranted permission -> 422")
    check(call(B + "/app/installations/999/access_tokens", "POST", token=jwt).status == 404,
          "unknown installation -> 404")
    check(call(B + "/app/installations/4242/access_tokens", "POST", token=tok).status == 401,
          "installation token on /app endpoint -> 401")

    print("== token use")
    r = call(B + "/orgs/octo-org/actions/runners/registration-token", "POST", token=tok)
    check(r.status == 201 and r.json["token"] and r.json["expires_at"], "registration-token -> 201")
    check(conforms(spec, "POST", "/orgs/{org}/actions/runners/registration-token", 201, r.json),
          "registration token matches spec schema")
    r = call(B + "/repos/octo-org/octo-repo/actions/runners/remove-token", "POST", token=tok, scheme="token")
    check(r.status == 201 and r.json["token"], "remove-token with 'token' scheme -> 201")
    check(call(B + "/orgs/octo-org/actions/runners", token="ghs_bogus").status == 401, "unknown token -> 401")
    check(call(B + "/orgs/octo-org/actions/runners", token=jwt).status == 401, "JWT on runner endpoint -> 401")
    check(call(B + "/orgs/octo-org/actions/runners").status == 401, "no token on runner endpoint -> 401")

    print("== generate-jitconfig at 3 scopes")
    body = {"name": "rs-linux-x64-1-1", "runner_group_id": 1, "labels": ["self-hosted", "linux", "x64"],
            "work_folder": "_work"}
    for base, tmpl in [("/repos/octo-org/octo-repo", "/repos/{owner}/{repo}"), ("/orgs/octo-org", "/orgs/{org}"),
                       ("/enterprises/octo-ent", "/enterprises/{enterprise}")]:
        r = call(B + base + "/actions/runners/generate-jitconfig", "POST", body, token=tok)
        check(r.status == 201, f"{base} jitconfig -> 201")
        runner = r.json["runner"]
        check(runner["name"] == body["name"] and runner["status"] == "offline" and runner["busy"] is False,
              f"{base} runner offline, not busy")
        check([l["name"] for l in runner["labels"]] == body["labels"], f"{base} labels echoed")
        blob = json.loads(base64.b64decode(r.json["encoded_jit_config"]))
        inner = json.loads(base64.b64decode(blob[".runner"]))
        check(inner["AgentName"] == body["name"] and inner["AgentId"] == runner["id"],
              f"{base} encoded_jit_config is base64 JSON naming the runner")
        check(conforms(spec, "POST", tmpl + "/actions/runners/generate-jitconfig", 201, r.json),
              f"{base} jitconfig body matches spec schema")
        g = call(B + base + f"/actions/runners/{runner['id']}", token=tok)
        check(g.status == 200 and g.json["id"] == runner["id"], f"{base} GET runner by id")
        r = call(B + base + "/actions/runners/generate-jitconfig", "POST", body, token=tok)
        check(r.status == 409 and "already exists" in r.json["message"], f"{base} duplicate name -> 409")

    print("== body validation / spec violations")
    st = control(fake, "state").json
    check(st["spec_violations"] == [], "no spec violations so far")
    for bad_body, what in [({"name": "x", "runner_group_id": 1, "labels": []}, "empty labels"),
                           ({"name": "x", "runner_group_id": "1", "labels": ["a"]}, "string group id"),
                           ({"runner_group_id": 1, "labels": ["a"]}, "missing name"),
                           ({"name": "x", "runner_group_id": 1, "labels": ["a"] * 101}, "101 labels")]:
        r = call(B + "/orgs/octo-org/actions/runners/generate-jitconfig", "POST", bad_body, token=tok)
        check(r.status == 422 and r.json["message"].startswith("Invalid request"), f"{what} -> 422")
    r = call(B + "/orgs/octo-org/actions/runners/generate-jitconfig", "POST", b"{not json", token=tok)
    check(r.status == 400, "unparseable JSON -> 400")
    st = control(fake, "state").json
    check(len(st["spec_violations"]) == 5, "violations recorded in /_control/state")
    r = call(B + "/orgs/octo-org/actions/runners/generate-jitconfig", "POST",
             {"name": "x", "runner_group_id": 77, "labels": ["a"]}, token=tok)
    check(r.status == 404, "unknown runner group -> 404")
    control(fake, "runner-groups", {"org": "octo-org", "id": 77, "name": "big-boxes"})
    r = call(B + "/orgs/octo-org/actions/runners/generate-jitconfig", "POST",
             {"name": "x", "runner_group_id": 77, "labels": ["a"]}, token=tok)
    check(r.status == 201 and r.json["runner"]["runner_group_id"] == 77, "seeded runner group usable")

    print("== concurrency")
    def jit(name: str) -> int:
        return call(B + "/orgs/octo-org/actions/runners/generate-jitconfig", "POST",
                    {"name": name, "runner_group_id": 1, "labels": ["self-hosted"]}, token=tok).status
    with ThreadPoolExecutor(max_workers=16) as pool:
        distinct = list(pool.map(jit, [f"par-{i}" for i in range(24)]))
        same = list(pool.map(jit, ["race"] * 12))
    check(distinct == [201] * 24, "24 parallel jitconfigs with distinct names -> all 201")
    check(sorted(same) == [201] + [409] * 11, "12 parallel jitconfigs with one name -> one 201, eleven 409")

    print("== runner groups")
    r = call(B + "/orgs/octo-org/actions/runner-groups", token=tok)
    names = [g["name"] for g in r.json["runner_groups"]]
    check(r.status == 200 and r.json["total_count"] == 2 and names == ["Default", "big-boxes"],
          "org runner groups: Default + seeded")
    check(conforms(spec, "GET", "/orgs/{org}/actions/runner-groups", 200, r.json), "runner groups match spec")

    print("== pagination (Link header across 3 pages)")
    control(fake, "runners", [{"scope": "orgs/page-org", "name": f"r{i}", "status": "online", "busy": i == 0,
                               "labels": ["self-hosted", "linux"]} for i in range(5)])
    url = B + "/orgs/page-org/actions/runners?per_page=2"
    seen, rels_seen, pages = [], [], 0
    while url:
        r = call(url, token=tok)
        check(r.status == 200 and r.json["total_count"] == 5, f"page {pages + 1}: total_count 5")
        check(conforms(spec, "GET", "/orgs/{org}/actions/runners", 200, r.json), f"page {pages + 1} matches spec")
        seen += [x["name"] for x in r.json["runners"]]
        links = parse_link(r.h("Link"))
        rels_seen.append(sorted(links))
        for u in links.values():
            check(u.startswith(f"http://127.0.0.1:{fake.port}/orgs/page-org/actions/runners?"), "absolute link URL")
        url = links.get("next")
        pages += 1
    check(pages == 3 and seen == [f"r{i}" for i in range(5)], "3 pages, all 5 runners in order")
    check(rels_seen == [["last", "next"], ["first", "last", "next", "prev"], ["first", "prev"]],
          f"rel sets per page {rels_seen}")
    r = call(B + "/orgs/page-org/actions/runners?name=R3", token=tok)
    check(r.json["total_count"] == 1 and r.json["runners"][0]["name"] == "r3", "name filter")
    busy_id = call(B + "/orgs/page-org/actions/runners?name=r0", token=tok).json["runners"][0]["id"]
    check(call(B + f"/orgs/page-org/actions/runners/{busy_id}", "DELETE", token=tok).status == 422,
          "deleting a busy runner -> 422")
    rid = call(B + "/orgs/page-org/actions/runners?name=r1", token=tok).json["runners"][0]["id"]
    r = call(B + f"/orgs/page-org/actions/runners/{rid}", "DELETE", token=tok)
    check(r.status == 204 and r.raw == b"", "DELETE runner -> 204 empty")
    check(call(B + f"/orgs/page-org/actions/runners/{rid}", token=tok).status == 404, "deleted runner -> 404")
    check(call(B + f"/orgs/page-org/actions/runners/{rid}", "DELETE", token=tok).status == 404,
          "DELETE unknown runner -> 404")

    print("== jobs")
    check(call(B + "/repos/octo-org/octo-repo/actions/jobs/1", token=tok).status == 404, "unseeded job -> 404")
    control(fake, "jobs", {"repo": "octo-org/octo-repo", "id": 399444496, "status": "queued",
                           "labels": ["self-hosted", "linux"]})
    r = call(B + "/repos/octo-org/octo-repo/actions/jobs/399444496", token=tok)
    check(r.status == 200 and r.json["status"] == "queued" and r.json["conclusion"] is None, "seeded job")
    st = control(fake, "state").json
    check(st["response_violations"] == [], "fake's own responses all matched the spec")

    print("== fault injection")
    control(fake, "faults", [{"method": "POST", "path": r"/actions/runners/generate-jitconfig$", "status": 503}])
    jb = {"name": "fault-1", "runner_group_id": 1, "labels": ["self-hosted"]}
    r = call(B + "/orgs/octo-org/actions/runners/generate-jitconfig", "POST", jb, token=tok)
    check(r.status == 503, "first call -> injected 503")
    r = call(B + "/orgs/octo-org/actions/runners/generate-jitconfig", "POST", jb, token=tok)
    check(r.status == 201, "retry -> 201 (rule used up)")
    control(fake, "faults", {"path": "^/orgs/octo-org/actions/runners$", "status": 429, "retry_after": 7})
    r = call(B + "/orgs/octo-org/actions/runners", token=tok)
    check(r.status == 429 and r.h("Retry-After") == "7", "429 with Retry-After: 7")
    check("secondary rate limit" in r.json["message"], "429 body is GitHub's secondary-rate-limit message")
    control(fake, "faults", {"path": "/actions/runners$", "status": 403, "ratelimit_reset_in": 30})
    r = call(B + "/orgs/octo-org/actions/runners", token=tok)
    check(r.status == 403 and r.h("x-ratelimit-remaining") == "0", "403 rate limit, remaining 0")
    check(r.json["message"].startswith("API rate limit exceeded for installation ID 4242"),
          "403 body names the installation")
    check(abs(int(r.h("x-ratelimit-reset")) - (time.time() + 30)) < 5, "x-ratelimit-reset = now + 30")
    control(fake, "faults", {"method": "GET", "path": "runners", "status": None, "delay_ms": 300, "count": 2})
    t0 = time.time()
    r = call(B + "/orgs/octo-org/actions/runners", token=tok)
    check(r.status == 200 and time.time() - t0 >= 0.3, "delay-only rule answers normally after the delay")
    check(len(control(fake, "faults").json["faults"]) == 1, "rule with count 2 still pending after 1 hit")
    control(fake, "faults", method="DELETE")
    check(control(fake, "faults").json["faults"] == [], "faults cleared")

    print("== request log")
    call(B + "/orgs/octo-org/actions/runners", token=tok, api_version=False)
    log = control(fake, "requests").json["requests"]
    last = log[-1]
    check(last["api_version_missing"] is True and last["headers"]["x-github-api-version"] is None,
          "request without X-GitHub-Api-Version recorded")
    check(last["status"] == 200, "... and still served")
    check(last["headers"]["authorization"] == {"scheme": "Bearer", "sha256": hashlib.sha256(tok.encode()).hexdigest()},
          "authorization logged as scheme + sha256 only")
    check(tok not in json.dumps(log), "raw token never appears in the log")
    check(last["headers"]["user-agent"] == UA and last["auth"]["installation_id"] == 4242, "user-agent + installation")
    jit = [e for e in log if e["operation"] == "POST /orgs/{org}/actions/runners/generate-jitconfig" and e["status"] == 201]
    check(jit and jit[0]["body"]["labels"] == ["self-hosted", "linux", "x64"], "JSON request body logged")
    check(call(B + "/orgs/octo-org/actions/runners", token=tok,
               headers={"X-GitHub-Api-Version": "1999-01-01"}).status == 400, "unsupported API version -> 400")

    print("== keep-alive")
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    hdrs = {"Authorization": f"Bearer {tok}", "X-GitHub-Api-Version": "2022-11-28", "User-Agent": UA}
    for i in range(3):
        conn.request("GET", "/orgs/octo-org/actions/runners", headers=hdrs)
        resp = conn.getresponse()
        resp.read()
        check(resp.status == 200 and resp.getheader("Content-Length") is not None and not resp.will_close,
              f"request {i + 1} on one connection")
    conn.request("DELETE", f"/orgs/octo-org/actions/runners/{busy_id}", headers=hdrs)  # 404 here: other scope
    conn.getresponse().read()
    conn.request("GET", "/orgs/octo-org/actions/runners", headers=hdrs)
    check(conn.getresponse().status == 200, "connection survives an error response")
    conn.close()

    print("== deliveries + redelivery")
    control(fake, "deliveries", [{"id": 100 + i, "guid": f"guid-{i}", "delivered_at": f"2024-05-01T12:0{i}:00Z",
                                  "status": "failed to connect" if i % 2 else "OK",
                                  "status_code": 502 if i % 2 else 200, "event": "workflow_job",
                                  "action": "queued", "installation_id": 4242, "repository_id": 1296269}
                                 for i in range(5)])
    url = B + "/app/hook/deliveries?per_page=2"
    got, pages = [], 0
    while url:
        r = call(url, token=jwt)
        check(r.status == 200 and isinstance(r.json, list), f"deliveries page {pages + 1}")
        got += [d["id"] for d in r.json]
        url = parse_link(r.h("Link")).get("next")
        if url:
            check("cursor=" in url and url.startswith(B + "/app/hook/deliveries?"), "next link carries cursor=")
        pages += 1
    check(got == [104, 103, 102, 101, 100] and pages == 3, "newest first across 3 cursor pages")
    keys = {"id", "guid", "delivered_at", "redelivery", "duration", "status", "status_code", "event", "action",
            "installation_id", "repository_id", "throttled_at"}
    check(set(call(B + "/app/hook/deliveries", token=jwt).json[0]) == keys, "delivery item fields")
    check(call(B + "/app/hook/deliveries", token=tok).status == 401, "deliveries need a JWT")
    r = call(B + "/app/hook/deliveries/103/attempts", "POST", token=jwt)
    check(r.status == 202 and r.json == {}, "redeliver -> 202 {}")
    check(call(B + "/app/hook/deliveries/999/attempts", "POST", token=jwt).status == 404, "redeliver unknown -> 404")
    check(control(fake, "redeliveries").json["delivery_ids"] == [103], "redelivery recorded")
    top = call(B + "/app/hook/deliveries?per_page=1", token=jwt).json[0]
    check(top["redelivery"] is True and top["guid"] == "guid-3", "new redelivery item listed first")

    print("== token expiry + reset")
    control(fake, "tokens/expire", {"installation_id": 4242})
    check(call(B + "/orgs/octo-org/actions/runners", token=tok).status == 401, "expired token -> 401")
    control(fake, "reset", {})
    st = control(fake, "state").json
    check(st["runners"] == {} and st["tokens_issued"] == 0 and st["spec_violations"] == [], "reset clears state")
    check(sorted(i["id"] for i in st["installations"]) == [4242, 3456996, 23154469], "default installations back")


def run_prefix_checks(fake: Fake, signer: Signer) -> None:
    B = fake.base
    jwt = signer.jwt()
    check(call(B + "/orgs/octo-org/installation", token=jwt).status == 404, "unprefixed path -> 404")
    r = call(B + "/api/v3/app/installations/4242/access_tokens", "POST", token=jwt)
    check(r.status == 201, "prefixed token issuance")
    tok = r.json["token"]
    exp = calendar.timegm(time.strptime(r.json["expires_at"], "%Y-%m-%dT%H:%M:%SZ"))
    check(abs(exp - (time.time() + 120)) < 10, "--token-ttl 120 honoured")
    control(fake, "runners", [{"scope": "repos/octo-org/octo-repo", "name": f"p{i}"} for i in range(3)])
    r = call(B + "/api/v3/repos/octo-org/octo-repo/actions/runners?per_page=1&page=2", token=tok)
    links = parse_link(r.h("Link"))
    check(r.status == 200 and r.json["runners"][0]["name"] == "p1", "prefixed list, page 2")
    check(links["next"] == f"http://127.0.0.1:{fake.port}/api/v3/repos/octo-org/octo-repo/actions/runners?per_page=1&page=3",
          "Link URLs keep the /api/v3 prefix")
    control(fake, "faults", {"path": "^/repos/.*/generate-jitconfig$", "status": 502})
    jb = {"name": "p-jit", "runner_group_id": 1, "labels": ["self-hosted"]}
    check(call(B + "/api/v3/repos/octo-org/octo-repo/actions/runners/generate-jitconfig", "POST", jb,
               token=tok).status == 502, "fault regex on unprefixed path matches in prefix mode")
    check(call(B + "/api/v3/repos/octo-org/octo-repo/actions/runners/generate-jitconfig", "POST", jb,
               token=tok).status == 201, "then success")
    check(call(B + "/api/v3/_control/state").status == 404, "control API is not under the prefix")
    check(control(fake, "state").json["prefix"] == "/api/v3", "control API at /_control")


if __name__ == "__main__":
    sys.exit(main())
