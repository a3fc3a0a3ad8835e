#!/usr/bin/python3
"""A stand-in for PyAutomation behind the front door (tests/js/front_door_nginx.cjs).

It checks keys exactly as upstream PyAutomation's Api.token_required does for a key it did not
issue itself: X-API-KEY, else Authorization split on 'Token ', then Api.verify_tpt, which is
`jwt.decode(token, secret, algorithms=["HS256"])` with Debian's PyJWT (python3-jwt; run with
/usr/bin/python3). Routes:
  /api/health...          open, as upstream's health probes
  /api/... , /socket.io/  key-checked; 200 echoes the claims and what the request carried;
                          a WebSocket upgrade is accepted and one text frame echoed
  /app/...                a web application behind the login page (Grafana-like): greets the
                          user nginx names in X-WEBAUTH-USER
  anything else           the HMI's files, open
Usage: pyautomation_stand_in.py PORT SECRET
"""
import base64
import hashlib
import http.server
import json
import sys
import time

import jwt

SECRET = sys.argv[2]
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def upstream_key(headers):
    # automation/extensions/api.py, token_required(auth=True)
    if "X-API-KEY" in headers:
        return headers["X-API-KEY"]
    if "Authorization" in headers:
        return headers["Authorization"].split("Token ")[-1]
    return None


def verify_tpt(token):
    # automation/extensions/api.py, Api.verify_tpt
    try:
        return jwt.decode(token, SECRET, algorithms=["HS256"])
    except Exception:
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_html(self, status, html):
        data = html.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def seen(self):
        return {
            "path": self.path,
            "method": self.command,
            "x_automation_user": self.headers.get("X-Automation-User"),
            "authorization": self.headers.get("Authorization"),
            "cookie": self.headers.get("Cookie"),
            "now": time.time(),
        }

    def websocket(self, claims):
        accept = base64.b64encode(hashlib.sha1(
            (self.headers["Sec-WebSocket-Key"] + WEBSOCKET_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        # One masked client text frame in, the same text back, as the user it came from.
        head = self.rfile.read(2)
        length = head[1] & 0x7F
        mask = self.rfile.read(4)
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(length)))
        reply = (payload.decode() + " from " + claims["sub"]).encode()
        self.wfile.write(bytes([0x81, len(reply)]) + reply)
        self.wfile.flush()
        self.close_connection = True

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path
        if path.startswith("/api/health"):
            return self.send_json(200, {"status": "ok", "service": "pyautomation"})
        if path.startswith("/api/") or path.startswith("/socket.io/"):
            token = upstream_key(self.headers)
            if not token:
                return self.send_json(401, {"message": "Key is missing."})
            claims = verify_tpt(token)
            if claims is None:
                return self.send_json(401, {"message": "Invalid token"})
            if self.headers.get("Upgrade", "").lower() == "websocket":
                return self.websocket(claims)
            return self.send_json(200, {"claims": claims, **self.seen()})
        if path.startswith("/app/"):
            user = self.headers.get("X-WEBAUTH-USER")
            if not user:
                return self.send_html(500, "<p>no user from the proxy</p>")
            cookie = self.headers.get("Cookie") or ""
            return self.send_html(
                200,
                "<!doctype html><title>App</title>"
                f"<h1 id='hello'>Hello {user}</h1>"
                f"<p id='role'>{self.headers.get('X-Automation-Role')}</p>"
                f"<p id='cookie'>{cookie}</p>"
                "<a id='signout' href='/logout?rd=/app/'>Sign out</a>")
        return self.send_html(200, "<!doctype html><title>HMI</title><p>PyAutomation HMI</p>")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


if __name__ == "__main__":
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
