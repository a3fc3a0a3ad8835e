#!/usr/bin/env python3
"""Mints authorization codes for bench/oidc.sh: signs bench_user in through the login page,
then asks GET /oidc/authorize (PKCE S256 of bench/oidc_exchange.lua's verifier) once per code,
and exchanges one extra code for an access token (introspection's).

Usage: oidc_codes.py BASE CLIENT_ID CLIENT_SECRET COUNT CODES_FILE ACCESS_TOKEN_FILE"""
import base64
import hashlib
import http.client
import json
import sys
import urllib.parse

base, client_id, client_secret, count, codes_file, token_file = sys.argv[1:7]
host = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(host.hostname, host.port)
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
REDIRECT = "http://bench.test/callback"


def call(method, path, body=None, headers=None):
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response, response.read()


form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": base}
response, _ = call("POST", "/login", urllib.parse.urlencode(
    {"username": "bench_user", "password": "bench-password-1"}), form)
cookie = response.getheader("Set-Cookie").split(";")[0]
query = urllib.parse.urlencode({
    "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
    "scope": "openid profile roles", "state": "s", "code_challenge": challenge,
    "code_challenge_method": "S256"})


def mint():
    response, _ = call("GET", "/oidc/authorize?" + query, headers={"Cookie": cookie})
    location = response.getheader("Location")
    return urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]


with open(codes_file, "w") as out:
    for _ in range(int(count)):
        out.write(mint() + "\n")
basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
response, body = call("POST", "/oidc/token", urllib.parse.urlencode({
    "grant_type": "authorization_code", "code": mint(), "redirect_uri": REDIRECT,
    "code_verifier": VERIFIER}), {"Content-Type": "application/x-www-form-urlencoded",
                                  "Authorization": "Basic " + basic})
with open(token_file, "w") as out:
    out.write(json.loads(body)["access_token"])
