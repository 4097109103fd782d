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
 * This module creates "zctx0", a network device whose parent is a
 * platform device mapped with dma-direct through the default swiotlb pool.
 * Its ndo_start_xmit() maps the linear part and every frag with the DMA
 * API as a NIC driver does, "transmits" by reading the mapped bytes
 * (a sampled checksum checked against what the sender wrote), and
 * completes from NAPI, which unmaps and frees, or reflects TCP packets
 * back as received packets with source and destination addresses
 * swapped. Queue selection (XPS), the qdisc and dev_queue_xmit() are the
 * real ones.
 *
 * Workloads (parameter mode):
 *  greedy  kernel threads that build skbs the way tcp_sendmsg() does:
 *          header room in the linear part, payload copied from a "user"
 *          buffer into page_frag pages refilled by skb_page_frag_refill_zc()
 *          with the eligibility decision of real sockets, netdev_zc_mem();
 *          at most inflight_kb bytes in flight per sender, like TCP small
 *          queues.
 *  tcp     kernel TCP sockets from 192.0.2.1 to 192.0.2.2:port through
 *          zctx0, received by an in-kernel listener on port; the device
 *          reflects each packet, so tcp_sendmsg_locked() itself is
 *          measured. zctx0 needs the address 192.0.2.1/24 and to be up, so
 *          this mode is started through debugfs (see below).
 *  none    only create zctx0 and the listener (for user-space senders).
 *
 * Loading the module runs the workload given by the module parameters
 * and prints one "zctx_bench: key=value ..." line. The debugfs directory
 * /sys/kernel/debug/zctx_bench/ holds:
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

#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/in.h>
#include <linux/inet.h>
#include <linux/ip.h>
#include <linux/kernel_stat.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/platform_device.h>
#include <linux/rtnetlink.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <net/sock.h>
#include <net/swiotlb_tx_lend.h>
#include <net/tcp.h>

#define ZCTX_MAX_QUEUES		16
#define ZCTX_MAX_SENDERS	64
#define ZCTX_MAX_RESULTS	256
#define ZCTX_MAX_SEGS		(MAX_SKB_FRAGS + 1)
/* The payload pattern repeats every ZCTX_PERIOD bytes (a prime). */
#define ZCTX_PERIOD		251
#define ZCTX_UDP_PORT		9	/* discard */
#define ZCTX_HDR_LEN		(sizeof(struct iphdr) + sizeof(struct udphdr))
#define ZCTX_HEADROOM		128
#define ZCTX_LOCAL_ADDR		0xc0000201	/* 192.0.2.1, TEST-NET-1 */
#define ZCTX_PEER_ADDR		0xc0000202	/* 192.0.2.2 */
#define ZCTX_LABEL_LEN		32

enum zctx_mode { ZCTX_MODE_GREEDY, ZCTX_MODE_TCP, ZCTX_MODE_NONE };

static const char * const zctx_mode_names[] = {
	[ZCTX_MODE_GREEDY] = "greedy",
	[ZCTX_MODE_TCP] = "tcp",
	[ZCTX_MODE_NONE] = "none",
};

/* Parameters of a run; module parameters are copied in at load. */
struct zctx_params {
	unsigned int mode;
	unsigned int senders;
	unsigned int queues;
	unsigned int msg_size;
	unsigned int seconds;
	unsigned long long bytes;
	unsigned int pattern;
	unsigned int pin;
	unsigned int ring;
	unsigned int inflight_kb;
	unsigned int verify_stride;
	unsigned int memcpy_ms;
	unsigned int port;
	char label[ZCTX_LABEL_LEN];
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
static char label[ZCTX_LABEL_LEN];
module_param_string(label, label, sizeof(label), 0444);
MODULE_PARM_DESC(label, "Free-form label copied to the results ([A-Za-z0-9_.:-])");

enum zctx_ptype { ZCTX_P_UINT, ZCTX_P_ULL, ZCTX_P_MODE, ZCTX_P_LABEL };

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
	ZCTX_P(label, ZCTX_P_LABEL, 0, 0, false),
};

static int zctx_parse_mode(const char *s)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(zctx_mode_names); i++)
		if (sysfs_streq(s, zctx_mode_names[i]))
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

/*
 * Check every parameter; on the first bad one print one message naming it
 * and return -EINVAL.
 */
static int zctx_params_check(const struct zctx_params *p)
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
	return 0;
}

/*
 * Parse "key=value ..." into @p. Unknown keys and malformed values get one
 * message naming the parameter and -EINVAL. @loaded: the device exists, so
 * load-time parameters can no longer change.
 */
