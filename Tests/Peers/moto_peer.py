#!/usr/bin/env python3
"""moto (a real AWS API emulator) on loopback, for the EC2, SSM and Secrets Manager tests.

Starts moto's ThreadedMotoServer on 127.0.0.1 and prints "LISTENING <port>" once bound.
Signature checking follows moto's own switch, the INITIAL_NO_AUTH_ACTION_COUNT environment
variable (or --initial-no-auth-action-count N, which sets it): the first N calls are accepted
unchecked (enough to create an IAM user, its policy and an access key); every later call must
be SigV4-signed with a key moto knows, else moto answers AuthFailure / InvalidClientTokenId.

The peer exits when its parent does (it polls the parent pid), so a test process that dies
without stopping it leaves nothing behind.
"""
import argparse, os, signal, sys, threading, time

# A parent may spawn us with SIGTERM/SIGINT blocked (Foundation's Process on Linux spawns from
# threads that block them, and children inherit the mask). Unblock them so `terminate()` works.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})


def watch_parent(parent):
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(0.5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--initial-no-auth-action-count", type=int)
    args = ap.parse_args()
    if args.initial_no_auth_action_count is not None:
        os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = str(args.initial_no_auth_action_count)
    # moto reads its settings when imported, so the environment must be final by now.
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"LISTENING {server.get_host_and_port()[1]}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
