// SPDX-License-Identifier: GPL-2.0
/*
 * zctx_bench reporting: counters read before and after a run, and the
 * result line made from them (printed, kept as CSV for debugfs "results").
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <net/swiotlb_tx_lend.h>

#include "zctx_bench.h"

#ifdef CONFIG_SWIOTLB_ZEROCOPY_TX
void zctx_get_stats(struct swiotlb_zc_stats *st)
{
	swiotlb_zc_get_stats(zctx.pdev->dev.dma_io_tlb_mem, st);
}
#else
void zctx_get_stats(struct swiotlb_zc_stats *st)
{
	memset(st, 0, sizeof(*st));
}
#endif

static void zctx_cpustat(u64 *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(u64) * NR_STATS);
	for_each_possible_cpu(cpu)
		for (i = 0; i < NR_STATS; i++)
			sum[i] += kcpustat_cpu(cpu).cpustat[i];
}

/**
 * zctx_snapshot() - read every counter a result is computed from
 * @sn: where to put them
 */
void zctx_snapshot(struct zctx_snap *sn)
{
	struct zctx_priv *zp = netdev_priv(zctx.ndev);
	int i;

	memset(sn, 0, sizeof(*sn));
	zctx_get_stats(&sn->st);
	zctx_cpustat(sn->cpu);
	for (i = 0; i < ZCTX_MAX_QUEUES; i++) {
		sn->csum_errors += READ_ONCE(zp->q[i].csum_errors);
		sn->unverified += READ_ONCE(zp->q[i].unverified);
		sn->tx_payload += READ_ONCE(zp->q[i].tx_payload);
		sn->map_errors += READ_ONCE(zp->q[i].map_errors);
		sn->stops += READ_ONCE(zp->q[i].stops);
		sn->pool_bytes += READ_ONCE(zp->q[i].pool_bytes);
		sn->free_ns += READ_ONCE(zp->q[i].free_ns);
		sn->free_frags += READ_ONCE(zp->q[i].free_frags);
	}
	sn->rx_bytes = atomic64_read(&zctx.rx_bytes);
	sn->rx_csum_errors = atomic64_read(&zctx.rx_csum_errors);
}

/**
 * zctx_memcpy_mbs() - in-kernel memcpy bandwidth of 64 KiB copies
 * @ms: how long to measure; 0 skips the measurement
 *
 * Return: MB/s, 0 if not measured.
 */
u64 zctx_memcpy_mbs(unsigned int ms)
{
	const size_t sz = SZ_64K;
	u64 copied = 0, ns;
	ktime_t t0;
	void *a, *b;
	int i;

	if (!ms)
		return 0;
	a = kvmalloc(sz, GFP_KERNEL);
	b = kvmalloc(sz, GFP_KERNEL);
	if (!a || !b)
		goto out;
	memset(a, 0x5a, sz);
	memset(b, 0xa5, sz);
	t0 = ktime_get();
	do {
		for (i = 0; i < 16; i++) {
			memcpy(b, a, sz);
			copied += sz;
		}
		cond_resched();
		ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	} while (ns < (u64)ms * NSEC_PER_MSEC);
	copied = div64_u64(copied * 1000, max_t(u64, ns, 1));
out:
	kvfree(a);
	kvfree(b);
	return copied;
}

/**
 * zctx_ratio() - fixed-point "@a/@b" with @dec decimals, as text
 * @buf: output
 * @len: size of @buf
 * @a: numerator
 * @b: denominator; 0 gives "nan"
 * @dec: decimals
 */
void zctx_ratio(char *buf, size_t len, u64 a, u64 b, unsigned int dec)
{
	u64 scale = 1, q, r;
	unsigned int i;

	for (i = 0; i < dec; i++)
		scale *= 10;
	if (!b) {
		strscpy(buf, "nan", len);
		return;
	}
	q = div64_u64(a, b);
	r = div64_u64((a - q * b) * scale + b / 2, b);
	if (r >= scale) {
		q++;
		r -= scale;
	}
	snprintf(buf, len, "%llu.%0*llu", q, dec, r);
}

static unsigned long zctx_fallbacks(const struct swiotlb_zc_stats *st)
{
	unsigned long sum = 0;
	int i;

	for (i = 0; i < SWIOTLB_ZC_FB_NR; i++)
		sum += st->fallback[i];
	return sum;
}