static int zctx_params_parse(char *buf, struct zctx_params *p, bool loaded)
{
	const struct zctx_pdesc *d;
	char *tok, *val;
	int ret;

	while ((tok = strsep(&buf, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (!val) {
			pr_err("invalid parameter '%s': expected key=value\n",
			       tok);
			return -EINVAL;
		}
		*val++ = '\0';
		for (d = zctx_pdescs;
		     d < zctx_pdescs + ARRAY_SIZE(zctx_pdescs); d++)
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
		switch (d->type) {
		case ZCTX_P_UINT:
			ret = kstrtouint(val, 0, (unsigned int *)((char *)p + d->off));
			break;
		case ZCTX_P_ULL:
			ret = kstrtoull(val, 0,
					(unsigned long long *)((char *)p + d->off));
			break;
		case ZCTX_P_MODE:
			ret = zctx_parse_mode(val);
			if (ret >= 0)
				p->mode = ret;
			break;
		default:
			ret = strscpy(p->label, val, sizeof(p->label));
			break;
		}
		if (ret < 0) {
			pr_err("invalid %s=%s\n", tok, val);
			return -EINVAL;
		}
	}
	return zctx_params_check(p);
}

/* --------------------------------------------------------------- device */

struct zctx_desc {
	struct sk_buff *skb;
	unsigned int nr;
	dma_addr_t addr[ZCTX_MAX_SEGS];
	unsigned int len[ZCTX_MAX_SEGS];
};

struct zctx_queue {
	struct zctx_priv *zp;
	struct napi_struct napi;
	unsigned int index;
	/* Ring: xmit produces at head, NAPI consumes at tail. */
	spinlock_t lock;
	unsigned int head, tail, count;
	struct zctx_desc *ring;
	/* Written by xmit only (serialised by the TX queue lock). */
	u64 tx_packets;
	u64 tx_payload;
	u64 csum_errors;
	u64 unverified;
	u64 map_errors;
	u64 busy;
};

struct zctx_priv {
	struct net_device *ndev;
	struct device *dmadev;
	unsigned int ring_size;
	unsigned int verify_stride;
	struct zctx_queue q[ZCTX_MAX_QUEUES];
};

static u8 zctx_pattern_tab[ZCTX_PERIOD];
/* Payload of MSG_ZEROCOPY skbs, which the stack copies when they are received. */
static atomic64_t zctx_rx_zcopy_bytes;

static void zctx_pattern_init(unsigned int kind)
{
	u32 x = 0x9e3779b9;
	int i;

	for (i = 0; i < ZCTX_PERIOD; i++) {
		switch (kind) {
		case 0:
			zctx_pattern_tab[i] = i * 7 + 1;
			break;
		case 1:
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			zctx_pattern_tab[i] = x;
			break;
		default:
			zctx_pattern_tab[i] = 0x5a;
			break;
		}
	}
}

/*
 * Sampled checksum of a payload: the bytes at payload offsets that are a
 * multiple of @stride, in order. @pos is the offset of @data in the
 * payload; returns the updated hash.
 */
static u32 zctx_hash(u32 hash, const u8 *data, unsigned int len,
		     unsigned int pos, unsigned int stride)
{
	unsigned int i = (stride - pos % stride) % stride;

	for (; i < len; i += stride)
		hash = hash * 31 + data[i];
	return hash;
}

/* The bytes a "device" reads through the DMA address @addr. */
static const u8 *zctx_dma_vaddr(struct device *dev, dma_addr_t addr)
{
	phys_addr_t phys = dma_to_phys(dev, addr);

	if (!pfn_valid(PHYS_PFN(phys)) ||
	    PageHighMem(pfn_to_page(PHYS_PFN(phys))))
		return NULL;
	return phys_to_virt(phys);
}

/*
 * "Transmit" a greedy sender's packet: read the payload through the DMA
 * mappings, as a device would, and compare its sampled checksum with the
 * one the sender put in the IP id and UDP checksum fields.
 */
static void zctx_verify(struct zctx_priv *zp, struct zctx_queue *q,
			struct zctx_desc *d)
{
	unsigned int i, pos = 0, skip = ZCTX_HDR_LEN;
	const struct udphdr *uh;
	const struct iphdr *iph;
	u32 hash = 0, want;
	const u8 *va;

	if (d->len[0] < ZCTX_HDR_LEN)
		return;
	va = zctx_dma_vaddr(zp->dmadev, d->addr[0]);
	if (!va) {
		q->unverified++;
		return;
	}
	iph = (const struct iphdr *)va;
	uh = (const struct udphdr *)(va + sizeof(*iph));
	if (iph->version != 4 || iph->protocol != IPPROTO_UDP ||
	    uh->dest != htons(ZCTX_UDP_PORT))
		return;		/* not a greedy sender's packet */
	want = (u32)ntohs(iph->id) << 16 | ntohs((__force __be16)uh->check);
	for (i = 0; i < d->nr; i++) {
		if (i) {
			va = zctx_dma_vaddr(zp->dmadev, d->addr[i]);
			if (!va) {
				q->unverified++;
				return;
			}
		}
		if (d->len[i] > skip)
			hash = zctx_hash(hash, va + skip, d->len[i] - skip, pos,
					 zp->verify_stride);
		pos += d->len[i] - skip;
		skip = 0;
	}
	if (hash != want)
		q->csum_errors++;
}

/* Entry 0 is the linear part (length 0 when there is none). */
static void zctx_unmap(struct zctx_priv *zp, struct zctx_desc *d)
{
	unsigned int i;

	for (i = 0; i < d->nr; i++) {
		if (!d->len[i])
			continue;
		if (i == 0)
			dma_unmap_single(zp->dmadev, d->addr[0], d->len[0],
					 DMA_TO_DEVICE);
		else
			dma_unmap_page(zp->dmadev, d->addr[i], d->len[i],
				       DMA_TO_DEVICE);
	}
	d->nr = 0;
}

static netdev_tx_t zctx_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct zctx_priv *zp = netdev_priv(ndev);
	u16 qi = skb_get_queue_mapping(skb);
	struct zctx_queue *q = &zp->q[qi];
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, qi);
	struct skb_shared_info *sh = skb_shinfo(skb);
	struct zctx_desc *d;
	unsigned int i;
	bool full;

	if (unlikely(READ_ONCE(q->count) >= zp->ring_size)) {
		/* Not expected: the queue stops when the ring fills up. */
		spin_lock(&q->lock);
		full = q->count >= zp->ring_size;
		if (full)
			netif_tx_stop_queue(txq);
		spin_unlock(&q->lock);
		if (full) {
			q->busy++;
			napi_schedule(&q->napi);
			return NETDEV_TX_BUSY;
		}
	}
	/* The slot at head is ours until it is published below. */
	d = &q->ring[q->head];
	d->nr = 1;
	d->len[0] = 0;
	if (skb_headlen(skb)) {
		d->addr[0] = dma_map_single(zp->dmadev, skb->data,
					    skb_headlen(skb), DMA_TO_DEVICE);
		if (dma_mapping_error(zp->dmadev, d->addr[0]))
			goto map_error;
		d->len[0] = skb_headlen(skb);
	}
	for (i = 0; i < sh->nr_frags; i++) {
		skb_frag_t *f = &sh->frags[i];

		d->addr[i + 1] = skb_frag_dma_map(zp->dmadev, f, 0,
						  skb_frag_size(f),
						  DMA_TO_DEVICE);
		if (dma_mapping_error(zp->dmadev, d->addr[i + 1]))
			goto map_error;
		d->len[i + 1] = skb_frag_size(f);
		d->nr = i + 2;
	}
	if (zp->verify_stride)
		zctx_verify(zp, q, d);
	d->skb = skb;
	q->tx_packets++;
	if (skb->len > ZCTX_HDR_LEN)
		q->tx_payload += skb->len - ZCTX_HDR_LEN;

	spin_lock(&q->lock);
	q->head = (q->head + 1) & (zp->ring_size - 1);
	q->count++;
	if (q->count >= zp->ring_size)
		netif_tx_stop_queue(txq);
	spin_unlock(&q->lock);
	napi_schedule(&q->napi);
	return NETDEV_TX_OK;

map_error:
	zctx_unmap(zp, d);
	q->map_errors++;
	dev_core_stats_tx_dropped_inc(ndev);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/*
 * Turn a transmitted IPv4 TCP packet into a received one (everything else
 * is consumed): swap its addresses
 * (the pseudo-header checksum is unchanged) and hand it to the stack. A
 * connection from 192.0.2.1:a to 192.0.2.2:b comes back as 192.0.2.2:a to
 * 192.0.2.1:b, which a listener on b accepts, and its replies come back
 * to the connecting socket the same way.
 */
static void zctx_reflect(struct net_device *ndev, struct sk_buff *skb,
			 int budget)
{
	struct iphdr *iph;

	if (skb->protocol != htons(ETH_P_IP) ||
	    skb_headlen(skb) < sizeof(*iph) ||
	    ((struct iphdr *)skb->data)->protocol != IPPROTO_TCP ||
	    skb_cow_head(skb, 0))
		goto drop;
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	swap(iph->saddr, iph->daddr);
	skb_scrub_packet(skb, true);
	skb->dev = ndev;
	skb->protocol = htons(ETH_P_IP);
	skb_reset_mac_header(skb);
	skb->mac_len = 0;
	if (skb_zcopy(skb))
		atomic64_add(skb->data_len, &zctx_rx_zcopy_bytes);
	dev_sw_netstats_rx_add(ndev, skb->len);
	netif_receive_skb(skb);
	return;
drop:
	napi_consume_skb(skb, budget);
}

static int zctx_poll(struct napi_struct *napi, int budget)
{
	struct zctx_queue *q = container_of(napi, struct zctx_queue, napi);
	struct zctx_priv *zp = q->zp;
	struct netdev_queue *txq = netdev_get_tx_queue(zp->ndev, q->index);
	unsigned int n, i, tail;
	struct sk_buff *skb;

	if (!budget)
		return 0;
	spin_lock(&q->lock);
	n = min_t(unsigned int, q->count, budget);
	tail = q->tail;
	spin_unlock(&q->lock);

	/* Entries tail..tail+n-1 are published: the producer leaves them. */
	for (i = 0; i < n; i++) {
		struct zctx_desc *d = &q->ring[(tail + i) & (zp->ring_size - 1)];

		zctx_unmap(zp, d);
		skb = d->skb;
		d->skb = NULL;
		skb_orphan(skb);
		zctx_reflect(zp->ndev, skb, budget);
	}

	spin_lock(&q->lock);
	q->tail = (tail + n) & (zp->ring_size - 1);
	q->count -= n;
	if (netif_tx_queue_stopped(txq) && q->count <= zp->ring_size / 2)
		netif_tx_wake_queue(txq);
	spin_unlock(&q->lock);

	if (n < budget)
		napi_complete_done(napi, n);
	return n;
}

static int zctx_open(struct net_device *ndev)
{
	struct zctx_priv *zp = netdev_priv(ndev);
	int i;

	for (i = 0; i < ZCTX_MAX_QUEUES; i++)
		napi_enable(&zp->q[i].napi);
	netif_tx_start_all_queues(ndev);
	return 0;
}

/* Called with every TX queue stopped: complete whatever is still queued. */
static void zctx_drain(struct zctx_priv *zp)
{
	struct zctx_queue *q;
	int i;

	for (i = 0; i < ZCTX_MAX_QUEUES; i++) {
		q = &zp->q[i];
		while (q->count) {
			struct zctx_desc *d = &q->ring[q->tail];

			zctx_unmap(zp, d);
			dev_kfree_skb_any(d->skb);
			d->skb = NULL;
			q->tail = (q->tail + 1) & (zp->ring_size - 1);
			q->count--;
		}
		q->head = q->tail;
	}
}

static int zctx_stop(struct net_device *ndev)
{
	struct zctx_priv *zp = netdev_priv(ndev);
	int i;

	netif_tx_disable(ndev);
	for (i = 0; i < ZCTX_MAX_QUEUES; i++)
		napi_disable(&zp->q[i].napi);
	zctx_drain(zp);
	return 0;
}

static const struct net_device_ops zctx_netdev_ops = {
	.ndo_open	= zctx_open,
	.ndo_stop	= zctx_stop,
	.ndo_start_xmit	= zctx_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void zctx_setup(struct net_device *ndev)
{
	ndev->netdev_ops = &zctx_netdev_ops;
	ndev->type = ARPHRD_NONE;
	ndev->hard_header_len = 0;
	ndev->addr_len = 0;
	ndev->mtu = ETH_DATA_LEN;
	ndev->min_mtu = 68;
	ndev->max_mtu = 65535;
	ndev->tx_queue_len = 1000;	/* DEFAULT_TX_QUEUE_LEN */
	ndev->flags = IFF_NOARP | IFF_POINTOPOINT;
	ndev->features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA |
			 NETIF_F_RXCSUM | NETIF_F_GSO_SOFTWARE;
	ndev->hw_features = ndev->features;
	/* zctx_xmit() maps every frag with the DMA API, in place. */
	ndev->tx_maps_frags = 1;
	ndev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
}

/* ---------------------------------------------------------------- state */

struct zctx_sender {
	struct zctx_run *run;
	unsigned int id;
	struct task_struct *task;
	struct page_frag pfrag;
	u8 *ubuf;
	struct socket *sock;
	u32 seq;
	atomic_t inflight;
	wait_queue_head_t wq;
	u64 copied;		/* payload bytes copied by the sender */
	u64 sent;		/* payload bytes accepted by the stack */
	u64 drops;
	int error;
};

struct zctx_run {
	struct zctx_params p;
	unsigned int inflight_limit;
	bool stop;
	struct zctx_sender *s;
};

struct zctx_rx {
	struct list_head list;
	struct socket *sock;
	struct task_struct *task;
	u64 off;
	bool done;
	bool eof;	/* the stream ended with the sender's FIN, no error */
};

struct zctx_result_row {
	char line[1024];
	char csv[800];
};

static struct {
	struct mutex lock;		/* serialises runs and results */
	struct platform_device *pdev;
	struct net_device *ndev;
	struct zctx_params p;
	struct dentry *dir;
	bool exiting;
	unsigned int runs;
	unsigned int nresults;
	struct zctx_result_row *results;	/* ZCTX_MAX_RESULTS */
	char last[1024];
	/* TCP listener and receivers */
	struct socket *lsock;
	struct task_struct *acceptor;
	struct mutex rx_lock;		/* protects rxs */
	struct list_head rxs;
	atomic64_t rx_bytes;
	atomic64_t rx_csum_errors;
} zctx;

/* ---------------------------------------------------------- greedy mode */

/* Called when a greedy sender's skb is freed, after the device is done. */
static void zctx_skb_destructor(struct sk_buff *skb)
{
	struct zctx_sender *s = (struct zctx_sender *)skb_shinfo(skb)->destructor_arg;

	if (atomic_sub_return(skb->truesize, &s->inflight) <
	    s->run->inflight_limit)
		wake_up(&s->wq);
}

/*
 * Build one message like tcp_sendmsg_locked(): headers in the linear part,
 * payload copied from the "user" buffer into page_frag pages that come
 * from the same refill path and eligibility decision as a socket's.
 */
static struct sk_buff *zctx_build_skb(struct zctx_sender *s,
				      struct net_device *ndev)
{
	const struct zctx_params *p = &s->run->p;
	unsigned int left = p->msg_size, pos = s->seq % ZCTX_PERIOD;
	struct page_frag *pfrag = &s->pfrag;
	const u8 *src = s->ubuf + pos;
	struct io_tlb_mem *mem;
	struct sk_buff *skb;
	struct udphdr *uh;
	struct iphdr *iph;
	u32 hash = 0;

	skb = alloc_skb(ZCTX_HEADROOM + ZCTX_HDR_LEN, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, ZCTX_HEADROOM + ZCTX_HDR_LEN);

	/* Only the device decision of sk_tx_lend_mem(): no socket here. */
	mem = netdev_zc_mem(ndev);
	while (left) {
		unsigned int copy, i = skb_shinfo(skb)->nr_frags;

		if (!skb_page_frag_refill_zc(32U, pfrag, GFP_KERNEL, mem))
			goto fail;
		copy = min_t(unsigned int, left, pfrag->size - pfrag->offset);
		if (i && skb_can_coalesce(skb, i, pfrag->page, pfrag->offset)) {
			skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
		} else {
			if (i >= MAX_SKB_FRAGS)
				goto fail;
			skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset,
					   copy);
			get_page(pfrag->page);
		}
		memcpy(page_address(pfrag->page) + pfrag->offset, src, copy);
		pfrag->offset += copy;
		src += copy;
		left -= copy;
		skb->len += copy;
		skb->data_len += copy;
		skb->truesize += copy;
		s->copied += copy;
	}
	if (p->verify_stride)
		hash = zctx_hash(0, s->ubuf + pos, p->msg_size, 0,
				 p->verify_stride);

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = htons(10000 + s->id);
	uh->dest = htons(ZCTX_UDP_PORT);
	uh->len = htons(min_t(u32, p->msg_size + sizeof(*uh), 0xffff));
	uh->check = (__force __sum16)htons(hash & 0xffff);
	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0;
	iph->tot_len = htons(min_t(u32, skb->len, 0xffff));
	iph->id = htons(hash >> 16);
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = htonl(ZCTX_LOCAL_ADDR);
	iph->daddr = htonl(ZCTX_PEER_ADDR);
	ip_send_check(iph);

	skb->protocol = htons(ETH_P_IP);
	skb->dev = ndev;
	skb->ip_summed = CHECKSUM_NONE;
	skb_shinfo(skb)->destructor_arg = s;
	skb->destructor = zctx_skb_destructor;
	atomic_add(skb->truesize, &s->inflight);
	s->seq++;
	return skb;

fail:
	kfree_skb(skb);
	return NULL;
}

static bool zctx_sender_may_send(struct zctx_sender *s)
{
	return atomic_read(&s->inflight) < s->run->inflight_limit ||
	       READ_ONCE(s->run->stop) || kthread_should_stop();
}

static int zctx_greedy_thread(void *data)
{
	struct zctx_sender *s = data;
	struct zctx_run *run = s->run;
	struct net_device *ndev = zctx.ndev;
	struct sk_buff *skb;
	int rc;

	while (!kthread_should_stop() && !READ_ONCE(run->stop)) {
		/* Backpressure: at most inflight_kb queued or in the ring. */
		if (!zctx_sender_may_send(s)) {
			wait_event_timeout(s->wq, zctx_sender_may_send(s),
					   HZ / 10);
			continue;
		}
		skb = zctx_build_skb(s, ndev);
		if (!skb) {
			s->drops++;
			cond_resched();
			continue;
		}
		rc = dev_queue_xmit(skb);
		if (likely(rc == NET_XMIT_SUCCESS)) {
			s->sent += run->p.msg_size;
		} else {
			/* Dropped by the qdisc or a stopped device: back off. */
			s->drops++;
			usleep_range(50, 100);
		}
		cond_resched();
	}
	if (s->pfrag.page) {
		put_page(s->pfrag.page);
		s->pfrag.page = NULL;
	}
	/* Stay until kthread_stop() so the task can be reaped uniformly. */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 100);
	return 0;
}

