#!/usr/bin/env python3
"""Check a kunit.py run: JSON results, raw kernel log and kunitconfig rules.

kunitconfig directives (comment lines, ignored by kunit.py itself):
  # expect-suite: <suite> [<source.c>]
        the suite must run every case of its source file: each
        KUNIT_CASE*() of the suite's case array must have a result, a
        KUNIT_CASE_PARAM() case at least one parameter result. <source.c>
        is relative to the kernel tree (--tree); without it the tree is
        searched for the suite's name.
  # allow-skip: <suite>.<case>[.<param>]: <reason>
        in an expected suite a SKIP counts as failed unless it is declared
        here: a case (all of its parameters) or one parameter by the name
        kunit prints for it. The reason is printed with every allowed skip.
  # strict-log             fail on kernel error reports in the log
  # allow-log: <regex>     log lines matching this are never an error
One line per problem ("FAILED: ..."). A failed, crashed or timed-out case,
a skip that is not allowed and a case that did not run count as failed.
The last output line is always "N passed, N failed, N skipped".
"""
import argparse
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True

# Case matters ("debug:" is not "BUG:"), except for "Bad page state" & co.
BAD_LOG = re.compile(
    r"BUG: (KASAN|KCSAN|KFENCE)|BUG:|WARNING:|Oops|(?i:bad page)"
    r"|possible circular locking|inconsistent lock state|INFO: possible"
    r"|UBSAN:")

DIRECTIVE = re.compile(
    r"\s*#\s*(expect-suite|allow-log|strict-log|allow-skip)\b\s*:?\s*(.*?)\s*$")
# suite.case[.param]: reason (suite and case are C identifiers; a param
# name is whatever kunit prints for it, up to the first ": ")
ALLOW_SKIP = re.compile(r"(\w+)\.(\w+)(?:\.(.+?))?:\s+(\S.*)$")


class Config:
    def __init__(self):
        self.expect = []        # [(suite, path or None)]
        self.allow_log = []
        self.strict = False
        self.allow_skip = {}    # (suite, case, param or None) -> reason
        self.errors = []


def directives(path):
    cfg = Config()
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            m = DIRECTIVE.match(line)
            if not m:
                continue
            key, val = m.groups()
            if key == "expect-suite":
                words = val.split()
                if not words or len(words) > 2:
                    cfg.errors.append(f"{path}:{lineno}: expect-suite wants "
                                      f"'<suite> [<source.c>]', not '{val}'")
                    continue
                cfg.expect.append((words[0], words[1] if len(words) > 1 else None))
            elif key == "allow-log":
                cfg.allow_log.append(re.compile(val))
            elif key == "allow-skip":
                a = ALLOW_SKIP.match(val)
                if not a:
                    cfg.errors.append(f"{path}:{lineno}: allow-skip wants "
                                      f"'<suite>.<case>[.<param>]: <reason>', not '{val}'")
                    continue
                suite, case, param, reason = a.groups()
                cfg.allow_skip[(suite, case, param)] = reason
            else:
                cfg.strict = True
    return cfg


# ---------------------------------------------------------------- sources

def strip_comments(src):
    """C source without comments; strings and line structure kept."""
    out = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), src,
                 flags=re.S)
    return re.sub(r"//[^\n]*", "", out)


def suite_cases(src, suite):
    """Cases of `suite` in C source `src`.

    Returns (cases, error): cases is a list of (name, is_param, conditional)
    in array order, conditional when the entry sits inside #if; error is a
    message when the suite or its case array cannot be found.
    """
    src = strip_comments(src)
    for m in re.finditer(r"struct\s+kunit_suite\s+\w+\s*=\s*\{(.*?)\}\s*;",
                         src, re.S):
        body = m.group(1)
        name = re.search(r"\.name\s*=\s*\"([^\"]*)\"", body)
        if not name or name.group(1) != suite:
            continue
        arr = re.search(r"\.test_cases\s*=\s*(\w+)", body)
        if not arr:
            return None, f"suite {suite}: no .test_cases in its kunit_suite"
        am = re.search(r"struct\s+kunit_case\s+(?:\w+\s+)*" + arr.group(1) +
                       r"\s*\[\s*\]\s*=\s*\{(.*?)\n\s*\}\s*;", src, re.S)
        if not am:
            return None, f"suite {suite}: case array {arr.group(1)} not found"
        cases, depth = [], 0
        for line in am.group(1).splitlines():
            s = line.strip()
            if re.match(r"#\s*if", s):
                depth += 1
            elif re.match(r"#\s*endif", s):
                depth = max(depth - 1, 0)
            for c in re.finditer(r"\bKUNIT_CASE(\w*)\s*\(\s*(\w+)", line):
                cases.append((c.group(2), c.group(1).startswith("_PARAM"),
                              depth > 0))
        if not cases:
            return None, f"suite {suite}: no KUNIT_CASE entries in {arr.group(1)}"
        return cases, None
    return None, f"suite {suite}: not defined in this file"


