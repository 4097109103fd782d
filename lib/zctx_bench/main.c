// SPDX-License-Identifier: GPL-2.0
/*
 * zctx_bench: benchmark of swiotlb zero-copy socket transmit.
 *
 * In a guest whose DMA is bounced through swiotlb (confidential guests,
 * or any guest booted with swiotlb=force), a copying sendmsg() copies
 * each payload byte twice: into an skb page in the sender, and into a
 * bounce slot when the driver maps the skb, under load in the TX softirq
 * and serialised per TX queue. With CONFIG_SWIOTLB_ZEROCOPY_TX and
 * swiotlb.zerocopy_tx_percent > 0, socket page_frags come from swiotlb
 * and the second copy disappears.
 *
 * This module creates "zctx0", a network device whose DMA goes through
 * the default swiotlb pool (dev.c; device models "instant" and "ring"),
 * and runs one of these workloads (parameter mode):
 *  greedy  kernel threads that build skbs the way tcp_sendmsg() does and
 *          push them through dev_queue_xmit() (greedy.c).
 *  tcp     kernel TCP sockets to an in-kernel listener through zctx0,
 *          which reflects every packet (tcp.c). zctx0 needs the address
 *          192.0.2.1/24 and to be up, so this mode is started through
 *          debugfs (see below).
 *  none    only create zctx0 and the listener (for user-space senders).
 * Greedy senders take their pages from a socket's page_frag refill
 * (source=frag: bounced, or lent by swiotlb) or from page_pools of zctx0
 * (source=pool, pool.c: the page_pool design proposed in review).
 * After a tcp run with lending on, elig.c times the lending decision
 * (sk_tx_lend_mem(), elig_checks calls per socket) on the run's sockets.
 *
 * Loading the module runs the workload given by the module parameters
 * (run.c) and prints one "zctx_bench: key=value ..." line (report.c). The
 * debugfs directory /sys/kernel/debug/zctx_bench/ holds:
 *  params   current parameters; write "key=value ..." to change them
 *  run      write "[key=value ...]" to run the workload again
 *  last     the key=value line of the last run
 *  results  every run as CSV, with a header
 *  rx       bytes and checksum errors seen by the TCP receivers
 *  memcpy_gbs  read to measure in-kernel memcpy bandwidth (GB/s)
 *  flush    write to free received skbs whose free other CPUs deferred
 *
 * Nothing here is specific to a hypervisor: the numbers are meaningful on
 * any guest whose default swiotlb pool force-bounces (TDX, SEV, CCA, or
 * swiotlb=force).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/page_pool/types.h>

#include "zctx_bench.h"

struct zctx_state zctx;

const char * const zctx_mode_names[ZCTX_MODE_NR] = {
	[ZCTX_MODE_GREEDY] = "greedy",
	[ZCTX_MODE_TCP] = "tcp",
	[ZCTX_MODE_NONE] = "none",
};

const char * const zctx_dev_model_names[ZCTX_DEV_NR] = {
	[ZCTX_DEV_INSTANT] = "instant",
	[ZCTX_DEV_RING] = "ring",
};

const char * const zctx_source_names[ZCTX_SRC_NR] = {
	[ZCTX_SRC_FRAG] = "frag",
	[ZCTX_SRC_POOL] = "pool",
};

const char * const zctx_pool_alloc_names[ZCTX_PA_NR] = {
	[ZCTX_PA_PERCPU] = "percpu",
	[ZCTX_PA_LOCK] = "lock",
};

/* ---------------------------------------------------------------- params */

