// SPDX-License-Identifier: GPL-2.0
/*
 * zctx_bench page_pool source (source=pool): the design a reviewer proposed
 * instead of lending swiotlb slots. Greedy senders carve their transmit
 * pages from page_pools of zctx0 the way a socket carves its page_frag,
 * mark their skbs for recycling, and the stack's pp_recycle path
 * (napi_pp_put_page()) gives the pages back to their pool when the device
 * has freed the skb.
 *
 * What is real and what is simulated (printed once per load):
 *  - Real: the 6.12 page_pool API (page_pool_create_percpu(),
 *    page_pool_alloc_pages(), page_pool_fragment_page(),
 *    page_pool_unref_page(), page_pool_put_full_page(),
 *    page_pool_destroy()), skb_mark_for_recycle() and the free path of
 *    the stack.
 *  - The pools have no PP_FLAG_DMA_MAP. With swiotlb=force (or in a CoCo
 *    guest) page_pool_dma_map() would give every page a bounce slot, and
 *    each sync for the device would copy it again; page_pool_init() also
 *    refuses DMA_TO_DEVICE. zctx0 instead reads a pool page where it is,
 *    at the DMA address of its physical address: a stand-in for a
 *    swiotlb-aware pool whose pages are shared with the host.
 *  - Decryption: every page goes through set_memory_decrypted() once,
 *    before the run and in process context, and set_memory_encrypted()
 *    after the run, before page_pool_destroy() frees it. Outside a CoCo
 *    guest both are no-ops. 6.12's page_pool has no hook for either:
 *    pages enter in bulk from the page allocator in atomic context and
 *    leave through page_pool_return_page() -> put_page(). So each pool is
 *    filled before the run with the pages the run can have in flight; a
 *    page a pool makes during the run (pp_slow_pages) was never
 *    decrypted, and in a CoCo guest the device could not read it.
 *  - No page escapes: the bench holds every reference. A page the pool
 *    gave to the page allocator during the run (pp_released: a page with
 *    an extra reference, a pfmemalloc page, a full ptr_ring), or a page
 *    that cannot be taken back out of the pool after the run, leaves the
 *    pool unbalanced; it is then leaked, never destroyed, so that no
 *    decrypted page reaches the page allocator through it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <net/page_pool/helpers.h>

#include "zctx_bench.h"

/* More page_pool references than a page can have frags (at least 1 byte). */
#define ZCTX_PP_BIAS		((long)PAGE_SIZE + 1)

struct zctx_pool {
	struct page_pool *pp;
	spinlock_t lock;	/* pool_alloc=lock: the allocation side */
	u32 made0;		/* pages the pool had made after the prefill */
	bool leak;		/* a page's state is unknown: never destroy */
};

struct zctx_pools {
	unsigned int alloc;	/* enum zctx_pool_alloc */
	unsigned int nr;
	struct zctx_pool pool[] __counted_by(nr);
};

/**
 * zctx_pool_pages_needed() - pages one pool needs for the run of @p
 * @p: parameters
 *
 * A sender has at most inflight_kb plus one message in flight, in
 * consecutive bytes of its pages, plus its current page; each queue can
 * hold one more skb between its destructor and its free; and the ptr_ring
 * hands pages to the allocation cache in batches.
 *
 * Return: pages to fill each pool with before the run.
 */
unsigned long zctx_pool_pages_needed(const struct zctx_params *p)
{
	unsigned long bytes = (unsigned long)p->inflight_kb * 1024 + p->msg_size;

	return p->senders * (DIV_ROUND_UP(bytes, PAGE_SIZE) + 2) +
	       p->queues * ZCTX_MAX_SEGS + PP_ALLOC_CACHE_REFILL;
}

/* Give back @n pages taken out of @zpl's pool. */
static void zctx_pool_put_back(struct zctx_pool *zpl, struct page **pages,
			       unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		page_pool_put_full_page(zpl->pp, pages[i], false);
}

/*
 * Decrypt (@enc false) or re-encrypt @n pages: set_memory_*crypted() may
 * sleep and is a no-op outside a CoCo guest. A failure leaves a page in
 * an unknown state: the pool is then never destroyed.
 */
static void zctx_pool_crypt(struct zctx_pool *zpl, struct page **pages,
			    unsigned long n, bool enc)
{
	unsigned long i, va;
	int ret;

	for (i = 0; i < n && !zpl->leak; i++) {
		va = (unsigned long)page_address(pages[i]);
		ret = enc ? set_memory_encrypted(va, 1) :
			    set_memory_decrypted(va, 1);
		if (ret) {
			pr_err("set_memory_%s() failed: %d; the page_pool will be leaked\n",
			       enc ? "encrypted" : "decrypted", ret);
			zpl->leak = true;
		}
	}
}

/*
 * Take pages out of @zpl's pool until @n are out and every page it made
 * is in our hands (the slow path makes them in bulk). Return how many.
 */
