// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for swiotlb zero-copy transmit pages.
 *
 * Every test gets its own force-bouncing allocator, made by
 * swiotlb_zc_test_mem_create(), and a DMA device that bounces through it,
 * so neither the default swiotlb pool nor the boot command line matter.
 * The exit hook gives back whatever a failed test left behind, checks that
 * every lent page and every slot came back, and restores
 * zerocopy_tx_percent.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/iommu-dma.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/page-flags.h>
#include <linux/page_ref.h>
#include <linux/pagevec.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/string_choices.h>
#include <linux/swiotlb.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#define ZC_NSLABS		1024	/* 2 MiB, eight IO TLB segments */
#define ZC_NAREAS		2
#define ZC_MAX_ORDER		4
#define ZC_MAX_HELD		ZC_NSLABS
#define ZC_MAX_MAPS		(2 * ZC_NSLABS)
#define ZC_SEG_BYTES		(IO_TLB_SEGSIZE * IO_TLB_SIZE)
#define ZC_FRAG_BIAS		2

#define ZC_STRESS_NSLABS	128	/* one segment: slots are reused at once */
#define ZC_STRESS_WORKERS	3
#define ZC_STRESS_ITERS		2000
#define ZC_STRESS_MSECS		300
#define ZC_STRESS_HOLD		6
#define ZC_STRESS_MAX_ORDER	3
#define ZC_STRESS_TAG_BYTES	64

struct zc_map {
	struct device *dev;
	dma_addr_t addr;
	size_t size;
};

struct zc_ctx {
	struct io_tlb_mem *mem;
	struct device *dev;
	struct io_tlb_mem *other;	/* second allocator, made on demand */
	struct device *other_dev;
	struct device *default_dev;	/* uses the default allocator */
	struct swiotlb_zc_stats start;
	struct swiotlb_zc_stats other_start;
	unsigned int saved_percent;
	struct page **held;		/* lent pages not yet given back */
	unsigned int nheld;
	struct zc_map *maps;		/* streaming mappings not yet unmapped */
	unsigned int nmaps;
	void *buf;			/* source of streaming mappings */
};

/* Is @page, or the compound page it is part of, of type swiotlb? */
static bool zc_typed(struct page *page)
{
	return folio_test_swiotlb(page_folio(page));
}

static unsigned long zc_slots(unsigned int order)
{
	return (PAGE_SIZE << order) / IO_TLB_SIZE;
}

static unsigned long zc_pool_slot(struct io_tlb_mem *mem, phys_addr_t phys)
{
	return (phys - mem->defpool.start) >> IO_TLB_SHIFT;
}

static bool zc_in_pool(struct io_tlb_mem *mem, phys_addr_t phys, size_t size)
{
	return phys >= mem->defpool.start && phys + size <= mem->defpool.end;
}

/* Slots in use as counted for debugfs (io_tlb_used). */
static long zc_total_used(struct io_tlb_mem *mem)
{
#ifdef CONFIG_DEBUG_FS
	return atomic_long_read(&mem->total_used);
#else
	struct swiotlb_zc_stats st;

	swiotlb_zc_get_stats(mem, &st);
	return st.pool_used;
#endif
}

static void zc_set_percent(struct kunit *test, unsigned int percent)
{
	char val[16];

	snprintf(val, sizeof(val), "%u", percent);
	KUNIT_ASSERT_EQ(test, swiotlb_zc_param_set(val), 0);
	KUNIT_ASSERT_EQ(test, swiotlb_zc_tx_percent(), percent);
}

KUNIT_DEFINE_ACTION_WRAPPER(zc_put_page_action, put_page, struct page *);

/* An ordinary page, freed when the test ends. */
static struct page *zc_alloc_normal(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							zc_put_page_action,
							page), 0);
	return page;
}

static void zc_dev_release(struct device *dev)
{
	kfree(dev);
}

/*
 * A device without DMA ops that bounces everything through @mem, or that
 * keeps the default allocator if @mem is %NULL.
 */
static struct device *zc_dev_create(const char *name, struct io_tlb_mem *mem)
{
	struct device *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return NULL;
	device_initialize(dev);
	dev->release = zc_dev_release;
	if (dev_set_name(dev, "%s", name) ||
	    dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64))) {
		put_device(dev);
		return NULL;
	}
	if (mem)
		dev->dma_io_tlb_mem = mem;
	return dev;
}

/* Mappings must reach dma-direct, and so swiotlb_map(). */
static void zc_require_direct(struct kunit *test, struct device *dev)
{
	if (get_dma_ops(dev) || !is_swiotlb_force_bounce(dev))
		kunit_skip(test, "test device does not bounce through dma-direct");
}

/* The second allocator and its device, for tests that need two pools. */
static void zc_make_other(struct kunit *test, unsigned long nslabs,
			  unsigned int nareas)
{
	struct zc_ctx *ctx = test->priv;

	if (ctx->other)
		return;
	ctx->other = swiotlb_zc_test_mem_create(nslabs, nareas);
	KUNIT_ASSERT_NOT_NULL(test, ctx->other);
	swiotlb_zc_get_stats(ctx->other, &ctx->other_start);
	ctx->other_dev = zc_dev_create("swiotlb-zc-test-b", ctx->other);
	KUNIT_ASSERT_NOT_NULL(test, ctx->other_dev);
}

/* Lend a page and remember it, so that a failed test does not leak it. */
static struct page *zc_hold_mem(struct kunit *test, struct io_tlb_mem *mem,
				unsigned int order, gfp_t gfp)
{
	struct zc_ctx *ctx = test->priv;
	struct page *page;

	KUNIT_ASSERT_LT(test, ctx->nheld, ZC_MAX_HELD);
	page = swiotlb_zc_alloc_pages(mem, gfp, order);
	if (page)
		ctx->held[ctx->nheld++] = page;
	return page;
}

static struct page *zc_hold(struct kunit *test, unsigned int order, gfp_t gfp)
{
	struct zc_ctx *ctx = test->priv;

	return zc_hold_mem(test, ctx->mem, order, gfp);
}

static unsigned int zc_hold_many(struct kunit *test, unsigned int order,
				 unsigned int max)
{
	unsigned int n = 0;

	while (n < max && zc_hold(test, order, GFP_KERNEL))
		n++;
	return n;
}

/* The test frees @page itself from now on. */
static void zc_forget(struct zc_ctx *ctx, struct page *page)
{
	unsigned int i;

	for (i = 0; i < ctx->nheld; i++) {
		if (ctx->held[i] == page) {
			ctx->held[i] = ctx->held[--ctx->nheld];
			return;
		}
	}
}

/* put_page() every held page after the first @keep. */
static void zc_put_held(struct zc_ctx *ctx, unsigned int keep)
{
	while (ctx->nheld > keep)
		put_page(ctx->held[--ctx->nheld]);
}

/* An ordinary streaming mapping of @size bytes, through @dev's pool. */
static int zc_map(struct kunit *test, struct device *dev, size_t size)
{
	struct zc_ctx *ctx = test->priv;
	dma_addr_t addr;

	if (ctx->nmaps >= ZC_MAX_MAPS)
		return -ENOSPC;
	addr = dma_map_single_attrs(dev, ctx->buf, size, DMA_TO_DEVICE,
				    DMA_ATTR_NO_WARN);
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	ctx->maps[ctx->nmaps].dev = dev;
	ctx->maps[ctx->nmaps].addr = addr;
	ctx->maps[ctx->nmaps].size = size;
	ctx->nmaps++;
	return 0;
}

static unsigned int zc_map_until_full(struct kunit *test, struct device *dev,
				      size_t size)
{
	unsigned int n = 0;

	while (!zc_map(test, dev, size))
		n++;
	return n;
}

static void zc_unmap(struct zc_ctx *ctx, unsigned int i)
{
	struct zc_map *m = &ctx->maps[i];

	dma_unmap_single(m->dev, m->addr, m->size, DMA_TO_DEVICE);
	*m = ctx->maps[--ctx->nmaps];
}

static void zc_unmap_all(struct zc_ctx *ctx)
{
	while (ctx->nmaps)
		zc_unmap(ctx, ctx->nmaps - 1);
}

static void zc_expect_fallback(struct kunit *test,
			       const struct swiotlb_zc_stats *before,
			       const struct swiotlb_zc_stats *after,
			       int reason)
{
	int i;

	for (i = 0; i < SWIOTLB_ZC_FB_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, after->fallback[i],
				    before->fallback[i] + (i == reason),
				    "fallback reason %d", i);
}

/* @page is lent from @mem, with @order, and nobody else holds it. */
static void zc_expect_lent(struct kunit *test, struct io_tlb_mem *mem,
			   struct page *page, unsigned int order)
{
	phys_addr_t phys = page_to_phys(page);
	unsigned long i;

	KUNIT_EXPECT_TRUE(test, zc_typed(page));
	KUNIT_EXPECT_FALSE(test, PageBuddy(page));
	KUNIT_EXPECT_EQ(test, page_private(page), (unsigned long)mem);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	KUNIT_EXPECT_EQ(test, compound_order(page), order);
	KUNIT_EXPECT_EQ(test, !!PageHead(page), order > 0);
	KUNIT_EXPECT_EQ(test, phys & ((PAGE_SIZE << order) - 1), 0);
	KUNIT_EXPECT_TRUE(test, zc_in_pool(mem, phys, PAGE_SIZE << order));
	for (i = 1; i < (1UL << order); i++)
		KUNIT_EXPECT_PTR_EQ(test, compound_head(page + i), page);
}

/*
 * The slots of @page are back with @mem, in the state swiotlb keeps them:
 * no type, no compound page, no stray mapping or flags, and the reference
 * counts of the pool's pages: one on every page of a memblock pool, one
 * on the first page of a late pool and zero elsewhere. Anything else would
 * also make the buddy allocator complain when a test pool is freed.
 */
static void zc_expect_returned(struct kunit *test, struct io_tlb_mem *mem,
			       struct page *page, unsigned int order)
{
	bool late = mem->defpool.late_alloc;
	unsigned long check = PAGE_FLAGS_CHECK_AT_FREE;
	unsigned long i;

	/* memblock pages are reserved, and stay so. */
	if (!late)
		check &= ~BIT(PG_reserved);

	KUNIT_EXPECT_FALSE(test, zc_typed(page));
	KUNIT_EXPECT_EQ(test, page_private(page), 0);
	if (order)
		KUNIT_EXPECT_EQ(test, page[1].flags & PAGE_FLAGS_SECOND, 0);
	for (i = 0; i < (1UL << order); i++) {
		struct page *p = page + i;
		int ref = !late || page_to_phys(p) == mem->defpool.start;

		KUNIT_EXPECT_FALSE(test, PageBuddy(p));
		KUNIT_EXPECT_FALSE(test, PageCompound(p));
		KUNIT_EXPECT_EQ(test, page_ref_count(p), ref);
		KUNIT_EXPECT_EQ(test, atomic_read(&p->_mapcount), -1);
		KUNIT_EXPECT_NULL(test, p->mapping);
		KUNIT_EXPECT_EQ(test, p->flags & check, 0);
	}
}

/* The ways the kernel drops a page reference, all of which can free it. */
enum zc_free_path {
	ZC_PUT_PAGE,
	ZC_FOLIO_PUT,
	ZC_FREE_PAGES_PAGE,
	ZC_FREE_PAGES_ADDR,
	ZC_RELEASE_PAGES,
	ZC_FOLIOS_PUT,
	ZC_FRAG_DRAIN,
	ZC_NR_FREE_PATHS
};

static const char * const zc_free_path_names[ZC_NR_FREE_PATHS] = {
	[ZC_PUT_PAGE] = "put_page",
	[ZC_FOLIO_PUT] = "folio_put",
	[ZC_FREE_PAGES_PAGE] = "__free_pages",
	[ZC_FREE_PAGES_ADDR] = "free_pages",
	[ZC_RELEASE_PAGES] = "release_pages",
	[ZC_FOLIOS_PUT] = "folios_put",
	[ZC_FRAG_DRAIN] = "__page_frag_cache_drain",
};

/*
 * Drop references to @page through @path: one, or @frag_refs for
 * __page_frag_cache_drain().
 */
static void zc_put(struct page *page, unsigned int order,
		   enum zc_free_path path, unsigned int frag_refs)
{
	struct folio_batch fbatch;

	switch (path) {
	case ZC_PUT_PAGE:
		put_page(page);
		break;
	case ZC_FOLIO_PUT:
		folio_put(page_folio(page));
		break;
	case ZC_FREE_PAGES_PAGE:
		__free_pages(page, order);
		break;
	case ZC_FREE_PAGES_ADDR:
		free_pages((unsigned long)page_address(page), order);
		break;
	case ZC_RELEASE_PAGES:
		release_pages(&page, 1);
		break;
	case ZC_FOLIOS_PUT:
		folio_batch_init(&fbatch);
		folio_batch_add(&fbatch, page_folio(page));
		folios_put(&fbatch);
		break;
	case ZC_FRAG_DRAIN:
		__page_frag_cache_drain(page, frag_refs);
		break;
	default:
		break;
	}
}

/*
 * Each lent page moves every slot counter by exactly its slots, and the
 * high-water mark follows. An order-0 page is lent first, so that a page
 * of a higher order lands where only natural alignment puts it.
 */
static void zc_test_slot_accounting(struct kunit *test)
{
	const unsigned int *order = test->param_value;
	unsigned long n = zc_slots(*order);
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct page *spacer, *a, *b;
	long used0;

	zc_set_percent(test, 90);
	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_EXPECT_EQ(test, s0.nslabs, ZC_NSLABS);
	KUNIT_EXPECT_EQ(test, s0.used, 0);
	KUNIT_EXPECT_EQ(test, s0.hiwater, 0);
	KUNIT_EXPECT_EQ(test, s0.pool_used, 0);
	KUNIT_EXPECT_EQ(test, zc_total_used(ctx->mem), 0);

	spacer = zc_hold(test, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spacer);
	zc_expect_lent(test, ctx->mem, spacer, 0);
	swiotlb_zc_get_stats(ctx->mem, &s0);
	used0 = zc_total_used(ctx->mem);
	KUNIT_EXPECT_EQ(test, s0.used, zc_slots(0));
	KUNIT_EXPECT_EQ(test, s0.hiwater, zc_slots(0));
	KUNIT_EXPECT_EQ(test, s0.pool_used, zc_slots(0));
	KUNIT_EXPECT_EQ(test, used0, zc_slots(0));

	a = zc_hold(test, *order, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	zc_expect_lent(test, ctx->mem, a, *order);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, s0.used + n);
	KUNIT_EXPECT_EQ(test, st.hiwater, s0.used + n);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used + n);
	KUNIT_EXPECT_EQ(test, st.allocs, s0.allocs + 1);
	KUNIT_EXPECT_EQ(test, st.frees, s0.frees);
	KUNIT_EXPECT_EQ(test, zc_total_used(ctx->mem), used0 + n);
	zc_expect_fallback(test, &s0, &st, -1);

	b = zc_hold(test, *order, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	zc_expect_lent(test, ctx->mem, b, *order);
	/* Two lent pages never share a slot. */
	KUNIT_EXPECT_TRUE(test, page_to_phys(a) + (PAGE_SIZE << *order) <=
				page_to_phys(b) ||
				page_to_phys(b) + (PAGE_SIZE << *order) <=
				page_to_phys(a));
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, s0.used + 2 * n);
	KUNIT_EXPECT_EQ(test, st.hiwater, s0.used + 2 * n);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used + 2 * n);
	KUNIT_EXPECT_EQ(test, zc_total_used(ctx->mem), used0 + 2 * n);
#ifdef CONFIG_DEBUG_FS
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ctx->mem->used_hiwater),
			used0 + 2 * n);
#endif

	zc_forget(ctx, a);
	put_page(a);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, s0.used + n);
	KUNIT_EXPECT_EQ(test, st.hiwater, s0.used + 2 * n);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used + n);
	KUNIT_EXPECT_EQ(test, st.frees, s0.frees + 1);
	KUNIT_EXPECT_EQ(test, zc_total_used(ctx->mem), used0 + n);

	zc_forget(ctx, b);
	put_page(b);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	KUNIT_EXPECT_EQ(test, st.hiwater, s0.used + 2 * n);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.allocs, s0.allocs + 2);
	KUNIT_EXPECT_EQ(test, st.frees, s0.frees + 2);
	KUNIT_EXPECT_EQ(test, zc_total_used(ctx->mem), used0);
	zc_expect_returned(test, ctx->mem, a, *order);
	zc_expect_returned(test, ctx->mem, b, *order);

	zc_forget(ctx, spacer);
	put_page(spacer);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, 0);
	KUNIT_EXPECT_EQ(test, st.pool_used, 0);
	KUNIT_EXPECT_EQ(test, zc_total_used(ctx->mem), 0);
}

