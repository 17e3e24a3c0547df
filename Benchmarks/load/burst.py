#!/usr/bin/env python3
"""Burst: signed workflow_job deliveries from 32 concurrent clients against `runner-scaler
serve` (release build) with the EC2 provider on moto and the fake GitHub, all on loopback.

Half the deliveries are `queued` (one job each), then the other half `completed` for the
same jobs (runner_name as the scaler named the runner), so every launched host is also
terminated. Reported:

  throughput, p50/p99 latency   per phase, measured by the clients
  errors                        non-2xx answers and transport failures
  duplicates                    jobs with more than one instance in moto (job-id tag);
                                also jobs with none, and instances left running
  provider latency              every call runner-scaler makes to moto and the fake GitHub
                                goes through a timing proxy: per-call latency by kind, and
                                the provider time per delivery, reported apart from ours
  serve CPU per delivery        utime+stime of the serve process over each phase
  external calls per queued job by kind, from the proxies

A second pass with `serve --dry-run` (no GitHub, no EC2) gives runner-scaler's own latency
under the same load. Bounded: a fixed number of deliveries, per-request timeouts, and every
process started here is killed at the end. Loopback only.
"""
from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as b  # noqa: E402

RUNNER_PREFIX, POOL = "rs", "linux-x64"


def run_clients(port: int, deliveries: list[tuple[bytes, dict]], clients: int, timeout: float) -> dict:
    """Sends every delivery once from `clients` threads, each on its own keep-alive
    connection. Returns latencies (s), statuses and the wall time."""
    work: queue.Queue = queue.Queue()
    for d in deliveries:
        work.put(d)
    latencies: list[float] = []
    statuses: collections.Counter = collections.Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while True:
            try:
                body, headers = work.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            try:
                conn.request("POST", "/webhook", body=body, headers=headers)
                response = conn.getresponse()
                text = response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status] += 1
                    if response.status >= 300 and len(failures) < 10:
                        failures.append(f"{response.status} {text[:200]!r}")
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    statuses["transport"] += 1
                    if len(failures) < 10:
                        failures.append(repr(error))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 600)
    wall = time.perf_counter() - wall
    return {"latencies": latencies, "statuses": statuses, "failures": failures, "wall": wall}


def summarize(result: dict, count: int) -> dict:
    lat = [x * 1000 for x in result["latencies"]]
    ok = sum(v for k, v in result["statuses"].items() if isinstance(k, int) and 200 <= k < 300)
    return {
        "deliveries": count,
        "ok": ok,
        "errors": count - ok,
        "statuses": {str(k): v for k, v in sorted(result["statuses"].items(), key=lambda kv: str(kv[0]))},
        "throughput_per_s": round(count / result["wall"], 1),
        "wall_s": round(result["wall"], 2),
        "latency_ms": {"p50": round(b.percentile(lat, 50), 1), "p99": round(b.percentile(lat, 99), 1),
                       "max": round(max(lat), 1)} if lat else {},
        "first_failures": result["failures"][:5],
    }


def provider_summary(samples: list[tuple[str, float]], deliveries: int) -> dict:
    by_kind: dict[str, list[float]] = collections.defaultdict(list)
    for kind, seconds in samples:
        by_kind[kind].append(seconds * 1000)
    total_ms = sum(sum(v) for v in by_kind.values())
    return {
        "calls": len(samples),
        "calls_per_delivery": round(len(samples) / deliveries, 2),
        "provider_ms_per_delivery": round(total_ms / deliveries, 1),
        "by_kind": {k: {"count": len(v), "p50_ms": round(b.percentile(v, 50), 1), "p99_ms": round(b.percentile(v, 99), 1)}
                    for k, v in sorted(by_kind.items())},
    }


def start_serve(binary: str, env: dict, port: int, work: Path, dry_run: bool, name: str) -> subprocess.Popen:
    log = open(work / f"{name}.log", "wb")
    argv = [binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--rate-limit", "0", "--sweep-interval", "0"]
    if dry_run:
        argv.append("--dry-run")
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    b.wait_listening(port, 60, proc)
    return proc


def stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def moto_instances_by_job(moto_port: int) -> tuple[collections.Counter, int]:
    """Instances per job-id tag (every state) and how many are still pending/running."""
    import boto3  # from .venv-test (moto's dependency)

    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{moto_port}",
                       aws_access_key_id="AKIDBENCHEXAMPLE", aws_secret_access_key="x")
    per_job: collections.Counter = collections.Counter()
    alive = 0
    for page in ec2.get_paginator("describe_instances").paginate(
            Filters=[{"Name": "tag:runner-scaler:pool", "Values": [POOL]}]):
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
                per_job[tags.get("runner-scaler:job-id", "?")] += 1
                if instance["State"]["Name"] in ("pending", "running"):
                    alive += 1
    return per_job, alive


