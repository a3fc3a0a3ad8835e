#!/usr/bin/env python3
"""The hand-written pages may name settings, but the settings table is their one definition
(docs/configuration.md is generated from it). So that a page cannot drift from it: every
AUTOMATION_* key named in README.md and docs/*.md is a setting the binary knows, and where a
page states a default in the form `AUTOMATION_KEY` (value ...), the value is the table's
default. Usage: check_setting_mentions.py SOURCE_DIR AUTOMATION_BINARY"""
import json
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(sys.argv[1]).resolve()
listing = subprocess.run([sys.argv[2], "config", "list", "--json"], check=True,
                         capture_output=True, text=True).stdout
defaults = {row["key"]: row["default"] for row in json.loads(listing)}

# Variables of the scripts and the test harness, not of the service.
not_settings = re.compile(r"AUTOMATION_TEST_\w*|AUTOMATION_PRESET|AUTOMATION_SOAK_SECONDS"
                          r"|AUTOMATION_SCREENSHOTS|AUTOMATION_CONSOLE_100K")
pages = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
pages = [page for page in pages if page.name != "configuration.md"]
key = re.compile(r"\bAUTOMATION_[A-Z0-9_]*[A-Z0-9]\b")
stated_default = re.compile(r"`(AUTOMATION_[A-Z0-9_]+)` \(`?([^;,)` ]+)")

problems = []
for page in pages:
    text = page.read_text(encoding="utf-8")
    for match in key.finditer(text):
        name = match.group(0)
        if name in defaults or not_settings.fullmatch(name):
            continue
        # "AUTOMATION_LOGIN_MAX_FAILURES, _ACCOUNT_MAX_FAILURES" style abbreviations and
        # prefixes such as AUTOMATION_DB_* are fine when some setting starts with them.
        if any(setting.startswith(name + "_") for setting in defaults):
            continue
        problems.append(f"{page.name}: {name} is no setting")
    for match in stated_default.finditer(text):
        name, value = match.groups()
        if name not in defaults or not value[0].isdigit() and value not in ("true", "false"):
            continue  # prose in parentheses, not a value
        if value != defaults[name]:
            problems.append(f"{page.name}: {name} default written as {value}, "
                            f"the table says {defaults[name] or '(none)'}")

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