static const unsigned int zc_orders[] = { 0, 1, 2, 3 };

static void zc_order_desc(const unsigned int *order, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "order %u", *order);
}

KUNIT_ARRAY_PARAM(zc_order, zc_orders, zc_order_desc);

static void zc_test_gfp_zero(struct kunit *test)
{
	size_t size = PAGE_SIZE << 1;
	struct zc_ctx *ctx = test->priv;
	struct page *page;

	zc_set_percent(test, 90);
	/* Nothing is lent or mapped yet: scribble over the whole pool. */
	memset(ctx->mem->defpool.vaddr, 0xa5, ZC_NSLABS << IO_TLB_SHIFT);

	page = zc_hold(test, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(page), 0xa5, size));

	page = zc_hold(test, 1, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_NULL(test, memchr_inv(page_address(page), 0, size));
}

struct zc_free_param {
	enum zc_free_path path;
	unsigned int order;
};

static struct zc_free_param zc_free_params[ZC_NR_FREE_PATHS *
					   (ZC_MAX_ORDER + 1)];

/* Every free path with every order, 0 to ZC_MAX_ORDER. */
static const void *zc_free_gen_params(const void *prev, char *desc)
{
	const struct zc_free_param *p = prev;
	unsigned int i;

	if (!p) {
		for (i = 0; i < ARRAY_SIZE(zc_free_params); i++) {
			zc_free_params[i].path = i / (ZC_MAX_ORDER + 1);
			zc_free_params[i].order = i % (ZC_MAX_ORDER + 1);
		}
		p = zc_free_params;
	} else if (++p == zc_free_params + ARRAY_SIZE(zc_free_params)) {
		return NULL;
	}
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s order %u",
		 zc_free_path_names[p->path], p->order);
	return p;
}

/*
 * A lent page keeps its type and its slots while references remain, and
 * goes back to its pool, not to the buddy allocator, when the last one is
 * dropped, whichever way it is dropped. Order 4 is above
 * PAGE_ALLOC_COSTLY_ORDER: it is freed through __free_pages_ok(), or
 * free_one_page() for batches, rather than the per-CPU lists.
 */
static void zc_test_free_path(struct kunit *test)
{
	const struct zc_free_param *p = test->param_value;
	bool frag = p->path == ZC_FRAG_DRAIN;
	unsigned long n = zc_slots(p->order);
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct page *page;
	long used0;

	zc_set_percent(test, 90);
	swiotlb_zc_get_stats(ctx->mem, &s0);
	used0 = zc_total_used(ctx->mem);
	page = zc_hold(test, p->order, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	zc_expect_lent(test, ctx->mem, page, p->order);

	/* Extra references, as the stack takes one per skb fragment. */
	if (frag)
		page_ref_add(page, 2 * ZC_FRAG_BIAS - 1);
	else
		get_page(page);
	zc_forget(ctx, page);

	zc_put(page, p->order, p->path, ZC_FRAG_BIAS);
	KUNIT_EXPECT_TRUE(test, zc_typed(page));
	KUNIT_EXPECT_EQ(test, page_ref_count(page), frag ? ZC_FRAG_BIAS : 1);
	KUNIT_EXPECT_EQ(test, compound_order(page), p->order);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, s0.used + n);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used + n);
	KUNIT_EXPECT_EQ(test, st.frees, s0.frees);

	zc_put(page, p->order, p->path, ZC_FRAG_BIAS);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.allocs, s0.allocs + 1);
	KUNIT_EXPECT_EQ(test, st.frees, s0.frees + 1);
	KUNIT_EXPECT_EQ(test, st.stray, s0.stray);
	KUNIT_EXPECT_EQ(test, zc_total_used(ctx->mem), used0);
	zc_expect_returned(test, ctx->mem, page, p->order);
}

static void zc_test_percent_zero(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;

	zc_set_percent(test, 0);
	KUNIT_EXPECT_FALSE(test, swiotlb_zc_enabled());
	KUNIT_EXPECT_NULL(test, swiotlb_zc_dev_mem(ctx->dev));

	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_EXPECT_NULL(test, zc_hold(test, 0, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zc_hold(test, 2, GFP_KERNEL));
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.fallback[SWIOTLB_ZC_FB_DISABLED],
			s0.fallback[SWIOTLB_ZC_FB_DISABLED] + 2);
	KUNIT_EXPECT_EQ(test, st.fallback[SWIOTLB_ZC_FB_POOL],
			s0.fallback[SWIOTLB_ZC_FB_POOL]);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.allocs, s0.allocs);

	zc_set_percent(test, 10);
	KUNIT_EXPECT_TRUE(test, swiotlb_zc_enabled());
	KUNIT_EXPECT_TRUE(test, swiotlb_zc_mem_can_lend(ctx->mem));
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_zc_dev_mem(ctx->dev), ctx->mem);
	KUNIT_EXPECT_NULL(test, swiotlb_zc_dev_mem(NULL));
}

static const unsigned int zc_cap_percents[] = { 1, 10, 33, 90 };

static void zc_percent_desc(const unsigned int *percent, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u percent", *percent);
}

KUNIT_ARRAY_PARAM(zc_cap, zc_cap_percents, zc_percent_desc);

/* Exactly floor(nslabs * percent / 100) slots may be lent, no more. */
static void zc_test_cap(struct kunit *test)
{
	const unsigned int *percent = test->param_value;
	unsigned long limit = ZC_NSLABS * *percent / 100;
	unsigned int npages = limit / zc_slots(0);
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;

	zc_set_percent(test, *percent);
	KUNIT_EXPECT_EQ(test, zc_hold_many(test, 0, npages), npages);

	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_EXPECT_EQ(test, s0.used, npages * zc_slots(0));
	KUNIT_EXPECT_EQ(test, s0.hiwater, npages * zc_slots(0));
	KUNIT_EXPECT_NULL(test, zc_hold(test, 0, GFP_KERNEL));
	swiotlb_zc_get_stats(ctx->mem, &st);
	zc_expect_fallback(test, &s0, &st, SWIOTLB_ZC_FB_CAP);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.allocs, s0.allocs);
	/* There are free slots: the cap alone refuses. */
	KUNIT_EXPECT_GE(test, ZC_NSLABS - st.pool_used, zc_slots(3));
	KUNIT_EXPECT_NULL(test, zc_hold(test, 3, GFP_KERNEL));
	swiotlb_zc_get_stats(ctx->mem, &s0);
	zc_expect_fallback(test, &st, &s0, SWIOTLB_ZC_FB_CAP);

	zc_put_held(ctx, 0);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, 0);
	KUNIT_EXPECT_EQ(test, st.frees, st.allocs);
}

/*
 * Lowering zerocopy_tx_percent below what is lent refuses new pages but
 * takes nothing back; pages freed later still return.
 */
static void zc_test_cap_lowered(struct kunit *test)
{
	const unsigned int npages = 100;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	unsigned int i;

	zc_set_percent(test, 50);
	KUNIT_ASSERT_EQ(test, zc_hold_many(test, 0, npages), npages);
	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_EXPECT_EQ(test, s0.used, npages * zc_slots(0));

	/* 10% of 1024 slots is 102: less than the 200 lent. */
	zc_set_percent(test, 10);
	KUNIT_EXPECT_NULL(test, zc_hold(test, 0, GFP_KERNEL));
	swiotlb_zc_get_stats(ctx->mem, &st);
	zc_expect_fallback(test, &s0, &st, SWIOTLB_ZC_FB_CAP);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.frees, s0.frees);
	for (i = 0; i < ctx->nheld; i++) {
		KUNIT_EXPECT_TRUE(test, zc_typed(ctx->held[i]));
		KUNIT_EXPECT_EQ(test, page_ref_count(ctx->held[i]), 1);
	}

	/* Down to 100 slots: one more page fits (102), then no more. */
	zc_put_held(ctx, npages / 2);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, npages / 2 * zc_slots(0));
	KUNIT_EXPECT_EQ(test, st.frees, s0.frees + npages / 2);
	KUNIT_EXPECT_NOT_NULL(test, zc_hold(test, 0, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zc_hold(test, 0, GFP_KERNEL));
	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_EXPECT_EQ(test, s0.fallback[SWIOTLB_ZC_FB_CAP],
			st.fallback[SWIOTLB_ZC_FB_CAP] + 1);
	KUNIT_EXPECT_EQ(test, s0.used, 102);
}

static void zc_test_param_write(struct kunit *test)
{
	static const char * const bad[] = {
		"-1", "91", "abc", "", "99999999999999999999", "4 2", "1000",
	};
	static const struct {
		const char *val;
		unsigned int percent;
	} good[] = {
		{ "0", 0 }, { "90", 90 }, { "42\n", 42 },
	};
	unsigned int i;

	KUNIT_ASSERT_EQ(test, swiotlb_zc_param_set("17"), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, swiotlb_zc_param_set(bad[i]), -EINVAL,
				    "writing '%s'", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, swiotlb_zc_tx_percent(), 17,
				    "after writing '%s'", bad[i]);
	}
	/* A boot parameter without a value. */
	KUNIT_EXPECT_EQ(test, swiotlb_zc_param_set(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, swiotlb_zc_tx_percent(), 17);

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		KUNIT_EXPECT_EQ_MSG(test, swiotlb_zc_param_set(good[i].val), 0,
				    "writing '%s'", good[i].val);
		KUNIT_EXPECT_EQ(test, swiotlb_zc_tx_percent(), good[i].percent);
		KUNIT_EXPECT_EQ(test, swiotlb_zc_enabled(), good[i].percent > 0);
	}
}

/*
 * The pool is full of lent pages (below the cap) and streaming mappings:
 * the next page is refused as exhausted, even with one slot free.
 */
static void zc_test_fallback_exhausted(struct kunit *test)
{
	unsigned int npages = ZC_NSLABS * 90 / 100 / zc_slots(0) - 1;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	unsigned int nmaps;

	zc_require_direct(test, ctx->dev);
	zc_set_percent(test, 90);
	KUNIT_ASSERT_EQ(test, zc_hold_many(test, 0, npages), npages);
	nmaps = zc_map_until_full(test, ctx->dev, IO_TLB_SIZE);
	KUNIT_EXPECT_EQ(test, nmaps, ZC_NSLABS - npages * zc_slots(0));

	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_EXPECT_EQ(test, s0.pool_used, ZC_NSLABS);
	KUNIT_EXPECT_NULL(test, zc_hold(test, 0, GFP_KERNEL));
	swiotlb_zc_get_stats(ctx->mem, &st);
	zc_expect_fallback(test, &s0, &st, SWIOTLB_ZC_FB_EXHAUSTED);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);

	/* One free slot is still too few for a page. */
	KUNIT_ASSERT_GT(test, ctx->nmaps, 0);
	zc_unmap(ctx, 0);
	KUNIT_EXPECT_NULL(test, zc_hold(test, 0, GFP_KERNEL));
	swiotlb_zc_get_stats(ctx->mem, &s0);
	zc_expect_fallback(test, &st, &s0, SWIOTLB_ZC_FB_EXHAUSTED);
	KUNIT_EXPECT_EQ(test, s0.pool_used, ZC_NSLABS - 1);
}

/*
 * Half the slots are free, but no two free slots are adjacent: no page of
 * any order fits, and the refusal says so. Freeing one aligned pair makes
 * exactly that pair lendable.
 */
static void zc_test_fallback_fragmented(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	unsigned int i, order;
	unsigned long slot = 0;
	struct page *page;

	zc_require_direct(test, ctx->dev);
	zc_set_percent(test, 90);
	KUNIT_ASSERT_EQ(test, zc_map_until_full(test, ctx->dev, IO_TLB_SIZE),
			ZC_NSLABS);
	for (i = 0; i < ctx->nmaps; ) {
		phys_addr_t phys = dma_to_phys(ctx->dev, ctx->maps[i].addr);

		if (zc_pool_slot(ctx->mem, phys) & 1)
			zc_unmap(ctx, i);
		else
			i++;
	}
	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_ASSERT_EQ(test, s0.pool_used, ZC_NSLABS / 2);

	for (order = 0; order <= 3; order++) {
		KUNIT_EXPECT_NULL(test, zc_hold(test, order, GFP_KERNEL));
		swiotlb_zc_get_stats(ctx->mem, &st);
		zc_expect_fallback(test, &s0, &st, SWIOTLB_ZC_FB_FRAGMENTED);
		s0 = st;
	}
	KUNIT_EXPECT_EQ(test, st.used, 0);
	KUNIT_EXPECT_EQ(test, st.pool_used, ZC_NSLABS / 2);

	/* Free an even slot: it and the odd one after it form a page. */
	for (i = 0; i < ctx->nmaps; i++) {
		slot = zc_pool_slot(ctx->mem,
				    dma_to_phys(ctx->dev, ctx->maps[i].addr));
		if (slot == ZC_NSLABS / 2 + 6)
			break;
	}
	KUNIT_ASSERT_LT(test, i, ctx->nmaps);
	zc_unmap(ctx, i);
	page = zc_hold(test, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, page_to_phys(page),
			ctx->mem->defpool.start + slot * IO_TLB_SIZE);
	KUNIT_EXPECT_NULL(test, zc_hold(test, 0, GFP_KERNEL));
}

/* Allocators that cannot lend, and orders that are too large. */
static void zc_test_fallback_pool(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct page *page;

	zc_set_percent(test, 50);
	KUNIT_EXPECT_NULL(test, swiotlb_zc_alloc_pages(NULL, GFP_KERNEL, 0));

	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_EXPECT_NULL(test, zc_hold(test, ZC_MAX_ORDER + 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zc_hold(test, MAX_PAGE_ORDER, GFP_KERNEL));
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.fallback[SWIOTLB_ZC_FB_POOL],
			s0.fallback[SWIOTLB_ZC_FB_POOL] + 2);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);

	/* The largest order is lent. */
	page = zc_hold(test, ZC_MAX_ORDER, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	zc_expect_lent(test, ctx->mem, page, ZC_MAX_ORDER);
	zc_put_held(ctx, 0);

	/* An allocator whose devices do not all bounce. */
	zc_make_other(test, ZC_NSLABS, 1);
	KUNIT_EXPECT_TRUE(test, swiotlb_zc_mem_can_lend(ctx->other));
	ctx->other->force_bounce = false;
	swiotlb_zc_get_stats(ctx->other, &s0);
	KUNIT_EXPECT_FALSE(test, swiotlb_zc_mem_can_lend(ctx->other));
	KUNIT_EXPECT_NULL(test, swiotlb_zc_dev_mem(ctx->other_dev));
	KUNIT_EXPECT_NULL(test,
			  swiotlb_zc_alloc_pages(ctx->other, GFP_KERNEL, 0));
	swiotlb_zc_get_stats(ctx->other, &st);
	zc_expect_fallback(test, &s0, &st, SWIOTLB_ZC_FB_POOL);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	ctx->other->force_bounce = true;

	/* A restricted DMA pool, used for allocations. */
	ctx->other->for_alloc = true;
	KUNIT_EXPECT_NULL(test,
			  swiotlb_zc_alloc_pages(ctx->other, GFP_KERNEL, 0));
	swiotlb_zc_get_stats(ctx->other, &s0);
	zc_expect_fallback(test, &st, &s0, SWIOTLB_ZC_FB_POOL);
	ctx->other->for_alloc = false;
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_zc_dev_mem(ctx->other_dev),
			    ctx->other);
}

/* DMA ops of a device that maps through something other than dma-direct. */
static atomic_t zc_ops_maps = ATOMIC_INIT(0);

static dma_addr_t zc_ops_map_page(struct device *dev, struct page *page,
				  unsigned long offset, size_t size,
				  enum dma_data_direction dir,
				  unsigned long attrs)
{
	atomic_inc(&zc_ops_maps);
	return DMA_MAPPING_ERROR;
}

static const struct dma_map_ops zc_test_dma_ops = {
	.map_page = zc_ops_map_page,
};

/* What iommu_setup_dma_ops() does for a device in an IOMMU DMA domain. */
static void zc_set_dma_iommu(struct device *dev, bool on)
{
#ifdef CONFIG_IOMMU_DMA
	dev->dma_iommu = on;
#endif
}