static char mode[8] = "greedy";
module_param_string(mode, mode, sizeof(mode), 0444);
MODULE_PARM_DESC(mode, "Workload run at load: greedy (default), none; tcp through debugfs run");
static unsigned int senders = 1;
module_param(senders, uint, 0444);
MODULE_PARM_DESC(senders, "Sender threads or TCP connections (1-64)");
static unsigned int queues = 1;
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "TX queues of zctx0 in use (1-16)");
static unsigned int msg_size = 65536;
module_param(msg_size, uint, 0444);
MODULE_PARM_DESC(msg_size, "Bytes per message: one skb in greedy mode (64-65536), one send in tcp mode (64-1048576)");
static unsigned int seconds = 2;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "Duration of a run in seconds (0-3600; 0 needs bytes)");
static unsigned long long bytes;
module_param(bytes, ullong, 0444);
MODULE_PARM_DESC(bytes, "Stop after this many payload bytes (0 = by duration)");
static unsigned int pattern;
module_param(pattern, uint, 0444);
MODULE_PARM_DESC(pattern, "Payload pattern: 0 counting, 1 pseudo-random, 2 constant");
static unsigned int pin = 1;
module_param(pin, uint, 0444);
MODULE_PARM_DESC(pin, "1: pin sender i to online CPU i mod n; 0: let the scheduler spread them");
static unsigned int ring = 64;
module_param(ring, uint, 0444);
MODULE_PARM_DESC(ring, "Descriptors per TX queue, a power of two (8-4096); load time only");
static unsigned int inflight_kb = 256;
module_param(inflight_kb, uint, 0444);
MODULE_PARM_DESC(inflight_kb, "Greedy senders: KiB queued or in flight per sender (16-65536)");
static unsigned int verify_stride = 64;
module_param(verify_stride, uint, 0444);
MODULE_PARM_DESC(verify_stride, "Check one payload byte every this many bytes (0 = off, 1-65536)");
static unsigned int memcpy_ms = 100;
module_param(memcpy_ms, uint, 0444);
MODULE_PARM_DESC(memcpy_ms, "Milliseconds of memcpy bandwidth measurement per run (0-10000)");
static unsigned int port = 5001;
module_param(port, uint, 0444);
MODULE_PARM_DESC(port, "TCP port of the in-kernel listener (1-65535); load time only");
static char dev_model[8] = "instant";
module_param_string(dev_model, dev_model, sizeof(dev_model), 0444);
MODULE_PARM_DESC(dev_model, "Device model: instant (completes at once) or ring (TX ring with BQL, completions paced by complete_us and line_mbit)");
static unsigned int complete_us = 50;
module_param(complete_us, uint, 0444);
MODULE_PARM_DESC(complete_us, "Ring model: completion latency of a descriptor in microseconds (1-100000)");
static unsigned int line_mbit;
module_param(line_mbit, uint, 0444);
MODULE_PARM_DESC(line_mbit, "Ring model: line rate per queue in Mbit/s (0 = no limit, up to 1000000)");
static char source[8] = "frag";
module_param_string(source, source, sizeof(source), 0444);
MODULE_PARM_DESC(source, "Greedy senders' transmit pages: frag (page_frag: bounced, or lent with zerocopy_tx_percent > 0) or pool (page_pools of zctx0, read in place)");
static char pool_alloc[8] = "percpu";
module_param_string(pool_alloc, pool_alloc, sizeof(pool_alloc), 0444);
MODULE_PARM_DESC(pool_alloc, "source=pool: percpu (a page_pool per CPU, bottom halves off) or lock (one page_pool for zctx0 under a spinlock)");
static unsigned int elig_checks = 10000;
module_param(elig_checks, uint, 0444);
MODULE_PARM_DESC(elig_checks, "tcp, lending on: time this many lending decisions (sk_tx_lend_mem()) per socket after the run (0-1000000; 0 = none)");
static char label[ZCTX_LABEL_LEN];
module_param_string(label, label, sizeof(label), 0444);
MODULE_PARM_DESC(label, "Free-form label copied to the results ([A-Za-z0-9_.:-])");

enum zctx_ptype {
	ZCTX_P_UINT, ZCTX_P_ULL, ZCTX_P_MODE, ZCTX_P_MODEL, ZCTX_P_SOURCE,
	ZCTX_P_POOL_ALLOC, ZCTX_P_LABEL
};

struct zctx_pdesc {
	const char *name;
	enum zctx_ptype type;
	size_t off;
	unsigned long long min, max;
	bool load_only;
};