/* ------------------------------------------------------------- TCP mode */

/* Check the sampled bytes of received data against the stream pattern. */
static int zctx_rx_actor(read_descriptor_t *desc, struct sk_buff *skb,
			 unsigned int offset, size_t len)
{
	struct zctx_rx *rx = desc->arg.data;
	unsigned int stride = READ_ONCE(zctx.p.verify_stride);
	struct skb_seq_state st;
	unsigned int consumed = 0, l, i;
	const u8 *data;
	u64 errors = 0;

	if (stride) {
		skb_prepare_seq_read(skb, offset, offset + len, &st);
		while ((l = skb_seq_read(consumed, &data, &st)) != 0) {
			u64 pos = rx->off + consumed;

			for (i = (stride - do_div(pos, stride)) % stride; i < l;
			     i += stride) {
				u64 at = rx->off + consumed + i;

				if (data[i] != zctx_pattern_tab[do_div(at, ZCTX_PERIOD)])
					errors++;
			}
			consumed += l;
		}
		skb_abort_seq_read(&st);
	}
	if (errors)
		atomic64_add(errors, &zctx.rx_csum_errors);
	rx->off += len;
	atomic64_add(len, &zctx.rx_bytes);
	return len;
}

static int zctx_rx_thread(void *data)
{
	struct zctx_rx *rx = data;
	struct sock *sk = rx->sock->sk;
	read_descriptor_t desc;
	long timeo;
	int n;

	while (!kthread_should_stop()) {
		lock_sock(sk);
		desc.arg.data = rx;
		desc.count = 1;
		desc.error = 0;
		desc.written = 0;
		n = tcp_read_sock(sk, &desc, zctx_rx_actor);
		if (n <= 0) {
			if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN)) {
				WRITE_ONCE(rx->eof, !sk->sk_err &&
					   (sk->sk_shutdown & RCV_SHUTDOWN));
				release_sock(sk);
				break;
			}
			timeo = HZ / 10;
			sk_wait_data(sk, &timeo, NULL);
		}
		release_sock(sk);
	}
	/* Answer the sender's FIN, so that it knows everything arrived. */
	kernel_sock_shutdown(rx->sock, SHUT_WR);
	/* Publish rx->eof before done: zctx_rx_eofs() reads it after. */
	smp_store_release(&rx->done, true);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 100);
	return 0;
}