/*
 * Keys of a result line. Less obvious ones: copies_per_byte is (sender
 * copies + bounce copies) / payload bytes, both as the kernel counted
 * them: copied_lent_bytes and copied_bytes are what the senders copied
 * into lent and ordinary page_frags (swiotlb_zc_count_tx_copy(), counted
 * in tcp_sendmsg_locked() for tcp; greedy senders fill their frags
 * themselves and call sk_page_frag_count_copy() for each copy, which
 * sender_copy_counted says), sender_copied_bytes is what the senders
 * counted themselves, for comparison; softirq_copy_per_byte counts
 * only bounce copies made in softirq; softirq_bounce_share is the part of
 * the bounced bytes copied in softirq; drops are skbs a greedy sender
 * could not build or the stack refused; map_errors are packets the
 * device dropped because a DMA mapping failed (the pool was full);
 * rx_drained (tcp) says whether every sender's stream reached its
 * receiver's end (FIN, no error) within 3 s of the stop; pool_balanced
 * says whether every lent slot and every bounce slot was back within 3 s
 * after the run (bounce_slots_delta: bounce slots in use after minus
 * before). cpu_*_ns_per_byte: guest CPU time (kcpustat, all CPUs) during
 * the timed part of the run per payload byte: process = user + nice +
 * system, softirq, irq, idle = idle + iowait. queue_stops: times a TX
 * queue stopped because its ring was full. The three waits at the end of
 * a run (receivers, skbs in flight, balance) take at most 9 s, so an
 * interrupted run ends within 10 s.
 *
 * The transmit page source (greedy senders): tx_source is bounce
 * (page_frag, lending off), lend (page_frag, zerocopy_tx_percent > 0) or
 * pool (page_pool, pool.c; pool_alloc percpu or lock); pp_model says what
 * the pool mode simulates. src_alloc_ns_per_page: time in the page source
 * (page_frag refills, or taking a page from a page_pool) per page it
 * handed out (page_frag pages are 32 KiB, page_pool pages 4 KiB), and per
 * KiB the sender copied (src_alloc_ns_per_kib); free_ns_per_frag: time
 * the device spent freeing a transmitted skb (releasing or recycling its
 * pages) per frag, and per KiB of payload (free_ns_per_kib).
 * pp_pages: pages the pools were filled with (and decrypted) before the
 * run, pp_slow_pages: pages they made during it (never decrypted),
 * pp_released: pages they gave to the page allocator (must be 0),
 * pp_balanced: every page back in its pool after the run, pp_in_place_bytes:
 * payload the device read from pool pages without mapping them.
 * shared_kib_peak: shared memory in use at the sampled peak: swiotlb
 * slots (bounced or lent) plus page_pool pages.
 *
 * The socket lending decision (elig.c, tcp runs with lending on; "n/a"
 * otherwise): elig_checks calls of sk_tx_lend_mem() timed on the run's
 * sockets after the run, elig_ns_per_check their mean, elig_ns_per_kib
 * that per SK_TX_LEND_MIN_COPY (16 KiB: the least payload left to copy
 * that makes a refill ask), elig_ns_per_check_min the mean of the fastest
 * batch of ZCTX_ELIG_BATCH calls (the least disturbed), elig_verdict whether they allowed lending
 * (lend, ordinary or mixed; off: lending off, the refill does not ask).
 * memcpy_ns_per_kib: the in-kernel copy of memcpy_gbs, per KiB, to
 * compare with.
 */