/*
 * A device whose mappings do not go through swiotlb gets no lent pages,
 * even though its allocator bounces everything (force_bounce) and can lend:
 *  - behind an IOMMU: dev->dma_iommu is what iommu_setup_dma_ops() sets
 *    when the device is attached to an IOMMU DMA domain, and what the DMA
 *    core asks (use_dma_iommu()) to route a mapping to dma-iommu instead
 *    of dma-direct. The case checks that the DMA core really takes the
 *    IOMMU path for the device (dma_max_mapping_size() is no longer
 *    swiotlb's) before it checks the refusal;
 *  - with DMA ops: set_dma_ops(), and a mapping of the device really
 *    reaches the ops. Only where the architecture has DMA ops at all
 *    (CONFIG_ARCH_HAS_DMA_OPS: x86 with GART_IOMMU or XEN, arm64 with
 *    XEN); elsewhere get_dma_ops() is always NULL and that part compiles
 *    to nothing.
 */
static void zc_test_dev_not_direct(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;
	struct page *page;
	dma_addr_t addr;

	zc_set_percent(test, 10);
	KUNIT_ASSERT_TRUE(test, is_swiotlb_force_bounce(dev));
	KUNIT_ASSERT_PTR_EQ(test, swiotlb_zc_dev_mem(dev), ctx->mem);

	if (IS_ENABLED(CONFIG_IOMMU_DMA)) {
		KUNIT_EXPECT_EQ(test, dma_max_mapping_size(dev),
				swiotlb_max_mapping_size(dev));
		zc_set_dma_iommu(dev, true);
		KUNIT_EXPECT_TRUE(test, use_dma_iommu(dev));
		KUNIT_EXPECT_EQ(test, dma_max_mapping_size(dev), SIZE_MAX);
		KUNIT_EXPECT_TRUE(test, is_swiotlb_force_bounce(dev));
		KUNIT_EXPECT_NULL(test, swiotlb_zc_dev_mem(dev));
		zc_set_dma_iommu(dev, false);
		KUNIT_EXPECT_PTR_EQ(test, swiotlb_zc_dev_mem(dev), ctx->mem);
	}

	if (IS_ENABLED(CONFIG_ARCH_HAS_DMA_OPS)) {
		page = zc_alloc_normal(test);
		set_dma_ops(dev, &zc_test_dma_ops);
		KUNIT_EXPECT_PTR_EQ(test, get_dma_ops(dev), &zc_test_dma_ops);
		KUNIT_EXPECT_NULL(test, swiotlb_zc_dev_mem(dev));
		atomic_set(&zc_ops_maps, 0);
		addr = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
		KUNIT_EXPECT_EQ(test, addr, DMA_MAPPING_ERROR);
		KUNIT_EXPECT_EQ(test, atomic_read(&zc_ops_maps), 1);
		set_dma_ops(dev, NULL);
		KUNIT_EXPECT_PTR_EQ(test, swiotlb_zc_dev_mem(dev), ctx->mem);
	}

	if (!IS_ENABLED(CONFIG_IOMMU_DMA) &&
	    !IS_ENABLED(CONFIG_ARCH_HAS_DMA_OPS))
		kunit_skip(test, "no IOMMU DMA and no DMA ops in this kernel");
}

static void zc_fill(void *buf, size_t size, u8 seed)
{
	u8 *p = buf;
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = seed + i * 7;
}

static bool zc_check(const void *buf, size_t size, u8 seed)
{
	const u8 *p = buf;
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != (u8)(seed + i * 7))
			return false;
	return true;
}

/* A lent page mapped DMA_TO_DEVICE is used where it is: no slot, no copy. */
static void zc_test_map_in_place(struct kunit *test)
{
	unsigned int over_off;
	struct page *over;
	const size_t off = 100, len = PAGE_SIZE + 1000;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct device *dev = ctx->dev;
	phys_addr_t phys;
	struct page *page;
	dma_addr_t dma;

	zc_require_direct(test, dev);
	zc_set_percent(test, 90);
	page = zc_hold(test, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	phys = page_to_phys(page);
	zc_fill(page_address(page), PAGE_SIZE << 1, 3);
	swiotlb_zc_get_stats(ctx->mem, &s0);

	dma = dma_map_page(dev, page, off, len, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_EQ(test, dma, phys_to_dma_unencrypted(dev, phys + off));
	KUNIT_EXPECT_EQ(test, dma_to_phys(dev, dma), phys + off);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes + len);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes, s0.bounced_bytes);

	dma_sync_single_for_device(dev, dma, len, DMA_TO_DEVICE);
	dma_unmap_page(dev, dma, len, DMA_TO_DEVICE);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	KUNIT_EXPECT_EQ(test, st.frees, s0.frees);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes, s0.bounced_bytes);
	zc_expect_lent(test, ctx->mem, page, 1);
	KUNIT_EXPECT_TRUE(test, zc_check(page_address(page), PAGE_SIZE << 1, 3));

	/* The same page mapped again: in place again. */
	dma = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_EQ(test, dma, phys_to_dma_unencrypted(dev, phys));
	dma_unmap_page(dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes,
			s0.mapped_bytes + len + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes, s0.bounced_bytes);

	/*
	 * A buffer that crosses a boundary of the lent page is bounced: one
	 * running past its end, or, when the lent page ends the pool (pages
	 * are lent from the top of an area), one that starts in the unlent
	 * page below it, which would be bounced anyway. The end check on
	 * its own is zc_test_map_past_end's.
	 */
	if (phys + 3 * PAGE_SIZE <= ctx->mem->defpool.end) {
		over = page;
		over_off = 2 * PAGE_SIZE - 512;
	} else {
		over = pfn_to_page(page_to_pfn(page) - 1);
		over_off = PAGE_SIZE - 512;
	}
	KUNIT_ASSERT_GE(test, page_to_phys(over), ctx->mem->defpool.start);
	dma = dma_map_page(dev, over, over_off, 1024, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_NE(test, dma_to_phys(dev, dma),
			page_to_phys(over) + over_off);
	KUNIT_EXPECT_TRUE(test, zc_in_pool(ctx->mem, dma_to_phys(dev, dma),
					   1024));
	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_EXPECT_EQ(test, s0.pool_used, st.pool_used + 1);
	KUNIT_EXPECT_EQ(test, s0.bounced_bytes, st.bounced_bytes + 1024);
	KUNIT_EXPECT_EQ(test, s0.mapped_bytes, st.mapped_bytes);
	dma_unmap_page(dev, dma, 1024, DMA_TO_DEVICE);
	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_EXPECT_EQ(test, s0.pool_used, st.pool_used);
	KUNIT_EXPECT_TRUE(test, zc_typed(page));
}

/* Scatterlists: lent entries in place, ordinary entries bounced. */
static void zc_test_map_sg(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct device *dev = ctx->dev;
	struct scatterlist sgl[2], *sg;
	struct page *page, *normal;
	phys_addr_t phys;
	int i, nents;

	zc_require_direct(test, dev);
	zc_set_percent(test, 90);
	page = zc_hold(test, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	swiotlb_zc_get_stats(ctx->mem, &s0);

	sg_init_table(sgl, 2);
	sg_set_page(&sgl[0], page, 1000, 24);
	sg_set_page(&sgl[1], page + 1, 3000, 512);
	nents = dma_map_sg(dev, sgl, 2, DMA_TO_DEVICE);
	KUNIT_ASSERT_EQ(test, nents, 2);
	for_each_sg(sgl, sg, nents, i) {
		KUNIT_EXPECT_EQ(test, sg_dma_address(sg),
				phys_to_dma_unencrypted(dev, sg_phys(sg)));
		KUNIT_EXPECT_EQ(test, sg_dma_len(sg), sg->length);
	}
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes + 4000);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes, s0.bounced_bytes);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	dma_unmap_sg(dev, sgl, 2, DMA_TO_DEVICE);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	zc_expect_lent(test, ctx->mem, page, 1);

	normal = zc_alloc_normal(test);
	zc_fill(page_address(normal), PAGE_SIZE, 9);
	sg_init_table(sgl, 2);
	sg_set_page(&sgl[0], page, PAGE_SIZE, 0);
	sg_set_page(&sgl[1], normal, 2000, 100);
	swiotlb_zc_get_stats(ctx->mem, &s0);
	nents = dma_map_sg(dev, sgl, 2, DMA_TO_DEVICE);
	KUNIT_ASSERT_EQ(test, nents, 2);
	KUNIT_EXPECT_EQ(test, sg_dma_address(&sgl[0]),
			phys_to_dma_unencrypted(dev, page_to_phys(page)));
	phys = dma_to_phys(dev, sg_dma_address(&sgl[1]));
	KUNIT_EXPECT_TRUE(test, zc_in_pool(ctx->mem, phys, 2000));
	KUNIT_EXPECT_EQ(test, memcmp(phys_to_virt(phys),
				     page_address(normal) + 100, 2000), 0);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes, s0.bounced_bytes + 2000);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used + 1);
	dma_unmap_sg(dev, sgl, 2, DMA_TO_DEVICE);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
}

/* An ordinary page on the same device is bounced, as before. */
static void zc_test_map_bounce(struct kunit *test)
{
	const size_t len = 3000;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct device *dev = ctx->dev;
	struct page *normal;
	phys_addr_t phys;
	dma_addr_t dma;

	zc_require_direct(test, dev);
	zc_set_percent(test, 90);
	normal = zc_alloc_normal(test);
	zc_fill(page_address(normal), PAGE_SIZE, 41);
	swiotlb_zc_get_stats(ctx->mem, &s0);

	dma = dma_map_page(dev, normal, 0, len, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	phys = dma_to_phys(dev, dma);
	KUNIT_EXPECT_TRUE(test, zc_in_pool(ctx->mem, phys, len));
	KUNIT_EXPECT_EQ(test, memcmp(phys_to_virt(phys), page_address(normal),
				     len), 0);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used + 2);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes, s0.bounced_bytes + len);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes);
	dma_unmap_page(dev, dma, len, DMA_TO_DEVICE);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, zc_total_used(ctx->mem), 0);
}

/* A page lent by one allocator is bounced by a device of another. */
static void zc_test_map_other_pool(struct kunit *test)
{
	const size_t off = 256, len = PAGE_SIZE + 256;
	struct swiotlb_zc_stats a0, b0, a1, b1;
	struct zc_ctx *ctx = test->priv;
	struct page *page, *other_page;
	phys_addr_t phys;
	dma_addr_t dma;

	zc_require_direct(test, ctx->dev);
	zc_make_other(test, ZC_NSLABS, 1);
	zc_require_direct(test, ctx->other_dev);
	zc_set_percent(test, 90);
	page = zc_hold(test, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	zc_fill(page_address(page), PAGE_SIZE << 1, 5);
	swiotlb_zc_get_stats(ctx->mem, &a0);
	swiotlb_zc_get_stats(ctx->other, &b0);

	dma = dma_map_page(ctx->other_dev, page, off, len, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(ctx->other_dev, dma));
	phys = dma_to_phys(ctx->other_dev, dma);
	KUNIT_EXPECT_TRUE(test, zc_in_pool(ctx->other, phys, len));
	KUNIT_EXPECT_EQ(test, memcmp(phys_to_virt(phys),
				     page_address(page) + off, len), 0);
	swiotlb_zc_get_stats(ctx->mem, &a1);
	swiotlb_zc_get_stats(ctx->other, &b1);
	KUNIT_EXPECT_EQ(test, b1.pool_used, b0.pool_used + 3);
	KUNIT_EXPECT_EQ(test, b1.bounced_bytes, b0.bounced_bytes + len);
	KUNIT_EXPECT_EQ(test, b1.mapped_bytes, b0.mapped_bytes);
	KUNIT_EXPECT_EQ(test, a1.mapped_bytes, a0.mapped_bytes);
	KUNIT_EXPECT_EQ(test, a1.bounced_bytes, a0.bounced_bytes);
	KUNIT_EXPECT_EQ(test, a1.pool_used, a0.pool_used);
	dma_unmap_page(ctx->other_dev, dma, len, DMA_TO_DEVICE);
	swiotlb_zc_get_stats(ctx->other, &b1);
	KUNIT_EXPECT_EQ(test, b1.pool_used, b0.pool_used);
	zc_expect_lent(test, ctx->mem, page, 1);

	/* And the other way round. */
	other_page = swiotlb_zc_alloc_pages(ctx->other, GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, other_page);
	zc_fill(page_address(other_page), PAGE_SIZE, 6);
	swiotlb_zc_get_stats(ctx->mem, &a0);
	dma = dma_map_page(ctx->dev, other_page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (!dma_mapping_error(ctx->dev, dma)) {
		phys = dma_to_phys(ctx->dev, dma);
		KUNIT_EXPECT_TRUE(test, zc_in_pool(ctx->mem, phys, PAGE_SIZE));
		KUNIT_EXPECT_TRUE(test, zc_check(phys_to_virt(phys),
						 PAGE_SIZE, 6));
		swiotlb_zc_get_stats(ctx->mem, &a1);
		KUNIT_EXPECT_EQ(test, a1.pool_used, a0.pool_used + 2);
		KUNIT_EXPECT_EQ(test, a1.bounced_bytes,
				a0.bounced_bytes + PAGE_SIZE);
		dma_unmap_page(ctx->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	} else {
		KUNIT_FAIL(test, "mapping a page of another pool failed");
	}
	put_page(other_page);
	swiotlb_zc_get_stats(ctx->other, &b1);
	KUNIT_EXPECT_EQ(test, b1.used, 0);
}

/*
 * Lend from the default allocator at @percent through a new test device
 * (ctx->default_dev, freed by the exit hook). Skips when the guest does
 * not bounce through swiotlb. Return: the default allocator.
 */
static struct io_tlb_mem *zc_default_mem(struct kunit *test,
					 unsigned int percent,
					 const char *name)
{
	struct zc_ctx *ctx = test->priv;
	struct io_tlb_mem *mem;

	zc_set_percent(test, percent);
	ctx->default_dev = zc_dev_create(name, NULL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->default_dev);
	mem = swiotlb_zc_dev_mem(ctx->default_dev);
	if (!mem)
		kunit_skip(test, "default swiotlb cannot lend: boot with swiotlb=force");
	return mem;
}

/*
 * The default allocator, where the kernel bounces everything (swiotlb=force
 * or a confidential guest): its pool is memblock memory, allocated before
 * the page allocator, and its io_tlb_mem is in the kernel image, not in
 * the linear map. Every order is lent, mapped in place, and given back
 * with the pool's pages as they were. Expects the default pool to be
 * otherwise idle, as it is in a kunit.py VM.
 */
static void zc_test_default_pool(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	unsigned int order;
	struct io_tlb_mem *mem;
	struct device *dev;
	struct page *page;
	dma_addr_t dma;

	mem = zc_default_mem(test, 90, "swiotlb-zc-test-default");
	dev = ctx->default_dev;
	KUNIT_EXPECT_PTR_EQ(test, mem, dev->dma_io_tlb_mem);

	for (order = 0; order <= ZC_MAX_ORDER; order++) {
		swiotlb_zc_get_stats(mem, &s0);
		page = swiotlb_zc_alloc_pages(mem, GFP_KERNEL | __GFP_ZERO,
					      order);
		KUNIT_ASSERT_NOT_NULL(test, page);
		zc_expect_lent(test, mem, page, order);
		KUNIT_EXPECT_NULL(test, memchr_inv(page_address(page), 0,
						   PAGE_SIZE << order));

		dma = dma_map_page(dev, page, 0, PAGE_SIZE << order,
				   DMA_TO_DEVICE);
		KUNIT_EXPECT_EQ(test, dma,
				phys_to_dma_unencrypted(dev, page_to_phys(page)));
		if (!dma_mapping_error(dev, dma))
			dma_unmap_page(dev, dma, PAGE_SIZE << order,
				       DMA_TO_DEVICE);

		get_page(page);
		put_page(page);
		KUNIT_EXPECT_TRUE(test, zc_typed(page));
		put_page(page);

		swiotlb_zc_get_stats(mem, &st);
		KUNIT_EXPECT_EQ(test, st.stray, s0.stray);
		KUNIT_EXPECT_EQ(test, st.used, s0.used);
		KUNIT_EXPECT_EQ(test, st.frees, s0.frees + 1);
		KUNIT_EXPECT_EQ(test, st.mapped_bytes,
				s0.mapped_bytes + (PAGE_SIZE << order));
		zc_expect_returned(test, mem, page, order);
	}
}

#ifdef CONFIG_SWIOTLB_DYNAMIC
#define ZC_DYN_ORDER		2	/* the page lent before the pool fills */
#define ZC_DYN_LEN		1000	/* the mapping that takes a new pool */

/* The pool that holds the bounce slot of the newest streaming mapping. */
static struct io_tlb_pool *zc_dyn_last_pool(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct zc_map *m = &ctx->maps[ctx->nmaps - 1];

	return swiotlb_find_pool(m->dev, dma_to_phys(m->dev, m->addr));
}

/*
 * Fill the default pool of @mem exactly with streaming mappings, the
 * largest first. None may land anywhere else: before the allocator grew,
 * a mapping that found no room would have made a transient pool.
 */
static void zc_dyn_fill(struct kunit *test, struct device *dev,
			struct io_tlb_mem *mem)
{
	struct swiotlb_zc_stats st;
	size_t size;

	for (size = ZC_SEG_BYTES; size >= IO_TLB_SIZE; size /= 2) {
		for (;;) {
			swiotlb_zc_get_stats(mem, &st);
			if (st.nslabs - st.pool_used < size / IO_TLB_SIZE)
				break;
			KUNIT_ASSERT_EQ(test, zc_map(test, dev, size), 0);
			KUNIT_ASSERT_PTR_EQ(test, zc_dyn_last_pool(test),
					    &mem->defpool);
		}
	}
	KUNIT_ASSERT_EQ(test, st.pool_used, st.nslabs);
}

/*
 * With the default pool full, a mapping takes a transient pool: it must be
 * a real bounce, outside the default pool, counted as bounced bytes.
 * Return: the transient pool.
 */
static struct io_tlb_pool *zc_dyn_map_transient(struct kunit *test,
						struct device *dev,
						struct io_tlb_mem *mem)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct io_tlb_pool *pool;
	phys_addr_t phys;

	zc_fill(ctx->buf, ZC_DYN_LEN, 23);
	swiotlb_zc_get_stats(mem, &s0);
	KUNIT_ASSERT_EQ(test, zc_map(test, dev, ZC_DYN_LEN), 0);
	phys = dma_to_phys(dev, ctx->maps[ctx->nmaps - 1].addr);
	pool = swiotlb_find_pool(dev, phys);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_TRUE(test, pool->transient);
	KUNIT_EXPECT_FALSE(test, zc_in_pool(mem, phys, ZC_DYN_LEN));
	KUNIT_EXPECT_TRUE(test, zc_check(phys_to_virt(phys), ZC_DYN_LEN, 23));
	swiotlb_zc_get_stats(mem, &st);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes, s0.bounced_bytes + ZC_DYN_LEN);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes);
	KUNIT_EXPECT_EQ(test, st.pool_used, st.nslabs);
	return pool;
}

