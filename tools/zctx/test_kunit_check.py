#!/usr/bin/env python3
"""Self-tests of kunit_check.py on synthetic kunit.py results.

No kernel needed: each test writes a small kernel "tree" with two suite
sources, a kunitconfig, kunit.py-style JSON and a KTAP log, runs the
checker and looks at its exit status and output. Python 3 standard
library only; run by `make check` as its first step (`checker`):

    python3 tools/zctx/test_kunit_check.py     # or: python3 -m unittest ...

The last line is "N passed, N failed".
"""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kunit_check  # noqa: E402

ALPHA_C = """\
// SPDX-License-Identifier: GPL-2.0
/* KUNIT_CASE(not_a_case) in a comment */
static void alpha_one(struct kunit *test) {}
KUNIT_ARRAY_PARAM(alpha_order, alpha_orders, alpha_desc);
static struct kunit_case alpha_cases[] = {
	KUNIT_CASE(alpha_one),
	KUNIT_CASE_PARAM(alpha_param,
			 alpha_order_gen_params),
	KUNIT_CASE_SLOW(alpha_slow),
#ifdef CONFIG_ALPHA_EXTRA
	KUNIT_CASE(alpha_extra),
#endif
	{}
};

static struct kunit_suite alpha_suite = {
	.name = "alpha",
	.test_cases = alpha_cases,
};
kunit_test_suite(alpha_suite);
"""

BETA_C = """\
static struct kunit_case __refdata beta_cases[] = {
	KUNIT_CASE(beta_tcp),
	KUNIT_CASE_PARAM(beta_route, beta_route_gen_params),
	{}
};

static struct kunit_suite beta_suite = {
	.name		= "beta",
	.init		= beta_init,
	.test_cases	= beta_cases,
};
kunit_test_suites(&beta_suite);
"""

KUNITCONFIG = """\
CONFIG_KUNIT=y
# expect-suite: alpha lib/alpha_kunit.c
# expect-suite: beta
"""

# Every case of both suites passing; tests copy and change it.
ALL_PASS = {
    "alpha": {"alpha_one": "PASS",
              "alpha_param": {"order 0": "PASS", "order 1": "PASS"},
              "alpha_slow": "PASS"},
    "beta": {"beta_tcp": "PASS",
             "beta_route": {"tcp": "PASS", "tcp_default_pool": "PASS",
                            "udp": "PASS"}},
    "other": {"other_case": "PASS"},
}


def kunit_json(results, root_cases=()):
    """kunit.py --json layout: root -> suites -> cases / param groups."""
    def group(name, cases):
        g = {"name": name, "sub_groups": [], "test_cases": []}
        for c, st in cases.items():
            if isinstance(st, dict):
                g["sub_groups"].append(group(c, st))
            else:
                g["test_cases"].append({"name": c, "status": st})
        return g
    root = group("KUnit Test Group", {})
    root["sub_groups"] = [group(s, c) for s, c in results.items()]
    root["test_cases"] = [{"name": n, "status": st} for n, st in root_cases]
    return json.dumps(root)


def ktap_log(results, reasons):
    """A kernel log in KTAP with a timestamp prefix; reasons for SKIPs."""
    out = ["[    0.100000] Linux version 6.12.0",
           "[    1.000000] KTAP version 1",
           f"[    1.000000] 1..{len(results)}"]
    p = "[    1.000000] "
    for i, (suite, cases) in enumerate(results.items(), 1):
        out += [p + "    KTAP version 1", p + f"    # Subtest: {suite}",
                p + f"    1..{len(cases)}"]
        for j, (case, st) in enumerate(cases.items(), 1):
            if isinstance(st, dict):
                out += [p + "        KTAP version 1",
                        p + f"        # Subtest: {case}"]
                for k, (param, pst) in enumerate(st.items(), 1):
                    out.append(p + "        " + line(k, param, pst,
                               reasons.get((suite, case, param))))
                st = "PASS"
            out.append(p + "    " + line(j, case, st, reasons.get((suite, case))))
        out.append(p + f"ok {i} {suite}")
    return "\n".join(out) + "\n"


