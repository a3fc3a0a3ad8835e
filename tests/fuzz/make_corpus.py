#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Seeds come from the test vectors (tests/testdata/werkzeug_hashes.json), the request bodies and
headers of the unit and integration tests and of PyAutomation's HMI (JSON and the same fields
as HTML forms), and hand-made edge cases. Each file is named by the SHA-1 of its content, as
libFuzzer names the inputs it keeps. Re-run after changing a target's input format:
    tests/fuzz/make_corpus.py
"""
import base64
import hashlib
import hmac
import json
import pathlib
import shutil
import urllib.parse

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
TESTDATA = HERE.parent / "testdata" / "werkzeug_hashes.json"


def write(target, seeds):
    directory = CORPUS / target
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for seed in seeds:
        data = seed if isinstance(seed, bytes) else seed.encode()
        (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


# request_body_fuzz: selector byte (parser + 13 * form), then the body or query string.
FORM = 13
PARSERS = {
    0: [  # credentials
        {"username": "system", "password": "first-pass-1"},
        {"email": "ana@plant.local", "password": "first-pass-1"},
        {"username": "ana", "email": "", "password": "pw"},
        {"password": "pw"},
        {"username": "ana", "password": "first-pass-1", "otp": "012345"},
        {"username": "ana", "password": "first-pass-1", "otp": 12345},
    ],
    1: [  # signup
        {"username": "ana", "email": "ana@plant.local", "password": "first-pass-1",
         "role_name": "admin"},
        {"username": "juan", "email": "juan@plant.local", "password": "contraseña-1",
         "name": "Juan", "lastname": "Pérez"},
        {"username": "x", "email": "x@y", "password": "p", "role_name": None},
    ],
    2: [  # password change
        {"target_username": "ana", "current_password": "first-pass-1",
         "new_password": "second-pass-2"},
        {"target_username": "system", "new_password": "abc\u0000defghijk",
         "current_password": "x"},
        {"target_username": 5, "new_password": ["x"]},
    ],
    3: [  # role update
        {"target_username": "ana", "new_role_name": "operator"},
        {"target_username": "ana", "new_role_name": "SUDO"},
    ],
    4: [  # third-party token request
        {"role_name": "operator", "expires_in": 86400, "description": "historian"},
        {"role_name": "guest", "expires_in": 0},
        {"role_name": "guest", "expires_in": "soon"},
        {"role_name": "operator", "expires_in": -1},
    ],
    5: [  # user edit
        {"email": "ana@plant.local"},
        {"name": "Ana", "lastname": "García"},
        {},
    ],
    6: [  # new role
        {"name": "maintainer", "level": 5},
        {"name": "maint", "level": "5"},
        {"name": "big", "level": 9223372036854775807},
    ],
    7: [  # password reset
        {"target_username": "ana", "new_password": "third-pass-3"},
    ],
    10: [  # MFA code (enrollment confirmation)
        {"code": "012345"},
        {"code": 12345},
    ],
    11: [  # password and code (MFA removal, new recovery codes)
        {"password": "first-pass-1", "code": "ABCD-EFGH-IJKL-MNOP"},
        {"password": "first-pass-1"},
    ],
    12: [  # second login step
        {"mfa_token": "819facfddc124a9e7105d151508b1518d22fb41087f0f72e5e3e92cfcad9f982",
         "code": "012345"},
        {"mfa_token": None, "code": "012345"},
    ],
}
QUERIES = ["page=1&limit=10", "limit=10000", "page=2", "page=0&limit=10", "page=1&limit=-5",
           "page=1&limit=ten", "page=1&limit=9223372036854775808", "limit=1000", "limit=1001",
           "limit=%31%30", "page=%zz", "a=1&&limit=5&limit=6", ""]


def form(fields):
    pairs = []
    for key, value in fields.items():
        if value is None or isinstance(value, list):
            continue
        pairs.append((key, str(value)))
    return urllib.parse.urlencode(pairs)


def request_body_seeds():
    seeds = []
    for parser, bodies in PARSERS.items():
        for body in bodies:
            seeds.append(bytes([parser]) + json.dumps(body, ensure_ascii=False).encode())
            seeds.append(bytes([FORM + parser]) + form(body).encode())
        seeds.append(bytes([parser]) + b"not json")
        seeds.append(bytes([parser]) + b"[]")
        seeds.append(bytes([FORM + parser]) + b"a=%zz&b=%C3%28&c")
    for query in QUERIES:
        seeds.append(bytes([8]) + query.encode())
        seeds.append(bytes([9]) + query.encode())
    return seeds


# api_key_fuzz: flags byte (1: X-API-KEY sent, 2: Authorization sent), X-API-KEY, '\n', Authorization.
def api_key_seeds():
    key = "3q2-7zsQn0fJbX4tVwYk1u8cA5dG6hE9iL0mN2oP4rS"
    return [
        b"\x01" + key.encode(),
        b"\x02\nToken " + key.encode(),
        b"\x02\nBearer " + key.encode(),
        b"\x03\nbearer  \t" + key.encode() + b" ",
        b"\x03 \t\nToken " + key.encode(),
        b"\x03" + key.encode() + b"\nToken other",
        b"\x02\nBasic YWxhZGRpbjpvcGVuc2VzYW1l",
        b"\x02\nToken",
        b"\x02\nBearer \t ",
        b"\x01",
        b"\x00",
    ]


# jwt_verify_fuzz: even byte + token signed with the target's secret; odd byte + claims.
JWT_SECRET = b"fuzz-secret-0123456789abcdef0123456789"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def jwt(header, claims, secret=JWT_SECRET, digest=hashlib.sha256):
    signing_input = b64(json.dumps(header).encode()) + b"." + b64(json.dumps(claims).encode())
    signature = hmac.new(secret, signing_input, digest).digest()
    return signing_input + b"." + b64(signature)


def jwt_seeds():
    hs256 = {"alg": "HS256", "typ": "JWT"}
    claims = {"role": "operator", "created_on": "2026-11-29 10:00:00", "iat": 1796032800,
              "jti": "b1946ac92492d2347c6235b4d2611184"}
    with_exp = dict(claims, exp=1796119200)
    tokens = [
        jwt(hs256, claims),
        jwt(hs256, with_exp),
        jwt(hs256, dict(claims, role="sudo")),
        jwt(hs256, dict(claims, iat="1796032800")),
        jwt(hs256, {"role": "operator"}),
        jwt(hs256, claims, secret=b"another-secret-0123456789abcdef0123"),
        jwt({"alg": "HS512", "typ": "JWT"}, claims, digest=hashlib.sha512),
        b64(b'{"alg":"none","typ":"JWT"}') + b"." + b64(json.dumps(claims).encode()) + b".",
        b64(b'{"alg":"NONE","typ":"JWT"}') + b"." + b64(json.dumps(claims).encode()) + b".",
        b"a.b.c", b"...", b"",
    ]
    seeds = [b"\x00" + token for token in tokens]
    times = (1796032800).to_bytes(8, "little", signed=True)
    seeds.append(b"\x01" + times + (0).to_bytes(8, "little") +
                 b"operator\n2026-11-29 10:00:00\nb1946ac92492d2347c6235b4d2611184")
    seeds.append(b"\x01" + times + (1796119200).to_bytes(8, "little", signed=True) +
                 "opérateur\n2026-11-29 10:00:00\njti".encode())
    seeds.append(b"\x01" + (-1).to_bytes(8, "little", signed=True) * 2 + b"r\xff\n\x00\nj")
    return seeds


# werkzeug_hash_fuzz: stored hash, '\n', password. The real vectors (costs up to 1,000,000
# iterations, only parsed by the target) plus cheap ones made here (verified by the target).
def werkzeug_seeds():
    seeds = []
    for vector in json.loads(TESTDATA.read_text()):
        seeds.append(vector["hash"].encode() + b"\n" + vector["password"].encode())
    salt = "fuzzSaltFuzzSalt"
    for password in ["password", "", "contraseña", "pa$$w0rd:with:colons$and$dollars:"]:
        pw = password.encode()
        for name, iterations in [("sha256", 1000), ("sha1", 2000), ("sha512", 500)]:
            derived = hashlib.pbkdf2_hmac(name, pw, salt.encode(), iterations).hex()
            seeds.append(f"pbkdf2:{name}:{iterations}${salt}${derived}\n".encode() + pw)
        derived = hashlib.scrypt(pw, salt=salt.encode(), n=16, r=8, p=1, dklen=64).hex()
        seeds.append(f"scrypt:16:8:1${salt}${derived}\n".encode() + pw)
        for name in ["sha256", "sha1"]:
            derived = hmac.new(salt.encode(), pw, name).hexdigest()
            seeds.append(f"{name}${salt}${derived}\n".encode() + pw)
            seeds.append(f"{name}$${hashlib.new(name, pw).hexdigest()}\n".encode() + pw)
    seeds += [b"pbkdf2:sha256:0$s$00\npw", b"scrypt:0:0:0$s$00\npw", b"plain$$password\npassword",
              b"pbkdf2:md5:1000$s$" + b"0" * 32 + b"\npw", b"$$\n"]
    return seeds


# dotenv_config_fuzz: the bytes of a .env file.
def dotenv_seeds():
    full = """# automation settings