static unsigned long zctx_pool_take(struct zctx_pool *zpl, struct page **pages,
				    unsigned long n, unsigned long max)
{
	unsigned long got = 0;

	while (got < max &&
	       (got < n || got < READ_ONCE(zpl->pp->pages_state_hold_cnt))) {
		pages[got] = page_pool_alloc_pages(zpl->pp, GFP_KERNEL);
		if (!pages[got])
			break;
		got++;
	}
	return got;
}

/* Fill @zpl's pool with @n decrypted pages before the run. */
static int zctx_pool_fill(struct zctx_pool *zpl, unsigned long n,
			  struct zctx_pool_stats *st)
{
	unsigned long max = n + PP_ALLOC_CACHE_SIZE, got;
	struct page **pages;
	u64 t0 = ktime_get_ns();

	pages = kvmalloc_array(max, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	got = zctx_pool_take(zpl, pages, n, max);
	zctx_pool_crypt(zpl, pages, got, false);
	zctx_pool_put_back(zpl, pages, got);
	kvfree(pages);
	zpl->made0 = READ_ONCE(zpl->pp->pages_state_hold_cnt);
	st->prefilled += got;
	st->prefill_ns += ktime_get_ns() - t0;
	if (got < n)
		return -ENOMEM;
	return zpl->leak ? -EIO : 0;
}

/* Create the pool of @cpu (-1: one for the device) and fill it. */
static int zctx_pool_open(struct zctx_pool *zpl, int cpu, unsigned long n,
			  struct zctx_pool_stats *st)
{
	/* No PP_FLAG_DMA_MAP: zctx0 reads the pages in place (see above). */
	struct page_pool_params pp = {
		.order = 0,
		.pool_size = ZCTX_PP_RING,
		.nid = NUMA_NO_NODE,
		.netdev = zctx.ndev,
	};
	int ret;

	spin_lock_init(&zpl->lock);
	zpl->pp = page_pool_create_percpu(&pp, cpu);
	if (IS_ERR(zpl->pp)) {
		ret = PTR_ERR(zpl->pp);
		zpl->pp = NULL;
		return ret;
	}
	st->pools++;
	return zctx_pool_fill(zpl, n, st);
}

/**
 * zctx_pool_create() - create and fill the page_pools of a source=pool run
 * @run: the run; its pools go to @run->pools
 *
 * On error the caller still calls zctx_pool_finish().
 *
 * Return: 0 or a negative error.
 */
int zctx_pool_create(struct zctx_run *run)
{
	const struct zctx_params *p = &run->p;
	bool lock = p->pool_alloc == ZCTX_PA_LOCK;
	unsigned int nr = lock ? 1 : nr_cpu_ids;
	unsigned long n = zctx_pool_pages_needed(p);
	struct zctx_pools *pools;
	int cpu, ret = 0;

	pr_info_once("source=pool: page_pool without PP_FLAG_DMA_MAP, pages read in place by zctx0 at their physical address (stand-in for a swiotlb-aware pool of shared pages); set_memory_decrypted()/encrypted() before and after each run (no-ops outside a CoCo guest); every page must be back before page_pool_destroy()\n");
	pools = kzalloc(struct_size(pools, pool, nr), GFP_KERNEL);
	if (!pools)
		return -ENOMEM;
	pools->nr = nr;
	pools->alloc = p->pool_alloc;
	run->pools = pools;
	if (lock)
		return zctx_pool_open(&pools->pool[0], -1, n, &run->m.pp);
	for_each_online_cpu(cpu) {
		ret = zctx_pool_open(&pools->pool[cpu], cpu, n, &run->m.pp);
		if (ret)
			break;
	}
	return ret;
}

/*
 * A whole page from the pool of this CPU or of the device; @ns: time
 * spent, including waiting for the lock. Bottom halves are off in both
 * variants: the pool's CPU recycles into its lockless cache in softirq
 * (percpu), and a completion poll run on interrupt exit inside the locked
 * section would make the other senders spin (lock). Softirqs that run
 * when bottom halves come back on are not counted.
 */
static struct page *zctx_pool_get(struct zctx_pools *pools, u64 *ns)
{
	struct zctx_pool *zpl = &pools->pool[0];
	struct page *page = NULL;
	u64 t0 = ktime_get_ns();