/*
 * Close a benchmark TCP socket with a reset once the run is over and its
 * bytes are counted. A graceful close leaves an orphan that keeps its
 * unacknowledged or out-of-order skbs, and the lent pages in them, until
 * a retransmission timer fires, seconds later when the tiny-pool runs
 * dropped packets; tcp_disconnect() frees them now.
 */
static void zctx_sock_abort(struct socket *sock)
{
	sock_no_linger(sock->sk);
	sock_release(sock);
}

static void zctx_rx_reap(bool all)
{
	struct zctx_rx *rx, *tmp;

	mutex_lock(&zctx.rx_lock);
	list_for_each_entry_safe(rx, tmp, &zctx.rxs, list) {
		if (!all && !READ_ONCE(rx->done))
			continue;
		kthread_stop(rx->task);
		put_task_struct(rx->task);
		zctx_sock_abort(rx->sock);
		list_del(&rx->list);
		kfree(rx);
	}
	mutex_unlock(&zctx.rx_lock);
}

static bool zctx_rx_all_done(void)
{
	struct zctx_rx *rx;
	bool done = true;

	mutex_lock(&zctx.rx_lock);
	list_for_each_entry(rx, &zctx.rxs, list)
		done &= READ_ONCE(rx->done);
	mutex_unlock(&zctx.rx_lock);
	return done;
}

/* Receivers whose stream ended cleanly (call once they are all done). */
static unsigned int zctx_rx_eofs(void)
{
	struct zctx_rx *rx;
	unsigned int n = 0;

	mutex_lock(&zctx.rx_lock);
	list_for_each_entry(rx, &zctx.rxs, list)
		/* Pairs with the release in zctx_rx_thread(). */
		n += smp_load_acquire(&rx->done) && READ_ONCE(rx->eof);
	mutex_unlock(&zctx.rx_lock);
	return n;
}

static int zctx_acceptor_thread(void *data)
{
	struct socket *nsock;
	struct zctx_rx *rx;
	int ret;

	while (!kthread_should_stop()) {
		/* The listener has a receive timeout: this wakes up often. */
		ret = kernel_accept(zctx.lsock, &nsock, 0);
		if (ret < 0)
			continue;
		rx = kzalloc(sizeof(*rx), GFP_KERNEL);
		if (!rx) {
			sock_release(nsock);
			continue;
		}
		rx->sock = nsock;
		rx->task = kthread_create(zctx_rx_thread, rx, "zctx_rx");
		if (IS_ERR(rx->task)) {
			sock_release(nsock);
			kfree(rx);
			continue;
		}
		get_task_struct(rx->task);
		mutex_lock(&zctx.rx_lock);
		list_add_tail(&rx->list, &zctx.rxs);
		mutex_unlock(&zctx.rx_lock);
		wake_up_process(rx->task);
	}
	return 0;
}