def line(n, name, st, reason):
    if st == "SKIP":
        return f"ok {n} {name} # SKIP {reason or ''}".rstrip()
    return f"{'ok' if st == 'PASS' else 'not ok'} {n} {name}"


def copy(results):
    return {s: {c: dict(v) if isinstance(v, dict) else v for c, v in cases.items()}
            for s, cases in results.items()}


class CheckerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.tree = os.path.join(self.dir, "linux")
        for path, text in (("lib/alpha_kunit.c", ALPHA_C),
                           ("net/core/beta_kunit.c", BETA_C)):
            os.makedirs(os.path.dirname(os.path.join(self.tree, path)), exist_ok=True)
            with open(os.path.join(self.tree, path), "w") as f:
                f.write(text)

    def tearDown(self):
        self.tmp.cleanup()

    def run_check(self, results, extra_config="", reasons=None, root_cases=(),
                  kunit_rc=0, log=None):
        """Exit status, output, failed-list of kunit_check on these results."""
        files = {"json": kunit_json(results, root_cases),
                 "log": log if log is not None else ktap_log(results, reasons or {}),
                 "kunitconfig": KUNITCONFIG + extra_config}
        for name, text in files.items():
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(text)
        failed = os.path.join(self.dir, "failed")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = kunit_check.main([
                "--json", os.path.join(self.dir, "json"),
                "--log", os.path.join(self.dir, "log"),
                "--kunitconfig", os.path.join(self.dir, "kunitconfig"),
                "--tree", self.tree, "--kunit-rc", str(kunit_rc),
                "--failed-list", failed])
        with open(failed) as f:
            names = f.read().split("\n")[:-1]
        return rc, out.getvalue(), names

    def last(self, out):
        return out.rstrip("\n").splitlines()[-1]

    def problems(self, out):
        return [l for l in out.splitlines() if l.startswith("FAILED: ")]

    # -- the cases of the brief

    def test_all_pass(self):
        rc, out, names = self.run_check(ALL_PASS)
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.last(out), "9 passed, 0 failed, 0 skipped")
        self.assertEqual(self.problems(out), [])
        self.assertEqual(names, [])

    def test_skip_not_allowed_fails(self):
        r = copy(ALL_PASS)
        r["beta"]["beta_tcp"] = "SKIP"
        rc, out, names = self.run_check(r, reasons={("beta", "beta_tcp"): "needs swiotlb=force"})
        self.assertEqual(rc, 1)
        self.assertEqual(self.last(out), "8 passed, 1 failed, 0 skipped")
        self.assertEqual(self.problems(out), [
            'FAILED: beta.beta_tcp: skipped, and no allow-skip declares it'
            ' (kernel: "needs swiotlb=force")'])
        self.assertIn("suite beta: 3 passed, 1 failed, 0 skipped", out)
        self.assertEqual(names, ["beta.beta_tcp"])

    def test_allowed_skip_passes_with_reason(self):
        r = copy(ALL_PASS)
        r["beta"]["beta_tcp"] = "SKIP"
        rc, out, _ = self.run_check(
            r, "# allow-skip: beta.beta_tcp: no TCP in this config\n",
            reasons={("beta", "beta_tcp"): "needs CONFIG_INET"})
        self.assertEqual(rc, 0, out)
        self.assertIn('skip allowed: beta.beta_tcp: no TCP in this config'
                      ' (kernel: "needs CONFIG_INET")', out)
        self.assertEqual(self.last(out), "8 passed, 0 failed, 1 skipped")

    def test_missing_case_fails(self):
        r = copy(ALL_PASS)
        del r["alpha"]["alpha_slow"]
        rc, out, names = self.run_check(r)
        self.assertEqual(rc, 1)
        self.assertEqual(self.problems(out), [
            "FAILED: alpha.alpha_slow: did not run (missing from the results)"])
        self.assertEqual(self.last(out), "8 passed, 1 failed, 0 skipped")
        self.assertEqual(names, ["alpha.alpha_slow"])

    def test_missing_suite_fails(self):
        r = copy(ALL_PASS)
        del r["beta"]
        rc, out, names = self.run_check(r)
        self.assertEqual(rc, 1)
        self.assertEqual(self.problems(out), [
            "FAILED: suite beta: expected, did not run (2 cases)"])
        self.assertEqual(self.last(out), "5 passed, 2 failed, 0 skipped")
        self.assertEqual(names, ["beta"])

    def test_param_with_skipped_param_fails(self):
        r = copy(ALL_PASS)
        r["beta"]["beta_route"]["tcp_default_pool"] = "SKIP"
        rc, out, names = self.run_check(
            r, reasons={("beta", "beta_route", "tcp_default_pool"): "needs swiotlb=force"})
        self.assertEqual(rc, 1)
        self.assertEqual(self.problems(out), [
            "FAILED: beta.beta_route.tcp_default_pool: skipped, and no allow-skip"
            ' declares it (kernel: "needs swiotlb=force")'])
        self.assertEqual(self.last(out), "8 passed, 1 failed, 0 skipped")
        self.assertEqual(names, ["beta.beta_route.tcp_default_pool"])

    # -- more of the rules

    def test_allowed_skip_of_one_param(self):
        r = copy(ALL_PASS)
        r["beta"]["beta_route"]["tcp_default_pool"] = "SKIP"
        r["beta"]["beta_route"]["udp"] = "SKIP"
        rc, out, _ = self.run_check(
            r, "# allow-skip: beta.beta_route.tcp_default_pool: default pool may not lend\n")
        self.assertEqual(rc, 1)
        self.assertIn("skip allowed: beta.beta_route.tcp_default_pool:"
                      " default pool may not lend", out)
        self.assertEqual(self.problems(out), [
            "FAILED: beta.beta_route.udp: skipped, and no allow-skip declares it"])
        self.assertEqual(self.last(out), "7 passed, 1 failed, 1 skipped")

    def test_allowed_skip_of_whole_param_case(self):
        r = copy(ALL_PASS)
        r["beta"]["beta_route"] = {"tcp": "SKIP", "tcp_default_pool": "SKIP", "udp": "SKIP"}
        rc, out, _ = self.run_check(r, "# allow-skip: beta.beta_route: routes need a NIC\n")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.last(out), "6 passed, 0 failed, 3 skipped")

    def test_param_case_with_no_params_fails(self):
        r = copy(ALL_PASS)
        r["alpha"]["alpha_param"] = "PASS"
        rc, out, _ = self.run_check(r)
        self.assertEqual(rc, 1)
        self.assertEqual(self.problems(out), [
            "FAILED: alpha.alpha_param: parameterized case reported no parameter results"])
        self.assertEqual(self.last(out), "7 passed, 1 failed, 0 skipped")

    def test_param_case_skipped_whole_fails(self):
        r = copy(ALL_PASS)
        r["alpha"]["alpha_param"] = "SKIP"
        rc, out, _ = self.run_check(r)
        self.assertEqual(rc, 1)
        self.assertEqual(self.problems(out), [
            "FAILED: alpha.alpha_param: skipped, and no allow-skip declares it"])

    def test_crash_and_timeout_count_as_failed(self):
        r = copy(ALL_PASS)
        r["alpha"]["alpha_one"] = "ERROR"
        r["alpha"]["alpha_param"]["order 1"] = "FAIL"
        rc, out, names = self.run_check(r)
        self.assertEqual(rc, 1)
        self.assertEqual(self.problems(out), [
            "FAILED: alpha.alpha_one: crashed",
            "FAILED: alpha.alpha_param.order 1: failed"])
        self.assertEqual(self.last(out), "7 passed, 2 failed, 0 skipped")
        self.assertEqual(names, ["alpha.alpha_one", "alpha.alpha_param.order 1"])

    def test_crash_ends_the_run(self):
        """A crash in the middle: the rest of the suite is missing."""
        r = copy(ALL_PASS)
        r["alpha"] = {"alpha_one": "PASS", "alpha_param": {"order 0": "ERROR"}}
        del r["beta"], r["other"]
        rc, out, _ = self.run_check(r, kunit_rc=1)
        self.assertEqual(rc, 1)
        self.assertEqual(self.problems(out), [
            "FAILED: kunit.py exited with status 1",
            "FAILED: alpha.alpha_param.order 0: crashed",
            "FAILED: alpha.alpha_slow: did not run (missing from the results)",
            "FAILED: suite beta: expected, did not run (2 cases)"])
        self.assertEqual(self.last(out), "1 passed, 4 failed, 0 skipped")

    def test_suite_init_failed(self):
        r = copy(ALL_PASS)
        del r["beta"]
        rc, out, _ = self.run_check(r, root_cases=[("beta", "FAIL")])
        self.assertEqual(rc, 1)
        self.assertEqual(self.problems(out), [
            "FAILED: suite beta: failed before running any case (2 cases)"])
        self.assertEqual(self.last(out), "5 passed, 2 failed, 0 skipped")

    def test_conditional_case_may_be_missing(self):
        rc, out, _ = self.run_check(ALL_PASS)
        self.assertEqual(rc, 0, out)
        self.assertIn("alpha.alpha_extra: not run (conditional in its source)", out)
        r = copy(ALL_PASS)
        r["alpha"]["alpha_extra"] = "PASS"
        rc, out, _ = self.run_check(r)
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.last(out), "10 passed, 0 failed, 0 skipped")

    def test_case_in_comment_is_not_expected(self):
        rc, out, _ = self.run_check(ALL_PASS)
        self.assertNotIn("not_a_case", out)

    def test_unexpected_suite_skip_is_not_policed(self):
        r = copy(ALL_PASS)
        r["other"]["other_case"] = "SKIP"
        rc, out, _ = self.run_check(r)
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.last(out), "8 passed, 0 failed, 1 skipped")

    def test_stale_or_malformed_allow_skip_fails(self):
        rc, out, _ = self.run_check(ALL_PASS, "# allow-skip: beta.gone_case: was here\n"
                                    "# allow-skip: beta.beta_tcp\n")
        self.assertEqual(rc, 1)
        p = self.problems(out)
        self.assertEqual(len(p), 2, out)
        self.assertIn("allow-skip wants", p[0])
        self.assertIn("allow-skip beta.gone_case: no such case in its source", p[1])
        self.assertEqual(self.last(out), "9 passed, 0 failed, 0 skipped")

    def test_unknown_source_fails(self):
        rc, out, _ = self.run_check(ALL_PASS, "# expect-suite: other lib/nope.c\n")
        self.assertEqual(rc, 1)
        self.assertIn("suite other: source lib/nope.c not found", self.problems(out)[0])

    def test_kunit_rc_and_strict_log(self):
        log = ktap_log(ALL_PASS, {}) + "[    2.0] BUG: KASAN: use-after-free in x\n" + \
            "[    2.0] WARNING: CPU: 0 PID: 1 at mm/page_alloc.c:12 free_swiotlb_page+0x1\n"
        rc, out, _ = self.run_check(
            ALL_PASS, "# strict-log\n# allow-log: WARNING: .* free_swiotlb_page\n", log=log)
        self.assertEqual(rc, 1)
        self.assertEqual(self.problems(out)[0][:33], "FAILED: 1 kernel error report lin")
        self.assertIn("log: [    2.0] BUG: KASAN", out)
        self.assertEqual(self.last(out), "9 passed, 0 failed, 0 skipped")


class Summary(unittest.TextTestResult):
    pass


def main():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(CheckerTest)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    return 0 if result.wasSuccessful() and result.testsRun else 1


if __name__ == "__main__":
    sys.exit(main())
