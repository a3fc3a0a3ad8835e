#!/usr/bin/env python3
"""Every relative link of README.md, CHANGELOG.md and docs/*.md leads somewhere: the file
exists and, for a link with #anchor, the target Markdown file has a heading with that anchor
(GitHub's rule: lower case, punctuation dropped, spaces to hyphens). Links to http(s) and
mailto addresses are not followed. Usage: check_links.py SOURCE_DIR"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1]).resolve()
files = [root / "README.md", root / "CHANGELOG.md", *sorted((root / "docs").glob("*.md"))]
link = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def anchors(path):
    found, inside_code = set(), False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside_code = not inside_code
        elif not inside_code and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            found.add(slug)
    return found


problems = []
for source in files:
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks hold no links
    for target in link.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        path_part, _, anchor = target.partition("#")
        dest = (source.parent / path_part).resolve() if path_part else source
        where = f"{source.relative_to(root)}: {target}"
        if not dest.exists():
            problems.append(f"{where}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            problems.append(f"{where}: no heading with this anchor in {dest.relative_to(root)}")
for problem in problems:
    print(problem)
if problems:
    sys.exit(1)
print(f"ok: every relative link of {len(files)} files resolves")