#define ZCTX_P(n, t, lo, hi, lonly) \
	{ #n, t, offsetof(struct zctx_params, n), lo, hi, lonly }

static const struct zctx_pdesc zctx_pdescs[] = {
	ZCTX_P(mode, ZCTX_P_MODE, 0, 0, false),
	ZCTX_P(senders, ZCTX_P_UINT, 1, ZCTX_MAX_SENDERS, false),
	ZCTX_P(queues, ZCTX_P_UINT, 1, ZCTX_MAX_QUEUES, false),
	ZCTX_P(msg_size, ZCTX_P_UINT, 64, 1048576, false),
	ZCTX_P(seconds, ZCTX_P_UINT, 0, 3600, false),
	ZCTX_P(bytes, ZCTX_P_ULL, 0, ULLONG_MAX, false),
	ZCTX_P(pattern, ZCTX_P_UINT, 0, 2, false),
	ZCTX_P(pin, ZCTX_P_UINT, 0, 1, false),
	ZCTX_P(ring, ZCTX_P_UINT, 8, 4096, true),
	ZCTX_P(inflight_kb, ZCTX_P_UINT, 16, 65536, false),
	ZCTX_P(verify_stride, ZCTX_P_UINT, 0, 65536, false),
	ZCTX_P(memcpy_ms, ZCTX_P_UINT, 0, 10000, false),
	ZCTX_P(port, ZCTX_P_UINT, 1, 65535, true),
	ZCTX_P(dev_model, ZCTX_P_MODEL, 0, 0, false),
	ZCTX_P(complete_us, ZCTX_P_UINT, 1, 100000, false),
	ZCTX_P(line_mbit, ZCTX_P_UINT, 0, 1000000, false),
	ZCTX_P(source, ZCTX_P_SOURCE, 0, 0, false),
	ZCTX_P(pool_alloc, ZCTX_P_POOL_ALLOC, 0, 0, false),
	ZCTX_P(elig_checks, ZCTX_P_UINT, 0, 1000000, false),
	ZCTX_P(label, ZCTX_P_LABEL, 0, 0, false),
};

static int zctx_parse_name(const char *s, const char * const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (sysfs_streq(s, names[i]))
			return i;
	return -EINVAL;
}

static bool zctx_label_ok(const char *s)
{
	for (; *s; s++)
		if (!isalnum(*s) && !strchr("_.:-", *s))
			return false;
	return true;
}

/* Numeric parameters out of range: one message naming the first. */
static int zctx_params_check_ranges(const struct zctx_params *p)
{
	const struct zctx_pdesc *d;
	unsigned long long v;

	for (d = zctx_pdescs; d < zctx_pdescs + ARRAY_SIZE(zctx_pdescs); d++) {
		if (d->type == ZCTX_P_UINT)
			v = *(const unsigned int *)((const char *)p + d->off);
		else if (d->type == ZCTX_P_ULL)
			v = *(const unsigned long long *)((const char *)p + d->off);
		else
			continue;
		if (v < d->min || v > d->max) {
			pr_err("invalid %s=%llu: must be %llu to %llu\n",
			       d->name, v, d->min, d->max);
			return -EINVAL;
		}
	}
	return 0;
}

/* source=pool: greedy senders only, and pools whose ptr_ring holds it all. */
static int zctx_params_check_pool(const struct zctx_params *p)
{
	unsigned long n = zctx_pool_pages_needed(p);

	if (p->source != ZCTX_SRC_POOL)
		return 0;
	if (p->mode == ZCTX_MODE_TCP) {
		pr_err("invalid source=pool: only greedy senders take pages from a page_pool (mode=greedy)\n");
		return -EINVAL;
	}
	/* A page recycled into a full ptr_ring goes to the page allocator. */
	if (n + PP_ALLOC_CACHE_SIZE > ZCTX_PP_RING) {
		pr_err("invalid source=pool: %lu pages could be in flight from one page_pool, its ptr_ring holds %u; lower senders or inflight_kb\n",
		       n, ZCTX_PP_RING - PP_ALLOC_CACHE_SIZE);
		return -EINVAL;
	}
	return 0;
}

/*
 * Check every parameter; on the first bad one print one message naming it
 * and return -EINVAL.
 */
static int zctx_params_check(const struct zctx_params *p)
{
	if (zctx_params_check_ranges(p))
		return -EINVAL;
	if (!is_power_of_2(p->ring)) {
		pr_err("invalid ring=%u: must be a power of two\n", p->ring);
		return -EINVAL;
	}
	if (p->mode == ZCTX_MODE_GREEDY && p->msg_size > 65536) {
		pr_err("invalid msg_size=%u: greedy mode sends one skb per message, at most 65536 bytes\n",
		       p->msg_size);
		return -EINVAL;
	}
	if (!p->seconds && !p->bytes) {
		pr_err("invalid seconds=0: give a duration or a byte count (bytes=)\n");
		return -EINVAL;
	}
	if (!zctx_label_ok(p->label)) {
		pr_err("invalid label=%s: use letters, digits and _.:-\n",
		       p->label);
		return -EINVAL;
	}
	return zctx_params_check_pool(p);
}

/* The names a parameter of a named type takes. */
static const struct {
	const char * const *names;
	int n;
} zctx_pnames[] = {
	[ZCTX_P_MODE] = { zctx_mode_names, ZCTX_MODE_NR },
	[ZCTX_P_MODEL] = { zctx_dev_model_names, ZCTX_DEV_NR },
	[ZCTX_P_SOURCE] = { zctx_source_names, ZCTX_SRC_NR },
	[ZCTX_P_POOL_ALLOC] = { zctx_pool_alloc_names, ZCTX_PA_NR },
};

/* Store @val into the parameter @d of @p; negative: malformed. */
static int zctx_param_set(const struct zctx_pdesc *d, const char *val,
			  struct zctx_params *p)
{
	void *field = (char *)p + d->off;
	int ret;

	switch (d->type) {
	case ZCTX_P_UINT:
		return kstrtouint(val, 0, field);
	case ZCTX_P_ULL:
		return kstrtoull(val, 0, field);
	case ZCTX_P_MODE:
	case ZCTX_P_MODEL:
	case ZCTX_P_SOURCE:
	case ZCTX_P_POOL_ALLOC:
		ret = zctx_parse_name(val, zctx_pnames[d->type].names,
				      zctx_pnames[d->type].n);
		if (ret >= 0)
			*(unsigned int *)field = ret;
		return ret;
	default:
		return strscpy(p->label, val, sizeof(p->label));
	}
}

/* Parse one "key=value" token into @p. */
static int zctx_param_token(char *tok, struct zctx_params *p, bool loaded)
{
	const struct zctx_pdesc *d;
	char *val = strchr(tok, '=');

	if (!val) {
		pr_err("invalid parameter '%s': expected key=value\n", tok);
		return -EINVAL;
	}
	*val++ = '\0';
	for (d = zctx_pdescs; d < zctx_pdescs + ARRAY_SIZE(zctx_pdescs); d++)
		if (!strcmp(tok, d->name))
			break;
	if (d == zctx_pdescs + ARRAY_SIZE(zctx_pdescs)) {
		pr_err("invalid parameter '%s': unknown\n", tok);
		return -EINVAL;
	}
	if (d->load_only && loaded) {
		pr_err("invalid %s=%s: can only be set when loading the module\n",
		       tok, val);
		return -EINVAL;
	}
	if (zctx_param_set(d, val, p) < 0) {
		pr_err("invalid %s=%s\n", tok, val);
		return -EINVAL;
	}
	return 0;
}

/*
 * Parse "key=value ..." into @p. Unknown keys and malformed values get one
 * message naming the parameter and -EINVAL. @loaded: the device exists, so
 * load-time parameters can no longer change.
 */
static int zctx_params_parse(char *buf, struct zctx_params *p, bool loaded)
{
	char *tok;

	while ((tok = strsep(&buf, " \t\n")) != NULL) {
		if (*tok && zctx_param_token(tok, p, loaded))
			return -EINVAL;
	}
	return zctx_params_check(p);
}

/* -------------------------------------------------------------- debugfs */

static int zctx_results_show(struct seq_file *m, void *unused)
{
	unsigned int i, first;

	mutex_lock(&zctx.lock);
	zctx_results_header(m);
	first = zctx.nresults > ZCTX_MAX_RESULTS ?
		zctx.nresults - ZCTX_MAX_RESULTS : 0;
	for (i = first; i < zctx.nresults; i++)
		seq_printf(m, "%s\n", zctx.results[i % ZCTX_MAX_RESULTS].csv);
	mutex_unlock(&zctx.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zctx_results);

static int zctx_last_show(struct seq_file *m, void *unused)
{
	mutex_lock(&zctx.lock);
	if (zctx.last[0])
		seq_printf(m, "%s\n", zctx.last);
	mutex_unlock(&zctx.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zctx_last);

static int zctx_rx_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "bytes=%lld csum_errors=%lld zcopy_rx_copied=%lld\n",
		   atomic64_read(&zctx.rx_bytes),
		   atomic64_read(&zctx.rx_csum_errors),
		   atomic64_read(&zctx.rx_zcopy_bytes));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zctx_rx);

static int zctx_memcpy_show(struct seq_file *m, void *unused)
{
	char buf[24];

	zctx_ratio(buf, sizeof(buf), zctx_memcpy_mbs(100), 1000, 2);
	seq_printf(m, "%s\n", buf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zctx_memcpy);

static ssize_t zctx_flush_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	zctx_flush_deferred();
	return len;
}

static const struct file_operations zctx_flush_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = zctx_flush_write,
};