/*
 * The miss also queued swiotlb_dyn_alloc(): once it ran, the allocator
 * has a new pool (not transient), and the next mapping lands there.
 * Return: the added pool.
 */
static struct io_tlb_pool *zc_dyn_map_added(struct kunit *test,
					    struct device *dev,
					    struct io_tlb_mem *mem)
{
	struct io_tlb_pool *pool;

	flush_work(&mem->dyn_alloc);
	KUNIT_ASSERT_GT_MSG(test, mem->nslabs, mem->defpool.nslabs,
			    "swiotlb_dyn_alloc() added no pool");
	KUNIT_ASSERT_EQ(test, zc_map(test, dev, IO_TLB_SIZE), 0);
	pool = zc_dyn_last_pool(test);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_PTR_NE(test, pool, &mem->defpool);
	KUNIT_ASSERT_FALSE(test, pool->transient);
	return pool;
}

/*
 * Lending takes slots from the default pool only: with it full, pages are
 * refused as exhausted (its own slots, not the allocator's), even though
 * the added pool could hold them, and no slot is taken in any pool
 * (io_tlb_used counts them all).
 */
static void zc_dyn_expect_refused(struct kunit *test, struct io_tlb_mem *mem)
{
	long total_used = zc_total_used(mem);
	unsigned long nslabs = mem->nslabs;
	struct swiotlb_zc_stats s0, st;
	int i;

	swiotlb_zc_get_stats(mem, &s0);
	KUNIT_EXPECT_NULL(test, zc_hold_mem(test, mem, 0, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zc_hold_mem(test, mem, ZC_DYN_ORDER,
					    GFP_KERNEL));
	swiotlb_zc_get_stats(mem, &st);
	for (i = 0; i < SWIOTLB_ZC_FB_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, st.fallback[i], s0.fallback[i] +
				    2 * (i == SWIOTLB_ZC_FB_EXHAUSTED),
				    "fallback reason %d", i);
	KUNIT_EXPECT_EQ(test, st.allocs, s0.allocs);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	KUNIT_EXPECT_EQ(test, st.pool_used, st.nslabs);
	KUNIT_EXPECT_EQ(test, zc_total_used(mem), total_used);
	KUNIT_EXPECT_EQ(test, mem->nslabs, nslabs);
}

/* A page lent before the pool filled is still mapped where it is. */
static void zc_dyn_expect_in_place(struct kunit *test, struct device *dev,
				   struct io_tlb_mem *mem, struct page *page)
{
	const size_t len = PAGE_SIZE << ZC_DYN_ORDER;
	struct swiotlb_zc_stats s0, st;
	dma_addr_t dma;

	swiotlb_zc_get_stats(mem, &s0);
	dma = dma_map_page(dev, page, 0, len, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_EQ(test, dma,
			phys_to_dma_unencrypted(dev, page_to_phys(page)));
	swiotlb_zc_get_stats(mem, &st);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes + len);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes, s0.bounced_bytes);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	dma_unmap_page(dev, dma, len, DMA_TO_DEVICE);
	swiotlb_zc_get_stats(mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	zc_expect_lent(test, mem, page, ZC_DYN_ORDER);
}

/* Unmapping the transient mapping deletes its pool. */
static void zc_dyn_unmap_transient(struct kunit *test, struct device *dev,
				   struct io_tlb_pool *transient)
{
	struct zc_ctx *ctx = test->priv;
	phys_addr_t phys = 0;
	unsigned int i;

	for (i = 0; i < ctx->nmaps; i++) {
		phys = dma_to_phys(dev, ctx->maps[i].addr);
		if (swiotlb_find_pool(dev, phys) == transient)
			break;
	}
	KUNIT_ASSERT_LT(test, i, ctx->nmaps);
	zc_unmap(ctx, i);
	KUNIT_EXPECT_NULL(test, swiotlb_find_pool(dev, phys));
}

/*
 * The cap is a share of the default pool, not of all the allocator's
 * pools: after it grew, 1 percent still lends only 1 percent of the
 * default pool, every page from it.
 */
static void zc_dyn_expect_cap(struct kunit *test, struct io_tlb_mem *mem)
{
	unsigned long cap = mem->defpool.nslabs / 100;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	unsigned int i;

	zc_set_percent(test, 1);
	swiotlb_zc_get_stats(mem, &s0);
	while (zc_hold_mem(test, mem, 0, GFP_KERNEL))
		;
	swiotlb_zc_get_stats(mem, &st);
	KUNIT_EXPECT_EQ(test, ctx->nheld, cap / zc_slots(0));
	KUNIT_EXPECT_EQ(test, st.used, s0.used + ctx->nheld * zc_slots(0));
	zc_expect_fallback(test, &s0, &st, SWIOTLB_ZC_FB_CAP);
	for (i = 0; i < ctx->nheld; i++)
		KUNIT_EXPECT_TRUE(test, zc_in_pool(mem,
						   page_to_phys(ctx->held[i]),
						   PAGE_SIZE));
	zc_put_held(ctx, 0);
}

/*
 * Transient and added pools (CONFIG_SWIOTLB_DYNAMIC) never lend. On the
 * default allocator, which can grow under swiotlb=force: lend a page,
 * fill the default pool with streaming mappings until the next one takes
 * a transient pool and swiotlb_dyn_alloc() adds a pool, then lending is
 * refused as exhausted, the lent page still maps in place, and the
 * transient mapping bounces and unmaps as always. Everything is given
 * back; the added pool stays (nothing removes one) and is left empty.
 */
static void zc_test_dynamic_pools(struct kunit *test)
{
	struct io_tlb_pool *transient, *added;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct io_tlb_mem *mem;
	struct device *dev;
	struct page *page;
	long total_used;

	mem = zc_default_mem(test, 10, "swiotlb-zc-test-dyn");
	dev = ctx->default_dev;
	if (!mem->can_grow)
		kunit_skip(test, "default swiotlb cannot grow");
	KUNIT_ASSERT_EQ_MSG(test, mem->nslabs, mem->defpool.nslabs,
			    "the default allocator grew before this case");
	swiotlb_zc_get_stats(mem, &s0);
	total_used = zc_total_used(mem);

	page = zc_hold_mem(test, mem, ZC_DYN_ORDER, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	zc_dyn_fill(test, dev, mem);
	transient = zc_dyn_map_transient(test, dev, mem);
	added = zc_dyn_map_added(test, dev, mem);
	KUNIT_ASSERT_PTR_NE(test, added, transient);
	zc_dyn_expect_refused(test, mem);
	zc_dyn_expect_in_place(test, dev, mem, page);
	zc_dyn_unmap_transient(test, dev, transient);

	zc_unmap_all(ctx);
	zc_put_held(ctx, 0);
	swiotlb_zc_get_stats(mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, s0.used);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.allocs - s0.allocs, st.frees - s0.frees);
	KUNIT_EXPECT_EQ(test, zc_total_used(mem), total_used);
	zc_dyn_expect_cap(test, mem);
}
#endif /* CONFIG_SWIOTLB_DYNAMIC */

/*
 * Give an ordinary page that the test typed, and that the page allocator
 * then leaked, back to the buddy allocator. Only a leaked page: anything
 * else went wrong already, and freeing it could make it worse.
 */
static void zc_unleak(struct page *page)
{
	if (!zc_typed(page) || page_ref_count(page) || PageCompound(page))
		return;
	__folio_clear_swiotlb(page_folio(page));
	set_page_private(page, 0);
	init_page_count(page);
	__free_page(page);
}

/*
 * A page of type swiotlb that no pool lent is leaked, never given to the
 * buddy allocator. free_swiotlb_page() warns once: "swiotlb page ...
 * freed outside its pool, leaking it" is expected in the log of this
 * test. The test gives the leaked pages back to the buddy allocator.
 */
static void zc_test_stray(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	unsigned long owner[3];
	struct page *page;
	unsigned int i;
	void *dummy;

	zc_make_other(test, ZC_NSLABS, 1);
	dummy = kunit_kzalloc(test, sizeof(struct io_tlb_mem), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dummy);
	owner[0] = (unsigned long)dummy;	/* an allocator with no pool */
	owner[1] = (unsigned long)ctx->other;	/* a pool without the page */
	owner[2] = 0;				/* no allocator at all */

	for (i = 0; i < ARRAY_SIZE(owner); i++) {
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		__folio_set_swiotlb(page_folio(page));
		set_page_private(page, owner[i]);
		swiotlb_zc_get_stats(ctx->other, &s0);

		put_page(page);

		swiotlb_zc_get_stats(ctx->other, &st);
		KUNIT_EXPECT_EQ_MSG(test, st.stray, s0.stray + 1, "owner %u", i);
		KUNIT_EXPECT_EQ(test, st.frees, s0.frees);
		KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
		KUNIT_EXPECT_EQ(test, page_ref_count(page), 0);
		KUNIT_EXPECT_FALSE(test, PageBuddy(page));
		KUNIT_EXPECT_TRUE(test, zc_typed(page));
		zc_unleak(page);
	}
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.frees, ctx->start.frees);
}

/*
 * With every slot the cap allows lent, streaming mappings still get the
 * rest of the pool; once the pages are back, the whole pool maps again.
 */
static void zc_test_exhaustion_recovery(struct kunit *test)
{
	unsigned int lent, limit = ZC_NSLABS * 90 / 100;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats st;
	struct page *page;

	zc_require_direct(test, ctx->dev);
	zc_set_percent(test, 90);
	lent = zc_hold_many(test, 0, ZC_MAX_HELD);
	KUNIT_EXPECT_EQ(test, lent, limit / zc_slots(0));
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.fallback[SWIOTLB_ZC_FB_CAP], 1);

	KUNIT_EXPECT_EQ(test, zc_map_until_full(test, ctx->dev, IO_TLB_SIZE),
			ZC_NSLABS - lent * zc_slots(0));
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, ZC_NSLABS);

	zc_unmap_all(ctx);
	zc_put_held(ctx, 0);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, 0);
	KUNIT_EXPECT_EQ(test, st.used, 0);

	KUNIT_EXPECT_EQ(test, zc_map_until_full(test, ctx->dev, ZC_SEG_BYTES),
			ZC_NSLABS / IO_TLB_SEGSIZE);
	KUNIT_EXPECT_NE(test, zc_map(test, ctx->dev, IO_TLB_SIZE), 0);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, ZC_NSLABS);
	zc_unmap_all(ctx);

	page = zc_hold(test, ZC_MAX_ORDER, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, page);
}

struct zc_softirq {
	struct timer_list timer;
	struct completion done;
	struct device *dev;
	struct io_tlb_mem *mem;
	struct page *normal;
	struct page *zc;
	dma_addr_t dma;
	dma_addr_t zc_dma;
	bool in_softirq;
	bool unmap;
};

static void zc_softirq_fn(struct timer_list *t)
{
	struct zc_softirq *s = from_timer(s, t, timer);

	s->in_softirq = in_serving_softirq();
	if (!s->unmap) {
		s->dma = dma_map_page(s->dev, s->normal, 0, PAGE_SIZE,
				      DMA_TO_DEVICE);
		s->zc = swiotlb_zc_alloc_pages(s->mem, GFP_ATOMIC, 0);
		if (s->zc)
			s->zc_dma = dma_map_page(s->dev, s->zc, 0, PAGE_SIZE,
						 DMA_TO_DEVICE);
	} else {
		dma_unmap_page(s->dev, s->dma, PAGE_SIZE, DMA_TO_DEVICE);
		dma_unmap_page(s->dev, s->zc_dma, PAGE_SIZE, DMA_TO_DEVICE);
		put_page(s->zc);
	}
	complete(&s->done);
}

static bool zc_run_softirq(struct zc_softirq *s)
{
	bool done;

	reinit_completion(&s->done);
	mod_timer(&s->timer, jiffies);
	done = wait_for_completion_timeout(&s->done, 10 * HZ);
	timer_delete_sync(&s->timer);
	return done;
}

/* Lending, mapping and freeing work from softirq, counted as such. */
static void zc_test_softirq(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct zc_softirq *s;
	dma_addr_t dma;

	zc_require_direct(test, ctx->dev);
	zc_set_percent(test, 90);
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->normal = zc_alloc_normal(test);
	s->dev = ctx->dev;
	s->mem = ctx->mem;
	init_completion(&s->done);
	timer_setup(&s->timer, zc_softirq_fn, 0);

	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_ASSERT_TRUE(test, zc_run_softirq(s));
	KUNIT_EXPECT_TRUE(test, s->in_softirq);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(ctx->dev, s->dma));
	KUNIT_ASSERT_NOT_NULL(test, s->zc);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(ctx->dev, s->zc_dma));
	KUNIT_EXPECT_EQ(test, s->zc_dma,
			phys_to_dma_unencrypted(ctx->dev, page_to_phys(s->zc)));
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes, s0.bounced_bytes + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.bounced_softirq_bytes,
			s0.bounced_softirq_bytes + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.used, s0.used + zc_slots(0));

	/* The same bounce in process context is not softirq work. */
	dma = dma_map_page(ctx->dev, s->normal, 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (!dma_mapping_error(ctx->dev, dma))
		dma_unmap_page(ctx->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	swiotlb_zc_get_stats(ctx->mem, &s0);
	KUNIT_EXPECT_EQ(test, s0.bounced_bytes, st.bounced_bytes + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, s0.bounced_softirq_bytes,
			st.bounced_softirq_bytes);

	s->unmap = true;
	KUNIT_ASSERT_TRUE(test, zc_run_softirq(s));
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, 0);
	KUNIT_EXPECT_EQ(test, st.pool_used, ctx->start.pool_used);
	KUNIT_EXPECT_EQ(test, st.frees, s0.frees + 1);
}

struct zc_stress_param {
	const char *name;
	unsigned int free_slots;	/* left to the workers, the rest mapped */
	int order;			/* -1: random, 0 to ZC_STRESS_MAX_ORDER */
	unsigned int hold;		/* pages each worker keeps lent */
	bool streaming;			/* workers also map ordinary buffers */
	bool pause;			/* hold each page a little while */
};