static int zctx_listen(unsigned int lport)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(lport),
	};
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &zctx.lsock);
	if (ret)
		return ret;
	sock_set_reuseaddr(zctx.lsock->sk);
	zctx.lsock->sk->sk_rcvtimeo = HZ / 10;
	ret = kernel_bind(zctx.lsock, (struct sockaddr *)&sin, sizeof(sin));
	if (!ret)
		ret = kernel_listen(zctx.lsock, 64);
	if (ret) {
		pr_err("cannot listen on TCP port %u: %d\n", lport, ret);
		goto err;
	}
	zctx.acceptor = kthread_run(zctx_acceptor_thread, NULL, "zctx_accept");
	if (IS_ERR(zctx.acceptor)) {
		ret = PTR_ERR(zctx.acceptor);
		zctx.acceptor = NULL;
		goto err;
	}
	return 0;
err:
	sock_release(zctx.lsock);
	zctx.lsock = NULL;
	return ret;
}

static int zctx_tcp_thread(void *data)
{
	struct zctx_sender *s = data;
	struct zctx_run *run = s->run;
	struct msghdr msg = { };
	struct kvec iov;
	int ret;

	/* The stream carries the pattern at every offset, for the receiver. */
	while (!kthread_should_stop() && !READ_ONCE(run->stop)) {
		u64 off = s->sent;

		iov.iov_base = s->ubuf + do_div(off, ZCTX_PERIOD);
		iov.iov_len = run->p.msg_size;
		ret = kernel_sendmsg(s->sock, &msg, &iov, 1, iov.iov_len);
		if (ret > 0) {
			s->sent += ret;
			s->copied += ret;
		} else if (ret != -EAGAIN && ret != -EINTR) {
			s->error = ret;
			break;
		}
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 100);
	return 0;
}

static int zctx_tcp_connect(struct zctx_sender *s)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(ZCTX_PEER_ADDR),
		.sin_port = htons(s->run->p.port),
	};
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &s->sock);
	if (ret)
		return ret;
	s->sock->sk->sk_sndtimeo = 5 * HZ;
	ret = kernel_connect(s->sock, (struct sockaddr *)&sin, sizeof(sin), 0);
	if (ret) {
		pr_err("mode=tcp: connecting to 192.0.2.2:%u through %s failed (%d); does %s have 192.0.2.1/24 and is it up?\n",
		       s->run->p.port, zctx.ndev->name, ret, zctx.ndev->name);
		sock_release(s->sock);
		s->sock = NULL;
		return ret;
	}
	s->sock->sk->sk_sndtimeo = HZ / 10;
	return 0;
}

/* ------------------------------------------------------------- measure */

static u64 zctx_softirq_ns(void)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += kcpustat_cpu(cpu).cpustat[CPUTIME_SOFTIRQ];
	return sum;
}

/* In-kernel memcpy bandwidth of 64 KiB copies, in MB/s. */
static u64 zctx_memcpy_mbs(unsigned int ms)
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
	if (!a || !b) {
		kvfree(a);
		kvfree(b);
		return 0;
	}
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
	kvfree(a);
	kvfree(b);
	return div64_u64(copied * 1000, max_t(u64, ns, 1));
}

/* Fixed-point "a/b" with @dec decimals, as text. */
static void zctx_ratio(char *buf, size_t len, u64 a, u64 b, unsigned int dec)
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

#ifdef CONFIG_SWIOTLB_ZEROCOPY_TX
static void zctx_get_stats(struct swiotlb_zc_stats *st)
{
	swiotlb_zc_get_stats(zctx.pdev->dev.dma_io_tlb_mem, st);
}
#else
static void zctx_get_stats(struct swiotlb_zc_stats *st)
{
	memset(st, 0, sizeof(*st));
}
#endif

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
 * copies + bounce copies) / payload bytes; softirq_copy_per_byte counts
 * only bounce copies made in softirq; drops are skbs a greedy sender
 * could not build or the stack refused; map_errors are packets the
 * device dropped because a DMA mapping failed (the pool was full);
 * rx_drained (tcp) says whether every sender's stream reached its
 * receiver's end (FIN, no error) within 3 s of the stop; pool_balanced
 * says whether every lent slot was back within 3 s after the run. The
 * three waits at the end of a run (receivers, skbs in flight, balance)
 * take at most 9 s, so an interrupted run ends within 10 s.
 */
enum {
	F_RUN, F_LABEL, F_MODE, F_ZEROCOPY, F_PERCENT, F_QUEUES, F_SENDERS,
	F_MSG_SIZE, F_SECONDS, F_BYTES, F_PAYLOAD, F_GBIT_S, F_COPIES, F_SOFTIRQ_COPIES,
	F_SENDER_COPIED, F_BOUNCED, F_BOUNCED_SOFTIRQ, F_ZC_MAPPED,
	F_ZC_ALLOCS, F_ZC_FALLBACKS, F_ZC_FB_CAP, F_ZC_FB_SHORT,
	F_ZC_PEAK, F_ZC_HIWATER, F_POOL_PEAK, F_POOL_SLOTS,
	F_POOL_KIB_PER_FLOW, F_SOFTIRQ_MS, F_SOFTIRQ_PCT, F_CSUM_ERRORS,
	F_UNVERIFIED, F_DROPS, F_MAP_ERRORS, F_RX_DRAINED, F_MEMCPY_GBS,
	F_COPY_LIMIT_FRAC, F_POOL_BALANCED, F_VCPUS, F_NR
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
};

struct zctx_snap {
	struct swiotlb_zc_stats st;
	u64 softirq_ns;
	u64 csum_errors, unverified, tx_payload, map_errors;
	u64 rx_bytes, rx_csum_errors;
};

static void zctx_snapshot(struct zctx_snap *sn)
{
	struct zctx_priv *zp = netdev_priv(zctx.ndev);
	int i;

	zctx_get_stats(&sn->st);
	sn->softirq_ns = zctx_softirq_ns();
	sn->csum_errors = 0;
	sn->unverified = 0;
	sn->tx_payload = 0;
	sn->map_errors = 0;
	for (i = 0; i < ZCTX_MAX_QUEUES; i++) {
		sn->csum_errors += READ_ONCE(zp->q[i].csum_errors);
		sn->unverified += READ_ONCE(zp->q[i].unverified);
		sn->tx_payload += READ_ONCE(zp->q[i].tx_payload);
		sn->map_errors += READ_ONCE(zp->q[i].map_errors);
	}
	sn->rx_bytes = atomic64_read(&zctx.rx_bytes);
	sn->rx_csum_errors = atomic64_read(&zctx.rx_csum_errors);
}

/* Use the first @n TX queues, each for the CPUs i with i % n == queue. */
static int zctx_set_queues(unsigned int n)
{
	struct net_device *ndev = zctx.ndev;
	cpumask_var_t mask;
	unsigned int qi;
	int cpu, ret, i = 0;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	rtnl_lock();
	ret = netif_set_real_num_tx_queues(ndev, n);
	for (qi = 0; !ret && qi < n; qi++) {
		cpumask_clear(mask);
		i = 0;
		for_each_online_cpu(cpu) {
			if (i++ % n == qi)
				cpumask_set_cpu(cpu, mask);
		}
		ret = netif_set_xps_queue(ndev, mask, qi);
	}
	rtnl_unlock();
	free_cpumask_var(mask);
	return ret;
}

