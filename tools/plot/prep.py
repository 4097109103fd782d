#!/usr/bin/env python3
"""Turn a zctx results CSV into the small data files the .gp scripts plot.

usage: prep.py results.csv datadir
Rows are reduced to their median per configuration; a missing value is written as '?'.
"""
import csv
import os
import re
import statistics
import sys


def num(r, k):
    try:
        return float(r.get(k, ""))
    except ValueError:
        return float("nan")


def mean(rows, k):
    v = [num(r, k) for r in rows]
    v = [x for x in v if x == x]
    return statistics.median(v) if v else float("nan")


def f(v):
    return "?" if v != v else f"{v:.6g}"


def mechanism(rows, out):
    """headline.dat: the ring device model at 2 senders, 64 KiB, per queue
    count: bytes bounced in softirq per payload byte (with zero-copy off
    nearly every payload byte is bounced once, so this is the share of the
    bounce copy done in softirq; with it on, what is left of it) and
    Gbit/s, zero-copy off and on, for greedy senders, kernel TCP and user
    send()."""
    wls = (("greedy", "sweep"), ("tcp", "tcp"), ("user_send", "user"))
    ring = [r for r in rows if r["dev_model"] == "ring" and r.get("senders") == "2"
            and r.get("msg_size") == "65536"]
    qs = sorted({r["queues"] for r in ring}, key=int)
    with open(os.path.join(out, "headline.dat"), "w") as fh:
        fh.write("# queues, then per workload (greedy tcp user_send): sirq_cpb_off sirq_cpb_on gbit_off gbit_on\n")
        for q in qs:
            vals = []
            for mode, label in wls:
                for k in ("softirq_copy_per_byte", "gbit_s"):
                    for zc in ("off", "on"):
                        vals.append(mean([r for r in ring if r.get("mode") == mode and r.get("label") == label
                                          and r["queues"] == q and r.get("zerocopy") == zc], k))
            fh.write(q + " " + " ".join(f(v) for v in vals) + "\n")


SOURCES = (("bounce", "sweep", "off", None), ("lend", "sweep", "on", None),
           ("pool_percpu", "pool", None, "percpu"), ("pool_lock", "pool", None, "lock"))


def busy(r):
    return num(r, "cpu_process_ns_per_byte") + num(r, "cpu_softirq_ns_per_byte") + num(r, "cpu_irq_ns_per_byte")