enum {
	F_RUN, F_LABEL, F_MODE, F_ZEROCOPY, F_PERCENT, F_QUEUES, F_SENDERS,
	F_MSG_SIZE, F_SECONDS, F_BYTES, F_PAYLOAD, F_GBIT_S, F_COPIES,
	F_SOFTIRQ_COPIES, F_SENDER_COPIED, F_COPIED_LENT, F_COPIED,
	F_COPY_COUNTED, F_BOUNCED, F_BOUNCED_SOFTIRQ,
	F_ZC_MAPPED, F_ZC_ALLOCS, F_ZC_FALLBACKS, F_ZC_FB_CAP, F_ZC_FB_SHORT,
	F_ZC_PEAK, F_ZC_HIWATER, F_POOL_PEAK, F_POOL_SLOTS,
	F_POOL_KIB_PER_FLOW, F_SOFTIRQ_MS, F_SOFTIRQ_PCT, F_CSUM_ERRORS,
	F_UNVERIFIED, F_DROPS, F_MAP_ERRORS, F_RX_DRAINED, F_MEMCPY_GBS,
	F_COPY_LIMIT_FRAC, F_POOL_BALANCED, F_VCPUS, F_DEV_MODEL,
	F_COMPLETE_US, F_LINE_MBIT, F_RING, F_QUEUE_STOPS, F_SIRQ_SHARE,
	F_BOUNCE_DELTA, F_CPU_PROC, F_CPU_SIRQ, F_CPU_IRQ, F_CPU_IDLE,
	F_SOURCE, F_POOL_ALLOC, F_SRC_NS, F_SRC_PAGES, F_FREE_NS, F_PP_PAGES,
	F_PP_PREFILL_NS, F_PP_SLOW, F_PP_RELEASED, F_PP_BALANCED, F_PP_IN_PLACE,
	F_SHARED_KIB, F_PP_MODEL, F_SRC_NS_KIB, F_FREE_NS_KIB, F_ELIG_CHECKS,
	F_ELIG_NS, F_ELIG_NS_KIB, F_ELIG_NS_MIN, F_ELIG_VERDICT,
	F_MEMCPY_NS_KIB, F_NR
};

static const char * const zctx_fields[F_NR] = {
	[F_RUN] = "run", [F_LABEL] = "label", [F_MODE] = "mode",
	[F_ZEROCOPY] = "zerocopy", [F_PERCENT] = "percent",
	[F_QUEUES] = "queues", [F_SENDERS] = "senders",
	[F_MSG_SIZE] = "msg_size", [F_SECONDS] = "seconds",
	[F_BYTES] = "bytes", [F_PAYLOAD] = "payload_bytes",
	[F_GBIT_S] = "gbit_s",
	[F_COPIES] = "copies_per_byte",
	[F_SOFTIRQ_COPIES] = "softirq_copy_per_byte",
	[F_SENDER_COPIED] = "sender_copied_bytes",
	[F_COPIED_LENT] = "copied_lent_bytes",
	[F_COPIED] = "copied_bytes",
	[F_COPY_COUNTED] = "sender_copy_counted",
	[F_BOUNCED] = "bounced_bytes",
	[F_BOUNCED_SOFTIRQ] = "bounced_softirq_bytes",
	[F_ZC_MAPPED] = "zc_mapped_bytes", [F_ZC_ALLOCS] = "zc_allocs",
	[F_ZC_FALLBACKS] = "zc_fallbacks", [F_ZC_FB_CAP] = "zc_fallback_cap",
	[F_ZC_FB_SHORT] = "zc_fallback_exhausted",
	[F_ZC_PEAK] = "zc_peak_slots", [F_ZC_HIWATER] = "zc_hiwater_slots",
	[F_POOL_PEAK] = "pool_peak_slots", [F_POOL_SLOTS] = "pool_slots",
	[F_POOL_KIB_PER_FLOW] = "pool_peak_kib_per_flow",
	[F_SOFTIRQ_MS] = "softirq_ms", [F_SOFTIRQ_PCT] = "softirq_pct",
	[F_CSUM_ERRORS] = "csum_errors", [F_UNVERIFIED] = "unverified",
	[F_DROPS] = "drops", [F_MAP_ERRORS] = "map_errors",
	[F_RX_DRAINED] = "rx_drained", [F_MEMCPY_GBS] = "memcpy_gbs",
	[F_COPY_LIMIT_FRAC] = "gbyte_s_per_memcpy_gbs",
	[F_POOL_BALANCED] = "pool_balanced", [F_VCPUS] = "vcpus",
	[F_DEV_MODEL] = "dev_model", [F_COMPLETE_US] = "complete_us",
	[F_LINE_MBIT] = "line_mbit", [F_RING] = "ring",
	[F_QUEUE_STOPS] = "queue_stops",
	[F_SIRQ_SHARE] = "softirq_bounce_share",
	[F_BOUNCE_DELTA] = "bounce_slots_delta",
	[F_CPU_PROC] = "cpu_process_ns_per_byte",
	[F_CPU_SIRQ] = "cpu_softirq_ns_per_byte",
	[F_CPU_IRQ] = "cpu_irq_ns_per_byte",
	[F_CPU_IDLE] = "cpu_idle_ns_per_byte",
	[F_SOURCE] = "tx_source", [F_POOL_ALLOC] = "pool_alloc",
	[F_SRC_NS] = "src_alloc_ns_per_page", [F_SRC_PAGES] = "src_pages",
	[F_FREE_NS] = "free_ns_per_frag", [F_PP_PAGES] = "pp_pages",
	[F_PP_PREFILL_NS] = "pp_prefill_ns_per_page",
	[F_PP_SLOW] = "pp_slow_pages", [F_PP_RELEASED] = "pp_released",
	[F_PP_BALANCED] = "pp_balanced",
	[F_PP_IN_PLACE] = "pp_in_place_bytes",
	[F_SHARED_KIB] = "shared_kib_peak", [F_PP_MODEL] = "pp_model",
	[F_SRC_NS_KIB] = "src_alloc_ns_per_kib",
	[F_FREE_NS_KIB] = "free_ns_per_kib",
	[F_ELIG_CHECKS] = "elig_checks", [F_ELIG_NS] = "elig_ns_per_check",
	[F_ELIG_NS_KIB] = "elig_ns_per_kib",
	[F_ELIG_NS_MIN] = "elig_ns_per_check_min",
	[F_ELIG_VERDICT] = "elig_verdict",
	[F_MEMCPY_NS_KIB] = "memcpy_ns_per_kib",
};