static void zctx_stop_senders(struct zctx_run *run)
{
	unsigned int i;

	WRITE_ONCE(run->stop, true);
	for (i = 0; i < run->p.senders; i++) {
		struct zctx_sender *s = &run->s[i];

		if (s->task) {
			wake_up(&s->wq);
			kthread_stop(s->task);
			put_task_struct(s->task);
			s->task = NULL;
		}
	}
}

static bool zctx_inflight_zero(struct zctx_run *run)
{
	unsigned int i;

	for (i = 0; i < run->p.senders; i++)
		if (atomic_read(&run->s[i].inflight))
			return false;
	return true;
}

static int zctx_start_senders(struct zctx_run *run)
{
	unsigned int i, ncpu = num_online_cpus();
	int ret;

	for (i = 0; i < run->p.senders; i++) {
		struct zctx_sender *s = &run->s[i];
		int cpu;

		s->run = run;
		s->id = i;
		init_waitqueue_head(&s->wq);
		atomic_set(&s->inflight, 0);
		s->ubuf = kvmalloc(run->p.msg_size + ZCTX_PERIOD, GFP_KERNEL);
		if (!s->ubuf)
			return -ENOMEM;
		for (cpu = 0; cpu < run->p.msg_size + ZCTX_PERIOD; cpu++)
			s->ubuf[cpu] = zctx_pattern_tab[cpu % ZCTX_PERIOD];
		if (run->p.mode == ZCTX_MODE_TCP) {
			ret = zctx_tcp_connect(s);
			if (ret)
				return ret;
		}
		s->task = kthread_create(run->p.mode == ZCTX_MODE_TCP ?
					 zctx_tcp_thread : zctx_greedy_thread,
					 s, "zctx_send/%u", i);
		if (IS_ERR(s->task)) {
			ret = PTR_ERR(s->task);
			s->task = NULL;
			return ret;
		}
		get_task_struct(s->task);
		if (run->p.pin) {
			cpu = cpumask_nth(i % ncpu, cpu_online_mask);
			kthread_bind(s->task, cpu);
		}
	}
	for (i = 0; i < run->p.senders; i++)
		wake_up_process(run->s[i].task);
	return 0;
}

static void zctx_free_senders(struct zctx_run *run)
{
	unsigned int i;

	for (i = 0; i < run->p.senders; i++) {
		struct zctx_sender *s = &run->s[i];

		if (s->sock)
			zctx_sock_abort(s->sock);
		kvfree(s->ubuf);
	}
	kfree(run->s);
}

static u64 zctx_sent_total(struct zctx_run *run)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < run->p.senders; i++)
		sum += READ_ONCE(run->s[i].sent);
	return sum;
}

static void zctx_kick_cpu(void *napi)
{
	napi_schedule(napi);
}

/*
 * A received skb freed on another CPU than the one that allocated it is
 * queued for that CPU (skb_attempt_defer_free()) and freed when it next
 * runs its NET_RX softirq, which an idle CPU may not do for a long time.
 * Schedule a NAPI poll on every CPU so that its deferred skbs, and any
 * lent pages they hold, are freed.
 */
static void zctx_flush_deferred(void)
{
	struct zctx_priv *zp = netdev_priv(zctx.ndev);
	int cpu;

	if (!(zctx.ndev->flags & IFF_UP))
		return;
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, zctx_kick_cpu,
					 &zp->q[ZCTX_MAX_QUEUES - 1].napi, 1);
}

static bool zctx_zc_used_is(unsigned long used)
{
	struct swiotlb_zc_stats st;

	zctx_get_stats(&st);
	return st.used <= used;
}

/* Poll @cond(@run or @arg) every 5 ms for up to @ms; return its value. */
static bool zctx_wait_for(bool (*cond)(struct zctx_run *run,
				       unsigned long arg),
			  struct zctx_run *run, unsigned long arg,
			  unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);
	bool ok;

	while (!(ok = cond(run, arg)) && time_before(jiffies, end))
		usleep_range(5000, 6000);
	return ok;
}

static bool zctx_cond_rx_done(struct zctx_run *run, unsigned long arg)
{
	return zctx_rx_all_done();
}

static bool zctx_cond_inflight_zero(struct zctx_run *run, unsigned long arg)
{
	return zctx_inflight_zero(run);
}

static bool zctx_cond_balanced(struct zctx_run *run, unsigned long used)
{
	if (zctx_zc_used_is(used))
		return true;
	zctx_flush_deferred();
	return false;
}

static void zctx_record(char v[F_NR][40])
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
	pr_info("%s\n", row->line);
}