	if (pools->alloc == ZCTX_PA_LOCK) {
		spin_lock_bh(&zpl->lock);
		page = page_pool_alloc_pages(zpl->pp, GFP_ATOMIC | __GFP_NOWARN);
		*ns += ktime_get_ns() - t0;
		spin_unlock_bh(&zpl->lock);
		return page;
	}
	local_bh_disable();
	zpl = &pools->pool[smp_processor_id()];
	if (zpl->pp)
		page = page_pool_alloc_pages(zpl->pp, GFP_ATOMIC | __GFP_NOWARN);
	*ns += ktime_get_ns() - t0;
	local_bh_enable();
	return page;
}

/**
 * zctx_pool_frag() - the next bytes of a sender's page_pool page
 * @s: the sender
 * @off: offset of the bytes in the page
 * @size: bytes wanted; set to the bytes given (up to the end of the page)
 *
 * Like a socket's page_frag: the sender keeps a page and carves it until
 * it is full, then takes a new one from the pool. The bytes are the
 * sender's until it puts them into a new frag (zctx_pool_frag_ref()).
 *
 * Return: the page, or NULL if the pool had none.
 */
struct page *zctx_pool_frag(struct zctx_sender *s, unsigned int *off,
			    unsigned int *size)
{
	if (!s->pp_page || s->pp_off >= PAGE_SIZE) {
		zctx_pool_frag_drop(s);
		s->pp_page = zctx_pool_get(s->run->pools, &s->src_ns);
		if (!s->pp_page)
			return NULL;
		s->src_pages++;
		page_pool_fragment_page(s->pp_page, ZCTX_PP_BIAS);
		s->pp_bias = ZCTX_PP_BIAS;
		s->pp_off = 0;
	}
	*off = s->pp_off;
	*size = min_t(unsigned int, *size, PAGE_SIZE - s->pp_off);
	s->pp_off += *size;
	return s->pp_page;
}

/**
 * zctx_pool_frag_ref() - hand one page_pool reference to a new skb frag
 * @s: the sender whose current page the frag points to
 */
void zctx_pool_frag_ref(struct zctx_sender *s)
{
	s->pp_bias--;
}

/**
 * zctx_pool_frag_drop() - give up a sender's current page_pool page
 * @s: the sender
 *
 * Drops the references the sender still holds; if no skb holds the page
 * any more, it goes back to its pool now, else when the last skb is freed.
 */
void zctx_pool_frag_drop(struct zctx_sender *s)
{
	struct page *page = s->pp_page;

	if (!page)
		return;
	s->pp_page = NULL;
	if (!page_pool_unref_page(page, s->pp_bias))
		page_pool_put_unrefed_page(page->pp, page, -1, false);
}

/**
 * zctx_pool_page() - whether @page comes from a page_pool of @ndev
 * @ndev: the device
 * @page: a frag's page
 *
 * Return: true for pages zctx0 reads in place instead of mapping them.
 */
bool zctx_pool_page(const struct net_device *ndev, struct page *page)
{
	return page_pool_page_is_pp(page) && page->pp->slow.netdev == ndev;
}

/*
 * After the run: take every page @zpl's pool made back out of it (only
 * possible if nothing else holds one), re-encrypt them, give them back
 * and destroy the pool; if a page is missing, held twice or already
 * released, leak the pool instead.
 */
static void zctx_pool_close(struct zctx_pool *zpl, struct zctx_pool_stats *st)
{
	struct page_pool *pp = zpl->pp;
	u32 made = READ_ONCE(pp->pages_state_hold_cnt);
	u32 released = atomic_read(&pp->pages_state_release_cnt);
	unsigned long got = 0, i, extra = 0;
	struct page **pages;

	pages = kvmalloc_array(made, sizeof(*pages), GFP_KERNEL);
	if (pages)
		got = zctx_pool_take(zpl, pages, made - released, made);
	for (i = 0; i < got; i++)
		extra += page_ref_count(pages[i]) != 1;
	st->slow += made - zpl->made0;
	st->released += released;
	st->drained += got;
	st->extra_refs += extra;
	if (released || extra || got != made ||
	    READ_ONCE(pp->pages_state_hold_cnt) != made)
		st->balanced = false;
	if (made != zpl->made0 || !st->balanced)
		zpl->leak = true;
	if (!zpl->leak)
		zctx_pool_crypt(zpl, pages, got, true);
	zctx_pool_put_back(zpl, pages, got);
	kvfree(pages);
	if (zpl->leak) {
		pr_err("page_pool %u: %u pages made (%u before the run), %u released, %lu of %u back, %lu held elsewhere: leaking it\n",
		       pp->user.id, made, zpl->made0, released, got, made,
		       extra);
		return;
	}
	page_pool_destroy(pp);
}

/**
 * zctx_pool_finish() - check, drain and destroy the pools of a run
 * @run: the run; every skb it sent must have been freed, unless @idle
 *	 is false, when the pools are leaked with the pages still out
 * @idle: every sender stopped and every skb freed
 *
 * Fills @run->m.pp.
 */
void zctx_pool_finish(struct zctx_run *run, bool idle)
{
	struct zctx_pools *pools = run->pools;
	struct zctx_pool_stats *st = &run->m.pp;
	unsigned int i;

	if (!pools)
		return;
	/*
	 * A greedy skb's destructor runs before the completion frees its
	 * frags, in the same NAPI poll: let every poll in progress end.
	 */
	if (idle)
		synchronize_net();
	st->balanced = idle;
	st->destroyed = idle;
	for (i = 0; i < pools->nr; i++) {
		if (!pools->pool[i].pp)
			continue;
		if (idle)
			zctx_pool_close(&pools->pool[i], st);
		if (pools->pool[i].leak || !idle)
			st->destroyed = false;
	}
	if (!idle)
		pr_err("skbs still in flight: leaking the page_pools\n");
	kfree(pools);
	run->pools = NULL;
}
