#!/usr/bin/env python3
"""AWS credentials endpoints on loopback: the container credentials endpoint and EC2's
instance metadata service (IMDSv2 only), for the credentials chain tests.

  GET  <any path not under /latest/ or /_control/>   container credentials; with
       --auth-token T, the Authorization header must equal T (else 401)
  PUT  /latest/api/token                 IMDSv2 session token; needs the
       X-aws-ec2-metadata-token-ttl-seconds header (else 400)
  GET  /latest/meta-data/iam/security-credentials/         the role name
  GET  /latest/meta-data/iam/security-credentials/<role>   the role's credentials
       (both need X-aws-ec2-metadata-token with a token this peer issued, else 401;
        --no-role makes the first answer 404)

Every credentials answer has a fresh AccessKeyId (ASIAPEER<n>, n counting from 1) so a test
sees when credentials were fetched again; Expiration is --expires-in seconds from now.
  GET  /_control/requests    what arrived: method, path, headers
Options: --port 0. Prints "LISTENING <port>" once bound.
"""
import argparse, datetime, json, signal, sys, threading, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A parent may spawn us with SIGTERM/SIGINT blocked (Foundation's Process on Linux spawns from
# threads that block them, and children inherit the mask). Unblock them so `terminate()` works.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

ROLE = "runner-scaler-test-role"
CREDS_PATH = "/latest/meta-data/iam/security-credentials/"


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.requests = []
        self.tokens = set()
        self.issued = 0

    def credentials(self):
        with self.lock:
            self.issued += 1
            n = self.issued
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.args.expires_in)
        return {
            "Code": "Success", "Type": "AWS-HMAC",
            "AccessKeyId": f"ASIAPEER{n}", "SecretAccessKey": f"peer-secret-{n}", "Token": f"peer-token-{n}",
            "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "LastUpdated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *args):
        sys.stderr.write("aws-metadata: " + (fmt % args) + "\n")

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with self.state.lock:
            self.state.requests.append({
                "method": self.command, "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            })

    def token_ok(self):
        return self.headers.get("X-aws-ec2-metadata-token") in self.state.tokens

    def do_PUT(self):
        self.record()
        if self.path != "/latest/api/token":
            return self.reply(404, {"error": "not found"})
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(400, "missing TTL header", "text/plain")
        token = uuid.uuid4().hex
        with self.state.lock:
            self.state.tokens.add(token)
        self.reply(200, token, "text/plain")

    def do_GET(self):
        if self.path == "/_control/requests":
            with self.state.lock:
                return self.reply(200, list(self.state.requests))
        self.record()
        if self.path.startswith("/latest/"):
            if not self.token_ok():
                return self.reply(401, "", "text/plain")
            if self.path == CREDS_PATH:
                if self.state.args.no_role:
                    return self.reply(404, "", "text/plain")
                return self.reply(200, ROLE, "text/plain")
            if self.path == CREDS_PATH + ROLE:
                return self.reply(200, self.state.credentials())
            return self.reply(404, "", "text/plain")
        expected = self.state.args.auth_token
        if expected is not None and self.headers.get("Authorization") != expected:
            return self.reply(401, {"message": "bad authorization"})
        creds = self.state.credentials()
        creds.pop("Code"); creds.pop("Type"); creds.pop("LastUpdated")
        self.reply(200, creds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--auth-token")
    ap.add_argument("--expires-in", type=int, default=3600)
    ap.add_argument("--no-role", action="store_true")
    args = ap.parse_args()
    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass


if __name__ == "__main__":
    main()
