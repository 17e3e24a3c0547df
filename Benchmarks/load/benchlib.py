"""Shared pieces of the cold-start and burst benchmarks (scripts/bench-cold-start,
scripts/bench-burst): signed workflow_job deliveries, the loopback test peers (moto and the
fake GitHub from Tests/Peers), a timestamping TCP proxy, and small statistics.

Standard library only, so it runs under any python3 (the peers run in .venv-test).
Everything listens on 127.0.0.1 and every loop is bounded.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "bench-webhook-secret"
APP_ID = "123456"  # the fake GitHub's App, whose key is the conformance vectors' TEST-ONLY key
INSTALLATION_ID = 4242  # the fake GitHub's default installation for octo-org


def conformance_dir() -> Path:
    return Path(os.environ.get("RUNNER_SCALER_CONFORMANCE") or ROOT.parent / "shared" / "conformance")


def test_private_key_pem() -> str:
    """The TEST-ONLY App key, read from the shared vectors at run time (never copied)."""
    vectors = conformance_dir() / "github" / "app-jwt" / "rs256-github-app-jwt-vectors.json"
    return json.loads(vectors.read_text())["private_key_pem_pkcs1"]


# --------------------------------------------------------------------------- deliveries

def _q(s: str) -> str:
    return json.dumps(s)


def _step(i: int) -> str:
    names = ["Set up job", "Run actions/checkout@v4", "Run actions/cache@v4", "Set up Swift 6.3.1",
             "Run swift build --build-tests -c debug", "Run swift test --parallel --skip-build",
             "Run actions/setup-node@v4", "Run npm ci --no-audit --prefer-offline",
             "Run npm run lint -- --max-warnings 0", "Upload test results (junit)",
             "Post Run actions/cache@v4", "Post Run actions/checkout@v4", "Complete job"]
    sec, minute = 8 + i % 50, 26 + (i // 50) % 30
    return (f'{{"name":{_q(names[i % len(names)])},"status":"completed","conclusion":"success","number":{i + 1},'
            f'"started_at":"2026-11-22T10:{minute}:{sec:02d}.000Z","completed_at":"2026-11-22T10:{minute}:{sec + 1:02d}.000Z"}}')


def _user(login: str, uid: int, kind: str) -> str:
    api = f"https://api.github.com/users/{login}"
    return (f'{{"login":{_q(login)},"id":{uid},"node_id":"MDQ6VXNlcjU4MzIzMQ==",'
            f'"avatar_url":"https://avatars.githubusercontent.com/u/{uid}?v=4","gravatar_id":"","url":"{api}",'
            f'"html_url":"https://github.com/{login}","followers_url":"{api}/followers",'
            f'"following_url":"{api}/following{{/other_user}}","gists_url":"{api}/gists{{/gist_id}}",'
            f'"starred_url":"{api}/starred{{/owner}}{{/repo}}","subscriptions_url":"{api}/subscriptions",'
            f'"organizations_url":"{api}/orgs","repos_url":"{api}/repos","events_url":"{api}/events{{/privacy}}",'
            f'"received_events_url":"{api}/received_events","type":"{kind}","site_admin":false}}')


def _repository(owner: str, name: str) -> str:
    full = f"{owner}/{name}"
    api = f"https://api.github.com/repos/{full}"
    urls = ["forks", "keys{/key_id}", "collaborators{/collaborator}", "teams", "hooks", "issues/events{/number}",
            "events", "assignees{/user}", "branches{/branch}", "tags", "git/blobs{/sha}", "git/tags{/sha}",
            "git/refs{/sha}", "git/trees{/sha}", "statuses/{sha}", "languages", "stargazers", "contributors",
            "subscribers", "subscription", "commits{/sha}", "git/commits{/sha}", "comments{/number}",
            "issues/comments{/number}", "contents/{+path}", "compare/{base}...{head}", "merges",
            "{archive_format}{/ref}", "downloads", "issues{/number}", "pulls{/number}", "milestones{/number}",
            "notifications{?since,all,participating}", "labels{/name}", "releases{/id}", "deployments"]
    fields = "".join(f'"{u.split("{")[0].strip("/").replace("/", "_") or "archive"}_url":"{api}/{u}",' for u in urls)
    return (f'{{"id":186853002,"node_id":"MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=","name":{_q(name)},"full_name":{_q(full)},'
            f'"private":true,"owner":{_user(owner, 6811672, "Organization")},"html_url":"https://github.com/{full}",'
            f'"description":"The service the runners build","fork":false,"url":"{api}",{fields}'
            f'"created_at":"2019-05-15T15:19:25Z","updated_at":"2026-11-21T15:21:03Z","pushed_at":"2026-11-22T10:33:50Z",'
            f'"clone_url":"https://github.com/{full}.git","size":48213,"language":"Swift","default_branch":"main",'
            f'"visibility":"private","topics":["ci","swift"],"custom_properties":{{}}}}')


def workflow_job_body(action: str, job_id: int, target_bytes: int = 25 * 1024, runner_name: str | None = None,
                      labels=("self-hosted", "linux", "x64"), owner="octo-org", repo="octo-repo",
                      run_id: int = 12_202_229_078, run_attempt: int = 1) -> bytes:
    """A workflow_job delivery in GitHub's shape, padded with steps to about target_bytes
    (the same shape as Benchmarks/Sources/BenchSupport/WorkflowJobPayload.swift)."""
    full = f"{owner}/{repo}"
    api = f"https://api.github.com/repos/{full}"
    status = "completed" if action == "completed" else action
    conclusion = '"success"' if action == "completed" else "null"
    runner = _q(runner_name) if runner_name else "null"
    runner_id = str(1000 + job_id % 1000) if runner_name else "null"
    head = (f'{{"action":{_q(action)},"workflow_job":{{"id":{job_id},"run_id":{run_id},"workflow_name":"CI",'
            f'"head_branch":"main","run_url":"{api}/actions/runs/{run_id}","run_attempt":{run_attempt},'
            f'"node_id":"CR_kwDOABCD8c8AAAAG7xYZ2g","head_sha":"3484a3fb816e0859fd6e1cea078d76385ff50625",'
            f'"url":"{api}/actions/jobs/{job_id}","html_url":"https://github.com/{full}/actions/runs/{run_id}/job/{job_id}",'
            f'"status":"{status}","conclusion":{conclusion},"created_at":"2026-11-22T10:33:58Z",'
            f'"started_at":"2026-11-22T10:33:58Z","completed_at":null,"name":"build (linux, x64)",'
            f'"check_run_url":"{api}/check-runs/{job_id}","labels":{json.dumps(list(labels))},"runner_id":{runner_id},'
            f'"runner_name":{runner},"runner_group_id":null,"runner_group_name":null,"steps":[')
    tail = (f']}},"repository":{_repository(owner, repo)},"organization":{{"login":{_q(owner)},"id":6811672}},'
            f'"sender":{_user("octocat", 583231, "User")},'
            f'"installation":{{"id":{INSTALLATION_ID},"node_id":"MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg=="}}}}')
    steps, size, i = [], len(head) + len(tail), 0
    while size < target_bytes:
        s = _step(i)
        steps.append(s)
        size += len(s) + 1
        i += 1
    return (head + ",".join(steps) + tail).encode()


def signed_headers(body: bytes, delivery_id: str, event: str = "workflow_job", secret: str = SECRET) -> dict:
    sig = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/7a2b5c1",
        "X-GitHub-Delivery": delivery_id,
        "X-GitHub-Event": event,
        "X-GitHub-Hook-ID": "292430182",
        "X-GitHub-Hook-Installation-Target-ID": APP_ID,
        "X-GitHub-Hook-Installation-Target-Type": "integration",
        "X-Hub-Signature-256": "sha256=" + sig,
    }


def function_url_event(body: bytes, headers: dict) -> bytes:
    """The Lambda Function URL (payload 2.0) event that carries one delivery."""
    return json.dumps({
        "version": "2.0", "routeKey": "$default", "rawPath": "/", "rawQueryString": "",
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {"accountId": "anonymous", "apiId": "bench", "domainName": "bench.lambda-url.us-east-1.on.aws",
                           "domainPrefix": "bench", "http": {"method": "POST", "path": "/", "protocol": "HTTP/1.1",
                                                             "sourceIp": "192.30.252.10", "userAgent": headers["User-Agent"]},
                           "requestId": headers["X-GitHub-Delivery"], "routeKey": "$default", "stage": "$default",
                           "timeEpoch": int(time.time() * 1000)},
        "body": body.decode(), "isBase64Encoded": False,
    }).encode()


def pool_config(max_runners: int = 100000) -> str:
    return f"""runnerNamePrefix: rs