static int zctx_params_show(struct seq_file *m, void *unused)
{
	const struct zctx_params *p = &zctx.p;

	mutex_lock(&zctx.lock);
	seq_printf(m, "mode=%s senders=%u queues=%u msg_size=%u seconds=%u bytes=%llu pattern=%u pin=%u ring=%u inflight_kb=%u verify_stride=%u memcpy_ms=%u port=%u dev_model=%s complete_us=%u line_mbit=%u source=%s pool_alloc=%s elig_checks=%u label=%s\n",
		   zctx_mode_names[p->mode], p->senders, p->queues, p->msg_size,
		   p->seconds, p->bytes, p->pattern, p->pin, p->ring,
		   p->inflight_kb, p->verify_stride, p->memcpy_ms, p->port,
		   zctx_dev_model_names[p->dev_model], p->complete_us,
		   p->line_mbit, zctx_source_names[p->source],
		   zctx_pool_alloc_names[p->pool_alloc], p->elig_checks,
		   p->label);
	mutex_unlock(&zctx.lock);
	return 0;
}

static int zctx_params_open(struct inode *inode, struct file *file)
{
	return single_open(file, zctx_params_show, inode->i_private);
}

/* A params write: bring zctx0 to the new queues and device model now. */
static int zctx_apply(const struct zctx_params *p)
{
	int ret = 0;

	if (p->queues != zctx.p.queues) {
		ret = zctx_set_queues(p->queues);
		if (ret)
			pr_err("cannot use queues=%u: %d\n", p->queues, ret);
	}
	if (!ret)
		ret = zctx_set_model(p);
	return ret;
}