/*
 * "mixed": half the pool free, all orders, streaming mappings in between.
 * "reuse": room for one order-1 page only, freed as soon as it is lent,
 * so that pages are built on slots another CPU has just freed.
 */
static const struct zc_stress_param zc_stress_params[] = {
	{ "mixed", ZC_STRESS_NSLABS / 2, -1, ZC_STRESS_HOLD, true, false },
	{ "reuse", 4, 1, 1, false, true },
};

static void zc_stress_desc(const struct zc_stress_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zc_stress, zc_stress_params, zc_stress_desc);

struct zc_stress;

struct zc_stress_worker {
	struct zc_stress *s;
	unsigned int id;
	u8 buf[PAGE_SIZE << 2];		/* source of streaming mappings */
};

struct zc_stress {
	const struct zc_stress_param *p;
	struct io_tlb_mem *mem;
	struct device *dev;
	struct completion start;
	struct completion done;
	unsigned long deadline;
	atomic_t running;
	atomic_long_t errors;
	atomic_long_t lent;
	atomic_long_t flips;
	struct zc_stress_worker workers[ZC_STRESS_WORKERS];
};

static void zc_stress_release(struct zc_stress *s, struct page *page,
			      unsigned int order, u8 tag,
			      enum zc_free_path path)
{
	/* Nobody else wrote to the slots while they were ours. */
	if (memchr_inv(page_address(page), tag, ZC_STRESS_TAG_BYTES) ||
	    !zc_typed(page) || page_ref_count(page) != 1 ||
	    page_private(page) != (unsigned long)s->mem)
		atomic_long_inc(&s->errors);
	zc_put(page, order, path, 1);
}

static int zc_stress_worker_fn(void *arg)
{
	struct zc_stress_worker *w = arg;
	struct page *ring[ZC_STRESS_HOLD] = {};
	unsigned int orders[ZC_STRESS_HOLD];
	enum zc_free_path path = w->id % ZC_NR_FREE_PATHS;
	struct zc_stress *s = w->s;
	const struct zc_stress_param *p = s->p;
	u8 tags[ZC_STRESS_HOLD];
	unsigned int i, slot;
	dma_addr_t dma;

	wait_for_completion(&s->start);
	/* At least ZC_STRESS_ITERS rounds, and all workers run together. */
	for (i = 0;
	     i < ZC_STRESS_ITERS || time_before(jiffies, s->deadline); i++) {
		unsigned int order;
		struct page *page;

		if (p->order < 0)
			order = get_random_u32_below(ZC_STRESS_MAX_ORDER + 1);
		else
			order = p->order;
		slot = i % p->hold;
		if (ring[slot]) {
			zc_stress_release(s, ring[slot], orders[slot],
					  tags[slot], path);
			ring[slot] = NULL;
			path = (path + 1) % ZC_NR_FREE_PATHS;
		}

		page = swiotlb_zc_alloc_pages(s->mem, GFP_KERNEL, order);
		if (page) {
			atomic_long_inc(&s->lent);
			if (!zc_typed(page) || compound_order(page) != order ||
			    page_to_phys(page) & ((PAGE_SIZE << order) - 1))
				atomic_long_inc(&s->errors);
			tags[slot] = w->id << 6 | (i & 0x3f);
			memset(page_address(page), tags[slot],
			       ZC_STRESS_TAG_BYTES);
			ring[slot] = page;
			orders[slot] = order;
			if (p->pause)
				udelay(5);
		}

		if (page && !(i % 4)) {
			dma = dma_map_page(s->dev, page, 0, PAGE_SIZE << order,
					   DMA_TO_DEVICE);
			if (dma != phys_to_dma_unencrypted(s->dev,
							   page_to_phys(page)))
				atomic_long_inc(&s->errors);
			if (!dma_mapping_error(s->dev, dma))
				dma_unmap_page(s->dev, dma, PAGE_SIZE << order,
					       DMA_TO_DEVICE);
		} else if (p->streaming && !(i % 8)) {
			size_t len = 1 + get_random_u32_below(sizeof(w->buf));

			dma = dma_map_single_attrs(s->dev, w->buf, len,
						   DMA_TO_DEVICE,
						   DMA_ATTR_NO_WARN);
			if (!dma_mapping_error(s->dev, dma))
				dma_unmap_single(s->dev, dma, len,
						 DMA_TO_DEVICE);
		}
		if (!(i % 64))
			cond_resched();
	}
	for (slot = 0; slot < ZC_STRESS_HOLD; slot++)
		if (ring[slot])
			zc_stress_release(s, ring[slot], orders[slot],
					  tags[slot], ZC_PUT_PAGE);

	atomic_dec(&s->running);
	kthread_complete_and_exit(&s->done, 0);
}

static int zc_stress_flipper_fn(void *arg)
{
	static const char * const percents[] = { "50", "10", "90", "0" };
	struct zc_stress *s = arg;
	unsigned int i = 0;

	wait_for_completion(&s->start);
	while (atomic_read(&s->running)) {
		if (swiotlb_zc_param_set(percents[i++ % ARRAY_SIZE(percents)]))
			atomic_long_inc(&s->errors);
		atomic_long_inc(&s->flips);
		usleep_range(50, 100);
	}
	kthread_complete_and_exit(&s->done, 0);
}

struct zc_thread {
	int (*fn)(void *arg);
	void *arg;
	const char *name;
};

/*
 * Run @n threads, bound round-robin to the online CPUs, from a common
 * start: each waits for @start, runs until *@deadline (set just before
 * @start completes) and ends with kthread_complete_and_exit(@done).
 * Return: 0; -ECHILD if a thread could not be created (none ran);
 * -ETIMEDOUT if they did not all finish (their data must be leaked).
 */
static int zc_run_threads(const struct zc_thread *t, unsigned int n,
			  struct completion *start, struct completion *done,
			  unsigned long *deadline)
{
	struct task_struct *tasks[ZC_STRESS_WORKERS + 1];
	unsigned int i, ncpus = num_online_cpus();

	if (WARN_ON(n > ARRAY_SIZE(tasks)))
		return -ECHILD;
	for (i = 0; i < n; i++) {
		tasks[i] = kthread_create(t[i].fn, t[i].arg, "%s/%u",
					  t[i].name, i);
		if (IS_ERR(tasks[i])) {
			while (i--)
				kthread_stop(tasks[i]);
			return -ECHILD;
		}
		if (ncpus > 1)
			kthread_bind(tasks[i],
				     cpumask_nth(i % ncpus, cpu_online_mask));
	}
	for (i = 0; i < n; i++)
		wake_up_process(tasks[i]);
	/* Let them all reach the start line, then go. */
	msleep(20);
	*deadline = jiffies + msecs_to_jiffies(ZC_STRESS_MSECS);
	complete_all(start);
	for (i = 0; i < n; i++)
		if (!wait_for_completion_timeout(done, 120 * HZ))
			return -ETIMEDOUT;
	return 0;
}

/*
 * Workers on different CPUs lend, map in place, and free through every
 * free path while zerocopy_tx_percent flips under them. The pool is small,
 * has a single area and is mostly taken by streaming mappings made
 * beforehand, so that all of them contend for the same few slots (see
 * zc_stress_params). Nothing may be lost, leaked, or lent twice.
 */
static void zc_test_stress(struct kunit *test)
{
	const struct zc_stress_param *p = test->param_value;
	struct zc_thread t[ZC_STRESS_WORKERS + 1];
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct zc_stress *s;
	unsigned int i;
	long used0;
	int ret;

	zc_make_other(test, ZC_STRESS_NSLABS, 1);
	zc_require_direct(test, ctx->other_dev);
	zc_set_percent(test, 90);
	/* Not a kunit allocation: it is leaked if the threads hang. */
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->p = p;
	s->mem = ctx->other;
	s->dev = ctx->other_dev;
	init_completion(&s->start);
	init_completion(&s->done);
	atomic_set(&s->running, ZC_STRESS_WORKERS);
	for (i = 0; i < ZC_STRESS_WORKERS; i++) {
		s->workers[i].s = s;
		s->workers[i].id = i;
	}
	for (i = 0; i < (ZC_STRESS_NSLABS - p->free_slots) / 8; i++)
		KUNIT_EXPECT_EQ(test, zc_map(test, s->dev, 8 * IO_TLB_SIZE), 0);
	swiotlb_zc_get_stats(s->mem, &s0);
	used0 = zc_total_used(s->mem);

	for (i = 0; i < ZC_STRESS_WORKERS; i++)
		t[i] = (struct zc_thread){ zc_stress_worker_fn, &s->workers[i],
					   "zc_stress" };
	t[i] = (struct zc_thread){ zc_stress_flipper_fn, s, "zc_stress_flip" };
	ret = zc_run_threads(t, ARRAY_SIZE(t), &s->start, &s->done,
			     &s->deadline);
	if (ret == -ETIMEDOUT) {
		/* The threads still use *s: leak it. */
		KUNIT_FAIL(test, "stress threads did not finish");
		return;
	}
	if (ret) {
		kfree(s);
		KUNIT_FAIL(test, "cannot create stress threads");
		return;
	}
	zc_set_percent(test, 90);

	swiotlb_zc_get_stats(s->mem, &st);
	kunit_info(test, "%ld pages lent, %ld percent flips, fallbacks: disabled %lu cap %lu exhausted %lu fragmented %lu\n",
		   atomic_long_read(&s->lent), atomic_long_read(&s->flips),
		   st.fallback[SWIOTLB_ZC_FB_DISABLED] -
		   s0.fallback[SWIOTLB_ZC_FB_DISABLED],
		   st.fallback[SWIOTLB_ZC_FB_CAP] - s0.fallback[SWIOTLB_ZC_FB_CAP],
		   st.fallback[SWIOTLB_ZC_FB_EXHAUSTED] -
		   s0.fallback[SWIOTLB_ZC_FB_EXHAUSTED],
		   st.fallback[SWIOTLB_ZC_FB_FRAGMENTED] -
		   s0.fallback[SWIOTLB_ZC_FB_FRAGMENTED]);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->errors), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->lent), 0);
	KUNIT_EXPECT_EQ(test, st.used, 0);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.allocs - s0.allocs, atomic_long_read(&s->lent));
	KUNIT_EXPECT_EQ(test, st.allocs - s0.allocs, st.frees - s0.frees);
	KUNIT_EXPECT_EQ(test, st.stray, s0.stray);
	KUNIT_EXPECT_EQ(test, zc_total_used(s->mem), used0);
	KUNIT_EXPECT_LE(test, st.hiwater, ZC_STRESS_NSLABS * 90 / 100);
	kfree(s);
}

/* Cap of 25 slots: one order-3 page (16 slots) fits, a second never does. */
#define ZC_CAP_RACE_PERCENT	20
#define ZC_CAP_RACE_ORDER	3

struct zc_cap_race {
	struct io_tlb_mem *mem;
	struct completion start;
	struct completion done;
	unsigned long cap;
	unsigned long deadline;
	atomic_t running;
	atomic_long_t lent;
	atomic_long_t max_used;
};

static void zc_cap_race_sample(struct zc_cap_race *r)
{
	struct swiotlb_zc_stats st;
	long old;

	swiotlb_zc_get_stats(r->mem, &st);
	old = atomic_long_read(&r->max_used);
	while ((long)st.used > old &&
	       !atomic_long_try_cmpxchg(&r->max_used, &old, st.used))
		;
}

static int zc_cap_race_fn(void *arg)
{
	struct zc_cap_race *r = arg;
	struct page *page;

	wait_for_completion(&r->start);
	while (time_before(jiffies, r->deadline)) {
		page = swiotlb_zc_alloc_pages(r->mem, GFP_KERNEL,
					      ZC_CAP_RACE_ORDER);
		zc_cap_race_sample(r);
		if (page) {
			atomic_long_inc(&r->lent);
			zc_put(page, ZC_CAP_RACE_ORDER, ZC_PUT_PAGE, 1);
		}
		cond_resched();
	}
	atomic_dec(&r->running);
	kthread_complete_and_exit(&r->done, 0);
}

static int zc_cap_race_sampler_fn(void *arg)
{
	struct zc_cap_race *r = arg;

	wait_for_completion(&r->start);
	while (atomic_read(&r->running)) {
		zc_cap_race_sample(r);
		cond_resched();		/* shares a CPU with a worker */
	}
	kthread_complete_and_exit(&r->done, 0);
}

/*
 * io_tlb_zc_used is "slots lent": allocators racing for the last room
 * under the cap must never push it over the cap, not even for a moment,
 * or an operator reading it (and the benchmark's peak) sees more lent
 * than zerocopy_tx_percent allows. Workers on every CPU lend and free
 * order-3 pages where only one fits; a sampler reads the counter.
 */
static void zc_test_cap_no_overshoot(struct kunit *test)
{
	struct zc_thread t[ZC_STRESS_WORKERS + 1];
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats st;
	struct zc_cap_race *r;
	unsigned int i;
	int ret;

	zc_make_other(test, ZC_STRESS_NSLABS, 1);
	zc_set_percent(test, ZC_CAP_RACE_PERCENT);
	r = kzalloc(sizeof(*r), GFP_KERNEL);	/* leaked if threads hang */
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->mem = ctx->other;
	r->cap = ZC_STRESS_NSLABS * ZC_CAP_RACE_PERCENT / 100;
	init_completion(&r->start);
	init_completion(&r->done);
	atomic_set(&r->running, ZC_STRESS_WORKERS);

	for (i = 0; i < ZC_STRESS_WORKERS; i++)
		t[i] = (struct zc_thread){ zc_cap_race_fn, r, "zc_cap_race" };
	t[i] = (struct zc_thread){ zc_cap_race_sampler_fn, r, "zc_cap_sample" };
	ret = zc_run_threads(t, ARRAY_SIZE(t), &r->start, &r->done,
			     &r->deadline);
	if (ret == -ETIMEDOUT) {
		KUNIT_FAIL(test, "threads did not finish");	/* leak *r */
		return;
	}
	if (ret) {
		kfree(r);
		KUNIT_FAIL(test, "cannot create threads");
		return;
	}
	swiotlb_zc_get_stats(r->mem, &st);
	kunit_info(test, "%ld pages lent, highest io_tlb_zc_used seen %ld, cap %lu\n",
		   atomic_long_read(&r->lent), atomic_long_read(&r->max_used),
		   r->cap);
	KUNIT_EXPECT_GT(test, atomic_long_read(&r->lent), 0);
	KUNIT_EXPECT_LE(test, atomic_long_read(&r->max_used), (long)r->cap);
	KUNIT_EXPECT_LE(test, st.hiwater, r->cap);
	KUNIT_EXPECT_EQ(test, st.used, 0);
	kfree(r);
}

/*
 * The lending region, as swiotlb_zc_alloc_pages() documents it: the fewest
 * whole segments that hold the cap, at the top of each area, the lower
 * areas taking the remainder. Return the first slot of area @a's share.
 */
static unsigned long zc_region_start(struct io_tlb_mem *mem,
				     unsigned int percent, unsigned int a)
{
	struct io_tlb_pool *pool = &mem->defpool;
	unsigned long cap = pool->nslabs * percent / 100;
	unsigned long segs = DIV_ROUND_UP(cap, IO_TLB_SEGSIZE);
	unsigned long n = segs / pool->nareas + (a < segs % pool->nareas);
	unsigned long end = (a + 1) * pool->area_nslabs;

	return end - min(n * IO_TLB_SEGSIZE, pool->area_nslabs);
}

static bool zc_slot_in_region(struct io_tlb_mem *mem, unsigned int percent,
			      unsigned long slot)
{
	unsigned int a = slot / mem->defpool.area_nslabs;

	return slot >= zc_region_start(mem, percent, a);
}

#define ZC_REGION_NSLABS	2048	/* 4 MiB: two areas of eight segments */
#define ZC_REGION_AREAS		2
#define ZC_REGION_SEGS		(ZC_REGION_NSLABS / IO_TLB_SEGSIZE)

static const unsigned int zc_region_percents[] = { 1, 10, 50, 75, 90 };

KUNIT_ARRAY_PARAM(zc_region, zc_region_percents, zc_percent_desc);

/* Lend order-0 pages from @mem until it refuses. */
static void zc_lend_until_refused(struct kunit *test, struct io_tlb_mem *mem)
{
	while (zc_hold_mem(test, mem, 0, GFP_KERNEL))
		;
}

/*
 * Give back every held page but the first one found in each segment.
 * Return: the number of pages kept, one per segment the lender used.
 */
static unsigned int zc_keep_one_per_segment(struct zc_ctx *ctx,
					    struct io_tlb_mem *mem,
					    struct page **keeper)
{
	unsigned int i = 0;

