/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zctx_bench: benchmark of swiotlb zero-copy socket transmit; definitions
 * shared by the files of the module (see main.c for an overview).
 */
#ifndef _ZCTX_BENCH_H
#define _ZCTX_BENCH_H

#include <linux/hrtimer.h>
#include <linux/kernel_stat.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/swiotlb.h>
#include <linux/udp.h>
#include <linux/ip.h>
#include <linux/wait.h>

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
#define ZCTX_VLEN		40	/* one result value, as text */

enum zctx_mode { ZCTX_MODE_GREEDY, ZCTX_MODE_TCP, ZCTX_MODE_NONE, ZCTX_MODE_NR };

/*
 * Device models:
 *  instant  every packet is accepted and completed at once: the bounce
 *           copy runs in the sender's context, under the TX queue lock.
 *  ring     a NIC-like TX ring with BQL: descriptors complete after a
 *           latency and at a line rate, paced by an hrtimer that schedules
 *           the completion NAPI poll; the queue stops when the ring or the
 *           BQL limit is full, packets wait in the qdisc, and
 *           net_tx_action() dequeues (and bounces) them in softirq once
 *           the poll wakes the queue.
 */
enum zctx_dev_model { ZCTX_DEV_INSTANT, ZCTX_DEV_RING, ZCTX_DEV_NR };

/*
 * Where greedy senders take their transmit pages (parameter source):
 *  frag  the page_frag refill of sockets: ordinary pages that bounce at
 *        map time (zerocopy_tx_percent 0, "bounce"), or swiotlb slots lent
 *        as pages and mapped in place ("lend").
 *  pool  a page_pool of zctx0 (pool.c), filled and decrypted before the
 *        run; zctx0 reads its pages in place, skbs are marked for
 *        recycling and give the pages back to the pool when freed.
 */
enum zctx_source { ZCTX_SRC_FRAG, ZCTX_SRC_POOL, ZCTX_SRC_NR };

/*
 * How senders in process context on several CPUs share page_pools, whose
 * allocation side is lockless for a single (NAPI) consumer:
 *  percpu  one pool per CPU (page_pool_create_percpu()), allocated from
 *          with bottom halves off, as the per-CPU system page_pools are;
 *          a page freed in softirq on its pool's CPU goes straight back
 *          to the lockless cache, elsewhere to the pool's ptr_ring.
 *  lock    one pool for zctx0, its allocation side under a spinlock
 *          (bottom halves off); every page comes back through the
 *          ptr_ring.
 */
enum zctx_pool_alloc { ZCTX_PA_PERCPU, ZCTX_PA_LOCK, ZCTX_PA_NR };

extern const char * const zctx_mode_names[ZCTX_MODE_NR];
extern const char * const zctx_dev_model_names[ZCTX_DEV_NR];
extern const char * const zctx_source_names[ZCTX_SRC_NR];
extern const char * const zctx_pool_alloc_names[ZCTX_PA_NR];

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
	unsigned int dev_model;
	unsigned int complete_us;
	unsigned int line_mbit;
	unsigned int source;
	unsigned int pool_alloc;
	unsigned int elig_checks;
	char label[ZCTX_LABEL_LEN];
};

/* ------------------------------------------------------------- device */

struct zctx_desc {
	struct sk_buff *skb;
	unsigned int nr;
	unsigned int bytes;	/* skb->len, for BQL */
	u64 done_ns;		/* ring model: completion time */
	u32 in_place;		/* entries not mapped: page_pool pages */
	dma_addr_t addr[ZCTX_MAX_SEGS];
	unsigned int len[ZCTX_MAX_SEGS];
};

struct zctx_queue {
	struct zctx_priv *zp;
	struct napi_struct napi;
	struct hrtimer timer;	/* ring model: schedules the NAPI poll */
	unsigned int index;
	/* Ring: xmit produces at head, NAPI consumes at tail. */
	spinlock_t lock;
	unsigned int head, tail, count;
	u64 wire_free_ns;	/* ring model: when the "wire" is free */
	struct zctx_desc *ring;
	/* Written by xmit only (serialised by the TX queue lock). */
	u64 tx_packets;
	u64 tx_payload;
	u64 csum_errors;
	u64 unverified;
	u64 map_errors;
	u64 busy;
	u64 stops;
	u64 pool_bytes;		/* payload read in place from page_pool pages */
	/* Written by the completion NAPI poll only. */
	u64 free_ns;		/* freeing transmitted greedy skbs */
	u64 free_frags;		/* frags of those skbs */
};

struct zctx_priv {
	struct net_device *ndev;
	struct device *dmadev;
	unsigned int ring_size;
	unsigned int verify_stride;
	unsigned int model;
	u64 complete_ns;
	unsigned int line_mbit;
	struct zctx_queue q[ZCTX_MAX_QUEUES];
};

/* ------------------------------------------------------------ workloads */

struct zctx_run;

