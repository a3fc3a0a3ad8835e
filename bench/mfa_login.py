#!/usr/bin/env python3
"""What a second factor adds to a login (bench/mfa_login.sh runs it against a server).

Usage: mfa_login.py BASE_URL SYSTEM_PASSWORD USERS SERVER_PID
Creates USERS operators with TOTP enrolled (codes from oathtool) and one without MFA, then
times, one request at a time on a keep-alive connection, alternating so that drift on a shared
machine hits every kind alike:
  password   POST /api/users/login of the user without MFA (one Argon2id evaluation)
  one_step   POST /api/users/login with the password and `otp` (half of the MFA users)
  step_1     POST /api/users/login of an MFA user: the password step, answering mfa_required
  step_2     POST /api/users/login/mfa with the token and a code (the other half)
Codes are computed (oathtool) before each timed request, never inside it. Besides the
latency, the server's CPU time per request (all its threads, from /proc/PID/task/*/schedstat,
in nanoseconds): on a shared, loaded machine that moves far less than the latency does.
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

PASSWORD = "bench-mfa-password-1"


def oathtool(secret, offset=0):
    at = int(time.time()) + offset
    return subprocess.run(["oathtool", "--totp", "-b", "-N", f"@{at}", secret], check=True,
                          capture_output=True, text=True).stdout.strip()


def cpu_ns(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as stat:
                total += int(stat.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # a thread that ended meanwhile
    return total


class Client:
    def __init__(self, base, pid):
        url = urllib.parse.urlparse(base)
        self.connection = http.client.HTTPConnection(url.hostname, url.port)
        self.pid = pid
        self.last_cpu = 0.0

    def call(self, method, path, body=None, key=None):
        headers = {"Content-Type": "application/json"}
        if key:
            headers["X-API-KEY"] = key
        cpu = cpu_ns(self.pid)
        started = time.perf_counter()
        self.connection.request(method, path, json.dumps(body) if body is not None else "",
                                headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        self.last_cpu = (cpu_ns(self.pid) - cpu) / 1e9
        return response.status, (json.loads(data) if data else None), elapsed


def main():
    base, system_password, users, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    client = Client(base, pid)
    status, body, _ = client.call("POST", "/api/users/login",
                                  {"username": "system", "password": system_password})
    assert status == 200, body
    system_key = body["apiKey"]
    names = ["plain"] + [f"mfa{i}" for i in range(users)]
    for name in names:
        status, body, _ = client.call(
            "POST", "/api/users/signup",
            {"username": name, "email": f"{name}@bench.local", "password": PASSWORD,
             "role_name": "operator"}, system_key)
        assert status == 200, body
    secrets = {}
    for name in names[1:]:
        status, body, _ = client.call("POST", "/api/users/login",
                                      {"username": name, "password": PASSWORD})
        key = body["apiKey"]
        status, body, _ = client.call("POST", "/api/users/me/mfa/totp", None, key)
        secrets[name] = body["secret"]
        status, body, _ = client.call("POST", "/api/users/me/mfa/totp/confirm",
                                      {"code": oathtool(secrets[name])}, key)
        assert status == 200, body

    times = {"password": [], "one_step": [], "step_1": [], "step_2": []}
    cpu = {name: [] for name in times}

    def timed(kind, elapsed):
        times[kind].append(elapsed)
        cpu[kind].append(client.last_cpu)

    for i, name in enumerate(names[1:]):
        status, body, elapsed = client.call("POST", "/api/users/login",
                                            {"username": "plain", "password": PASSWORD})
        assert status == 200, body
        timed("password", elapsed)
        code = oathtool(secrets[name], 30)  # a step after the confirming one
        if i % 2 == 0:
            status, body, elapsed = client.call(
                "POST", "/api/users/login",
                {"username": name, "password": PASSWORD, "otp": code})
            assert status == 200, body
            timed("one_step", elapsed)
        else:
            status, body, elapsed = client.call("POST", "/api/users/login",
                                                {"username": name, "password": PASSWORD})
            assert status == 401 and body["error_type"] == "mfa_required", body
            timed("step_1", elapsed)
            status, body, elapsed = client.call(
                "POST", "/api/users/login/mfa", {"mfa_token": body["mfa_token"], "code": code})
            assert status == 200, body
            timed("step_2", elapsed)

    def row(name, label):
        values = times[name]
        return (f"{label:<44} {statistics.median(values) * 1000:8.2f} ms median"
                f" {statistics.mean(values) * 1000:8.2f} ms mean"
                f"   server CPU {statistics.median(cpu[name]) * 1000:7.3f} ms median"
                f"  (n={len(values)})")

    print(row("password", "login, password only (one KDF)"))
    print(row("one_step", "login with password + otp (one request)"))
    print(row("step_1", "MFA login, password step (mfa_required)"))
    print(row("step_2", "MFA login, second step (no KDF)"))
    extra = statistics.median(times["one_step"]) - statistics.median(times["password"])
    extra_cpu = statistics.median(cpu["one_step"]) - statistics.median(cpu["password"])
    print(f"{'otp in the login over the password alone:':<44} {extra * 1000:8.2f} ms latency,"
          f" {extra_cpu * 1000:7.3f} ms server CPU (medians)")


if __name__ == "__main__":
    main()