static __printf(3, 4) void zctx_set(char v[][ZCTX_VLEN], int f, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(v[f], ZCTX_VLEN, fmt, args);
	va_end(args);
}

/* What was run, and how fast. */
static void zctx_report_run(char v[][ZCTX_VLEN], const struct zctx_run *run)
{
	const struct zctx_params *p = &run->p;
	const struct zctx_meas *m = &run->m;

	zctx_set(v, F_RUN, "%u", zctx.runs);
	zctx_set(v, F_LABEL, "%s", p->label[0] ? p->label : "-");
	zctx_set(v, F_MODE, "%s", zctx_mode_names[p->mode]);
	zctx_set(v, F_ZEROCOPY, "%s", swiotlb_zc_tx_percent() ? "on" : "off");
	zctx_set(v, F_PERCENT, "%u", swiotlb_zc_tx_percent());
	zctx_set(v, F_QUEUES, "%u", p->queues);
	zctx_set(v, F_SENDERS, "%u", p->senders);
	zctx_set(v, F_MSG_SIZE, "%u", p->msg_size);
	zctx_ratio(v[F_SECONDS], ZCTX_VLEN, m->elapsed_ns, NSEC_PER_SEC, 3);
	zctx_set(v, F_BYTES, "%llu", m->at_stop);
	zctx_ratio(v[F_GBIT_S], ZCTX_VLEN, m->at_stop * 8, m->elapsed_ns, 3);
	zctx_set(v, F_DROPS, "%llu", m->drops);
	zctx_set(v, F_RX_DRAINED, "%s", p->mode != ZCTX_MODE_TCP ? "-" :
		 m->rx_drained ? "1" : "0");
	zctx_ratio(v[F_MEMCPY_GBS], ZCTX_VLEN, m->mbs, 1000, 2);
	/* (GB/s of payload) / (GB/s of memcpy): share of the copy limit. */
	zctx_ratio(v[F_COPY_LIMIT_FRAC], ZCTX_VLEN, m->at_stop * 1000,
		   m->elapsed_ns * m->mbs, 3);
	zctx_set(v, F_VCPUS, "%u", num_online_cpus());
	zctx_set(v, F_DEV_MODEL, "%s", zctx_dev_model_names[p->dev_model]);
	zctx_set(v, F_COMPLETE_US, "%u", p->complete_us);
	zctx_set(v, F_LINE_MBIT, "%u", p->line_mbit);
	zctx_set(v, F_RING, "%u", p->ring);
	zctx_set(v, F_QUEUE_STOPS, "%llu", m->stop.stops - m->a.stops);
}