	while (i < ctx->nheld) {
		struct page *page = ctx->held[i];
		unsigned long seg = zc_pool_slot(mem, page_to_phys(page)) /
				    IO_TLB_SEGSIZE;

		if (!keeper[seg])
			keeper[seg] = page;
		if (keeper[seg] == page) {
			i++;
			continue;
		}
		put_page(page);
		ctx->held[i] = ctx->held[--ctx->nheld];
	}
	return ctx->nheld;
}

/*
 * Map @size bytes until the pool is full, count the mappings that landed
 * in the streaming share of each area (below its lending region), and
 * unmap them all. Return: the total number of mappings.
 */
static unsigned int zc_map_count_areas(struct kunit *test, struct device *dev,
				       struct io_tlb_mem *mem,
				       unsigned int percent, size_t size,
				       unsigned int *streaming)
{
	struct zc_ctx *ctx = test->priv;
	unsigned int i, n;

	memset(streaming, 0, ZC_REGION_AREAS * sizeof(*streaming));
	n = zc_map_until_full(test, dev, size);
	for (i = 0; i < ctx->nmaps; i++) {
		unsigned long slot = zc_pool_slot(mem, dma_to_phys(dev,
							ctx->maps[i].addr));

		if (!zc_slot_in_region(mem, percent, slot))
			streaming[slot / mem->defpool.area_nslabs]++;
	}
	zc_unmap_all(ctx);
	return n;
}

/*
 * Lending cannot fragment streaming space. Worst case: lending at the cap
 * and one lent page in every segment the lender may use, built by lending
 * up to the cap and giving back all pages but one per segment until no
 * new segment is reached. Then every streaming mapping size up to
 * swiotlb_max_mapping_size() fills the streaming share of every area
 * completely; a lender that used any segment would leave no room there
 * for a maximal mapping.
 */
static void zc_test_region(struct kunit *test)
{
	static const size_t sizes[] = {
		IO_TLB_SIZE, SZ_4K, SZ_8K, SZ_32K, SZ_64K, SZ_128K, SZ_256K,
	};
	const unsigned int *percent = test->param_value;
	struct page *keeper[ZC_REGION_SEGS] = {};
	unsigned int streaming[ZC_REGION_AREAS];
	unsigned int kept = 0, prev, nregion = 0;
	struct zc_ctx *ctx = test->priv;
	struct io_tlb_mem *mem;
	struct device *dev;
	unsigned long seg;
	size_t max;
	int i, a;

	zc_make_other(test, ZC_REGION_NSLABS, ZC_REGION_AREAS);
	mem = ctx->other;
	dev = ctx->other_dev;
	zc_require_direct(test, dev);
	max = swiotlb_max_mapping_size(dev);
	KUNIT_ASSERT_EQ(test, max, (size_t)ZC_SEG_BYTES);
	zc_set_percent(test, *percent);
	for (seg = 0; seg < ZC_REGION_SEGS; seg++)
		nregion += zc_slot_in_region(mem, *percent,
					     seg * IO_TLB_SEGSIZE);

	do {
		prev = kept;
		zc_lend_until_refused(test, mem);
		kept = zc_keep_one_per_segment(ctx, mem, keeper);
	} while (kept > prev);
	kunit_info(test, "%u%%: %u lending segments of %u, one page in each\n",
		   *percent, kept, ZC_REGION_SEGS);
	KUNIT_EXPECT_EQ(test, kept, nregion);
	for (seg = 0; seg < ZC_REGION_SEGS; seg++)
		KUNIT_EXPECT_EQ_MSG(test, !!keeper[seg],
				    zc_slot_in_region(mem, *percent,
						      seg * IO_TLB_SEGSIZE),
				    "segment %lu", seg);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned int nslots = sizes[i] / IO_TLB_SIZE;

		zc_map_count_areas(test, dev, mem, *percent, sizes[i],
				   streaming);
		for (a = 0; a < ZC_REGION_AREAS; a++) {
			unsigned long share = zc_region_start(mem, *percent, a) -
					      a * mem->defpool.area_nslabs;

			KUNIT_EXPECT_EQ_MSG(test, streaming[a], share / nslots,
					    "%zu-byte mappings in area %d",
					    sizes[i], a);
		}
	}
	/* A maximal mapping fits in no segment the lender used. */
	KUNIT_EXPECT_EQ(test, zc_map_count_areas(test, dev, mem, *percent, max,
						 streaming),
			ZC_REGION_SEGS - nregion);
}

/*
 * New lends follow the cap of the moment; pages lent under a larger cap
 * stay where they are until freed.
 */
static void zc_test_region_follows_cap(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats st;
	unsigned long slot;
	struct page *old;
	unsigned int i;

	zc_set_percent(test, 50);
	old = zc_hold(test, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, old);
	slot = zc_pool_slot(ctx->mem, page_to_phys(old));
	KUNIT_EXPECT_TRUE(test, zc_slot_in_region(ctx->mem, 50, slot));

	/* 10% of 1024 slots: 102, one segment, all in area 0. */
	zc_set_percent(test, 10);
	zc_lend_until_refused(test, ctx->mem);
	KUNIT_EXPECT_EQ(test, ctx->nheld, 102 / zc_slots(0));
	for (i = 0; i < ctx->nheld; i++) {
		slot = zc_pool_slot(ctx->mem, page_to_phys(ctx->held[i]));
		KUNIT_EXPECT_TRUE(test, zc_typed(ctx->held[i]));
		if (ctx->held[i] == old)
			continue;
		KUNIT_EXPECT_GE(test, slot, zc_region_start(ctx->mem, 10, 0));
		KUNIT_EXPECT_LT(test, slot, ctx->mem->defpool.area_nslabs);
	}
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, ctx->nheld * zc_slots(0));
}

/*
 * Bounce copies are counted only while lending is on or a reader of the
 * counters holds a reference: a static branch costs the others nothing.
 */
static void zc_test_count_key(struct kunit *test)
{
	static const struct {
		int percent;	/* -1: keep */
		int stats;	/* +1: swiotlb_zc_stats_get(), -1: put */
		bool counted;
	} steps[] = {
		{ 0, 0, false }, { -1, 1, true }, { -1, 1, true },
		{ -1, -1, true }, { -1, -1, false }, { 10, 0, true },
		{ -1, 1, true }, { 0, 0, true }, { -1, -1, false },
	};
	const size_t len = 300;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	unsigned int i;

	zc_require_direct(test, ctx->dev);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		if (steps[i].percent >= 0)
			zc_set_percent(test, steps[i].percent);
		if (steps[i].stats > 0)
			swiotlb_zc_stats_get();
		else if (steps[i].stats < 0)
			swiotlb_zc_stats_put();
		swiotlb_zc_get_stats(ctx->mem, &s0);
		KUNIT_ASSERT_EQ(test, zc_map(test, ctx->dev, len), 0);
		zc_unmap_all(ctx);
		swiotlb_zc_get_stats(ctx->mem, &st);
		KUNIT_EXPECT_EQ_MSG(test, st.bounced_bytes - s0.bounced_bytes,
				    steps[i].counted ? len : 0, "step %u", i);
		/* The inline test the socket side uses follows the same key. */
		KUNIT_EXPECT_EQ_MSG(test, swiotlb_zc_counting(),
				    steps[i].counted, "step %u", i);
	}
}

/*
 * A sender's copy into a page_frag (swiotlb_zc_count_tx_copy(), called by
 * tcp_sendmsg_locked() and the IP append paths): into a lent page it is
 * counted in the pool that lent it, into any other page in the default
 * pool; nothing is counted in the other one.
 */
static void zc_test_count_tx_copy(struct kunit *test)
{
	struct swiotlb_zc_stats s0, st, d0, d;
	struct zc_ctx *ctx = test->priv;
	struct io_tlb_mem *def;
	struct page *lent, *plain;

	zc_set_percent(test, 10);
	KUNIT_ASSERT_TRUE(test, swiotlb_zc_counting());
	ctx->default_dev = zc_dev_create("swiotlb-zc-test-default", NULL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->default_dev);
	def = ctx->default_dev->dma_io_tlb_mem;
	KUNIT_ASSERT_NOT_NULL(test, def);
	KUNIT_ASSERT_PTR_NE(test, def, ctx->mem);
	lent = zc_hold(test, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lent);
	plain = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, plain);

	swiotlb_zc_get_stats(ctx->mem, &s0);
	swiotlb_zc_get_stats(def, &d0);
	swiotlb_zc_count_tx_copy(lent, 1000);
	swiotlb_zc_count_tx_copy(lent + 1, 24);	/* a tail page */
	swiotlb_zc_count_tx_copy(plain, 3000);
	swiotlb_zc_get_stats(ctx->mem, &st);
	swiotlb_zc_get_stats(def, &d);
	__free_page(plain);

	KUNIT_EXPECT_EQ(test, st.copied_lent_bytes - s0.copied_lent_bytes, 1024UL);
	KUNIT_EXPECT_EQ(test, st.copied_bytes, s0.copied_bytes);
	KUNIT_EXPECT_EQ(test, d.copied_bytes - d0.copied_bytes, 3000UL);
	KUNIT_EXPECT_EQ(test, d.copied_lent_bytes, d0.copied_lent_bytes);
}

#ifndef MODULE
/* Lending as the kernel command line left it, before any case ran. */
static unsigned int zc_boot_percent;
static bool zc_boot_enabled, zc_boot_counting;

static int zc_suite_init(struct kunit_suite *suite)
{
	zc_boot_percent = swiotlb_zc_tx_percent();
	zc_boot_enabled = swiotlb_zc_enabled();
	zc_boot_counting = swiotlb_zc_counting();
	return 0;
}

/*
 * swiotlb.zerocopy_tx_percent=N on the kernel command line (.kunitconfig
 * passes 7) turns lending on at boot with no runtime write: the parameter
 * is parsed before static keys work, and the initcall must flip them.
 * Without the parameter (or with a bad value), lending is off at boot.
 * The last occurrence wins, as in the kernel's own parsing.
 */
static void zc_test_boot_cmdline(struct kunit *test)
{
	static const char key[] = "swiotlb.zerocopy_tx_percent=";
	const char *p = saved_command_line, *arg = NULL;
	unsigned int want = 0;
	char val[16] = "";

	while ((p = strstr(p, key))) {
		if (p == saved_command_line || p[-1] == ' ')
			arg = p + strlen(key);
		p += strlen(key);
	}
	if (arg) {
		strscpy(val, arg, min_t(size_t, strcspn(arg, " ") + 1,
					sizeof(val)));
		if (kstrtouint(val, 0, &want) || want > 90)
			want = 0;
	}
	kunit_info(test, "command line: %s%s; at boot: percent %u, lending %s, counting %s",
		   arg ? "zerocopy_tx_percent=" : "no zerocopy_tx_percent",
		   val, zc_boot_percent, str_on_off(zc_boot_enabled),
		   str_on_off(zc_boot_counting));
	KUNIT_EXPECT_EQ(test, zc_boot_percent, want);
	KUNIT_EXPECT_EQ(test, zc_boot_enabled, want > 0);
	KUNIT_EXPECT_EQ(test, zc_boot_counting, want > 0);
}
#endif

#define ZC_COUNT_THREADS	(ZC_STRESS_WORKERS + 1)
#define ZC_COUNT_ITERS		400
#define ZC_COUNT_BOUNCE		100

struct zc_count;

struct zc_count_worker {
	struct zc_count *c;
	u8 buf[ZC_COUNT_BOUNCE];
};

struct zc_count {
	struct io_tlb_mem *mem;
	struct device *dev;
	struct completion start;
	struct completion done;
	unsigned long deadline;
	atomic_long_t errors;
	struct zc_count_worker workers[ZC_COUNT_THREADS];
};

/* One round: lend, map every other page in place, free, bounce, refuse. */
static void zc_count_round(struct zc_count_worker *w, unsigned int i)
{
	struct zc_count *c = w->c;
	struct page *page;
	dma_addr_t dma;

	page = swiotlb_zc_alloc_pages(c->mem, GFP_KERNEL, 0);
	if (!page) {
		atomic_long_inc(&c->errors);
		return;
	}
	if (i & 1) {
		dma = dma_map_page(c->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
		if (dma_mapping_error(c->dev, dma))
			atomic_long_inc(&c->errors);
		else
			dma_unmap_page(c->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	}
	put_page(page);
	dma = dma_map_single(c->dev, w->buf, ZC_COUNT_BOUNCE, DMA_TO_DEVICE);
	if (dma_mapping_error(c->dev, dma))
		atomic_long_inc(&c->errors);
	else
		dma_unmap_single(c->dev, dma, ZC_COUNT_BOUNCE, DMA_TO_DEVICE);
	if (swiotlb_zc_alloc_pages(c->mem, GFP_KERNEL, ZC_MAX_ORDER + 1))
		atomic_long_inc(&c->errors);
}

static int zc_count_fn(void *arg)
{
	struct zc_count_worker *w = arg;
	unsigned int i;

	wait_for_completion(&w->c->start);
	for (i = 0; i < ZC_COUNT_ITERS; i++) {
		zc_count_round(w, i);
		if (!(i % 32))
			cond_resched();
	}
	kthread_complete_and_exit(&w->c->done, 0);
}

/* The per-CPU counters add up exactly with threads on every CPU. */
static void zc_test_counters_exact(struct kunit *test)
{
	const unsigned long n = ZC_COUNT_THREADS * ZC_COUNT_ITERS;
	struct zc_thread t[ZC_COUNT_THREADS];
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct zc_count *c;
	unsigned int i;
	int ret;

	zc_require_direct(test, ctx->dev);
	zc_set_percent(test, 90);
	c = kzalloc(sizeof(*c), GFP_KERNEL);	/* leaked if threads hang */
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->mem = ctx->mem;
	c->dev = ctx->dev;
	init_completion(&c->start);
	init_completion(&c->done);
	for (i = 0; i < ZC_COUNT_THREADS; i++) {
		c->workers[i].c = c;
		t[i] = (struct zc_thread){ zc_count_fn, &c->workers[i],
					   "zc_count" };
	}
	swiotlb_zc_get_stats(ctx->mem, &s0);
	ret = zc_run_threads(t, ZC_COUNT_THREADS, &c->start, &c->done,
			     &c->deadline);
	if (ret == -ETIMEDOUT) {
		KUNIT_FAIL(test, "threads did not finish");
		return;
	}
	if (ret) {
		kfree(c);
		KUNIT_FAIL(test, "cannot create threads");
		return;
	}
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->errors), 0);
	KUNIT_EXPECT_EQ(test, st.allocs - s0.allocs, n);
	KUNIT_EXPECT_EQ(test, st.frees - s0.frees, n);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes - s0.mapped_bytes,
			n / 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes - s0.bounced_bytes,
			n * ZC_COUNT_BOUNCE);
	KUNIT_EXPECT_EQ(test, st.cleared - s0.cleared, n / 2);
	for (i = 0; i < SWIOTLB_ZC_FB_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, st.fallback[i] - s0.fallback[i],
				    i == SWIOTLB_ZC_FB_POOL ? n : 0,
				    "fallback reason %u", i);
	KUNIT_EXPECT_EQ(test, st.used, 0);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	kfree(c);
}

/*
 * The pool is full of one-slot mappings: unmap the two at an aligned pair
 * of slots, room for an order-0 page. Return: the first slot of the pair.
 */
static unsigned long zc_free_pair(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	unsigned long slot, want;
	unsigned int i, found = 0;

	KUNIT_ASSERT_GT(test, ctx->nmaps, 0);
	want = zc_pool_slot(ctx->mem, dma_to_phys(ctx->dev,
						  ctx->maps[0].addr)) & ~1UL;
	for (i = ctx->nmaps; i-- > 0; ) {
		slot = zc_pool_slot(ctx->mem, dma_to_phys(ctx->dev,
							  ctx->maps[i].addr));
		if (slot == want || slot == want + 1) {
			zc_unmap(ctx, i);	/* moves the last one to i */
			found++;
		}
	}
	KUNIT_ASSERT_EQ(test, found, 2);
	return want;
}

/*
 * After two failed searches in a row, lending backs off: the next request
 * is refused without a search even though a page fits by now. A jiffy
 * later it searches and lends again. The host may stop the guest for
 * longer than the back-off, so a round that took too long is retried.
 */