AUTOMATION_HOST=0.0.0.0
AUTOMATION_PORT=8050
AUTOMATION_THREADS=4
AUTOMATION_MAX_CONNECTIONS=1000
AUTOMATION_READ_TIMEOUT=20
AUTOMATION_WRITE_TIMEOUT=30
AUTOMATION_TIMEZONE=Europe/Madrid
AUTOMATION_DB_TYPE=sqlite
AUTOMATION_DB_FILE="/var/lib/automation/app.db"
AUTOMATION_DB_HOST=db.plant.local
AUTOMATION_DB_PORT=5432
AUTOMATION_DB_USER=automation
AUTOMATION_DB_PASSWORD='s3cr3t with spaces'
AUTOMATION_DB_NAME=automation
AUTOMATION_DB_SSLMODE=verify-full
AUTOMATION_APP_SECRET_KEY=0123456789abcdef0123456789abcdef
AUTOMATION_SUPERUSER_PASSWORD=change-me-now
AUTOMATION_SESSION_TTL=86400
AUTOMATION_ALLOW_SIGNUP=false
AUTOMATION_PASSWORD_MIN_LENGTH=8
AUTOMATION_LOGIN_MAX_FAILURES=5
AUTOMATION_LOGIN_ACCOUNT_MAX_FAILURES=100
AUTOMATION_LOGIN_ADDRESS_MAX_FAILURES=50
AUTOMATION_TRUSTED_PROXIES=127.0.0.1, ::1,::ffff:10.0.0.1
AUTOMATION_LOGIN_WINDOW=900
AUTOMATION_ARGON2_MEMORY_KIB=19456
AUTOMATION_ARGON2_ITERATIONS=2
"""
    return [
        full,
        "export AUTOMATION_PORT=9000\r\n  # comment\r\n\r\nAUTOMATION_ALLOW_SIGNUP = yes\n",
        "AUTOMATION_PORT=0\n", "AUTOMATION_PORT=65536\n", "AUTOMATION_PORT=+80\n",
        "AUTOMATION_TRUSTED_PROXIES=10.0.0.0/8\n", "AUTOMATION_DB_TYPE=mysql\n",
        "AUTOMATION_APP_SECRET_KEY=short\n", "AUTOMATION_HOST=\n", "AUTOMATION_TIMEZONE=''\n",
        "AUTOMATION_TRUSTED_PROXIES=127.0.0.1\0junk\n", "AUTOMATION_DB_FILE=app.db\0.bak\n",
        "=value\n", "no equals sign\n", "export export KEY=\"'\"\n", "KEY=\"\n", "",
    ]


# route_match_fuzz: method byte (0 GET, 1 POST, 2 PUT, 3 DELETE, 4 HEAD, 5 OPTIONS, 6 PATCH,
# other: unused), then target.
def route_seeds():
    targets = {
        0: ["/api/health/ping", "/api/health", "/api/users/", "/api/users/?page=1&limit=10",
            "/api/users/me", "/api/users/john%5Fdoe/", "/api/users/login", "/api/users/tpts",
            "/api/users/roles", "/api/users/audit?limit=50", "/api/users/a%2Fb",
            "/api/users/%zz", "/api/users//", "api/users/me", "/api/users/ana?x=%41+b"],
        1: ["/api/users/login", "/api/users/logout", "/api/users/logout_all", "/api/users/signup",
            "/api/users/credentials_are_valid", "/api/users/change_password",
            "/api/users/reset_password", "/api/users/update_role", "/api/users/create_tpt",
            "/api/users/roles/add", "/api/users/someone"],
        2: ["/api/users/ana", "/api/users/me"],
        3: ["/api/users/ana", "/api/users/tpts/b1946ac92492d2347c6235b4d2611184",
            "/api/users/tpts/"],
        4: ["/api/auth/verify", "/api/users/me"],
        5: ["/api/users/", "/login"],
        6: ["/api/auth/verify?require_level=10", "/api/users/ana"],
        9: ["/api/users/me", "/nothing"],
    }
    return [bytes([method]) + target.encode() for method, paths in targets.items()
            for target in paths]


# front_door_fuzz: selector byte (0 Cookie, 1 Origin, 2 URL, 3 host, 4 return address), text.
def front_door_seeds():
    texts = {
        0: ["automation_session=0123abcd", "a=1; automation_session=\"ff00\"; b=2",
            "automation_session=", "automation_sessionX=1; automation_session=2", ";;="],
        1: ["https://plant.local", "http://127.0.0.1:8080", "HTTPS://Plant.Local:443/",
            "http://[::1]:3000", "null", "https://a@b", "https://plant.local/path", "ftp://x"],
        2: ["https://plant.local/app/?x=1#y", "http://hmi.plant.local:3000/", "https://own@evil",
            "https:evil", "//evil", "http://ex ample"],
        3: ["plant.local", "plant.local:8443", "[::1]:80", "-bad", "a:0", "host:65536"],
        4: ["/", "/app/?x=1", "//evil", "/\\evil", "/%2F%2Fevil", "/%252F%252Fevil",
            "https://plant.local:8443/x", "https://grafana.plant.local/d",
            "http://hmi.plant.local:3000/", "http://hmi.plant.local:3001/",
            "https://plant.local:8443@evil/", "https:evil", "javascript:alert(1)",
            "/\tevil", "HTTPS://GRAFANA.PLANT.LOCAL"],
    }
    return [bytes([selector]) + text.encode() for selector, items in texts.items()
            for text in items]


# signature_input_fuzz: selector byte (parser + 4 * form), then the body, query or export line.
SIGNATURE_DIGEST = hashlib.sha256(b"batch B-1042").hexdigest()
SIGNATURE_BODIES = {
    0: [  # POST /api/signatures
        {"username": "olga", "password": "Us3r-Passw0rd-long", "meaning": "performed",
         "record_type": "batch", "record_id": "B-1042", "record_digest": SIGNATURE_DIGEST,
         "comment": "Charged 500 kg\nsecond line"},
        {"password": "pw", "meaning": "verified", "verifies": "3c0e6f1b2a9d4e5f8a7b6c5d4e3f2a1b",
         "code": "123456"},
        {"password": "pw"},
        {"password": 7, "meaning": None},
    ],
    1: [  # POST /api/signatures/verify
        {"signature_id": "3c0e6f1b2a9d4e5f8a7b6c5d4e3f2a1b", "record_digest": SIGNATURE_DIGEST},
        {"signature_id": ""},
        {},
    ],
}
SIGNATURE_QUERIES = ["record_type=batch&record_id=B-1042&limit=10", "record_id=x", "limit=0",
                     "limit=1001", "record_type=%zz", ""]
SIGNATURE_LINES = [
    {"kind": "key", "key_id": "21fe31dfa154a261", "algorithm": "Ed25519",
     "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
     "first_used_at": "2024-05-01 12:00:00", "timestamp": 1714564800},
    {"kind": "signature", "id": "3c0e6f1b2a9d4e5f8a7b6c5d4e3f2a1b", "signer_id": "c81f24ce98c9a6fe",
     "username": "olga", "printed_name": "Olga Ortiz", "role": "operator",
     "meaning": "performed", "signed_at": "2024-05-01 12:00:00", "timestamp": 1714564800,
     "record_type": "batch", "record_id": "B-1042", "record_digest": SIGNATURE_DIGEST,
     "comment": "", "verifies": None, "authentication": "username+password",
     "key_id": "21fe31dfa154a261", "algorithm": "Ed25519",
     "value": "5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw=="},
    {"kind": "signature", "id": 1},
    {"kind": "other"},
]


def signature_input_seeds():
    seeds = []
    for parser, bodies in SIGNATURE_BODIES.items():
        for body in bodies:
            seeds.append(bytes([parser]) + json.dumps(body, ensure_ascii=False).encode())
            seeds.append(bytes([4 + parser]) + form(body).encode())
    for query in SIGNATURE_QUERIES:
        seeds.append(bytes([2]) + query.encode())
    for line in SIGNATURE_LINES:
        seeds.append(bytes([3]) + json.dumps(line, ensure_ascii=False).encode())
    seeds.append(bytes([3]) + b"not json")
    return seeds


if __name__ == "__main__":
    write("request_body_fuzz", request_body_seeds())
    write("api_key_fuzz", api_key_seeds())
    write("jwt_verify_fuzz", jwt_seeds())
    write("werkzeug_hash_fuzz", werkzeug_seeds())
    write("dotenv_config_fuzz", dotenv_seeds())
    write("route_match_fuzz", route_seeds())
    write("front_door_fuzz", front_door_seeds())
    write("signature_input_fuzz", signature_input_seeds())
