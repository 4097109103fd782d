#!/usr/bin/env python3
"""Run a QEMU guest, save its swiotlb pool when asked, look for markers.

Used by tools/zctx/scan.sh. Starts the QEMU command given after "--" (its
serial console on stdin/stdout, a QMP socket at --qmp), copies the console
to --log, and follows the guest's ZCTX_SCAN_* lines
(tools/zctx/guest/scan-init):

  ZCTX_SCAN_POOL start=0x.. end=0x.. nslabs=N   the default pool
  ZCTX_SCAN_SENT tag=T ... rc=R zc_allocs=N ...  one marker stream sent
  ZCTX_SCAN_DUMP NAME                            save the pool now

On DUMP it saves the pool's physical range with QMP "pmemsave" to
--dump-dir/pool-NAME.bin, searches it for every marker (16 bytes,
"ZCTX-TAG-NONCE\\n"; a hit is the marker four times in a row, 64 bytes,
so a marker quoted once anywhere cannot match) and then answers the guest
with a line on its console. At the end it prints one check line per
expectation and "scan: N passed, N failed"; exit status 1 on any failure.

  --expect DUMP:TAG:found|absent:TEXT  pool check, counted
  --report DUMP:TAG:TEXT               pool finding, printed, not counted
  --lent TAG / --not-lent TAG          the guest's lending counters for
                                       TAG's stream (io_tlb_zc_allocs)
  --zero-counter NAME                  ZCTX_SCAN_COUNTERS NAME=0 (netstat)
  --nic-bounces                        ZCTX_SCAN_NIC: the virtio-net NIC
                                       negotiated ACCESS_PLATFORM and its
                                       receive buffers took bounce slots
"""

import argparse
import json
import os
import re
import select
import socket
import subprocess
import sys
import time

SLOT = 2048		# IO_TLB_SIZE
MLEN = 16
REPEAT = 4


def log(msg):
    print(f"[scan] {msg}", file=sys.stderr, flush=True)


class Qmp:
    def __init__(self, path, proc, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"cannot connect to QMP socket {path}")
                time.sleep(0.1)
        self.f = self.sock.makefile("rw")
        json.loads(self.f.readline())		# greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            line = self.f.readline()
            if not line:
                raise RuntimeError(f"QMP closed during {name}")
            r = json.loads(line)
            if "error" in r:
                raise RuntimeError(f"QMP {name}: {r['error']}")
            if "return" in r:
                return r["return"]


def find_runs(data, marker):
    """(offset, length) of every run of >= REPEAT markers in data."""
    needle = marker * REPEAT
    runs = []
    i = data.find(needle)
    while i >= 0:
        j = i + len(needle)
        while data[j:j + MLEN] == marker:
            j += MLEN
        runs.append((i, j - i))
        i = data.find(needle, j)
    return runs