static void zc_test_backoff(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	unsigned long j0, slot;
	struct page *page;
	unsigned int round;

	zc_require_direct(test, ctx->dev);
	zc_set_percent(test, 90);
	KUNIT_ASSERT_EQ(test, zc_map_until_full(test, ctx->dev, IO_TLB_SIZE),
			ZC_NSLABS);
	for (round = 0; round < 10; round++) {
		msleep(jiffies_to_msecs(3));	/* any back-off is over */
		swiotlb_zc_get_stats(ctx->mem, &s0);
		j0 = jiffies;
		KUNIT_ASSERT_NULL(test, zc_hold(test, 0, GFP_KERNEL));
		KUNIT_ASSERT_NULL(test, zc_hold(test, 0, GFP_KERNEL));
		slot = zc_free_pair(test);
		page = zc_hold(test, 0, GFP_KERNEL);
		if (!page || time_before_eq(jiffies, j0 + 1))
			break;
		/* Too slow: the back-off was over. Start again. */
		zc_put_held(ctx, 0);
		KUNIT_ASSERT_EQ(test, zc_map_until_full(test, ctx->dev,
							IO_TLB_SIZE), 2);
	}
	KUNIT_ASSERT_LT(test, round, 10);
	KUNIT_EXPECT_NULL(test, page);
	swiotlb_zc_get_stats(ctx->mem, &st);
	/* Two searches, then none: the page that fits was not looked for. */
	KUNIT_EXPECT_EQ(test, st.fallback[SWIOTLB_ZC_FB_EXHAUSTED],
			s0.fallback[SWIOTLB_ZC_FB_EXHAUSTED] + 2);
	KUNIT_EXPECT_EQ(test, st.fallback[SWIOTLB_ZC_FB_BACKOFF],
			s0.fallback[SWIOTLB_ZC_FB_BACKOFF] + 1);
	KUNIT_EXPECT_EQ(test, st.fallback[SWIOTLB_ZC_FB_FRAGMENTED],
			s0.fallback[SWIOTLB_ZC_FB_FRAGMENTED]);
	KUNIT_EXPECT_EQ(test, st.allocs, s0.allocs);

	/* Larger orders back off with it. */
	KUNIT_EXPECT_NULL(test, zc_hold(test, 2, GFP_KERNEL));
	swiotlb_zc_get_stats(ctx->mem, &s0);
	if (time_before_eq(jiffies, j0 + 1))
		KUNIT_EXPECT_EQ(test, s0.fallback[SWIOTLB_ZC_FB_BACKOFF],
				st.fallback[SWIOTLB_ZC_FB_BACKOFF] + 1);

	/* A jiffy later, it searches and lends again. */
	msleep(jiffies_to_msecs(3));
	page = zc_hold(test, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, zc_pool_slot(ctx->mem, page_to_phys(page)), slot);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.allocs, s0.allocs + 1);
}

/*
 * A device that may write into a lent page gets a bounce slot, with the
 * semantics it has for any other page: DMA_FROM_DEVICE and
 * DMA_BIDIRECTIONAL are never mapped in place.
 */