struct zctx_sender {
	struct zctx_run *run;
	unsigned int id;
	struct task_struct *task;
	struct page_frag pfrag;
	/* source=pool: the current page_pool page, carved like a page_frag */
	struct page *pp_page;
	unsigned int pp_off;
	long pp_bias;		/* page_pool references still ours */
	u64 src_ns;		/* time in the page source (refill, pool) */
	u64 src_pages;		/* pages the page source handed out */
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

/* Counters read before and after a run. */
struct zctx_snap {
	struct swiotlb_zc_stats st;
	u64 cpu[NR_STATS];	/* kcpustat, summed over possible CPUs */
	u64 csum_errors, unverified, tx_payload, map_errors, stops;
	u64 rx_bytes, rx_csum_errors;
	u64 pool_bytes, free_ns, free_frags;
};

/* page_pool counters of a run (pool.c), summed over its pools. */
struct zctx_pool_stats {
	unsigned int pools;
	u64 prefilled;		/* pages made and decrypted before the run */
	u64 prefill_ns;
	u64 slow;		/* pages the pools made during the run */
	u64 released;		/* pages the pools gave to the page allocator */
	u64 drained;		/* pages taken back out after the run */
	u64 extra_refs;		/* of those, pages someone else still held */
	bool balanced;		/* every page back, nothing released */
	bool destroyed;		/* pools destroyed (else leaked on purpose) */
};

/* What a run measured, turned into a result line by zctx_report(). */
struct zctx_meas {
	struct zctx_snap a, stop, end;	/* start, at the stop, after drain */
	unsigned long zc_peak, pool_peak;
	u64 elapsed_ns, at_stop, copied, drops, mbs;
	u64 src_ns, src_pages;
	u64 elig_ns, elig_checks, elig_lend, elig_best;	/* elig.c */
	bool balanced, rx_drained;
	struct zctx_pool_stats pp;
};

struct zctx_pools;

struct zctx_run {
	struct zctx_params p;
	unsigned int inflight_limit;
	bool stop;
	struct zctx_sender *s;
	struct zctx_pools *pools;	/* source=pool */
	struct zctx_meas m;
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
	char line[2560];
	char csv[1536];
};

/* Module state: one benchmark device, one run at a time. */
struct zctx_state {
	struct mutex lock;		/* serialises runs and results */
	struct platform_device *pdev;
	struct net_device *ndev;
	struct zctx_params p;
	struct dentry *dir;
	bool exiting;
	unsigned int runs;
	unsigned int nresults;
	struct zctx_result_row *results;	/* ZCTX_MAX_RESULTS */
	char last[2560];
	/* TCP listener and receivers */
	struct socket *lsock;
	struct task_struct *acceptor;
	struct mutex rx_lock;		/* protects rxs */
	struct list_head rxs;
	atomic64_t rx_bytes;
	atomic64_t rx_csum_errors;
	/* Payload of MSG_ZEROCOPY skbs, which the stack copies on receive. */
	atomic64_t rx_zcopy_bytes;
};

extern struct zctx_state zctx;
extern u8 zctx_pattern_tab[ZCTX_PERIOD];

/* dev.c */
void zctx_pattern_init(unsigned int kind);
u32 zctx_hash(u32 hash, const u8 *data, unsigned int len, unsigned int pos,
	      unsigned int stride);
int zctx_create_netdev(const struct zctx_params *p);
void zctx_destroy_netdev(void);
int zctx_set_queues(unsigned int n);
int zctx_set_model(const struct zctx_params *p);
void zctx_flush_deferred(void);

/* greedy.c */
int zctx_greedy_thread(void *data);

/* tcp.c */
int zctx_listen(unsigned int lport);
void zctx_unlisten(void);
void zctx_sock_abort(struct socket *sock);
void zctx_rx_reap(bool all);
bool zctx_rx_all_done(void);
unsigned int zctx_rx_eofs(void);
int zctx_tcp_connect(struct zctx_sender *s);
int zctx_tcp_thread(void *data);

/* elig.c */
#define ZCTX_ELIG_BATCH		100U	/* calls timed together */
void zctx_elig_measure(struct zctx_run *run);

/* pool.c */
#define ZCTX_PP_RING		16384	/* pages a page_pool's ptr_ring holds */
unsigned long zctx_pool_pages_needed(const struct zctx_params *p);
int zctx_pool_create(struct zctx_run *run);
void zctx_pool_finish(struct zctx_run *run, bool idle);
struct page *zctx_pool_frag(struct zctx_sender *s, unsigned int *off,
			    unsigned int *size);
void zctx_pool_frag_ref(struct zctx_sender *s);
void zctx_pool_frag_drop(struct zctx_sender *s);
bool zctx_pool_page(const struct net_device *ndev, struct page *page);

/* run.c */
int zctx_run(const struct zctx_params *p);

/* report.c */
void zctx_get_stats(struct swiotlb_zc_stats *st);
void zctx_snapshot(struct zctx_snap *sn);
u64 zctx_memcpy_mbs(unsigned int ms);
void zctx_ratio(char *buf, size_t len, u64 a, u64 b, unsigned int dec);
void zctx_report(const struct zctx_run *run);
void zctx_results_header(struct seq_file *m);

#endif /* _ZCTX_BENCH_H */