/* Who copied how much, where; checksums. */
static void zctx_report_copies(char v[][ZCTX_VLEN], const struct zctx_run *run,
			       u64 payload)
{
	const struct zctx_meas *m = &run->m;
	const struct swiotlb_zc_stats *a = &m->a.st, *e = &m->end.st;
	u64 bounced = e->bounced_bytes - a->bounced_bytes;
	u64 sirq = e->bounced_softirq_bytes - a->bounced_softirq_bytes;
	u64 lent = e->copied_lent_bytes - a->copied_lent_bytes;
	u64 plain = e->copied_bytes - a->copied_bytes;

	zctx_set(v, F_PAYLOAD, "%llu", payload);
	zctx_ratio(v[F_COPIES], ZCTX_VLEN, lent + plain + bounced, payload, 4);
	zctx_ratio(v[F_SOFTIRQ_COPIES], ZCTX_VLEN, sirq, payload, 4);
	zctx_ratio(v[F_SIRQ_SHARE], ZCTX_VLEN, sirq, bounced, 4);
	zctx_set(v, F_SENDER_COPIED, "%llu", m->copied);
	zctx_set(v, F_COPIED_LENT, "%llu", lent);
	zctx_set(v, F_COPIED, "%llu", plain);
	/* Where the sender's copy was counted: the socket's, or ours. */
	zctx_set(v, F_COPY_COUNTED, "%s", run->p.mode == ZCTX_MODE_TCP ?
		 "kernel_tcp_sendmsg" : "kernel_counter_from_greedy_fill");
	zctx_set(v, F_BOUNCED, "%llu", bounced);
	zctx_set(v, F_BOUNCED_SOFTIRQ, "%llu", sirq);
	zctx_set(v, F_ZC_MAPPED, "%lu", e->mapped_bytes - a->mapped_bytes);
	zctx_set(v, F_CSUM_ERRORS, "%llu",
		 m->end.csum_errors - m->a.csum_errors +
		 m->end.rx_csum_errors - m->a.rx_csum_errors);
	zctx_set(v, F_UNVERIFIED, "%llu", m->end.unverified - m->a.unverified);
	zctx_set(v, F_MAP_ERRORS, "%llu", m->end.map_errors - m->a.map_errors);
}

/* Lending, fallbacks and pool use. */
static void zctx_report_pool(char v[][ZCTX_VLEN], const struct zctx_run *run)
{
	const struct zctx_meas *m = &run->m;
	const struct swiotlb_zc_stats *a = &m->a.st, *e = &m->end.st;
	long bdelta = (long)(e->pool_used - e->used) -
		      (long)(a->pool_used - a->used);

	zctx_set(v, F_ZC_ALLOCS, "%lu", e->allocs - a->allocs);
	zctx_set(v, F_ZC_FALLBACKS, "%lu",
		 zctx_fallbacks(e) - zctx_fallbacks(a));
	zctx_set(v, F_ZC_FB_CAP, "%lu",
		 e->fallback[SWIOTLB_ZC_FB_CAP] - a->fallback[SWIOTLB_ZC_FB_CAP]);
	zctx_set(v, F_ZC_FB_SHORT, "%lu",
		 e->fallback[SWIOTLB_ZC_FB_EXHAUSTED] +
		 e->fallback[SWIOTLB_ZC_FB_FRAGMENTED] -
		 a->fallback[SWIOTLB_ZC_FB_EXHAUSTED] -
		 a->fallback[SWIOTLB_ZC_FB_FRAGMENTED]);
	zctx_set(v, F_ZC_PEAK, "%lu", m->zc_peak);
	zctx_set(v, F_ZC_HIWATER, "%lu", e->hiwater);
	zctx_set(v, F_POOL_PEAK, "%lu", m->pool_peak);
	zctx_set(v, F_POOL_SLOTS, "%lu", e->nslabs);
	zctx_set(v, F_POOL_KIB_PER_FLOW, "%lu",
		 m->pool_peak * (IO_TLB_SIZE / 1024) / run->p.senders);
	zctx_set(v, F_POOL_BALANCED, "%d", m->balanced);
	zctx_set(v, F_BOUNCE_DELTA, "%ld", bdelta);
}