static void zc_test_map_direction(struct kunit *test)
{
	const size_t off = 512, len = PAGE_SIZE;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct device *dev = ctx->dev;
	struct page *page;
	phys_addr_t phys;
	dma_addr_t dma;
	u8 *p;

	zc_require_direct(test, dev);
	zc_set_percent(test, 90);
	page = zc_hold(test, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	p = page_address(page);
	zc_fill(p, PAGE_SIZE << 1, 3);
	swiotlb_zc_get_stats(ctx->mem, &s0);

	/* The device writes the first half; the rest keeps its old value. */
	dma = dma_map_page(dev, page, off, len, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	phys = dma_to_phys(dev, dma);
	KUNIT_EXPECT_NE(test, phys, page_to_phys(page) + off);
	KUNIT_EXPECT_TRUE(test, zc_in_pool(ctx->mem, phys, len));
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used + zc_slots(0));
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes);
	zc_fill(phys_to_virt(phys), len / 2, 77);
	dma_unmap_page(dev, dma, len, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE(test, zc_check(p + off, len / 2, 77));
	zc_fill(p + off, len / 2, 3);
	KUNIT_EXPECT_TRUE(test, zc_check(p, PAGE_SIZE << 1, 3));

	/* Both ways: bounced in, what the device writes is copied back. */
	dma = dma_map_page(dev, page, 0, len, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	phys = dma_to_phys(dev, dma);
	KUNIT_EXPECT_NE(test, phys, page_to_phys(page));
	KUNIT_EXPECT_TRUE(test, zc_check(phys_to_virt(phys), len, 3));
	zc_fill(phys_to_virt(phys), len, 55);
	dma_sync_single_for_cpu(dev, dma, len, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_TRUE(test, zc_check(p, len, 55));
	dma_unmap_page(dev, dma, len, DMA_BIDIRECTIONAL);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes);
	KUNIT_EXPECT_GE(test, st.bounced_bytes, s0.bounced_bytes + len);
	zc_expect_lent(test, ctx->mem, page, 1);
}

/* Lend a page of @order, fill it, map it in the way @how says, free it. */
enum zc_clear_how { ZC_NOT_MAPPED, ZC_MAPPED_IN_PLACE, ZC_MAPPED_BOUNCED };

static phys_addr_t zc_lend_fill_free(struct kunit *test, unsigned int order,
				     enum zc_clear_how how)
{
	size_t size = PAGE_SIZE << order;
	struct zc_ctx *ctx = test->priv;
	struct page *page;
	phys_addr_t phys;
	dma_addr_t dma;

	page = zc_hold(test, order, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	phys = page_to_phys(page);
	zc_fill(page_address(page), size, 9);
	if (how != ZC_NOT_MAPPED) {
		dma = dma_map_page(ctx->dev, page, 0, size,
				   how == ZC_MAPPED_IN_PLACE ? DMA_TO_DEVICE :
							      DMA_FROM_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(ctx->dev, dma));
		KUNIT_EXPECT_EQ(test, dma == phys_to_dma_unencrypted(ctx->dev,
								     phys),
				how == ZC_MAPPED_IN_PLACE);
		dma_unmap_page(ctx->dev, dma, size,
			       how == ZC_MAPPED_IN_PLACE ? DMA_TO_DEVICE :
							  DMA_FROM_DEVICE);
	}
	zc_forget(ctx, page);
	put_page(page);
	return phys;
}

/*
 * A lent page whose payload never left through a device in place stayed
 * in the guest: it is cleared before its slots go back, and counted. A
 * page a device mapped in place is not.
 */
static void zc_test_clear_unmapped(struct kunit *test)
{
	static const struct {
		enum zc_clear_how how;
		bool cleared;
	} cases[] = {
		{ ZC_NOT_MAPPED, true },
		{ ZC_MAPPED_IN_PLACE, false },
		{ ZC_MAPPED_BOUNCED, true },
	};
	const size_t size = PAGE_SIZE << 3;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	phys_addr_t phys;
	unsigned int i;

	zc_require_direct(test, ctx->dev);
	zc_set_percent(test, 90);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		swiotlb_zc_get_stats(ctx->mem, &s0);
		phys = zc_lend_fill_free(test, 3, cases[i].how);
		swiotlb_zc_get_stats(ctx->mem, &st);
		KUNIT_EXPECT_EQ_MSG(test, st.cleared - s0.cleared,
				    cases[i].cleared, "case %u", i);
		KUNIT_EXPECT_EQ(test, st.frees, s0.frees + 1);
		if (cases[i].cleared)
			KUNIT_EXPECT_NULL_MSG(test,
					      memchr_inv(phys_to_virt(phys), 0,
							 size), "case %u", i);
		else
			KUNIT_EXPECT_TRUE_MSG(test,
					      zc_check(phys_to_virt(phys), size,
						       9), "case %u", i);
	}
}

#define ZC_CLEAR_ROUNDS	64

/*
 * What clearing an unmapped 32 KiB page costs on return: printed, never
 * checked. The fastest of ZC_CLEAR_ROUNDS returns of a page that was
 * never mapped (cleared) and of one mapped in place (not cleared), so
 * that a vCPU the host preempts does not count.
 */
static void zc_test_clear_cost(struct kunit *test)
{
	u64 t[2] = { U64_MAX, U64_MAX }, t0, dt;
	const size_t size = PAGE_SIZE << 3;
	struct zc_ctx *ctx = test->priv;
	unsigned int i, mapped;
	struct page *page;
	dma_addr_t dma;

	zc_require_direct(test, ctx->dev);
	zc_set_percent(test, 90);
	for (i = 0; i < 2 * ZC_CLEAR_ROUNDS; i++) {
		mapped = i & 1;
		page = zc_hold(test, 3, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		memset(page_address(page), 0x5a, size);
		if (mapped) {
			dma = dma_map_page(ctx->dev, page, 0, size,
					   DMA_TO_DEVICE);
			KUNIT_ASSERT_FALSE(test,
					   dma_mapping_error(ctx->dev, dma));
			dma_unmap_page(ctx->dev, dma, size, DMA_TO_DEVICE);
		}
		zc_forget(ctx, page);
		t0 = ktime_get_ns();
		put_page(page);
		dt = ktime_get_ns() - t0;
		t[mapped] = min(t[mapped], dt);
	}
	kunit_info(test, "return of a 32 KiB page, fastest of %u: %llu ns cleared, %llu ns not cleared\n",
		   ZC_CLEAR_ROUNDS, t[0], t[1]);
}

/*
 * Retype slots of @mem as if a lent page of order 0 were still there: what
 * a stale copy of a freed lent page looks like to the page allocator.
 */
static void zc_forge(struct page *page, struct io_tlb_mem *mem)
{
	__folio_set_swiotlb(page_folio(page));
	set_page_private(page, (unsigned long)mem);
	init_page_count(page);
}

/* Undo zc_forge() after the page allocator leaked the page. */
static void zc_unforge(struct io_tlb_mem *mem, struct page *page)
{
	if (!zc_typed(page) || page_ref_count(page))
		return;
	__folio_clear_swiotlb(page_folio(page));
	set_page_private(page, 0);
	if (!mem->defpool.late_alloc ||
	    page_to_phys(page) == mem->defpool.start)
		init_page_count(page);
}

/*
 * A lent page freed with an order other than its own is refused by the
 * pool, counted as stray and leaked: the pool is unchanged, and the page
 * can still be given back properly.
 */
static void zc_test_free_wrong_order(struct kunit *test)
{
	static const struct {
		unsigned int order, free_order;
	} cases[] = { { 2, 1 }, { 0, 2 }, { 1, 0 } };
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct page *page;
	unsigned int i;

	zc_set_percent(test, 90);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		page = zc_hold(test, cases[i].order, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		zc_forget(ctx, page);
		swiotlb_zc_get_stats(ctx->mem, &s0);

		__free_pages(page, cases[i].free_order);

		swiotlb_zc_get_stats(ctx->mem, &st);
		KUNIT_EXPECT_EQ_MSG(test, st.stray, s0.stray + 1, "case %u", i);
		KUNIT_EXPECT_EQ(test, st.frees, s0.frees);
		KUNIT_EXPECT_EQ(test, st.used, s0.used);
		KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
		KUNIT_EXPECT_TRUE(test, zc_typed(page));
		KUNIT_EXPECT_EQ(test, compound_order(page), cases[i].order);
		KUNIT_EXPECT_EQ(test, page_ref_count(page), 0);

		/* Freed again with the right order, it goes back. */
		if (zc_typed(page) && !page_ref_count(page)) {
			init_page_count(page);
			put_page(page);
		}
		swiotlb_zc_get_stats(ctx->mem, &st);
		KUNIT_EXPECT_EQ(test, st.frees, s0.frees + 1);
		KUNIT_EXPECT_EQ(test, st.used, s0.used - zc_slots(cases[i].order));
		zc_expect_returned(test, ctx->mem, page, cases[i].order);
	}
}

/*
 * A lent page freed a second time, by a stale copy that still has the
 * type: its slots are free, or serve a streaming mapping by then. The
 * pool refuses it, counts it as stray and changes nothing.
 */
static void zc_test_free_twice(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	unsigned int streaming;
	struct page *page;
	phys_addr_t phys;

	zc_require_direct(test, ctx->dev);
	zc_set_percent(test, 90);
	for (streaming = 0; streaming < 2; streaming++) {
		page = zc_hold(test, 0, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		phys = page_to_phys(page);
		zc_forget(ctx, page);
		put_page(page);
		if (streaming) {
			/* Fill the pool: the freed slots map a buffer. */
			memset(ctx->buf, 0x33, IO_TLB_SIZE);
			zc_map_until_full(test, ctx->dev, IO_TLB_SIZE);
			KUNIT_EXPECT_NULL(test, memchr_inv(phys_to_virt(phys),
							   0x33, IO_TLB_SIZE));
		}
		swiotlb_zc_get_stats(ctx->mem, &s0);

		zc_forge(page, ctx->mem);
		put_page(page);

		swiotlb_zc_get_stats(ctx->mem, &st);
		KUNIT_EXPECT_EQ(test, st.stray, s0.stray + 1);
		KUNIT_EXPECT_EQ(test, st.frees, s0.frees);
		KUNIT_EXPECT_EQ(test, st.used, s0.used);
		KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
		KUNIT_EXPECT_EQ(test, page_ref_count(page), 0);
		if (streaming)
			KUNIT_EXPECT_NULL(test, memchr_inv(phys_to_virt(phys),
							   0x33, IO_TLB_SIZE));
		zc_unforge(ctx->mem, page);
		zc_unmap_all(ctx);
		zc_expect_returned(test, ctx->mem, page, 0);
	}
}

/*
 * swiotlb_zc_map() maps in place only pages lent by the device's own
 * allocator. Two allocators never share memory, so a page in the range of
 * one but lent by another cannot happen; the nearest case is a lent page
 * whose owner field names another allocator. It is bounced.
 */
static void zc_test_map_owner(struct kunit *test)
{
	const size_t len = PAGE_SIZE;
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats s0, st;
	struct page *page;
	phys_addr_t phys;
	dma_addr_t dma;

	zc_require_direct(test, ctx->dev);
	zc_make_other(test, ZC_NSLABS, 1);
	zc_set_percent(test, 90);
	page = zc_hold(test, 0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	zc_fill(page_address(page), len, 21);
	set_page_private(page, (unsigned long)ctx->other);
	swiotlb_zc_get_stats(ctx->mem, &s0);

	dma = dma_map_page(ctx->dev, page, 0, len, DMA_TO_DEVICE);
	if (!dma_mapping_error(ctx->dev, dma)) {
		phys = dma_to_phys(ctx->dev, dma);
		KUNIT_EXPECT_NE(test, phys, page_to_phys(page));
		KUNIT_EXPECT_TRUE(test, zc_in_pool(ctx->mem, phys, len));
		KUNIT_EXPECT_TRUE(test, zc_check(phys_to_virt(phys), len, 21));
		dma_unmap_page(ctx->dev, dma, len, DMA_TO_DEVICE);
	} else {
		KUNIT_FAIL(test, "mapping failed");
	}
	set_page_private(page, (unsigned long)ctx->mem);
	swiotlb_zc_get_stats(ctx->mem, &st);
	KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes);
	KUNIT_EXPECT_EQ(test, st.bounced_bytes, s0.bounced_bytes + len);
	KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
}

/*
 * A buffer that starts in a lent page is mapped in place only if it ends
 * in that page too: one byte more and it reaches into the next page of the
 * pool (free slots, or a page lent to someone else), and is bounced. The
 * page is one with a next page in the pool, whichever CPU's area the two
 * pages were lent from.
 */
static void zc_test_map_past_end(struct kunit *test)
{
	static const struct {
		unsigned int sub;	/* page of the order-1 page mapped */
		size_t off, len;
		bool in_place;
	} cases[] = {
		{ 0, 0, 2 * PAGE_SIZE, true },
		{ 1, PAGE_SIZE - 512, 512, true },
		{ 1, PAGE_SIZE - 512, 513, false },
		{ 1, PAGE_SIZE - 1, 2, false },
		{ 0, PAGE_SIZE + 100, PAGE_SIZE, false },
	};
	struct zc_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;
	struct swiotlb_zc_stats s0, st;
	struct page *a, *b, *page;
	phys_addr_t paddr, phys;
	unsigned int i;
	dma_addr_t dma;

	zc_require_direct(test, dev);
	zc_set_percent(test, 90);
	a = zc_hold(test, 1, GFP_KERNEL);
	b = zc_hold(test, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	/* At most one of the two ends where the pool ends. */
	page = page_to_phys(a) + 3 * PAGE_SIZE <= ctx->mem->defpool.end ?
	       a : b;
	KUNIT_ASSERT_LE(test, page_to_phys(page) + 3 * PAGE_SIZE,
			ctx->mem->defpool.end);
	zc_fill(page_address(page), 2 * PAGE_SIZE, 17);

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		paddr = page_to_phys(page + cases[i].sub) + cases[i].off;
		swiotlb_zc_get_stats(ctx->mem, &s0);
		dma = dma_map_page(dev, page + cases[i].sub, cases[i].off,
				   cases[i].len, DMA_TO_DEVICE);
		KUNIT_ASSERT_FALSE_MSG(test, dma_mapping_error(dev, dma),
				       "case %u", i);
		phys = dma_to_phys(dev, dma);
		swiotlb_zc_get_stats(ctx->mem, &st);
		if (cases[i].in_place) {
			KUNIT_EXPECT_EQ_MSG(test, phys, paddr, "case %u", i);
			KUNIT_EXPECT_EQ(test, st.mapped_bytes,
					s0.mapped_bytes + cases[i].len);
			KUNIT_EXPECT_EQ(test, st.bounced_bytes,
					s0.bounced_bytes);
			KUNIT_EXPECT_EQ(test, st.pool_used, s0.pool_used);
		} else {
			KUNIT_EXPECT_NE_MSG(test, phys, paddr, "case %u", i);
			KUNIT_EXPECT_TRUE(test, zc_in_pool(ctx->mem, phys,
							   cases[i].len));
			KUNIT_EXPECT_EQ_MSG(test,
					    memcmp(phys_to_virt(phys),
						   phys_to_virt(paddr),
						   cases[i].len), 0,
					    "case %u", i);
			KUNIT_EXPECT_EQ(test, st.mapped_bytes, s0.mapped_bytes);
			KUNIT_EXPECT_EQ(test, st.bounced_bytes,
					s0.bounced_bytes + cases[i].len);
			KUNIT_EXPECT_GT(test, st.pool_used, s0.pool_used);
		}
		dma_unmap_page(dev, dma, cases[i].len, DMA_TO_DEVICE);
		swiotlb_zc_get_stats(ctx->mem, &st);
		KUNIT_EXPECT_EQ_MSG(test, st.pool_used, s0.pool_used,
				    "case %u", i);
	}
	zc_expect_lent(test, ctx->mem, a, 1);
	zc_expect_lent(test, ctx->mem, b, 1);
}

/*
 * DMA_ATTR_NO_PRESERVE: a DMA_FROM_DEVICE bounce slot starts out as zeroes,
 * not as a copy of the buffer, so no guest data reaches memory the device
 * (in a confidential guest: the host) can read. Lending plays no part:
 * ordinary kmalloc() buffers, mapped through the test device.
 */
#define ZC_RX_BUF	SZ_128K
#define ZC_RX_POOL_FILL	0xa5	/* what the pool holds before each case */

struct zc_rx_param {
	const char *desc;
	enum dma_data_direction dir;
	unsigned long attrs;
	size_t off;		/* of the mapping in the buffer */
	size_t len;
	bool align;		/* min_align_mask 4 KiB - 1, as NVMe's */
	bool zeroed;		/* the slot starts out as zeroes */
};

static const struct zc_rx_param zc_rx_params[] = {
	{ "from_device", DMA_FROM_DEVICE, 0, 0, 1536, false, false },
	{ "from_device_no_preserve", DMA_FROM_DEVICE, DMA_ATTR_NO_PRESERVE,
	  0, 1536, false, true },
	{ "from_device_no_preserve_64k", DMA_FROM_DEVICE,
	  DMA_ATTR_NO_PRESERVE, 64, SZ_64K, false, true },
	{ "from_device_aligned", DMA_FROM_DEVICE, 0, 0x1234, 5000, true,
	  false },
	{ "from_device_no_preserve_aligned", DMA_FROM_DEVICE,
	  DMA_ATTR_NO_PRESERVE, 0x1234, 5000, true, true },
	{ "from_device_no_preserve_skip_sync", DMA_FROM_DEVICE,
	  DMA_ATTR_NO_PRESERVE | DMA_ATTR_SKIP_CPU_SYNC, 0, 1536, false,
	  true },
	{ "bidirectional_no_preserve", DMA_BIDIRECTIONAL,
	  DMA_ATTR_NO_PRESERVE, 0, 1536, false, false },
	{ "to_device_no_preserve", DMA_TO_DEVICE, DMA_ATTR_NO_PRESERVE, 0,
	  1536, false, false },
};

KUNIT_ARRAY_PARAM_DESC(zc_rx, zc_rx_params, desc);

/* Bytes [@from, @to) of @p: zeroes if @seed < 0, else zc_fill(p, .., seed). */
static void zc_rx_expect(struct kunit *test, const u8 *p, size_t from,
			 size_t to, int seed, const char *what)
{
	const char *bad = NULL;

	if (from >= to)
		return;
	if (seed < 0)
		bad = memchr_inv(p + from, 0, to - from) ? "zeroes" : NULL;
	else if (!zc_check(p + from, to - from, seed + from * 7))
		bad = "the buffer's old contents";
	KUNIT_EXPECT_NULL_MSG(test, bad, "%s [%zu, %zu) does not hold %s",
			      what, from, to, bad);
}

/*
 * Map a buffer holding a pattern, check what the slot starts out with,
 * let the "device" write the first half, sync for the CPU, change the
 * buffer and sync for the device (which must not copy the buffer into the
 * slot for DMA_FROM_DEVICE), unmap, and check every byte of the buffer.
 */
static void zc_test_rx_slot_init(struct kunit *test)
{
	const struct zc_rx_param *p = test->param_value;
	struct zc_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;
	bool back = !(p->attrs & DMA_ATTR_SKIP_CPU_SYNC) &&
		    p->dir != DMA_TO_DEVICE;
	size_t half = p->len / 2, pad;
	struct device_dma_parameters *parms;
	u8 seed = get_random_u8(), *buf, *slot;
	phys_addr_t phys;
	dma_addr_t dma;

	zc_require_direct(test, dev);
	if (p->align) {
		parms = kunit_kzalloc(test, sizeof(*parms), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, parms);
		dev->dma_parms = parms;
		dma_set_min_align_mask(dev, SZ_4K - 1);
		KUNIT_ASSERT_EQ(test, dma_get_min_align_mask(dev), SZ_4K - 1);
	}
	buf = kunit_kmalloc(test, ZC_RX_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	zc_fill(buf, ZC_RX_BUF, seed);
	memset(ctx->mem->defpool.vaddr, ZC_RX_POOL_FILL,
	       ctx->mem->defpool.nslabs << IO_TLB_SHIFT);

	dma = dma_map_single_attrs(dev, buf + p->off, p->len, p->dir, p->attrs);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	phys = dma_to_phys(dev, dma);
	KUNIT_EXPECT_TRUE(test, zc_in_pool(ctx->mem, phys, p->len));
	slot = phys_to_virt(phys);
	zc_rx_expect(test, slot - p->off, p->off, p->off + p->len,
		     p->zeroed ? -1 : seed, "new slot");
	/* Alignment padding in front of the mapping: never written. */
	pad = p->align ? (p->off & (IO_TLB_SIZE - 1)) : 0;
	KUNIT_EXPECT_EQ(test, phys & (IO_TLB_SIZE - 1), pad);
	KUNIT_EXPECT_NULL(test, memchr_inv(slot - pad, ZC_RX_POOL_FILL, pad));

	zc_fill(slot, half, seed + 1);		/* what the device writes */
	if (back && p->dir == DMA_FROM_DEVICE) {
		dma_sync_single_for_cpu(dev, dma, p->len, p->dir);
		KUNIT_EXPECT_TRUE(test, zc_check(buf + p->off, half, seed + 1));
		zc_rx_expect(test, buf, p->off + half, p->off + p->len,
			     p->zeroed ? -1 : seed, "synced buffer");
		/* The CPU writes the rest: it stays out of the slot. */
		zc_fill(buf + p->off + half, p->len - half, seed + 2);
		dma_sync_single_for_device(dev, dma, p->len, p->dir);
		zc_rx_expect(test, slot - p->off, p->off + half,
			     p->off + p->len, p->zeroed ? -1 : seed,
			     "slot after sync for device");
	}
	dma_unmap_single_attrs(dev, dma, p->len, p->dir, p->attrs);

	zc_rx_expect(test, buf, 0, p->off, seed, "buffer before the mapping");
	if (back)
		KUNIT_EXPECT_TRUE(test, zc_check(buf + p->off, half, seed + 1));
	else
		zc_rx_expect(test, buf, p->off, p->off + half, seed,
			     "buffer not copied back");
	zc_rx_expect(test, buf, p->off + half, p->off + p->len,
		     back && p->zeroed ? -1 : seed, "unwritten buffer");
	zc_rx_expect(test, buf, p->off + p->len, ZC_RX_BUF, seed,
		     "buffer after the mapping");
	dev->dma_parms = NULL;
}

#define ZC_RX_ROUNDS	32

static const size_t zc_rx_cost_sizes[] = { 1536, SZ_4K, SZ_64K };

/*
 * What initialising a DMA_FROM_DEVICE slot costs, copied and zeroed:
 * printed, never checked. The fastest of ZC_RX_ROUNDS dma_map_single()
 * calls of each kind, alternating, on a buffer the CPU just wrote.
 */
static void zc_test_rx_init_cost(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct device *dev = ctx->dev;
	u64 t[2], t0, dt;
	unsigned int i, j, np;
	dma_addr_t dma;
	u8 *buf;

	zc_require_direct(test, dev);
	buf = kunit_kmalloc(test, SZ_64K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(zc_rx_cost_sizes); i++) {
		t[0] = U64_MAX;
		t[1] = U64_MAX;
		for (j = 0; j < 2 * ZC_RX_ROUNDS; j++) {
			np = j & 1;
			memset(buf, j, zc_rx_cost_sizes[i]);
			t0 = ktime_get_ns();
			dma = dma_map_single_attrs(dev, buf,
						   zc_rx_cost_sizes[i],
						   DMA_FROM_DEVICE,
						   np ? DMA_ATTR_NO_PRESERVE : 0);
			dt = ktime_get_ns() - t0;
			KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
			dma_unmap_single_attrs(dev, dma, zc_rx_cost_sizes[i],
					       DMA_FROM_DEVICE,
					       DMA_ATTR_SKIP_CPU_SYNC);
			t[np] = min(t[np], dt);
		}
		kunit_info(test, "map DMA_FROM_DEVICE %zu bytes, fastest of %u: %llu ns copied, %llu ns zeroed (DMA_ATTR_NO_PRESERVE)\n",
			   zc_rx_cost_sizes[i], ZC_RX_ROUNDS, t[0], t[1]);
	}
}

static int zc_test_init(struct kunit *test)
{
	struct zc_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	ctx->saved_percent = swiotlb_zc_tx_percent();
	ctx->held = kunit_kcalloc(test, ZC_MAX_HELD, sizeof(*ctx->held),
				  GFP_KERNEL);
	ctx->maps = kunit_kcalloc(test, ZC_MAX_MAPS, sizeof(*ctx->maps),
				  GFP_KERNEL);
	ctx->buf = kunit_kzalloc(test, ZC_SEG_BYTES, GFP_KERNEL);
	if (!ctx->held || !ctx->maps || !ctx->buf)
		return -ENOMEM;
	ctx->mem = swiotlb_zc_test_mem_create(ZC_NSLABS, ZC_NAREAS);
	if (!ctx->mem)
		return -ENOMEM;
	swiotlb_zc_get_stats(ctx->mem, &ctx->start);
	ctx->dev = zc_dev_create("swiotlb-zc-test", ctx->mem);
	if (!ctx->dev)
		return -ENOMEM;
	return 0;
}

/* Check that @mem got everything back, then free it. */
static void zc_mem_check_destroy(struct kunit *test, struct io_tlb_mem *mem,
				 const struct swiotlb_zc_stats *start)
{
	struct swiotlb_zc_stats st;
	bool tainted = test_taint(TAINT_BAD_PAGE);

	swiotlb_zc_get_stats(mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, start->used);
	KUNIT_EXPECT_EQ(test, st.pool_used, start->pool_used);
	KUNIT_EXPECT_EQ(test, st.allocs - start->allocs,
			st.frees - start->frees);
	KUNIT_EXPECT_EQ(test, zc_total_used(mem), 0);
	if (st.used || st.pool_used) {
		/* Pages or mappings are lost: leak the pool with them. */
		kunit_err(test, "pool still in use, leaking it\n");
		return;
	}
	swiotlb_zc_test_mem_destroy(mem);
	/* The buddy allocator found nothing left over in the pool's pages. */
	if (!tainted)
		KUNIT_EXPECT_FALSE(test, test_taint(TAINT_BAD_PAGE));
}

static void zc_test_exit(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	char val[16];

	if (!ctx)
		return;
	if (ctx->maps)
		zc_unmap_all(ctx);
	if (ctx->held)
		zc_put_held(ctx, 0);
	if (ctx->dev)
		put_device(ctx->dev);
	if (ctx->other_dev)
		put_device(ctx->other_dev);
	if (ctx->default_dev)
		put_device(ctx->default_dev);
	if (ctx->mem)
		zc_mem_check_destroy(test, ctx->mem, &ctx->start);
	if (ctx->other)
		zc_mem_check_destroy(test, ctx->other, &ctx->other_start);
	snprintf(val, sizeof(val), "%u", ctx->saved_percent);
	KUNIT_EXPECT_EQ(test, swiotlb_zc_param_set(val), 0);
}

static struct kunit_case swiotlb_zc_test_cases[] = {
	KUNIT_CASE_PARAM(zc_test_slot_accounting, zc_order_gen_params),
	KUNIT_CASE(zc_test_gfp_zero),
	KUNIT_CASE_PARAM(zc_test_free_path, zc_free_gen_params),
	KUNIT_CASE(zc_test_percent_zero),
	KUNIT_CASE_PARAM(zc_test_cap, zc_cap_gen_params),
	KUNIT_CASE(zc_test_cap_lowered),
	KUNIT_CASE(zc_test_param_write),
	KUNIT_CASE(zc_test_fallback_exhausted),
	KUNIT_CASE(zc_test_fallback_fragmented),
	KUNIT_CASE(zc_test_fallback_pool),
	KUNIT_CASE(zc_test_dev_not_direct),
	KUNIT_CASE(zc_test_map_in_place),
	KUNIT_CASE(zc_test_map_sg),
	KUNIT_CASE(zc_test_map_bounce),
	KUNIT_CASE(zc_test_map_other_pool),
	KUNIT_CASE(zc_test_default_pool),
	KUNIT_CASE(zc_test_stray),
	KUNIT_CASE(zc_test_exhaustion_recovery),
	KUNIT_CASE(zc_test_softirq),
	KUNIT_CASE_PARAM(zc_test_stress, zc_stress_gen_params),
	KUNIT_CASE(zc_test_cap_no_overshoot),
	KUNIT_CASE_PARAM(zc_test_region, zc_region_gen_params),
	KUNIT_CASE(zc_test_region_follows_cap),
	KUNIT_CASE(zc_test_count_key),
	KUNIT_CASE(zc_test_count_tx_copy),
#ifndef MODULE
	KUNIT_CASE(zc_test_boot_cmdline),
#endif
	KUNIT_CASE(zc_test_counters_exact),
	KUNIT_CASE(zc_test_backoff),
	KUNIT_CASE(zc_test_map_direction),
	KUNIT_CASE(zc_test_clear_unmapped),
	KUNIT_CASE(zc_test_clear_cost),
	KUNIT_CASE(zc_test_free_wrong_order),
	KUNIT_CASE(zc_test_free_twice),
	KUNIT_CASE(zc_test_map_owner),
	KUNIT_CASE(zc_test_map_past_end),
	KUNIT_CASE_PARAM(zc_test_rx_slot_init, zc_rx_gen_params),
	KUNIT_CASE(zc_test_rx_init_cost),
#ifdef CONFIG_SWIOTLB_DYNAMIC
	/* Last: it leaves the default allocator grown by one pool. */
	KUNIT_CASE(zc_test_dynamic_pools),
#endif
	{}
};

static struct kunit_suite swiotlb_zc_test_suite = {
	.name = "swiotlb_zerocopy_tx",
#ifndef MODULE
	.suite_init = zc_suite_init,
#endif
	.init = zc_test_init,
	.exit = zc_test_exit,
	.test_cases = swiotlb_zc_test_cases,
};

kunit_test_suite(swiotlb_zc_test_suite);

MODULE_DESCRIPTION("KUnit tests for swiotlb zero-copy transmit pages");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