/* Parse a write into a copy of the parameters; commit them if valid. */
static ssize_t zctx_write_common(const char __user *ubuf, size_t len,
				 bool run)
{
	struct zctx_params p;
	char *buf;
	int ret;

	if (len > PAGE_SIZE) {
		pr_err("invalid write of %zu bytes: at most %lu\n", len,
		       PAGE_SIZE);
		return -EINVAL;
	}
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (mutex_lock_interruptible(&zctx.lock)) {
		kfree(buf);
		return -EINTR;
	}
	p = zctx.p;
	ret = zctx_params_parse(buf, &p, true);
	if (!ret && !run)
		ret = zctx_apply(&p);
	if (!ret) {
		zctx.p = p;
		if (run)
			ret = zctx_run(&p);
	}
	mutex_unlock(&zctx.lock);
	kfree(buf);
	return ret ? ret : len;
}

static ssize_t zctx_params_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	return zctx_write_common(ubuf, len, false);
}

static ssize_t zctx_run_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	return zctx_write_common(ubuf, len, true);
}

static const struct file_operations zctx_params_fops = {
	.owner = THIS_MODULE,
	.open = zctx_params_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = zctx_params_write,
};

static const struct file_operations zctx_run_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = zctx_run_write,
};

static void zctx_debugfs_init(void)
{
	zctx.dir = debugfs_create_dir("zctx_bench", NULL);
	debugfs_create_file("params", 0600, zctx.dir, NULL, &zctx_params_fops);
	debugfs_create_file("run", 0200, zctx.dir, NULL, &zctx_run_fops);
	debugfs_create_file("last", 0400, zctx.dir, NULL, &zctx_last_fops);
	debugfs_create_file("results", 0400, zctx.dir, NULL,
			    &zctx_results_fops);
	debugfs_create_file("rx", 0400, zctx.dir, NULL, &zctx_rx_fops);
	debugfs_create_file("memcpy_gbs", 0400, zctx.dir, NULL,
			    &zctx_memcpy_fops);
	debugfs_create_file("flush", 0200, zctx.dir, NULL, &zctx_flush_fops);
}