/* Guest CPU time of the timed part, per payload byte. */
static void zctx_report_cpu(char v[][ZCTX_VLEN], const struct zctx_run *run)
{
	const struct zctx_meas *m = &run->m;
	const u64 *a = m->a.cpu, *b = m->stop.cpu;
	u64 sirq = b[CPUTIME_SOFTIRQ] - a[CPUTIME_SOFTIRQ];
	u64 proc = b[CPUTIME_USER] - a[CPUTIME_USER] + b[CPUTIME_NICE] -
		   a[CPUTIME_NICE] + b[CPUTIME_SYSTEM] - a[CPUTIME_SYSTEM];
	u64 idle = b[CPUTIME_IDLE] - a[CPUTIME_IDLE] + b[CPUTIME_IOWAIT] -
		   a[CPUTIME_IOWAIT];
	u64 cpus_ns = m->elapsed_ns * num_online_cpus();

	zctx_set(v, F_SOFTIRQ_MS, "%llu", div_u64(sirq, NSEC_PER_MSEC));
	zctx_ratio(v[F_SOFTIRQ_PCT], ZCTX_VLEN, sirq * 100, cpus_ns, 1);
	zctx_ratio(v[F_CPU_PROC], ZCTX_VLEN, proc, m->at_stop, 4);
	zctx_ratio(v[F_CPU_SIRQ], ZCTX_VLEN, sirq, m->at_stop, 4);
	zctx_ratio(v[F_CPU_IRQ], ZCTX_VLEN,
		   b[CPUTIME_IRQ] - a[CPUTIME_IRQ], m->at_stop, 4);
	zctx_ratio(v[F_CPU_IDLE], ZCTX_VLEN, idle, m->at_stop, 4);
}

/* The transmit page source, and the page_pools of source=pool. */
static void zctx_report_source(char v[][ZCTX_VLEN], const struct zctx_run *run)
{
	const struct zctx_params *p = &run->p;
	const struct zctx_meas *m = &run->m;
	const struct zctx_pool_stats *pp = &m->pp;
	bool pool = p->source == ZCTX_SRC_POOL;

	zctx_set(v, F_SOURCE, "%s", pool ? "pool" :
		 swiotlb_zc_tx_percent() ? "lend" : "bounce");
	zctx_set(v, F_POOL_ALLOC, "%s",
		 pool ? zctx_pool_alloc_names[p->pool_alloc] : "-");
	zctx_ratio(v[F_SRC_NS], ZCTX_VLEN, m->src_ns, m->src_pages, 1);
	zctx_set(v, F_SRC_PAGES, "%llu", m->src_pages);
	zctx_ratio(v[F_SRC_NS_KIB], ZCTX_VLEN, m->src_ns * 1024, m->copied, 2);
	zctx_ratio(v[F_FREE_NS], ZCTX_VLEN, m->end.free_ns - m->a.free_ns,
		   m->end.free_frags - m->a.free_frags, 1);
	zctx_ratio(v[F_FREE_NS_KIB], ZCTX_VLEN,
		   (m->end.free_ns - m->a.free_ns) * 1024,
		   m->end.tx_payload - m->a.tx_payload, 2);
	zctx_set(v, F_PP_PAGES, "%llu", pp->prefilled);
	zctx_ratio(v[F_PP_PREFILL_NS], ZCTX_VLEN, pp->prefill_ns,
		   pp->prefilled, 1);
	zctx_set(v, F_PP_SLOW, "%llu", pp->slow);
	zctx_set(v, F_PP_RELEASED, "%llu", pp->released);
	zctx_set(v, F_PP_BALANCED, "%s", !pool ? "-" :
		 pp->balanced && pp->destroyed ? "1" : "0");
	zctx_set(v, F_PP_IN_PLACE, "%llu",
		 m->end.pool_bytes - m->a.pool_bytes);
	zctx_set(v, F_SHARED_KIB, "%llu",
		 (u64)m->pool_peak * IO_TLB_SIZE / 1024 +
		 pp->prefilled * (PAGE_SIZE / 1024));
	zctx_set(v, F_PP_MODEL, "%s", !pool ? "-" :
		 "no_dma_map+reads_phys+noop_decrypt");
}

