#!/usr/bin/env python3
"""Seeds a SQLite database (already created by the server) with N users and N live sessions
in one transaction, and writes the sessions' API keys to a file, one a line, for the
cold-key phase of bench/run.sh.

Usage: bench/seed.py DB_FILE N KEYS_FILE

Users are `seed_000001`... with role operator and a placeholder password hash (they are
listed and looked up, never logged in); session i belongs to user i and never expires.
A key is 64 random hex digits, stored as the service stores it: the hex SHA-256 of the key.
"""
import hashlib
import secrets
import sqlite3
import sys


def main() -> None:
    db_file, count, keys_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    db = sqlite3.connect(db_file, timeout=30)
    db.execute("PRAGMA foreign_keys = ON")
    (role_id,) = db.execute("SELECT id FROM roles WHERE lower(name) = 'operator'").fetchone()
    keys = [secrets.token_hex(32) for _ in range(count)]
    with db:  # one transaction
        cursor = db.execute("SELECT COALESCE(MAX(id), 0) FROM users")
        first_id = cursor.fetchone()[0] + 1
        db.executemany(
            "INSERT INTO users (id, identifier, username, role_id, email, password, name, lastname)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (first_id + i, f"{first_id + i:016x}", f"seed_{i + 1:06d}", role_id,
                 f"seed_{i + 1:06d}@bench.local", "seeded-user-cannot-log-in",
                 f"Name{i + 1}", f"Lastname{i + 1}")
                for i in range(count)
            ),
        )
        db.executemany(
            "INSERT INTO sessions (token_digest, user_id, created_at, expires_at)"
            " VALUES (?, ?, 0, 0)",
            ((hashlib.sha256(key.encode()).hexdigest(), first_id + i) for i, key in enumerate(keys)),
        )
    db.close()
    with open(keys_file, "w", encoding="ascii") as out:
        out.write("\n".join(keys))
        out.write("\n")


if __name__ == "__main__":
    main()