/* --------------------------------------------------------- load/unload */

static void zctx_teardown(void)
{
	WRITE_ONCE(zctx.exiting, true);
	debugfs_remove_recursive(zctx.dir);
	zctx.dir = NULL;
	zctx_unlisten();
	/* Received skbs whose free another CPU deferred hold lent pages. */
	if (zctx.ndev)
		zctx_flush_deferred();
	zctx_destroy_netdev();
	kvfree(zctx.results);
	zctx.results = NULL;
}

/* The module parameters as a &struct zctx_params; -EINVAL if bad. */
static int zctx_load_params(struct zctx_params *p)
{
	int m = zctx_parse_name(mode, zctx_mode_names, ZCTX_MODE_NR);
	int dm = zctx_parse_name(dev_model, zctx_dev_model_names, ZCTX_DEV_NR);
	int src = zctx_parse_name(source, zctx_source_names, ZCTX_SRC_NR);
	int pa = zctx_parse_name(pool_alloc, zctx_pool_alloc_names, ZCTX_PA_NR);

	if (m < 0 || m == ZCTX_MODE_TCP) {
		pr_err("invalid mode=%s: greedy or none at load (tcp needs an address on zctx0 first: load with mode=none, configure it, then write mode=tcp to /sys/kernel/debug/zctx_bench/run)\n",
		       mode);
		return -EINVAL;
	}
	if (dm < 0) {
		pr_err("invalid dev_model=%s: instant or ring\n", dev_model);
		return -EINVAL;
	}
	if (src < 0) {
		pr_err("invalid source=%s: frag or pool\n", source);
		return -EINVAL;
	}
	if (pa < 0) {
		pr_err("invalid pool_alloc=%s: percpu or lock\n", pool_alloc);
		return -EINVAL;
	}
	*p = (struct zctx_params) {
		.mode = m, .senders = senders, .queues = queues,
		.msg_size = msg_size, .seconds = seconds, .bytes = bytes,
		.pattern = pattern, .pin = pin, .ring = ring,
		.inflight_kb = inflight_kb, .verify_stride = verify_stride,
		.memcpy_ms = memcpy_ms, .port = port, .dev_model = dm,
		.complete_us = complete_us, .line_mbit = line_mbit,
		.source = src, .pool_alloc = pa, .elig_checks = elig_checks,
	};
	strscpy(p->label, label, sizeof(p->label));
	return zctx_params_check(p);
}

static int __init zctx_init(void)
{
	struct zctx_params *p = &zctx.p;
	int ret;

	mutex_init(&zctx.lock);
	mutex_init(&zctx.rx_lock);
	INIT_LIST_HEAD(&zctx.rxs);
	ret = zctx_load_params(p);
	if (ret)
		return ret;
	zctx.results = kvcalloc(ZCTX_MAX_RESULTS, sizeof(*zctx.results),
				GFP_KERNEL);
	if (!zctx.results)
		return -ENOMEM;
	/* Bounce and sender copies are counted only while someone reads them. */
	swiotlb_zc_stats_get();
	ret = zctx_create_netdev(p);
	if (!ret)
		ret = zctx_listen(p->port);
	if (ret)
		goto err;
	zctx_debugfs_init();

	mutex_lock(&zctx.lock);
	ret = zctx_run(p);
	mutex_unlock(&zctx.lock);
	if (ret)
		goto err;
	return 0;
err:
	zctx_teardown();
	swiotlb_zc_stats_put();
	return ret;
}

static void __exit zctx_exit(void)
{
	zctx_teardown();
	swiotlb_zc_stats_put();
}

module_init(zctx_init);
module_exit(zctx_exit);

MODULE_AUTHOR("zctx dev <dev@zctx.invalid>");
MODULE_DESCRIPTION("Benchmark of swiotlb zero-copy socket transmit");
MODULE_LICENSE("GPL");
