#!/usr/bin/env python3
"""Strict revocation across server processes (SPEC §7 "Scale-out").

For each trial, a revocation is made through node A and acknowledged (logout, logout_all,
password reset, role change, user delete, TPT revoke), then the very next request goes to
node B with what was revoked. Any answer that still accepts it is a stale answer.

Usage: revocation_check.py BASE_URL_A BASE_URL_B SYSTEM_PASSWORD [TRIALS]
Prints one line per kind and a summary; exits 1 if any answer was stale.
Standard library only; talks to 127.0.0.1 only.
"""
import http.client
import json
import secrets
import sys
import urllib.parse

KINDS = ["logout", "logout_all", "reset_password", "update_role", "delete_user", "revoke_tpt"]
PASSWORD = "Revocation-Check-Passw0rd"


class Node:
    def __init__(self, base_url):
        parsed = urllib.parse.urlparse(base_url)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)

    def call(self, method, path, body=None, key=None):
        headers = {"Content-Type": "application/json"}
        if key:
            headers["X-API-KEY"] = key
        payload = json.dumps(body) if body is not None else None
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    a, b = Node(sys.argv[1]), Node(sys.argv[2])
    trials = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    status, body = a.call("POST", "/api/users/login",
                          {"username": "system", "password": sys.argv[3]})
    assert status == 200, (status, body)
    system_key = body["apiKey"]
    # Sudo resets only admins' passwords: an admin acts on the operators.
    run = secrets.token_hex(3)  # names unique to this run, so it can be repeated
    admin = f"rev_admin_{run}"
    status, body = a.call("POST", "/api/users/signup",
                          {"username": admin, "email": f"{admin}@plant.example",
                           "password": PASSWORD, "role_name": "admin"}, system_key)
    assert status == 200, (status, body)
    status, body = a.call("POST", "/api/users/login", {"username": admin, "password": PASSWORD})
    assert status == 200, (status, body)
    admin_key = body["apiKey"]
    stale = {kind: 0 for kind in KINDS}
    done = {kind: 0 for kind in KINDS}
    for trial in range(trials):
        kind = KINDS[trial % len(KINDS)]
        name = f"rev{trial}_{run}"
        if kind == "revoke_tpt":
            status, body = a.call("POST", "/api/users/create_tpt", {"role_name": "operator"},
                                  system_key)
            assert status == 200, (status, body)
            token, jti = body["token"], body["jti"]
            assert b.call("GET", "/api/users/roles/", key=token)[0] == 200  # cached on B now
            assert a.call("DELETE", f"/api/users/tpts/{jti}", key=system_key)[0] == 200
            ok = b.call("GET", "/api/users/roles/", key=token)[0] == 401
        else:
            status, body = a.call("POST", "/api/users/signup",
                                  {"username": name, "email": f"{name}@plant.example",
                                   "password": PASSWORD, "role_name": "operator"}, system_key)
            assert status == 200, (status, body)
            status, body = a.call("POST", "/api/users/login",
                                  {"username": name, "password": PASSWORD})
            assert status == 200, (status, body)
            key = body["apiKey"]
            assert b.call("GET", "/api/users/me", key=key)[0] == 200  # cached on B now
            if kind == "logout":
                assert a.call("POST", "/api/users/logout", key=key)[0] == 200
            elif kind == "logout_all":
                assert a.call("POST", "/api/users/logout_all", key=key)[0] == 200
            elif kind == "reset_password":
                assert a.call("POST", "/api/users/reset_password",
                              {"target_username": name, "new_password": PASSWORD + "2"},
                              admin_key)[0] == 200
            elif kind == "delete_user":
                assert a.call("DELETE", f"/api/users/{name}", key=admin_key)[0] == 200
            if kind == "update_role":
                assert a.call("POST", "/api/users/update_role",
                              {"target_username": name, "new_role_name": "guest"},
                              admin_key)[0] == 200
                status, body = b.call("GET", "/api/users/me", key=key)
                ok = status == 200 and body["role"]["name"] == "guest"
            else:
                ok = b.call("GET", "/api/users/me", key=key)[0] == 401
        done[kind] += 1
        if not ok:
            stale[kind] += 1
    for kind in KINDS:
        print(f"{kind:15s} {done[kind]:5d} trials  {stale[kind]:3d} stale")
    total = sum(stale.values())
    print(f"revocation check: {trials} trials over two processes, {total} stale answers")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