/* The lending decision's cost (elig.c), and the copy's to compare with. */
static void zctx_report_elig(char v[][ZCTX_VLEN], const struct zctx_run *run)
{
	const struct zctx_meas *m = &run->m;
	const char *verdict = "n/a";

	/* bytes per us, so ns per KiB is 1024 * 1000 / MB/s. */
	zctx_ratio(v[F_MEMCPY_NS_KIB], ZCTX_VLEN, 1024 * 1000, m->mbs, 2);
	if (run->p.mode == ZCTX_MODE_TCP && !swiotlb_zc_tx_percent())
		verdict = "off";
	else if (m->elig_checks)
		verdict = m->elig_lend == m->elig_checks ? "lend" :
			  m->elig_lend ? "mixed" : "ordinary";
	zctx_set(v, F_ELIG_VERDICT, "%s", verdict);
	if (!m->elig_checks) {
		zctx_set(v, F_ELIG_CHECKS, "n/a");
		zctx_set(v, F_ELIG_NS, "n/a");
		zctx_set(v, F_ELIG_NS_KIB, "n/a");
		zctx_set(v, F_ELIG_NS_MIN, "n/a");
		return;
	}
	zctx_set(v, F_ELIG_CHECKS, "%llu", m->elig_checks);
	zctx_ratio(v[F_ELIG_NS], ZCTX_VLEN, m->elig_ns, m->elig_checks, 1);
	zctx_ratio(v[F_ELIG_NS_KIB], ZCTX_VLEN, m->elig_ns * 1024,
		   m->elig_checks * SK_TX_LEND_MIN_COPY, 2);
	if (m->elig_best == U64_MAX)
		zctx_set(v, F_ELIG_NS_MIN, "n/a");
	else
		zctx_ratio(v[F_ELIG_NS_MIN], ZCTX_VLEN, m->elig_best,
			   ZCTX_ELIG_BATCH, 1);
}

/*
 * printk keeps at most 1024 bytes of a record, and a record cut short has
 * no newline, so it stays open (invisible to readers of the log) until
 * the next message: print a long result line in pieces cut at spaces.
 */
static void zctx_print_line(const char *line)
{
	const unsigned int max = 896;
	size_t len = strlen(line), n;

	while (len) {
		n = len;
		if (n > max) {
			n = max;
			while (n && line[n] != ' ')
				n--;
			if (!n)
				n = max;
		}
		pr_info("%.*s\n", (int)n, line);
		line += n;
		len -= n;
		while (len && *line == ' ') {
			line++;
			len--;
		}
	}
}

static void zctx_record(char v[][ZCTX_VLEN])
{
	struct zctx_result_row *row;
	size_t n = 0, c = 0;
	int i;

	row = &zctx.results[zctx.nresults % ZCTX_MAX_RESULTS];
	for (i = 0; i < F_NR; i++) {
		n += scnprintf(row->line + n, sizeof(row->line) - n, "%s%s=%s",
			       i ? " " : "", zctx_fields[i], v[i]);
		c += scnprintf(row->csv + c, sizeof(row->csv) - c, "%s%s",
			       i ? "," : "", v[i]);
	}
	strscpy(zctx.last, row->line, sizeof(zctx.last));
	zctx.nresults++;
	zctx_print_line(row->line);
}

/**
 * zctx_report() - make, print and keep the result line of a finished run
 * @run: the run, with its measurements
 *
 * Called with zctx.lock held, after zctx.runs was incremented.
 */
void zctx_report(const struct zctx_run *run)
{
	const struct zctx_meas *m = &run->m;
	char (*v)[ZCTX_VLEN];
	u64 payload;

	v = kcalloc(F_NR, sizeof(*v), GFP_KERNEL);
	if (!v)
		return;
	/* Throughput: payload the device (greedy) or receivers (tcp) got. */
	payload = run->p.mode == ZCTX_MODE_TCP ?
		  m->end.rx_bytes - m->a.rx_bytes :
		  m->end.tx_payload - m->a.tx_payload;
	zctx_report_run(v, run);
	zctx_report_copies(v, run, payload);
	zctx_report_pool(v, run);
	zctx_report_cpu(v, run);
	zctx_report_source(v, run);
	zctx_report_elig(v, run);
	zctx_record(v);
	kfree(v);
}

/**
 * zctx_results_header() - the CSV header of debugfs "results"
 * @m: the seq_file
 */
void zctx_results_header(struct seq_file *m)
{
	int f;

	for (f = 0; f < F_NR; f++)
		seq_printf(m, "%s%s", f ? "," : "", zctx_fields[f]);
	seq_putc(m, '\n');
}