pools:
  - name: linux-x64
    labels: [self-hosted, linux, x64]
    maxRunners: {max_runners}
    scope: org
    allow:
      owners: [octo-org]
    provider: ec2
    ec2:
      region: us-east-1
      imageId: ami-03cf127a
      instanceTypes: [t3.micro]
"""


def scaler_environment(github_port: int, moto_port: int, max_runners: int = 100000) -> dict:
    """What runner-scaler reads: one EC2 pool on moto, the fake GitHub's App."""
    return {
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_APP_ID": APP_ID,
        "GITHUB_APP_PRIVATE_KEY": test_private_key_pem(),
        "GITHUB_API_URL": f"http://127.0.0.1:{github_port}",
        "RUNNER_SCALER_CONFIG": pool_config(max_runners),
        "AWS_ENDPOINT_URL_EC2": f"http://127.0.0.1:{moto_port}",
        "AWS_ACCESS_KEY_ID": "AKIDBENCHEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "bench/secret/key/not/checked/by/moto",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


# --------------------------------------------------------------------------- peers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, timeout: float = 10.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


class Peer:
    """A test peer from Tests/Peers that prints `LISTENING <port>`; stopped with SIGKILL."""

    def __init__(self, argv: list[str], name: str, log_dir: Path, timeout: float = 60.0):
        self.name = name
        self.log = open(log_dir / f"{name}.log", "wb")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL,
                                     cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + timeout
        line = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith(b"LISTENING"):
                    self.port = int(line.split()[1])
                    return
                if not line:
                    break
            if self.proc.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"{name} did not start: {line!r}; see {log_dir / (name + '.log')}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        self.log.close()


def start_moto(python: str, log_dir: Path) -> Peer:
    return Peer([python, str(ROOT / "Tests/Peers/moto_peer.py"), "--port", "0"], "moto", log_dir)


def start_fake_github(python: str, log_dir: Path) -> Peer:
    return Peer([python, str(ROOT / "Tests/Peers/fake_github.py"), "--port", "0", "--token-ttl", "3600"],
                "fake-github", log_dir)


# --------------------------------------------------------------------------- forwarding proxies

class ForwardingProxy:
    """A TCP forwarder on 127.0.0.1 in front of `upstream_port`: bytes pass unchanged in both
    directions, and `observe` sees every chunk with the time it arrived (`clock`), so a
    subclass can record what it measures. `connection_state()` is a fresh per-connection
    dict handed to `observe`."""

    clock = staticmethod(time.time)
    backlog = 16
    chunk_size = 65536

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.lock = threading.Lock()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(self.backlog)
        self.port = self.server.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def connection_state(self) -> dict:
        return {}

    def observe(self, data: bytes, now: float, from_client: bool, state: dict) -> None:
        pass

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            state = self.connection_state()
            threading.Thread(target=self._pump, args=(client, upstream, state, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, state, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, state: dict, from_client: bool) -> None:
        try:
            while True:
                data = src.recv(self.chunk_size)
                now = self.clock()
                if not data:
                    break
                self.observe(data, now, from_client, state)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.closed = True
        self.server.close()


class TimestampingProxy(ForwardingProxy):
    """Records when each request line matching one of `marks` first arrives from the client
    (time.time(), the realtime clock bash's $EPOCHREALTIME also reads). Placed between the
    runtime and the emulator's Runtime API, it sees the exact moment the runtime's first
    `GET .../invocation/next` reaches the socket."""

    def __init__(self, upstream_port: int, marks: tuple[bytes, ...]):
        self.marks = marks
        self.events: list[tuple[float, bytes]] = []
        super().__init__(upstream_port)

    def first(self, mark: bytes) -> float | None:
        with self.lock:
            for t, m in self.events:
                if m == mark:
                    return t
        return None

    def observe(self, data: bytes, now: float, from_client: bool, state: dict) -> None:
        if from_client:
            for mark in self.marks:
                if mark in data:
                    with self.lock:
                        self.events.append((now, mark))


# --------------------------------------------------------------------------- numbers

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def peak_rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class LatencyProxy(ForwardingProxy):
    """Placed in front of a peer (moto, the fake GitHub), times each HTTP exchange: from the
    first byte of a request leaving runner-scaler to the first byte of the peer's answer.
    That is the provider's own latency (plus loopback and this proxy's hop), reported apart
    from runner-scaler's. Requests are classified by `classify(first_chunk)`. libcurl does
    not pipeline, so exchanges on one connection alternate strictly."""

    clock = staticmethod(time.perf_counter)
    backlog = 256
    chunk_size = 262144

    def __init__(self, upstream_port: int, classify):
        self.classify = classify
        self.samples: list[tuple[str, float]] = []
        super().__init__(upstream_port)

    def take(self) -> list[tuple[str, float]]:
        with self.lock:
            out, self.samples = self.samples, []
        return out

    def connection_state(self) -> dict:
        return {"started": None, "kind": None}

    def observe(self, data: bytes, now: float, from_client: bool, state: dict) -> None:
        if from_client:
            if state["started"] is None:
                state["started"] = now
                state["kind"] = self.classify(data)
            elif state["kind"] == "?":
                state["kind"] = self.classify(data)
        elif state["started"] is not None:
            with self.lock:
                self.samples.append((state["kind"], now - state["started"]))
            state["started"] = None


def classify_github(chunk: bytes) -> str:
    line = chunk.split(b"\r\n", 1)[0].decode(errors="replace")
    parts = line.split(" ")
    if len(parts) < 2:
        return "?"
    method, path = parts[0], parts[1].split("?")[0]
    for suffix in ("/access_tokens", "/generate-jitconfig", "/registration-token", "/actions/runners"):
        if path.endswith(suffix):
            return f"github {method} {suffix.strip('/')}"
    if "/actions/runners/" in path:
        return f"github {method} runner"
    return f"github {method} {path}"


def classify_ec2(chunk: bytes) -> str:
    at = chunk.find(b"Action=")
    if at < 0:
        return "?"
    end = chunk.find(b"&", at)
    return "ec2 " + chunk[at + 7:end if end > 0 else at + 40].decode(errors="replace")


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


class ProxyProcess:
    """A LatencyProxy in a process of its own, so its forwarding never waits for the GIL of
    the client threads. Samples go to a file, one `kind<TAB>seconds` line each."""

    def __init__(self, upstream_port: int, kind: str, log_dir: Path):
        self.out = log_dir / f"latency-{kind}-{upstream_port}.tsv"
        self.out.write_text("")
        self.offset = 0
        self.peer = Peer([sys.executable, str(Path(__file__).resolve()), "latency-proxy", str(upstream_port), kind,
                          str(self.out)], f"proxy-{kind}", log_dir)
        self.port = self.peer.port

    def take(self) -> list[tuple[str, float]]:
        time.sleep(0.2)  # let the last lines land
        with open(self.out) as f:
            f.seek(self.offset)
            text = f.read()
            self.offset = f.tell()
        out = []
        for line in text.splitlines():
            kind, _, seconds = line.rpartition("\t")
            if kind:
                out.append((kind, float(seconds)))
        return out

    def close(self) -> None:
        self.peer.stop()


def _serve_latency_proxy(upstream: int, kind: str, out_path: str) -> None:
    classify = classify_ec2 if kind == "ec2" else classify_github
    proxy = LatencyProxy(upstream, classify)
    out = open(out_path, "a", buffering=1)
    print(f"LISTENING {proxy.port}", flush=True)
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.05)
        for k, seconds in proxy.take():
            out.write(f"{k}\t{seconds:.6f}\n")
    os._exit(0)


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "latency-proxy":
    _serve_latency_proxy(int(sys.argv[2]), sys.argv[3], sys.argv[4])
