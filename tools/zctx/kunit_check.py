#!/usr/bin/env python3
"""Check a kunit.py run: JSON results, raw kernel log and kunitconfig rules.

kunitconfig directives (comment lines, ignored by kunit.py itself):
  # expect-suite: <name>   suite must be present with >= 1 executed case
  # strict-log             fail on kernel error reports in the log
  # allow-log: <regex>     log lines matching this are never an error
The last output line is always "N passed, N failed, N skipped".
"""
import argparse
import json
import re
import sys

# Case matters ("debug:" is not "BUG:"), except for "Bad page state" & co.
BAD_LOG = re.compile(
    r"BUG: (KASAN|KCSAN|KFENCE)|BUG:|WARNING:|Oops|(?i:bad page)"
    r"|possible circular locking|inconsistent lock state|INFO: possible"
    r"|UBSAN:")


def directives(path):
    expect, allow, strict = [], [], False
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*#\s*(expect-suite|allow-log|strict-log)\s*:?\s*(.*?)\s*$",
                         line)
            if not m:
                continue
            key, val = m.groups()
            if key == "expect-suite":
                expect.append(val)
            elif key == "allow-log":
                allow.append(re.compile(val))
            else:
                strict = True
    return expect, allow, strict


def leaves(group):
    """Leaf test cases (status strings) of a JSON group, recursively."""
    out = [c["status"] for c in group.get("test_cases", [])]
    for sub in group.get("sub_groups", []):
        out += leaves(sub)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", required=True, help="kunit.py --json output")
    ap.add_argument("--log", required=True, help="raw kernel log (test.log)")
    ap.add_argument("--kunitconfig", required=True)
    ap.add_argument("--kunit-rc", type=int, default=0, help="kunit.py exit status")
    ap.add_argument("--strict-log", action="store_true",
                    help="also fail on kernel error reports in the log")
    args = ap.parse_args()

    expect, allow, strict = directives(args.kunitconfig)
    strict = strict or args.strict_log
    errors = []
    if args.kunit_rc != 0:
        errors.append(f"kunit.py exited with status {args.kunit_rc}")

    try:
        with open(args.json) as f:
            root = json.load(f)
    except (OSError, ValueError) as e:
        errors.append(f"cannot read {args.json}: {e}")
        root = {}

    # Suites are the root's sub-groups; a suite that produced no cases (e.g.
    # its init failed) shows up as a plain case of the root.
    suites = {g["name"]: leaves(g) for g in root.get("sub_groups", [])}
    for c in root.get("test_cases", []):
        suites.setdefault(c["name"], [])
        if c["status"] not in ("PASS", "SKIP"):  # counts as one failed case
            suites[c["name"]].append(c["status"])

    total = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for name, statuses in suites.items():
        n = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        for s in statuses:  # ERROR (crash) and timeouts count as failed
            n[s if s in n else "FAIL"] += 1
        for k in total:
            total[k] += n[k]
        print(f"suite {name}: {n['PASS']} passed, {n['FAIL']} failed, {n['SKIP']} skipped")
        if n["FAIL"]:
            errors.append(f"suite {name}: {n['FAIL']} failed")
    for name in expect:
        if name not in suites:
            errors.append(f"expected suite {name} did not run")
        elif not [s for s in suites[name] if s != "SKIP"]:
            errors.append(f"expected suite {name} executed no test cases")

    if strict:
        try:
            with open(args.log, errors="replace") as f:
                log = f.read().splitlines()
        except OSError as e:
            log = []
            errors.append(f"cannot read {args.log}: {e}")
        bad = [l for l in log if BAD_LOG.search(l)
               and not any(a.search(l) for a in allow)]
        for l in bad[:20]:
            print(f"log: {l.strip()}")
        if bad:
            errors.append(f"{len(bad)} kernel error report line(s) in {args.log}")

    for e in errors:
        print(f"FAILED: {e}")
    print(f"{total['PASS']} passed, {total['FAIL']} failed, {total['SKIP']} skipped")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