/* Run the workload of @p. Called with zctx.lock held. */
static int zctx_run(const struct zctx_params *p)
{
	struct zctx_priv *zp = netdev_priv(zctx.ndev);
	char (*v)[40] = NULL;
	struct zctx_snap a, b;
	struct zctx_run *run;
	unsigned long zc_peak = 0, pool_peak = 0;
	u64 elapsed_ns = 0, payload, total, drops = 0, mbs, cpus_ns = 0;
	u64 copied = 0, bounced, bounced_sirq, at_stop = 0;
	unsigned long used0;
	bool balanced, rx_drained = true;
	ktime_t t0;
	unsigned int i, flows;
	int ret = 0;

	if (p->mode == ZCTX_MODE_NONE)
		return 0;
	if (p->mode == ZCTX_MODE_TCP && !(zctx.ndev->flags & IFF_UP)) {
		pr_err("invalid mode=tcp: %s is down; give it 192.0.2.1/24 and bring it up first\n",
		       zctx.ndev->name);
		return -EINVAL;
	}
	run = kzalloc(sizeof(*run), GFP_KERNEL);
	v = kcalloc(F_NR, sizeof(*v), GFP_KERNEL);
	if (!run || !v) {
		ret = -ENOMEM;
		goto out;
	}
	run->p = *p;
	run->inflight_limit = p->inflight_kb * 1024;
	run->s = kcalloc(p->senders, sizeof(*run->s), GFP_KERNEL);
	if (!run->s) {
		ret = -ENOMEM;
		goto out;
	}
	zctx_pattern_init(p->pattern);
	WRITE_ONCE(zp->verify_stride, p->verify_stride);
	ret = zctx_set_queues(p->queues);
	if (ret) {
		pr_err("cannot use queues=%u: %d\n", p->queues, ret);
		goto out_free;
	}
	if (!(zctx.ndev->flags & IFF_UP)) {
		rtnl_lock();
		ret = dev_change_flags(zctx.ndev, zctx.ndev->flags | IFF_UP,
				       NULL);
		rtnl_unlock();
		if (ret)
			goto out_free;
	}
	zctx_rx_reap(true);

	mbs = zctx_memcpy_mbs(p->memcpy_ms);

	/* Earlier runs' deferred skbs must not come back during this one. */
	zctx_flush_deferred();
	msleep(20);
	zctx_snapshot(&a);
	used0 = a.st.used;
	ret = zctx_start_senders(run);
	if (ret)
		goto out_stop;
	t0 = ktime_get();
	for (;;) {
		struct swiotlb_zc_stats st;

		/* Only a fatal signal ends a run: a shell gets SIGCHLD. */
		usleep_range(10000, 11000);
		if (fatal_signal_pending(current) || READ_ONCE(zctx.exiting))
			break;
		zctx_get_stats(&st);
		zc_peak = max(zc_peak, st.used);
		pool_peak = max(pool_peak, st.pool_used);
		elapsed_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
		if (p->seconds && elapsed_ns >= (u64)p->seconds * NSEC_PER_SEC)
			break;
		if (p->bytes && zctx_sent_total(run) >= p->bytes)
			break;
	}
	/* Throughput: payload the device (greedy) or receivers (tcp) got. */
	zctx_snapshot(&b);
	elapsed_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	at_stop = p->mode == ZCTX_MODE_TCP ? b.rx_bytes - a.rx_bytes :
		  b.tx_payload - a.tx_payload;
	cpus_ns = elapsed_ns * num_online_cpus();

out_stop:
	zctx_stop_senders(run);
	if (p->mode == ZCTX_MODE_TCP) {
		/* Let the receivers get everything that was sent. */
		for (i = 0; i < p->senders; i++)
			if (run->s[i].sock)
				kernel_sock_shutdown(run->s[i].sock, SHUT_WR);
		rx_drained = zctx_wait_for(zctx_cond_rx_done, run, 0, 3000) &&
			     zctx_rx_eofs() >= p->senders;
	}
	if (!zctx_wait_for(zctx_cond_inflight_zero, run, 0, 3000)) {
		/* skbs still point at the senders: leak them, never free. */
		pr_err("run %u: skbs still in flight 3 s after the run; leaking the senders\n",
		       zctx.runs + 1);
		run->s = NULL;
		ret = -EBUSY;
		goto out_free;
	}
	for (i = 0; i < p->senders; i++) {
		copied += run->s[i].copied;
		drops += run->s[i].drops;
		if (run->s[i].error && !ret) {
			pr_err("sender %u: error %d\n", i, run->s[i].error);
			ret = run->s[i].error;
		}
	}
	zctx_free_senders(run);
	run->s = NULL;
	zctx_rx_reap(true);
	if (ret)
		goto out_free;

	/* Everything freed: lent pages must be back, bounce slots free. */
	balanced = zctx_wait_for(zctx_cond_balanced, run, used0, 3000);
	zctx_snapshot(&b);
	payload = p->mode == ZCTX_MODE_TCP ? b.rx_bytes - a.rx_bytes :
		  b.tx_payload - a.tx_payload;
	bounced = b.st.bounced_bytes - a.st.bounced_bytes;
	bounced_sirq = b.st.bounced_softirq_bytes - a.st.bounced_softirq_bytes;
	total = copied + bounced;
	flows = p->senders;

	snprintf(v[F_RUN], 40, "%u", ++zctx.runs);
	snprintf(v[F_LABEL], 40, "%s", p->label[0] ? p->label : "-");
	snprintf(v[F_MODE], 40, "%s", zctx_mode_names[p->mode]);
	snprintf(v[F_ZEROCOPY], 40, "%s", swiotlb_zc_tx_percent() ? "on" : "off");
	snprintf(v[F_PERCENT], 40, "%u", swiotlb_zc_tx_percent());
	snprintf(v[F_QUEUES], 40, "%u", p->queues);
	snprintf(v[F_SENDERS], 40, "%u", p->senders);
	snprintf(v[F_MSG_SIZE], 40, "%u", p->msg_size);
	zctx_ratio(v[F_SECONDS], 40, elapsed_ns, NSEC_PER_SEC, 3);
	snprintf(v[F_BYTES], 40, "%llu", at_stop);
	snprintf(v[F_PAYLOAD], 40, "%llu", payload);
	zctx_ratio(v[F_GBIT_S], 40, at_stop * 8, elapsed_ns, 3);
	zctx_ratio(v[F_COPIES], 40, total, payload, 4);
	zctx_ratio(v[F_SOFTIRQ_COPIES], 40, bounced_sirq, payload, 4);
	snprintf(v[F_SENDER_COPIED], 40, "%llu", copied);
	snprintf(v[F_BOUNCED], 40, "%llu", bounced);
	snprintf(v[F_BOUNCED_SOFTIRQ], 40, "%llu", bounced_sirq);
	snprintf(v[F_ZC_MAPPED], 40, "%lu",
		 b.st.mapped_bytes - a.st.mapped_bytes);
	snprintf(v[F_ZC_ALLOCS], 40, "%lu", b.st.allocs - a.st.allocs);
	snprintf(v[F_ZC_FALLBACKS], 40, "%lu",
		 zctx_fallbacks(&b.st) - zctx_fallbacks(&a.st));
	snprintf(v[F_ZC_FB_CAP], 40, "%lu",
		 b.st.fallback[SWIOTLB_ZC_FB_CAP] - a.st.fallback[SWIOTLB_ZC_FB_CAP]);
	snprintf(v[F_ZC_FB_SHORT], 40, "%lu",
		 b.st.fallback[SWIOTLB_ZC_FB_EXHAUSTED] +
		 b.st.fallback[SWIOTLB_ZC_FB_FRAGMENTED] -
		 a.st.fallback[SWIOTLB_ZC_FB_EXHAUSTED] -
		 a.st.fallback[SWIOTLB_ZC_FB_FRAGMENTED]);
	snprintf(v[F_ZC_PEAK], 40, "%lu", zc_peak);
	snprintf(v[F_ZC_HIWATER], 40, "%lu", b.st.hiwater);
	snprintf(v[F_POOL_PEAK], 40, "%lu", pool_peak);
	snprintf(v[F_POOL_SLOTS], 40, "%lu", b.st.nslabs);
	snprintf(v[F_POOL_KIB_PER_FLOW], 40, "%lu",
		 pool_peak * (IO_TLB_SIZE / 1024) / flows);
	snprintf(v[F_SOFTIRQ_MS], 40, "%llu",
		 div_u64(b.softirq_ns - a.softirq_ns, NSEC_PER_MSEC));
	zctx_ratio(v[F_SOFTIRQ_PCT], 40, (b.softirq_ns - a.softirq_ns) * 100,
		   cpus_ns, 1);
	snprintf(v[F_CSUM_ERRORS], 40, "%llu",
		 b.csum_errors - a.csum_errors +
		 b.rx_csum_errors - a.rx_csum_errors);
	snprintf(v[F_UNVERIFIED], 40, "%llu", b.unverified - a.unverified);
	snprintf(v[F_DROPS], 40, "%llu", drops);
	snprintf(v[F_MAP_ERRORS], 40, "%llu", b.map_errors - a.map_errors);
	snprintf(v[F_RX_DRAINED], 40, "%s", p->mode != ZCTX_MODE_TCP ? "-" :
		 rx_drained ? "1" : "0");
	zctx_ratio(v[F_MEMCPY_GBS], 40, mbs, 1000, 2);
	/* (GB/s of payload) / (GB/s of memcpy): share of the copy limit. */
	zctx_ratio(v[F_COPY_LIMIT_FRAC], 40, at_stop * 1000, elapsed_ns * mbs,
		   3);
	snprintf(v[F_POOL_BALANCED], 40, "%d", balanced);
	snprintf(v[F_VCPUS], 40, "%u", num_online_cpus());
	zctx_record(v);
	if (!balanced)
		pr_err("run %u: swiotlb pool not balanced after the run: %lu zero-copy slots lent, %lu before\n",
		       zctx.runs, b.st.used, used0);
	goto out;

out_free:
	if (run->s)
		zctx_free_senders(run);
out:
	kfree(v);
	kfree(run);
	return ret;
}