def sources(rows, out):
    """sources_<msg>_<model>.dat (issue 16): greedy senders at the points
    that have page_pool rows, per queue count: for bounce, lend, pool
    percpu and pool lock, Gbit/s, guest busy ns per payload byte and ns in
    the page source per KiB copied."""
    pool = [r for r in rows if r.get("mode") == "greedy" and r.get("label") == "pool"
            and num(r, "src_alloc_ns_per_kib") == num(r, "src_alloc_ns_per_kib")]
    for dm in sorted({r["dev_model"] for r in pool}):
        for msg in sorted({r["msg_size"] for r in pool if r["dev_model"] == dm}, key=int):
            pts = [r for r in rows if r.get("mode") == "greedy" and r["dev_model"] == dm
                   and r.get("msg_size") == msg and r.get("senders") == "2"]
            qs = sorted({r["queues"] for r in pts if r.get("label") == "pool"}, key=int)
            with open(os.path.join(out, f"sources_{msg}_{dm}.dat"), "w") as fh:
                fh.write("# queues, then per source (bounce lend pool_percpu pool_lock): gbit_s busy_ns_per_byte alloc_ns_per_kib\n")
                for q in qs:
                    vals = []
                    for _, label, zc, alloc in SOURCES:
                        g = [r for r in pts if r["queues"] == q and r.get("label") == label
                             and (zc is None or r.get("zerocopy") == zc)
                             and (alloc is None or r.get("pool_alloc") == alloc)]
                        b = [busy(r) for r in g]
                        b = [x for x in b if x == x]
                        vals += [mean(g, "gbit_s"), statistics.median(b) if b else float("nan"),
                                 mean(g, "src_alloc_ns_per_kib")]
                    fh.write(q + " " + " ".join(f(v) for v in vals) + "\n")


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with open(src) as fh:
        lines = fh.readlines()
    comments = [l[1:].strip() for l in lines if l.startswith("#")]
    allrows = list(csv.DictReader([l for l in lines if l.strip() and not l.startswith("#")]))
    for r in allrows:
        r.setdefault("dev_model", "instant")
        r["dev_model"] = r["dev_model"] or "instant"
    # The per-point plots show the "instant" device model (the ring model
    # has its own plot, headline); older CSVs have no dev_model column.
    rows = [r for r in allrows if r["dev_model"] == "instant"]

    def sel(**kw):
        return [r for r in rows if all(r.get(k) == str(v) for k, v in kw.items())]

    # Subtitle: where the numbers come from.
    meta = " ".join(comments)
    parts = []
    m = re.search(r"guest kernel: (\S+)", meta)
    if m:
        parts.append(f"Linux {m.group(1)}")
    m = re.search(r"accel: (\w+)", meta)
    if m:
        cpu = re.search(r"cpu: ([^;]+);", meta)
        parts.append(f"QEMU {m.group(1)}" + (f" -cpu {cpu.group(1).strip()}" if cpu else ""))
    vc = {r.get("vcpus") for r in rows if r.get("vcpus")}
    if vc:
        parts.append(f"{'/'.join(sorted(vc))} vCPUs")
    m = re.search(r"host: ([^;]+);", meta)
    if m:
        parts.append(m.group(1).strip())
    pct = {r.get("percent") for r in rows if r.get("zerocopy") == "on" and r.get("label") == "sweep"}
    if pct:
        parts.append("zero-copy on = percent " + "/".join(sorted(pct)))
    sub = ", ".join(parts) if parts else os.path.basename(src)
    with open(os.path.join(out, "meta.gp"), "w") as fh:
        fh.write('subtitle = "%s"\n' % sub.replace('"', "'"))

    msgs = sorted({r["msg_size"] for r in sel(mode="greedy", label="sweep")}, key=int)
    with open(os.path.join(out, "msgs.gp"), "w") as fh:
        fh.write('msgs = "%s"\n' % " ".join(msgs))
    for msg in msgs:
        g = sel(mode="greedy", label="sweep", msg_size=msg)
        for key, other, name in (("queues", "senders", "q"), ("senders", "queues", "s")):
            xs = sorted({r[key] for r in g}, key=int)
            with open(os.path.join(out, f"tput_{name}_{msg}.dat"), "w") as fh:
                fh.write(f"# {key} off_{other}1 off_{other}2 off_{other}4 on_{other}1 on_{other}2 on_{other}4\n")
                for x in xs:
                    vals = [mean([r for r in g if r[key] == x and r[other] == o and r["zerocopy"] == zc], "gbit_s")
                            for zc in ("off", "on") for o in ("1", "2", "4")]
                    fh.write(x + " " + " ".join(f(v) for v in vals) + "\n")
        # softirq copies per byte and softirq CPU share vs senders
        xs = sorted({r["senders"] for r in g}, key=int)
        with open(os.path.join(out, f"softirq_{msg}.dat"), "w") as fh:
            fh.write("# senders  sirq_cpb off q1 q2 q4, on q1 q2 q4, softirq_pct off q1 q2 q4, on q1 q2 q4\n")
            for x in xs:
                vals = [mean([r for r in g if r["senders"] == x and r["queues"] == q and r["zerocopy"] == zc], k)
                        for k in ("softirq_copy_per_byte", "softirq_pct")
                        for zc in ("off", "on") for q in ("1", "2", "4")]
                fh.write(x + " " + " ".join(f(v) for v in vals) + "\n")

    # The senders' copies as the kernel counted them (copied_lent_bytes +
    # copied_bytes); results of older runs only have the senders' own count.
    def sender_copies(r):
        if r.get("copied_lent_bytes", "") != "" and r.get("copied_bytes", "") != "":
            return num(r, "copied_lent_bytes") + num(r, "copied_bytes")
        return num(r, "sender_copied_bytes")

    # Copies per payload byte, split by who copies: the sender, the bounce
    # outside softirq, the bounce in softirq. Prefer 1 queue / 2 senders.
    cats = []
    for msg in msgs:
        for zc in ("off", "on"):
            cats.append((f"greedy {msg} B\\n{zc}", sel(mode="greedy", label="sweep", msg_size=msg, zerocopy=zc)))
    for mode, name in (("tcp", "kernel TCP"), ("user_send", "user send()")):
        for zc in ("off", "on"):
            cats.append((f"{name}\\n{zc}", sel(mode=mode, zerocopy=zc)))
    cats.append(("MSG_ZEROCOPY\\n(percent 0)", sel(mode="user_msg_zerocopy", zerocopy="off")))
    with open(os.path.join(out, "copies.dat"), "w") as fh:
        fh.write("# label sender bounce_process bounce_softirq total\n")
        for label, rs in cats:
            pick = [r for r in rs if r.get("queues") == "1" and r.get("senders") == "2"] or rs
            if not pick:
                continue
            payload = sum(num(r, "payload_bytes") for r in pick)
            if not payload:
                continue
            sc = sum(sender_copies(r) for r in pick) / payload
            b = sum(num(r, "bounced_bytes") for r in pick) / payload
            bs = sum(num(r, "bounced_softirq_bytes") for r in pick) / payload
            fh.write(f'"{label}" {f(sc)} {f(b - bs)} {f(bs)} {f(sc + b)}\n')

    # Headline: 1 queue, 2 senders, 64 KiB.
    head = [("greedy\\noff", sel(mode="greedy", label="sweep", msg_size="65536", queues=1, senders=2, zerocopy="off")),
            ("greedy\\non", sel(mode="greedy", label="sweep", msg_size="65536", queues=1, senders=2, zerocopy="on")),
            ("kernel TCP\\noff", sel(mode="tcp", senders=2, zerocopy="off")),
            ("kernel TCP\\non", sel(mode="tcp", senders=2, zerocopy="on")),
            ("user send()\\noff", sel(mode="user_send", senders=2, zerocopy="off")),
            ("user send()\\non", sel(mode="user_send", senders=2, zerocopy="on")),
            ("MSG_ZEROCOPY\\n(percent 0)", sel(mode="user_msg_zerocopy", senders=2))]
    mechanism(allrows, out)
    sources(allrows, out)
    with open(os.path.join(out, "bars.dat"), "w") as fh:
        fh.write("# label gbit_s memcpy_fraction\n")
        for label, rs in head:
            if rs:
                fh.write(f'"{label}" {f(mean(rs, "gbit_s"))} {f(mean(rs, "gbyte_s_per_memcpy_gbs"))}\n')

    p = sel(label="pct")
    with open(os.path.join(out, "percent.dat"), "w") as fh:
        fh.write("# percent gbit_s copies_per_byte zc_fallbacks cap exhausted zc_peak_slots pool_peak_slots pool_slots\n")
        for x in sorted({r["percent"] for r in p}, key=int):
            rs = [r for r in p if r["percent"] == x]
            fh.write(x + " " + " ".join(f(mean(rs, k)) for k in (
                "gbit_s", "copies_per_byte", "zc_fallbacks", "zc_fallback_cap",
                "zc_fallback_exhausted", "zc_peak_slots", "pool_peak_slots", "pool_slots")) + "\n")


if __name__ == "__main__":
    main()
