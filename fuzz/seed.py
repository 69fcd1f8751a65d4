#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the rule fixtures (src/analysis/rules/fixtures/**/*.jsonc).

A fixture's `//- ` sections become the input segments of `analyze` and `fixes` (workspace
target, project .env, user file, exported variables; see fuzz/src/lib.rs), the target text alone
is a `parse` input (with a few hand-made texts). For `edits`, each
target text is prefixed with an encoding byte and followed by a few edit operations.
Run from anywhere: python3 fuzz/seed.py
"""
import hashlib, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "src/analysis/rules/fixtures"
CORPUS = ROOT / "fuzz/corpus"
SEP = b"\xff"


def sections(src):
    out = []
    for line in src.splitlines(keepends=True):
        if line.startswith("//- "):
            out.append([line[4:].strip(), ""])
        elif out:
            out[-1][1] += line
        else:
            out.append(["workspace", line])
    return out or [["workspace", ""]]


def segments(src):
    target = user = dotenv = None
    exported = ""
    secs = sections(src)
    explicit = [b for h, b in secs if h.endswith(" target")]
    for header, body in secs:
        scope = header.split()[0] if header.split() else "workspace"
        if scope == "dotenv":
            dotenv = body if dotenv is None else dotenv
        elif scope == "exported":
            exported += body
        elif scope == "user":
            user = body
        elif scope in ("workspace", "system", "system-defaults"):
            target = body
    if explicit:
        target = explicit[0]
    target = target if target is not None else (user or "")
    parts = [target.encode()]
    if dotenv is not None or user is not None or exported:
        parts.append((dotenv or "").encode())
    if user is not None or exported:
        parts.append((user or "").encode())
    if exported:
        parts.append(exported.encode())
    return SEP.join(parts)


def write(target, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


# `parse`: texts the fixtures do not cover (comments, BOM, escapes, numbers, recovery, depth)
for text in [
    '\ufeff{ "$version": 4 } // c',
    '{ /* a */ "a": [1, -0.5e+3, 1E400, true, false, null], // b\n "b": "\\u00e9\\ud83d\\ude00\\n" }',
    '{ "a": "\\ud800", "b": "x\ty", "c": 01, "d": .5, "e": +1 }',
    "{ 'a': 1, b: 2, \"c\" 3, \"d\": , \"e\": [1,,2], }",
    '{ "baseUrl": "https://api.anthropic.com }\n]',
    '[' * 300 + ']' * 300,
    '{"a":' * 130 + '1' + '}' * 130,
    '"\u2028\u00a0" \u00a0 {}',
    '{ "a": 1 } }',
    '',
]:
    write("parse", text.encode())

for path in sorted(FIXTURES.rglob("*.jsonc")):
    src = path.read_text()
    seg = segments(src)
    write("parse", seg.split(SEP)[0])
    write("analyze", seg)
    write("fixes", seg)
    text = seg.split(SEP)[0]
    for enc in range(3):
        # ops: insert "😀" at (1, 3); CRLF at (0, 1); delete (1,0)-(2,0); flush; reversed range
        ops = bytes([0x80, 0, 1, 3, 0, 3, 0x80, 0, 0, 1, 0, 2, 0, 0, 1, 0, 0, 2, 0, 3, 7, 5, 0, 2, 4, 0, 1, 2, 0, 0, 9])
        write("edits", bytes([enc]) + text + SEP + ops)
