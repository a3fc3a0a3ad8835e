#!/usr/bin/env python3
"""Large requests on keep-alive connections: are any dropped without an answer?

Starts one server on a temporary SQLite database, then 4 threads each keep one connection
and repeat GET (404), PATCH (405) and a POST with a large body (413 at 70 KiB, 400 at
60 KiB) for the given time. Prints how many rounds ran and every request that got no answer.
RESTinio 0.6.16 with one request in flight per connection dropped about one such POST in
200,000 (docs/operations.md "Limits and timeouts"); a count of 0 is what the server must print.

Usage: bench/keepalive_check.py [--seconds S] [--body-kib K] [path/to/automation]
"""
import argparse
import http.client
import json
import os
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "bench-system-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--body-kib", type=int, default=70)
    parser.add_argument("binary", nargs="?",
                        default=os.path.join(ROOT, "build/release/src/automation/cli/automation"))
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, AUTOMATION_SUPERUSER_PASSWORD=PASSWORD)
        server = subprocess.Popen(
            [args.binary, "serve", "--port", str(port), "--db-file", os.path.join(work, "k.db")],
            cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            run(port, args.seconds, args.body_kib * 1024)
        finally:
            server.terminate()
            server.wait()


def run(port, seconds, body_bytes):
    deadline = time.time() + 30
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port)
            connection.request("POST", "/api/users/login",
                               body=json.dumps({"username": "system", "password": PASSWORD}),
                               headers={"Content-Type": "application/json"})
            key = json.loads(connection.getresponse().read())["apiKey"]
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)
    body = "x" * body_bytes
    rounds = [0]
    dropped = []
    lock = threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port)
        end = time.time() + seconds
        while time.time() < end:
            step = ""
            try:
                for step, method, path, payload in (("404", "GET", "/api/nowhere", None),
                                                    ("405", "PATCH", "/api/users/me", None),
                                                    ("large", "POST", "/api/users/signup", body)):
                    connection.request(method, path, body=payload,
                                       headers={"X-API-KEY": key,
                                                "Content-Type": "application/json"})
                    connection.getresponse().read()
                with lock:
                    rounds[0] += 1
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    dropped.append((step, repr(error)))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port)

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{rounds[0]} rounds ({body_bytes // 1024} KiB bodies), {len(dropped)} dropped")
    for step, error in dropped:
        print(f"  {step}: {error}")


if __name__ == "__main__":
    main()