/* -------------------------------------------------------------- debugfs */

static int zctx_results_show(struct seq_file *m, void *unused)
{
	unsigned int i, first;
	int f;

	mutex_lock(&zctx.lock);
	for (f = 0; f < F_NR; f++)
		seq_printf(m, "%s%s", f ? "," : "", zctx_fields[f]);
	seq_putc(m, '\n');
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
		   atomic64_read(&zctx_rx_zcopy_bytes));
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
	seq_printf(m, "mode=%s senders=%u queues=%u msg_size=%u seconds=%u bytes=%llu pattern=%u pin=%u ring=%u inflight_kb=%u verify_stride=%u memcpy_ms=%u port=%u label=%s\n",
		   zctx_mode_names[p->mode], p->senders, p->queues, p->msg_size,
		   p->seconds, p->bytes, p->pattern, p->pin, p->ring,
		   p->inflight_kb, p->verify_stride, p->memcpy_ms, p->port,
		   p->label);
	mutex_unlock(&zctx.lock);
	return 0;
}

static int zctx_params_open(struct inode *inode, struct file *file)
{
	return single_open(file, zctx_params_show, inode->i_private);
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
	if (!ret && !run && p.queues != zctx.p.queues) {
		ret = zctx_set_queues(p.queues);
		if (ret)
			pr_err("cannot use queues=%u: %d\n", p.queues, ret);
	}
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

/* --------------------------------------------------------- load/unload */

static int zctx_create_netdev(const struct zctx_params *p)
{
	struct net_device *ndev;
	struct zctx_priv *zp;
	int i, ret;

	zctx.pdev = platform_device_register_simple(KBUILD_MODNAME,
						    PLATFORM_DEVID_NONE,
						    NULL, 0);
	if (IS_ERR(zctx.pdev)) {
		ret = PTR_ERR(zctx.pdev);
		zctx.pdev = NULL;
		return ret;
	}
	ret = dma_coerce_mask_and_coherent(&zctx.pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_pdev;
	if (!is_swiotlb_force_bounce(&zctx.pdev->dev))
		pr_warn("the DMA of %s is not bounced through swiotlb: boot with swiotlb=force or in a confidential guest; copies per byte will be about 1 in both modes\n",
			dev_name(&zctx.pdev->dev));

	ndev = alloc_netdev_mqs(sizeof(*zp), "zctx%d", NET_NAME_ENUM,
				zctx_setup, ZCTX_MAX_QUEUES, 1);
	if (!ndev) {
		ret = -ENOMEM;
		goto err_pdev;
	}
	SET_NETDEV_DEV(ndev, &zctx.pdev->dev);
	zp = netdev_priv(ndev);
	zp->ndev = ndev;
	zp->dmadev = &zctx.pdev->dev;
	zp->ring_size = p->ring;
	zp->verify_stride = p->verify_stride;
	for (i = 0; i < ZCTX_MAX_QUEUES; i++) {
		struct zctx_queue *q = &zp->q[i];

		q->zp = zp;
		q->index = i;
		spin_lock_init(&q->lock);
		q->ring = kvcalloc(p->ring, sizeof(*q->ring), GFP_KERNEL);
		if (!q->ring) {
			ret = -ENOMEM;
			goto err_rings;
		}
		netif_napi_add(ndev, &q->napi, zctx_poll);
	}
	ret = netif_set_real_num_tx_queues(ndev, p->queues);
	if (ret)
		goto err_rings;
	ret = register_netdev(ndev);
	if (ret)
		goto err_rings;
	zctx.ndev = ndev;
	return 0;

err_rings:
	for (i = 0; i < ZCTX_MAX_QUEUES; i++) {
		if (zp->q[i].ring)
			netif_napi_del(&zp->q[i].napi);
		kvfree(zp->q[i].ring);
	}
	free_netdev(ndev);
err_pdev:
	platform_device_unregister(zctx.pdev);
	zctx.pdev = NULL;
	return ret;
}

static void zctx_destroy_netdev(void)
{
	struct zctx_priv *zp;
	int i;

	if (!zctx.ndev)
		return;
	zp = netdev_priv(zctx.ndev);
	unregister_netdev(zctx.ndev);
	for (i = 0; i < ZCTX_MAX_QUEUES; i++) {
		netif_napi_del(&zp->q[i].napi);
		kvfree(zp->q[i].ring);
	}
	free_netdev(zctx.ndev);
	zctx.ndev = NULL;
	platform_device_unregister(zctx.pdev);
	zctx.pdev = NULL;
}

static void zctx_teardown(void)
{
	WRITE_ONCE(zctx.exiting, true);
	debugfs_remove_recursive(zctx.dir);
	zctx.dir = NULL;
	if (zctx.acceptor) {
		kthread_stop(zctx.acceptor);
		zctx.acceptor = NULL;
	}
	zctx_rx_reap(true);
	if (zctx.lsock) {
		sock_release(zctx.lsock);
		zctx.lsock = NULL;
	}
	/* Received skbs whose free another CPU deferred hold lent pages. */
	if (zctx.ndev)
		zctx_flush_deferred();
	zctx_destroy_netdev();
	kvfree(zctx.results);
	zctx.results = NULL;
}

static int __init zctx_init(void)
{
	struct zctx_params *p = &zctx.p;
	int ret;

	mutex_init(&zctx.lock);
	mutex_init(&zctx.rx_lock);
	INIT_LIST_HEAD(&zctx.rxs);
	ret = zctx_parse_mode(mode);
	if (ret < 0 || ret == ZCTX_MODE_TCP) {
		pr_err("invalid mode=%s: greedy or none at load (tcp needs an address on zctx0 first: load with mode=none, configure it, then write mode=tcp to /sys/kernel/debug/zctx_bench/run)\n",
		       mode);
		return -EINVAL;
	}
	*p = (struct zctx_params) {
		.mode = ret, .senders = senders, .queues = queues,
		.msg_size = msg_size, .seconds = seconds, .bytes = bytes,
		.pattern = pattern, .pin = pin, .ring = ring,
		.inflight_kb = inflight_kb, .verify_stride = verify_stride,
		.memcpy_ms = memcpy_ms, .port = port,
	};
	strscpy(p->label, label, sizeof(p->label));
	ret = zctx_params_check(p);
	if (ret)
		return ret;

	zctx.results = kvcalloc(ZCTX_MAX_RESULTS, sizeof(*zctx.results),
				GFP_KERNEL);
	if (!zctx.results)
		return -ENOMEM;
	ret = zctx_create_netdev(p);
	if (ret)
		goto err;
	ret = zctx_listen(p->port);
	if (ret)
		goto err;

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

	mutex_lock(&zctx.lock);
	ret = zctx_run(p);
	mutex_unlock(&zctx.lock);
	if (ret)
		goto err;
	return 0;
err:
	zctx_teardown();
	return ret;
}

static void __exit zctx_exit(void)
{
	zctx_teardown();
}

module_init(zctx_init);
module_exit(zctx_exit);

MODULE_AUTHOR("zctx dev <dev@zctx.invalid>");
MODULE_DESCRIPTION("Benchmark of swiotlb zero-copy socket transmit");
MODULE_LICENSE("GPL");