def find_suite_file(trees, suite):
    """First *.c file under one of `trees` defining kunit suite `suite`."""
    pat = r'\.name\s*=\s*"' + re.escape(suite) + '"'
    for tree in trees:
        if not os.path.isdir(tree):
            continue
        try:
            out = subprocess.run(
                ["git", "-C", tree, "grep", "-l", "--untracked", "-E",
                 r'\.name[[:space:]]*=[[:space:]]*"' + re.escape(suite) + '"',
                 "--", "*.c"],
                capture_output=True, text=True, check=False).stdout
            hits = out.split()
        except OSError:
            hits = []
        if not hits:
            try:
                out = subprocess.run(["grep", "-rlE", "--include=*.c",
                                      r'\.name[[:space:]]*=[[:space:]]*"' +
                                      re.escape(suite) + '"', "."],
                                     cwd=tree, capture_output=True,
                                     text=True, check=False).stdout
                hits = [h[2:] if h.startswith("./") else h for h in out.split()]
            except OSError:
                hits = []
        for h in sorted(hits):
            try:
                with open(os.path.join(tree, h), errors="replace") as f:
                    src = f.read()
            except OSError:
                continue
            if re.search(pat, src) and suite_cases(src, suite)[0]:
                return os.path.join(tree, h)
    return None


def expected_cases(trees, suite, path):
    """(cases, source path, error) for an expected suite."""
    if path:
        full = None
        for tree in trees:
            if os.path.isfile(os.path.join(tree, path)):
                full = os.path.join(tree, path)
                break
        if not full:
            return None, path, f"suite {suite}: source {path} not found in " + \
                ", ".join(trees)
    else:
        full = find_suite_file(trees, suite)
        if not full:
            return None, None, f"suite {suite}: no source file under " + \
                ", ".join(trees) + " defines it"
    with open(full, errors="replace") as f:
        cases, err = suite_cases(f.read(), suite)
    if err:
        err = f"{err} ({full})"
    return cases, full, err


# ---------------------------------------------------------------- results

def ktap_skip_reasons(log_lines):
    """{(suite, case[, param]): reason} of every '# SKIP' result in the log."""
    reasons, prefix, headers = {}, None, {}
    for line in log_lines:
        if prefix is None:
            i = line.find("KTAP version")
            if i < 0:
                continue
            prefix = i
        body = line[prefix:] if len(line) >= prefix else line
        indent = len(body) - len(body.lstrip(" "))
        s = body.strip()
        h = re.match(r"# Subtest: (.+)$", s)
        if h:
            headers[indent] = h.group(1)
            for k in [k for k in headers if k > indent]:
                del headers[k]
            continue
        r = re.match(r"ok \d+ (.*?) # SKIP ?(.*)$", s)
        if r:
            path = tuple(headers.get(k, "?") for k in range(4, indent + 1, 4))
            reasons[path + (r.group(1),)] = r.group(2).strip()
    return reasons


