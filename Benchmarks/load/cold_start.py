#!/usr/bin/env python3
"""Cold start of `runner-scaler lambda` under AWS's Runtime Interface Emulator (RIE).

For each run: a fresh RIE whose bootstrap records a timestamp ($EPOCHREALTIME, no fork)
and its pid, points AWS_LAMBDA_RUNTIME_API at a timestamping proxy in front of the RIE's
Runtime API, and execs the release binary. One queued 25 KB delivery is invoked as a
Function URL event; the runtime asks fake GitHub for a token and a JIT config and moto
for DescribeInstances + RunInstances. Measured per run:

  exec -> first GET /next     bootstrap's timestamp right before exec, to the moment the
                              runtime's first /next request reaches the proxy's socket
  exec -> response posted     ... to the runtime's POST .../response for that invocation
  invoke -> response          the client's view through the RIE (includes the RIE's own work)
  peak RSS                    VmHWM of the runtime process after the invocation

Prints a JSON summary (medians over the runs) on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as b  # noqa: E402

NEXT = b"GET /2018-06-01/runtime/invocation/next"
RESPONSE = b"/response HTTP/1.1"


def resident_file_pages(pid: int, binary: str) -> list[str]:
    """File offsets (hex) of the binary's pages that are resident in the process, from
    /proc/PID/pagemap (bit 63: present); with `nm -n` this tells which code is paged in."""
    real = os.path.realpath(binary)
    out = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in maps:
            parts = line.split()
            if len(parts) < 6 or os.path.realpath(parts[5]) != real:
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            offset = int(parts[2], 16)
            pagemap.seek(start // 4096 * 8)
            data = pagemap.read((end - start) // 4096 * 8)
            for k in range(len(data) // 8):
                if int.from_bytes(data[k * 8:k * 8 + 8], "little") >> 63:
                    out.append(f"{parts[1]} {offset + k * 4096:x}")
    return out


def one_run(i: int, args, env: dict, work: Path) -> dict:
    stamp = work / f"exec-{i}"
    proxy_holder = work / f"proxy-{i}"
    runtime_port, invoke_port = b.free_port(), b.free_port()
    proxy = b.TimestampingProxy(runtime_port, (NEXT, RESPONSE))
    bootstrap = work / f"bootstrap-{i}"
    # $EPOCHREALTIME is read by bash itself (no fork); the exec follows immediately.
    bootstrap.write_text(
        "#!/bin/bash\n"
        f"printf '%s %s\\n' \"$$\" \"$EPOCHREALTIME\" > {shlex.quote(str(stamp))}\n"
        f"export AWS_LAMBDA_RUNTIME_API=127.0.0.1:{proxy.port}\n"
        f"exec {' '.join(shlex.quote(a) for a in [args.binary, *args.binary_args])}\n")
    bootstrap.chmod(0o755)
    rie_log = open(work / f"rie-{i}.log", "wb")
    rie = subprocess.Popen(
        [args.rie, "--runtime-interface-emulator-address", f"127.0.0.1:{invoke_port}",
         "--runtime-api-address", f"127.0.0.1:{runtime_port}", str(bootstrap)],
        env=env, stdout=rie_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    pid = None
    try:
        b.wait_listening(invoke_port, 10, rie)
        job_id = args.job_base + i
        body = b.workflow_job_body("queued", job_id, 25 * 1024)
        event = b.function_url_event(body, b.signed_headers(body, f"cold-{job_id}"))
        request = urllib.request.Request(f"http://127.0.0.1:{invoke_port}/2015-03-31/functions/function/invocations",
                                         data=event, method="POST", headers={"Content-Type": "application/json"})
        started = time.time()
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = json.loads(response.read())
        answered = time.time()
        status = payload.get("statusCode")
        if status != 200:
            raise RuntimeError(f"run {i}: invocation answered {status}: {payload}")
        pid_text, exec_text = stamp.read_text().split()
        pid, exec_at = int(pid_text), float(exec_text)
        # Give the runtime a moment to come back to /next, then read its high-water mark.
        time.sleep(0.2)
        rss = b.peak_rss_kib(pid)
        if args.keep:
            # For finding what the resident memory is: mapping by mapping.
            for name in ("smaps", "status"):
                try:
                    (work / f"{name}-{i}").write_text(Path(f"/proc/{pid}/{name}").read_text())
                except OSError:
                    pass
            try:
                (work / f"resident-{i}").write_text("\n".join(resident_file_pages(pid, args.binary)) + "\n")
            except OSError:
                pass
        first_next, responded = proxy.first(NEXT), proxy.first(RESPONSE)
        if first_next is None or responded is None or rss is None:
            raise RuntimeError(f"run {i}: missing a measurement (next={first_next}, response={responded}, rss={rss})")
        return {
            "exec_to_first_next_ms": (first_next - exec_at) * 1000,
            "exec_to_response_ms": (responded - exec_at) * 1000,
            "invoke_to_response_ms": (answered - started) * 1000,
            "peak_rss_kib": rss,
            "body": json.loads(payload.get("body") or "{}"),
        }
    finally:
        for p in (pid, rie.pid):
            if p:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        rie.wait(timeout=10)
        rie_log.close()
        proxy.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--binary-args", nargs="*", default=[],
                    help="arguments after the binary (none for the runner-scaler-lambda bootstrap, as Lambda starts it; 'lambda' for the full CLI)")
    ap.add_argument("--rie", required=True)
    ap.add_argument("--python", required=True, help="python of .venv-test, for the peers")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--job-base", type=int, default=int(time.time()) * 1000)
    ap.add_argument("--keep", help="folder for logs (default: a temporary one, removed)")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-cold-"))
    work.mkdir(parents=True, exist_ok=True)
    moto = github = None
    try:
        moto = b.start_moto(args.python, work)
        github = b.start_fake_github(args.python, work)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_", "RUNNER_SCALER_"))}
        env.update(b.scaler_environment(github.port, moto.port))
        env["LOG_LEVEL"] = "info"
        # One discarded run first: moto loads its EC2 backend and the fake GitHub its schemas on
        # their first calls (seconds), which would otherwise land on run 1.
        warm = one_run(-1, args, env, work)
        b.log(f"warm-up run (discarded): exec->response {warm['exec_to_response_ms']:.1f} ms")
        runs = []
        for i in range(args.runs):
            r = one_run(i, args, env, work)
            b.log(f"run {i + 1}/{args.runs}: exec->/next {r['exec_to_first_next_ms']:.1f} ms, "
                  f"exec->response {r['exec_to_response_ms']:.1f} ms, invoke->response {r['invoke_to_response_ms']:.1f} ms, "
                  f"peak RSS {r['peak_rss_kib'] / 1024:.1f} MiB ({r['body'].get('result', r['body'].get('message'))})")
            runs.append(r)
        keys = ["exec_to_first_next_ms", "exec_to_response_ms", "invoke_to_response_ms"]
        summary = {k: {"median": round(b.median([r[k] for r in runs]), 2), "min": round(min(r[k] for r in runs), 2),
                       "max": round(max(r[k] for r in runs), 2)} for k in keys}
        rss = [r["peak_rss_kib"] / 1024 for r in runs]
        summary["peak_rss_mib"] = {"median": round(b.median(rss), 2), "min": round(min(rss), 2), "max": round(max(rss), 2)}
        summary["runs"] = len(runs)
        summary["results"] = sorted({r["body"].get("result", "?") for r in runs})
        print(json.dumps(summary, indent=2))
        return 0
    finally:
        for peer in (github, moto):
            if peer:
                peer.stop()
        if not args.keep:
            import shutil
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
