#!/usr/bin/env python3
"""Echo peer for the HTTP client tests (loopback only).

Answers every request with JSON describing what arrived: method, the raw request target
(absolute-form when the client talks to it as a proxy), headers, body, and the client's
source port (so tests can see connection reuse). Special paths:
  /status/NNN[?retry_after=S]   answer with status NNN
  /delay/MS                     answer after MS milliseconds
  /bytes/N                      answer with N bytes
Options: --port 0, --cert/--key for TLS. Prints "LISTENING <port>" once bound.
"""
import argparse, base64, json, signal, ssl, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A parent may spawn us with SIGTERM/SIGINT blocked (Foundation's Process on Linux spawns from
# threads that block them, and children inherit the mask). Unblock them so `terminate()` works.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})



class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("echo: " + (fmt % args) + "\n")

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = self.path
        path = target.split("://", 1)[-1]
        path = "/" + path.split("/", 1)[1] if "://" in target and "/" in path else target
        status, extra, payload = 200, {}, None
        parts = path.split("?")[0].strip("/").split("/")
        if len(parts) == 2 and parts[0] == "status":
            status = int(parts[1])
            if "retry_after=" in path:
                extra["Retry-After"] = path.split("retry_after=")[1].split("&")[0]
        elif len(parts) == 2 and parts[0] == "delay":
            time.sleep(int(parts[1]) / 1000)
        elif len(parts) == 2 and parts[0] == "bytes":
            payload = b"x" * int(parts[1])
        if payload is None:
            payload = json.dumps({
                "method": self.command, "target": target, "path": path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body_b64": base64.b64encode(body).decode(), "client_port": self.client_address[1],
            }).encode()
        self.send_response(status)
        for k, v in extra.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass


if __name__ == "__main__":
    main()