def load_results(root):
    """{suite: {case: status | {param: status}}} from kunit.py JSON."""
    suites = {}
    for g in root.get("sub_groups", []):
        cases = suites.setdefault(g["name"], {})
        for c in g.get("test_cases", []):
            cases[c["name"]] = c["status"]
        for p in g.get("sub_groups", []):
            params = {}
            for c in p.get("test_cases", []):
                params[c["name"]] = c["status"]
            for sub in p.get("sub_groups", []):  # deeper nesting: flatten
                for c in sub.get("test_cases", []):
                    params[f"{sub['name']}.{c['name']}"] = c["status"]
            cases[p["name"]] = params
    # A suite that produced no cases (e.g. its init failed) shows up as a
    # plain case of the root.
    for c in root.get("test_cases", []):
        if c["name"] not in suites:
            suites[c["name"]] = {"": c["status"]}
    return suites


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", required=True, help="kunit.py --json output")
    ap.add_argument("--log", required=True, help="raw kernel log (test.log)")
    ap.add_argument("--kunitconfig", required=True)
    ap.add_argument("--kunit-rc", type=int, default=0, help="kunit.py exit status")
    ap.add_argument("--strict-log", action="store_true",
                    help="also fail on kernel error reports in the log")
    ap.add_argument("--tree", action="append", default=[],
                    help="kernel tree holding the suites' sources (repeatable;"
                    " default: $TREE, then this repo)")
    ap.add_argument("--failed-list",
                    help="write the failed suite.case[.param] names here, one a line")
    args = ap.parse_args(argv)

    cfg = directives(args.kunitconfig)
    strict = cfg.strict or args.strict_log
    errors = list(cfg.errors)
    failed_names = []
    if args.kunit_rc != 0:
        errors.append(f"kunit.py exited with status {args.kunit_rc}")

    try:
        with open(args.json) as f:
            root = json.load(f)
    except (OSError, ValueError) as e:
        errors.append(f"cannot read {args.json}: {e}")
        root = {}
    log = None
    try:
        with open(args.log, errors="replace") as f:
            log = f.read().splitlines()
    except OSError as e:
        if strict:
            errors.append(f"cannot read {args.log}: {e}")
    reasons = ktap_skip_reasons(log or [])

    results = load_results(root)
    expect = dict(cfg.expect)
    # Default: the assembled tree of lib.sh ($TREE), then this repo.
    trees = args.tree or [t for t in (os.environ.get("TREE"), os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")) if t]
    total = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    notes = []

    cache = {}

    def sources(suite):
        if suite not in cache:
            cases, _, err = expected_cases(trees, suite, expect[suite])
            cache[suite] = (cases, err)
        return cache[suite]

    def kernel_reason(key):
        r = reasons.get(key)
        return f' (kernel: "{r}")' if r else ""

    def fail(name, why):
        errors.append(f"{name}: {why}")
        failed_names.append(name)

    def leaf(n, suite, case, param, status, policed):
        """Count one result; n is the suite's counter dict."""
        name = ".".join(x for x in (suite, case, param) if x)
        key = (suite, case, param) if param is not None else (suite, case)
        if status == "PASS":
            n["PASS"] += 1
        elif status == "SKIP":
            reason = cfg.allow_skip.get((suite, case, None))
            if reason is None and param is not None:
                reason = cfg.allow_skip.get((suite, case, param))
            if not policed or reason is not None:
                n["SKIP"] += 1
                if reason is not None:
                    notes.append(f"skip allowed: {name}: {reason}{kernel_reason(key)}")
            else:
                n["FAIL"] += 1
                fail(name, "skipped, and no allow-skip declares it" +
                     kernel_reason(key))
        else:  # FAIL, ERROR (crash), anything else
            n["FAIL"] += 1
            what = {"FAIL": "failed", "ERROR": "crashed"}.get(status, status)
            fail(name, what)

    for suite in list(results) + [s for s in expect if s not in results]:
        n = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        got = results.get(suite)
        policed = suite in expect
        src_cases = None
        if policed:
            src_cases, src_err = sources(suite)
            if src_err:
                errors.append(src_err)
        if got is None or list(got) == [""]:
            # Absent, or it ended before its first case (suite init failed
            # or skipped): every case it should have run failed.
            missing = [c for c, _, cond in (src_cases or []) if not cond]
            if got is None:
                why = "expected, did not run"
            else:
                why = {"FAIL": "failed", "ERROR": "crashed",
                       "SKIP": "skipped"}.get(got[""], got[""])
                why += " before running any case"
            if got is None and not policed:
                pass
            elif got is not None and got[""] == "PASS":
                n["PASS"] += 1
            elif got is not None and got[""] == "SKIP" and not policed:
                n["SKIP"] += 1
            else:
                n["FAIL"] += max(len(missing), 1)
                errors.append(f"suite {suite}: {why}" +
                              (f" ({len(missing)} cases)" if missing else "") +
                              kernel_reason((suite,)))
                failed_names.append(suite)
        else:
            for case, res in got.items():
                if isinstance(res, dict):
                    for param, status in res.items():
                        leaf(n, suite, case, param, status, policed)
                else:
                    leaf(n, suite, case, None, res, policed)
            for case, is_param, cond in src_cases or []:
                if case not in got:
                    if cond:
                        notes.append(f"{suite}.{case}: not run (conditional in its source)")
                        continue
                    n["FAIL"] += 1
                    fail(f"{suite}.{case}", "did not run (missing from the results)")
                elif is_param and not isinstance(got[case], dict) and \
                        got[case] == "PASS":
                    n["FAIL"] += 1
                    n["PASS"] -= 1
                    fail(f"{suite}.{case}", "parameterized case reported no parameter results")
            if policed and not src_cases and \
                    not [s for r in got.values()
                         for s in (r.values() if isinstance(r, dict) else [r])
                         if s != "SKIP"]:
                errors.append(f"suite {suite}: executed no test cases")
        for k in total:
            total[k] += n[k]
        print(f"suite {suite}: {n['PASS']} passed, {n['FAIL']} failed, {n['SKIP']} skipped")

    # allow-skip lines naming a case the suite does not have are stale.
    for (suite, case, param) in cfg.allow_skip:
        if suite not in expect:
            errors.append(f"allow-skip {suite}.{case}: suite {suite} is not an expect-suite")
            continue
        cases, _ = sources(suite)
        if cases and case not in [c for c, _, _ in cases]:
            errors.append(f"allow-skip {suite}.{case}: no such case in its source")

    if strict:
        bad = [l for l in (log or []) if BAD_LOG.search(l)
               and not any(a.search(l) for a in cfg.allow_log)]
        for l in bad[:20]:
            print(f"log: {l.strip()}")
        if bad:
            errors.append(f"{len(bad)} kernel error report line(s) in {args.log}")

    for note in notes:
        print(note)
    for e in errors:
        print(f"FAILED: {e}")
    if args.failed_list:
        with open(args.failed_list, "w") as f:
            f.writelines(x + "\n" for x in failed_names)
    # Failures outside any case (bad directive, kunit.py status, log) keep
    # the counts as they are; the exit status carries them.
    print(f"{total['PASS']} passed, {total['FAIL']} failed, {total['SKIP']} skipped")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