def describe(runs, base):
    if not runs:
        return "0 bytes"
    total = sum(n for _, n in runs)
    first = ", ".join(f"0x{base + o:x}+{n} (slot {o // SLOT} +{o % SLOT})"
                      for o, n in runs[:4])
    mods = sorted({o % SLOT for o, _ in runs})
    more = f" ... {len(runs) - 4} more" if len(runs) > 4 else ""
    return (f"{total} bytes in {len(runs)} runs: {first}{more}; "
            f"offsets in their 2 KiB slot: {mods[:12]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qmp", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--dump-dir", required=True)
    ap.add_argument("--nonce", required=True)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--report", action="append", default=[])
    ap.add_argument("--lent", action="append", default=[])
    ap.add_argument("--not-lent", action="append", default=[])
    ap.add_argument("--zero-counter", action="append", default=[])
    ap.add_argument("--nic-bounces", action="store_true")
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    qemu = a.qemu[1:] if a.qemu[:1] == ["--"] else a.qemu

    def marker(tag):
        m = f"ZCTX-{tag}-{a.nonce}\n".encode()
        assert len(m) == MLEN, m
        return m

    tags = set()
    for e in a.expect + a.report:
        tags.add(e.split(":")[1])
    checks = []		# (ok, text)
    pool = None
    sent = {}
    found = {}		# (dump, tag) -> runs
    kmsgs = []
    counters = {}
    nic = None
    done = False

    def check(ok, text):
        checks.append((ok, text))
        log(f"{'ok  ' if ok else 'FAIL'} {text}")

    if os.path.exists(a.qmp):
        os.unlink(a.qmp)
    os.makedirs(a.dump_dir, exist_ok=True)
    logf = open(a.log, "w")
    proc = subprocess.Popen(qemu, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    qmp = None
    deadline = time.monotonic() + a.timeout
    buf = b""
    try:
        qmp = Qmp(a.qmp, proc)
        while time.monotonic() < deadline:
            r, _, _ = select.select([proc.stdout], [], [], 1)
            if not r:
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                logf.write(line + "\n")
                logf.flush()
                if re.search(r"Kernel panic|BUG:|WARNING:", line):
                    kmsgs.append(line)
                if not line.startswith("ZCTX_SCAN_"):
                    continue
                log(line[len("ZCTX_SCAN_"):])
                kind, _, rest = line[len("ZCTX_SCAN_"):].partition(" ")
                kv = dict(re.findall(r"(\w+)=(\S+)", rest))
                if kind == "KMSG":
                    kmsgs.append(rest)
                elif kind == "COUNTERS":
                    counters.update(kv)
                elif kind == "NIC":
                    nic = kv
                elif kind == "POOL":
                    try:
                        start = int(kv["start"], 16)
                        end = int(kv["end"], 16)
                        size = int(kv["nslabs"]) * SLOT
                    except (KeyError, ValueError):
                        start = end = size = 0
                    # swiotlb prints [start-end] with end = start + size.
                    ok = size > 0 and end - start in (size, size - 1)
                    check(ok, f"pool range from the guest's kernel log: "
                          f"0x{start:x}-0x{end:x}, {size >> 20} MiB "
                          f"({kv.get('nslabs')} slots of 2 KiB)")
                    if ok:
                        pool = (start, size)
                elif kind == "SENT":
                    sent[kv.get("tag")] = kv
                elif kind == "DUMP":
                    name = rest.strip()
                    if pool:
                        path = os.path.join(a.dump_dir, f"pool-{name}.bin")
                        t0 = time.monotonic()
                        qmp.cmd("pmemsave", val=pool[0], size=pool[1],
                                filename=os.path.abspath(path))
                        with open(path, "rb") as f:
                            data = f.read()
                        log(f"dump {name}: {len(data)} bytes of "
                            f"0x{pool[0]:x}.. saved in "
                            f"{time.monotonic() - t0:.1f}s: {path}")
                        for t in sorted(tags):
                            found[(name, t)] = find_runs(data, marker(t))
                    proc.stdin.write(b"go\n")
                    proc.stdin.flush()
                elif kind == "DONE":
                    done = True
                    # Read the reboot's messages, but never wait out the
                    # whole timeout for a guest that hangs on its way down.
                    deadline = min(deadline, time.monotonic() + 30)
    except (RuntimeError, OSError, BrokenPipeError) as e:
        log(f"error: {e}")
    finally:
        try:
            proc.wait(timeout=30 if done else 1)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        logf.close()

    check(done, "guest ran to the end (ZCTX_SCAN_DONE)")
    check(not kmsgs, f"no kernel BUG/WARNING/panic ({len(kmsgs)}: "
          f"{'; '.join(kmsgs[:3])})")
    for t in a.lent + a.not_lent:
        kv = sent.get(t, {})
        want = t in a.lent
        allocs = int(kv.get("zc_allocs", "-1"))
        check(kv.get("rc") == "0",
              f"{t}: {kv.get('sent', '?')} bytes to {kv.get('to', '?')} "
              f"arrived intact ({kv.get('received', '?')} received, "
              f"{kv.get('bad', '?')} bad)")
        check(allocs > 0 if want else allocs == 0,
              f"{t}: {'lent' if want else 'not lent'}: swiotlb zero-copy "
              f"allocations during the stream {allocs} "
              f"(want {'> 0' if want else '0'}), lent bytes mapped "
              f"{kv.get('zc_mapped', '?')}, bounced {kv.get('bounced', '?')}")
    for name in a.zero_counter:
        v = counters.get(name, "none")
        check(v == "0", f"/proc/net/netstat {name} = {v} before the first "
              "dump (want 0: no lent packet was delivered inside the guest)")
    if a.nic_bounces:
        kv = nic or {}
        try:
            taken = int(kv["slots_used"]) - int(kv["slots_before"])
        except (KeyError, ValueError):
            taken = -1
        check(kv.get("access_platform") == "1" and taken > 0,
              f"virtio-net NIC {kv.get('nic', 'missing')} receive buffers "
              f"bounce: VIRTIO_F_ACCESS_PLATFORM "
              f"{kv.get('access_platform', '?')} (want 1), bounce slots "
              f"taken by ifup {taken} (want > 0), "
              f"{kv.get('rx_packets', '?')} packets received")
    base = pool[0] if pool else 0
    for e in a.expect:
        dump, tag, want, text = e.split(":", 3)
        runs = found.get((dump, tag))
        if runs is None:
            check(False, f"{text}: no '{dump}' dump")
            continue
        ok = bool(runs) == (want == "found")
        check(ok, f"{text}: marker {marker(tag)[:-1].decode()} "
              f"{'found' if runs else 'absent'} in the '{dump}' pool dump "
              f"(want {want}): {describe(runs, base)}")
    for e in a.report:
        dump, tag, text = e.split(":", 2)
        runs = found.get((dump, tag))
        log(f"info {text}: marker {marker(tag)[:-1].decode()} "
            f"{'no dump' if runs is None else 'FOUND' if runs else 'absent'}"
            f" in the '{dump}' pool dump: "
            f"{describe(runs or [], base)}")
    nf = sum(1 for ok, _ in checks if not ok)
    print(f"scan: {len(checks) - nf} passed, {nf} failed")
    return 1 if nf else 0


if __name__ == "__main__":
    sys.exit(main())