def phase_deliveries(action: str, jobs: list[int], tag: str) -> list[tuple[bytes, dict]]:
    out = []
    for job in jobs:
        runner = f"{RUNNER_PREFIX}-{POOL}-{job}-1" if action == "completed" else None
        body = b.workflow_job_body(action, job, 25 * 1024, runner_name=runner)
        out.append((body, b.signed_headers(body, f"{tag}-{action}-{job}")))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--python", required=True, help="python of .venv-test, for the peers")
    ap.add_argument("--deliveries", type=int, default=1000, help="total: half queued, then half completed")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    ap.add_argument("--no-dry-run-pass", action="store_true")
    ap.add_argument("--keep", help="folder for logs (default: a temporary one, removed)")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-burst-"))
    work.mkdir(parents=True, exist_ok=True)
    jobs_n = args.deliveries // 2
    base = int(time.time()) * 1000
    jobs = [base + i for i in range(jobs_n)]
    report: dict = {"deliveries": jobs_n * 2, "clients": args.clients, "payload_bytes": 25 * 1024}

    moto = github = serve = None
    moto_proxy = github_proxy = None
    try:
        moto = b.start_moto(args.python, work)
        github = b.start_fake_github(args.python, work)
        moto_proxy = b.ProxyProcess(moto.port, "ec2", work)
        github_proxy = b.ProxyProcess(github.port, "github", work)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_", "RUNNER_SCALER_"))}
        env.update(b.scaler_environment(github_proxy.port, moto_proxy.port))
        env["LOG_LEVEL"] = "info"
        port = b.free_port()
        serve = start_serve(args.binary, env, port, work, False, "serve")

        # Warm-up outside the measurement: one job queued and completed (installation token,
        # connection pools), then the proxies' counters are cleared.
        warm = [base - 1]
        run_clients(port, phase_deliveries("queued", warm, "warm"), 1, args.timeout)
        run_clients(port, phase_deliveries("completed", warm, "warm"), 1, args.timeout)
        moto_proxy.take(), github_proxy.take()

        for action in ("queued", "completed"):
            deliveries = phase_deliveries(action, jobs, "burst")
            cpu_before = b.process_cpu_seconds(serve.pid)
            result = run_clients(port, deliveries, args.clients, args.timeout)
            cpu = b.process_cpu_seconds(serve.pid) - cpu_before
            phase = summarize(result, len(deliveries))
            samples = moto_proxy.take() + github_proxy.take()
            phase["provider"] = provider_summary(samples, len(deliveries))
            phase["serve_cpu_ms_per_delivery"] = round(cpu * 1000 / len(deliveries), 2)
            ours = phase["latency_ms"]
            phase["note"] = ("provider_ms_per_delivery is the summed wall time of the calls to moto and the fake "
                             "GitHub per delivery; latency_ms is the client's view (ours + provider + queueing)")
            report[action] = phase
            b.log(f"{action}: {phase['ok']}/{phase['deliveries']} ok, {phase['throughput_per_s']}/s, "
                  f"p50 {ours.get('p50')} ms, p99 {ours.get('p99')} ms, provider {phase['provider']['provider_ms_per_delivery']} ms/delivery")
        report["peak_rss_mib"] = round((b.peak_rss_kib(serve.pid) or 0) / 1024, 1)

        per_job, alive = moto_instances_by_job(moto.port)
        wanted = {str(j) for j in jobs}
        report["instances"] = {
            "jobs": len(jobs),
            "duplicates": sum(1 for j in wanted if per_job.get(j, 0) > 1),
            "missing": sum(1 for j in wanted if per_job.get(j, 0) == 0),
            "still_running": alive,
        }
        stop(serve)
        serve = None

        if not args.no_dry_run_pass:
            # Same load, `serve --dry-run`: no GitHub, no EC2. runner-scaler's own latency.
            port = b.free_port()
            serve = start_serve(args.binary, env, port, work, True, "serve-dry-run")
            run_clients(port, phase_deliveries("queued", warm, "warm-dry"), 1, args.timeout)
            dry = {}
            for action in ("queued", "completed"):
                deliveries = phase_deliveries(action, jobs, "dry")
                cpu_before = b.process_cpu_seconds(serve.pid)
                result = run_clients(port, deliveries, args.clients, args.timeout)
                cpu = b.process_cpu_seconds(serve.pid) - cpu_before
                dry[action] = summarize(result, len(deliveries))
                dry[action]["serve_cpu_ms_per_delivery"] = round(cpu * 1000 / len(deliveries), 2)
                b.log(f"dry-run {action}: {dry[action]['ok']}/{len(deliveries)} ok, {dry[action]['throughput_per_s']}/s, "
                      f"p50 {dry[action]['latency_ms'].get('p50')} ms, p99 {dry[action]['latency_ms'].get('p99')} ms")
            report["dry_run"] = dry
        print(json.dumps(report, indent=2))
        failed = report["queued"]["errors"] + report["completed"]["errors"] + report["instances"]["duplicates"]
        return 1 if failed else 0
    finally:
        stop(serve)
        for proxy in (moto_proxy, github_proxy):
            if proxy:
                proxy.close()
        for peer in (github, moto):
            if peer:
                peer.stop()
        if not args.keep:
            import shutil
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
