// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for socket transmit page_frags lent by swiotlb.
 *
 * Covers which sockets and routes get pages lent by swiotlb
 * (net/core/skb_frag_zc.c), how skb_page_frag_refill_zc() falls back to
 * lower orders and to ordinary pages, that a lent page returns to its pool
 * exactly once on every skb free path, and a TCP connection through a
 * bouncing test device with mixed MSG_ZEROCOPY and copied sends.
 *
 * Every case checks, when it ends, that every pool it used is balanced:
 * no slot still lent, as many pages returned as lent, no stray page.
 *
 * The cases that use the default swiotlb pool need the kernel to bounce
 * every DMA (swiotlb=force) and are skipped otherwise.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/file.h>
#include <linux/if_arp.h>
#include <linux/if_bonding.h>
#include <linux/if_macvlan.h>
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/netlink.h>
#include <linux/pipe_fs_i.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/skmsg.h>
#include <linux/slab.h>
#include <linux/sockptr.h>
#include <linux/splice.h>
#include <linux/swiotlb.h>
#include <linux/uio.h>
#include <linux/veth.h>
#include <net/dst.h>
#include <net/inet_connection_sock.h>
#include <net/ip.h>
#include <net/lwtunnel.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/pkt_sched.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/swiotlb_tx_lend.h>
#include <net/tcp.h>
#include <net/tls.h>
#include <net/xfrm.h>

/* Slots of the private pools of most cases: 512 KiB, one area. */
#define ZC_POOL_SLABS		256
/* Largest page a socket page_frag asks for, 32 KiB with 4 KiB pages. */
#define ZC_FRAG_ORDER		SKB_FRAG_PAGE_ORDER
#define ZC_FRAG_SIZE		(PAGE_SIZE << ZC_FRAG_ORDER)
#define ZC_SLOTS(order)		((PAGE_SIZE << (order)) >> IO_TLB_SHIFT)
/* How long a case waits for lent pages held by the stack to come back. */
#define ZC_DRAIN_MS		5000
#define ZC_MAX_MEMS		4

struct zc_tracked {
	struct io_tlb_mem *mem;
	struct swiotlb_zc_stats start;
	bool owned;
};

struct zc_ctx {
	unsigned int saved_percent;
	u8 saved_lend;
	unsigned int nmem;
	struct zc_tracked mems[ZC_MAX_MEMS];
};

static struct kmem_cache *zc_dst_cache;
static struct dst_ops zc_dst_ops = {
	.family = AF_INET,
};

static struct device *zc_default_dev;
static struct io_tlb_mem *zc_default_mem;
static atomic_t zc_dev_id = ATOMIC_INIT(0);

static int zc_ulp_init(struct sock *sk)
{
	return 0;
}

/* An upper layer protocol, as kTLS or espintcp would attach. */
static struct tcp_ulp_ops zc_test_ulp = {
	.name	= "zc_kunit_ulp",
	.init	= zc_ulp_init,
	.owner	= THIS_MODULE,
};

static int zc_set_percent(unsigned int percent)
{
	char buf[12];

	snprintf(buf, sizeof(buf), "%u", percent);
	return swiotlb_zc_param_set(buf);
}

static void zc_stats(struct io_tlb_mem *mem, struct swiotlb_zc_stats *st)
{
	swiotlb_zc_get_stats(mem, st);
}

static void zc_track(struct kunit *test, struct io_tlb_mem *mem, bool owned)
{
	struct zc_ctx *ctx = test->priv;
	struct zc_tracked *t;

	KUNIT_ASSERT_LT(test, ctx->nmem, ZC_MAX_MEMS);
	t = &ctx->mems[ctx->nmem++];
	t->mem = mem;
	t->owned = owned;
	zc_stats(mem, &t->start);
}

/* A private pool that bounces everything, checked and freed on exit. */
static struct io_tlb_mem *zc_mem_new(struct kunit *test, unsigned long nslabs,
				     unsigned int nareas)
{
	struct io_tlb_mem *mem;

	mem = swiotlb_zc_test_mem_create(nslabs, nareas);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	zc_track(test, mem, true);
	KUNIT_ASSERT_TRUE(test, swiotlb_zc_mem_can_lend(mem));
	return mem;
}

static struct page *zc_lend(struct io_tlb_mem *mem, unsigned int order)
{
	return swiotlb_zc_alloc_pages(mem, GFP_KERNEL, order);
}

/* Is @page, or the compound page it is part of, lent by swiotlb? */
static bool zc_page_lent(struct page *page)
{
	return folio_test_swiotlb(page_folio(page));
}

static bool zc_page_lent_by(struct page *page, struct io_tlb_mem *mem)
{
	struct folio *folio = page_folio(page);

	return folio_test_swiotlb(folio) && folio_get_private(folio) == mem;
}

/* Wait for pages still held by the stack (RCU, TCP timers) to come back. */
static unsigned long zc_wait_used(struct io_tlb_mem *mem, unsigned long want)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(ZC_DRAIN_MS);
	struct swiotlb_zc_stats st;

	for (;;) {
		zc_stats(mem, &st);
		if (st.used == want || time_after(jiffies, timeout))
			return st.used;
		msleep(20);
	}
}

/* Page references to drop when a case ends, however it ends. */
struct zc_page_bag {
	unsigned int n, max;
	struct page *pages[] __counted_by(max);
};

static void zc_bag_release(void *data)
{
	struct zc_page_bag *bag = data;
	unsigned int i;

	for (i = 0; i < bag->n; i++) {
		if (bag->pages[i])
			put_page(bag->pages[i]);
		bag->pages[i] = NULL;
	}
	bag->n = 0;
	kfree(bag);
}

static struct zc_page_bag *zc_bag_new(struct kunit *test, unsigned int max)
{
	struct zc_page_bag *bag;

	bag = kzalloc(struct_size(bag, pages, max), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bag);
	bag->max = max;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_bag_release,
							bag), 0);
	return bag;
}

static void zc_bag_add(struct kunit *test, struct zc_page_bag *bag,
		       struct page *page)
{
	KUNIT_ASSERT_LT(test, bag->n, bag->max);
	bag->pages[bag->n++] = page;
}

static void zc_bag_put_all(struct zc_page_bag *bag)
{
	unsigned int i;

	for (i = 0; i < bag->n; i++) {
		if (bag->pages[i])
			put_page(bag->pages[i]);
		bag->pages[i] = NULL;
	}
	bag->n = 0;
}

KUNIT_DEFINE_ACTION_WRAPPER(zc_root_device_unregister, root_device_unregister,
			    struct device *);

/* A DMA device mapping through @mem, or through the default pool. */
static struct device *zc_dma_dev_new(struct kunit *test, struct io_tlb_mem *mem)
{
	struct device *dev;
	char name[32];
	int err;

	snprintf(name, sizeof(name), "skb_frag_zc%d",
		 atomic_inc_return(&zc_dev_id));
	dev = root_device_register(name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	err = kunit_add_action_or_reset(test, zc_root_device_unregister, dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64));
	KUNIT_ASSERT_EQ(test, err, 0);
	if (mem)
		dev->dma_io_tlb_mem = mem;
	return dev;
}

/* Test net device: a NIC that DMA-maps every packet and reflects IPv4. */

struct zc_ndev_priv {
	bool reflect;
	bool no_sg;
	atomic_t errors;
	atomic_t first_error;
	atomic_long_t lent_bytes;
	atomic_long_t bounced_bytes;
	atomic_long_t linear_bytes;
	atomic_long_t mixed_skbs;
	atomic_long_t reflected;
};

enum zc_dev_error {
	ZC_ERR_NONE,
	ZC_ERR_MAP,		/* dma_map failed */
	ZC_ERR_LENT_COPIED,	/* a lent page went through a bounce slot */
	ZC_ERR_NOT_BOUNCED,	/* an ordinary page was mapped in place */
	ZC_ERR_DATA,		/* the device would read other bytes */
};

static void zc_dev_error(struct zc_ndev_priv *priv, enum zc_dev_error err)
{
	atomic_cmpxchg(&priv->first_error, ZC_ERR_NONE, err);
	atomic_inc(&priv->errors);
}

/* Map one buffer as a NIC would, check what the device sees, unmap. */
static bool zc_dev_map_one(struct zc_ndev_priv *priv, struct device *dma,
			   struct page *page, unsigned int off,
			   unsigned int len)
{
	phys_addr_t src = page_to_phys(page) + off;
	dma_addr_t addr;
	phys_addr_t phys;
	bool lent;

	addr = dma_map_page(dma, page, off, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dma, addr)) {
		zc_dev_error(priv, ZC_ERR_MAP);
		return false;
	}
	phys = dma_to_phys(dma, addr);
	lent = zc_page_lent_by(page, dma->dma_io_tlb_mem);
	if (lent && phys != src)
		zc_dev_error(priv, ZC_ERR_LENT_COPIED);
	if (!lent && phys == src)
		zc_dev_error(priv, ZC_ERR_NOT_BOUNCED);
	if (memcmp(phys_to_virt(phys), phys_to_virt(src), len))
		zc_dev_error(priv, ZC_ERR_DATA);
	dma_unmap_page(dma, addr, len, DMA_TO_DEVICE);
	return lent;
}

static void zc_dev_map_skb(struct zc_ndev_priv *priv, struct device *dma,
			   struct sk_buff *skb)
{
	bool lent = false, plain = false;
	unsigned int i;

	if (skb_headlen(skb)) {
		zc_dev_map_one(priv, dma, virt_to_page(skb->data),
			       offset_in_page(skb->data), skb_headlen(skb));
		atomic_long_add(skb_headlen(skb), &priv->linear_bytes);
	}
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];
		unsigned int len = skb_frag_size(frag);

		if (zc_dev_map_one(priv, dma, skb_frag_page(frag),
				   skb_frag_off(frag), len)) {
			atomic_long_add(len, &priv->lent_bytes);
			lent = true;
		} else {
			atomic_long_add(len, &priv->bounced_bytes);
			plain = true;
		}
	}
	if (lent && plain)
		atomic_long_inc(&priv->mixed_skbs);
}

/*
 * Send an IPv4 packet back in: swap the addresses (IP and TCP checksums
 * stay valid) so that a packet from 192.0.2.1 to 192.0.2.2 comes in from
 * 192.0.2.2 to the local 192.0.2.1. As a real NIC receives into its own
 * buffers, the packet comes in as a private copy: received skbs never
 * hold the sender's (lent) pages, which go back to their pool when the
 * data is acknowledged, not when a receiver on another CPU gets round to
 * its deferred frees.
 */
static void zc_dev_reflect(struct net_device *dev, struct sk_buff *tx)
{
	struct zc_ndev_priv *priv = netdev_priv(dev);
	struct sk_buff *skb = skb_copy(tx, GFP_ATOMIC);
	struct iphdr *iph;

	dev_kfree_skb_any(tx);
	if (!skb || !pskb_may_pull(skb, sizeof(*iph))) {
		dev_kfree_skb_any(skb);
		return;
	}
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb_clear_tstamp(skb);
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	swap(iph->saddr, iph->daddr);
	skb_reset_mac_header(skb);
	skb->mac_len = 0;
	skb->protocol = htons(ETH_P_IP);
	skb->pkt_type = PACKET_HOST;
	skb->dev = dev;
	atomic_long_inc(&priv->reflected);
	netif_rx(skb);
}

static netdev_tx_t zc_dev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct zc_ndev_priv *priv = netdev_priv(dev);

	if (dev->dev.parent)
		zc_dev_map_skb(priv, dev->dev.parent, skb);
	if (READ_ONCE(priv->reflect) && skb->protocol == htons(ETH_P_IP))
		zc_dev_reflect(dev, skb);
	else
		dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* A driver that takes some packets without scatter-gather, as real ones do. */
static netdev_features_t zc_dev_features_check(struct sk_buff *skb,
					       struct net_device *dev,
					       netdev_features_t features)
{
	struct zc_ndev_priv *priv = netdev_priv(dev);

	if (READ_ONCE(priv->no_sg))
		features &= ~(NETIF_F_SG | NETIF_F_GSO_MASK);
	return features;
}

static const struct net_device_ops zc_ndev_ops = {
	.ndo_start_xmit		= zc_dev_xmit,
	.ndo_features_check	= zc_dev_features_check,
};

static void zc_ndev_setup(struct net_device *dev)
{
	dev->netdev_ops = &zc_ndev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_NOARP | IFF_POINTOPOINT;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	dev->tx_queue_len = 0;
	dev->lltx = true;
	dev->features = NETIF_F_SG | NETIF_F_HW_CSUM;
	dev->hw_features = dev->features;
	dev->tx_maps_frags = 1;
}

static void zc_netdev_free(void *data)
{
	/* dst_destroy() drops its device reference from RCU callbacks */
	rcu_barrier();
	free_netdev(data);
}

/* An unregistered net device with DMA parent @parent (none if %NULL). */
static struct net_device *zc_netdev_new(struct kunit *test,
					struct device *parent)
{
	struct net_device *dev;

	dev = alloc_netdev(sizeof(struct zc_ndev_priv), "zctx%d",
			   NET_NAME_ENUM, zc_ndev_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_netdev_free,
							dev), 0);
	if (parent)
		SET_NETDEV_DEV(dev, parent);
	return dev;
}

#if IS_ENABLED(CONFIG_VLAN_8021Q)
static void zc_vlan_setup(struct net_device *dev)
{
	zc_ndev_setup(dev);
	dev->priv_flags |= IFF_802_1Q_VLAN;
}

/* Enough of a vlan device for is_vlan_dev() and vlan_dev_real_dev(). */
static struct net_device *zc_vlan_new(struct kunit *test,
				      struct net_device *real)
{
	struct net_device *dev;

	dev = alloc_netdev(sizeof(struct vlan_dev_priv), "zcvlan%d",
			   NET_NAME_ENUM, zc_vlan_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_netdev_free,
							dev), 0);
	vlan_dev_priv(dev)->real_dev = real;
	return dev;
}
#else
/* struct vlan_dev_priv is private without CONFIG_VLAN_8021Q: case skipped */
static struct net_device *zc_vlan_new(struct kunit *test,
				      struct net_device *real)
{
	return NULL;
}
#endif

KUNIT_DEFINE_ACTION_WRAPPER(zc_dst_release, dst_release, struct dst_entry *);

/* A route through @dev, for a socket's cached dst. */
static struct dst_entry *zc_dst_new(struct kunit *test, struct net_device *dev)
{
	struct dst_entry *dst;

	dst = dst_alloc(&zc_dst_ops, dev, DST_OBSOLETE_NONE, DST_NOCOUNT);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_dst_release,
							dst), 0);
	return dst;
}

static void zc_sock_release(void *data)
{
	struct socket *sock = data;

	sk_dst_reset(sock->sk);
	sock_release(sock);
}

static struct socket *zc_sock_new(struct kunit *test, int family, int type,
				  int proto)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, family, type, proto,
					       &sock), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_sock_release,
							sock), 0);
	return sock;
}

/* 1. Which routes and sockets get lent pages. */

enum zc_route_kind {
	ZC_RT_TCP,
	ZC_RT_TCP6,
	ZC_RT_UDP,
	ZC_RT_DEFAULT_POOL,
	ZC_RT_VLAN,
	ZC_RT_DMA_ANCESTOR,
	ZC_RT_DISABLED,
	ZC_RT_CAP,
	ZC_RT_NO_BOUNCE,
	ZC_RT_LOOPBACK,
	ZC_RT_LOOPBACK_FLAG,
	ZC_RT_NO_PARENT,
	ZC_RT_NO_ROUTE,
	ZC_RT_NETLINK,
};

struct zc_route_case {
	const char *name;
	enum zc_route_kind kind;
	bool eligible;	/* sk_tx_lend_mem() names the pool */
	bool lent;	/* and the pool lends the page */
};

static const struct zc_route_case zc_route_cases[] = {
	{ "tcp_bouncing_device", ZC_RT_TCP, true, true },
	{ "tcp6_bouncing_device", ZC_RT_TCP6, true, true },
	{ "udp_bouncing_device", ZC_RT_UDP, true, true },
	{ "tcp_default_pool", ZC_RT_DEFAULT_POOL, true, true },
	{ "vlan_on_bouncing_device", ZC_RT_VLAN, true, true },
	{ "virtio_like_dma_ancestor", ZC_RT_DMA_ANCESTOR, true, true },
	{ "disabled", ZC_RT_DISABLED, false, false },
	{ "cap_reached", ZC_RT_CAP, true, false },
	{ "pool_not_bouncing", ZC_RT_NO_BOUNCE, false, false },
	{ "loopback", ZC_RT_LOOPBACK, false, false },
	{ "loopback_flag_on_bouncing_device", ZC_RT_LOOPBACK_FLAG, false, false },
	{ "device_without_dma_parent", ZC_RT_NO_PARENT, false, false },
	{ "no_cached_route", ZC_RT_NO_ROUTE, false, false },
	{ "netlink_socket", ZC_RT_NETLINK, false, false },
};

KUNIT_ARRAY_PARAM_DESC(zc_route, zc_route_cases, name);

/* Lend order-0 pages from @mem until the cap refuses one. */
static void zc_fill_to_cap(struct kunit *test, struct io_tlb_mem *mem,
			   struct zc_page_bag *bag)
{
	struct swiotlb_zc_stats st0, st1;
	struct page *page;

	zc_stats(mem, &st0);
	while ((page = zc_lend(mem, 0)))
		zc_bag_add(test, bag, page);
	zc_stats(mem, &st1);
	KUNIT_ASSERT_GT(test, bag->n, 0);
	KUNIT_ASSERT_EQ(test, st1.fallback[SWIOTLB_ZC_FB_CAP],
			st0.fallback[SWIOTLB_ZC_FB_CAP] + 1);
}

static void zc_route_test(struct kunit *test)
{
	const struct zc_route_case *rc = test->param_value;
	struct swiotlb_zc_stats st0, st1, def0, def1;
	int family = AF_INET, type = SOCK_STREAM;
	struct net_device *ndev, *rdev;
	struct io_tlb_mem *mem, *want;
	struct page_frag pf = {};
	struct zc_page_bag *bag;
	struct dst_entry *dst = NULL;
	struct io_tlb_mem *got;
	int proto = IPPROTO_TCP;
	struct device *parent, *child;
	struct socket *sock;
	struct sock *sk;
	bool ok;

	mem = zc_mem_new(test, ZC_POOL_SLABS, 1);
	bag = zc_bag_new(test, ZC_POOL_SLABS);
	parent = zc_dma_dev_new(test, mem);
	ndev = zc_netdev_new(test, parent);
	rdev = ndev;
	want = mem;

	switch (rc->kind) {
	case ZC_RT_TCP6:
		if (!IS_ENABLED(CONFIG_IPV6))
			kunit_skip(test, "needs CONFIG_IPV6");
		family = AF_INET6;
		break;
	case ZC_RT_UDP:
		type = SOCK_DGRAM;
		proto = IPPROTO_UDP;
		break;
	case ZC_RT_DEFAULT_POOL:
		KUNIT_ASSERT_TRUE_MSG(test, swiotlb_zc_mem_can_lend(zc_default_mem),
				      "the kernel must bounce every DMA (swiotlb=force)");
		parent->dma_io_tlb_mem = zc_default_mem;
		want = zc_default_mem;
		break;
	case ZC_RT_VLAN:
		if (!IS_ENABLED(CONFIG_VLAN_8021Q))
			kunit_skip(test, "needs CONFIG_VLAN_8021Q");
		rdev = zc_vlan_new(test, ndev);
		break;
	case ZC_RT_DMA_ANCESTOR:
		/* As virtio-net: the netdev's parent does no DMA, its own does. */
		child = kunit_kzalloc(test, sizeof(*child), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, child);
		child->parent = parent;
		rdev = zc_netdev_new(test, child);
		break;
	case ZC_RT_DISABLED:
		KUNIT_ASSERT_EQ(test, zc_set_percent(0), 0);
		break;
	case ZC_RT_CAP:
		zc_fill_to_cap(test, mem, bag);
		break;
	case ZC_RT_LOOPBACK:
		rdev = init_net.loopback_dev;
		break;
	case ZC_RT_LOOPBACK_FLAG:
		ndev->flags |= IFF_LOOPBACK;
		break;
	case ZC_RT_NO_PARENT:
		rdev = zc_netdev_new(test, NULL);
		break;
	case ZC_RT_NETLINK:
		family = AF_NETLINK;
		type = SOCK_RAW;
		proto = NETLINK_ROUTE;
		break;
	default:
		break;
	}

	sock = zc_sock_new(test, family, type, proto);
	sk = sock->sk;
	if (rc->kind != ZC_RT_NO_ROUTE) {
		dst = zc_dst_new(test, rdev);
		sk_dst_set(sk, dst_clone(dst));
	}

	/* Nothing below may abort the case before the state is restored. */
	if (rc->kind == ZC_RT_NO_BOUNCE)
		mem->force_bounce = false;

	zc_stats(want, &st0);
	zc_stats(zc_default_mem, &def0);
	got = sk_tx_lend_mem(sk, NULL);
	ok = sk_page_frag_refill_lend(sk, &pf, NULL, ZC_FRAG_SIZE);
	zc_stats(want, &st1);
	zc_stats(zc_default_mem, &def1);

	mem->force_bounce = true;

	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_PTR_EQ(test, got, rc->eligible ? want : NULL);
	KUNIT_ASSERT_NOT_NULL(test, pf.page);
	KUNIT_EXPECT_EQ(test, zc_page_lent(pf.page), rc->lent);
	if (rc->lent) {
		KUNIT_EXPECT_TRUE(test, zc_page_lent_by(pf.page, want));
		KUNIT_EXPECT_EQ(test, pf.size, ZC_FRAG_SIZE);
		KUNIT_EXPECT_EQ(test, compound_order(pf.page), ZC_FRAG_ORDER);
		KUNIT_EXPECT_EQ(test, st1.allocs, st0.allocs + 1);
		KUNIT_EXPECT_EQ(test, st1.used,
				st0.used + ZC_SLOTS(ZC_FRAG_ORDER));
		/* The page is the pool's memory, where the device reads. */
		KUNIT_EXPECT_GE(test, page_to_phys(pf.page),
				want->defpool.start);
		KUNIT_EXPECT_LE(test, page_to_phys(pf.page) + pf.size,
				want->defpool.end);
	} else {
		KUNIT_EXPECT_EQ(test, st1.allocs, st0.allocs);
		KUNIT_EXPECT_EQ(test, def1.allocs, def0.allocs);
	}
	if (rc->kind == ZC_RT_CAP)
		KUNIT_EXPECT_EQ(test, st1.fallback[SWIOTLB_ZC_FB_CAP] -
				st0.fallback[SWIOTLB_ZC_FB_CAP],
				ZC_FRAG_ORDER + 1);
	/* Slots in use only while the page lives. */
	put_page(pf.page);
	zc_stats(want, &st1);
	KUNIT_EXPECT_EQ(test, st1.used, st0.used);
	zc_bag_put_all(bag);
}

/*
 * 1b. A per-task page_frag shared by sockets with different routes, as
 * current->task_frag is for kernel sockets: a page lent for one pool never
 * serves a socket of another pool or an ineligible socket.
 */
static void zc_task_frag_test(struct kunit *test)
{
	struct io_tlb_mem *mem[2], *want;
	struct swiotlb_zc_stats st[2];
	struct socket *sock[3];
	struct page_frag *pf;
	struct zc_page_bag *bag;
	unsigned int i, lent = 0, plain = 0;

	bag = zc_bag_new(test, 64);
	for (i = 0; i < 2; i++) {
		struct net_device *ndev;
		struct dst_entry *dst;

		mem[i] = zc_mem_new(test, ZC_POOL_SLABS, 1);
		ndev = zc_netdev_new(test, zc_dma_dev_new(test, mem[i]));
		dst = zc_dst_new(test, ndev);
		sock[i] = zc_sock_new(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
		sk_dst_set(sock[i]->sk, dst_clone(dst));
	}
	sock[2] = zc_sock_new(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	sk_dst_set(sock[2]->sk, dst_clone(zc_dst_new(test,
						     init_net.loopback_dev)));

	pf = sk_page_frag(sock[0]->sk);
	KUNIT_ASSERT_PTR_EQ(test, pf, &current->task_frag);
	KUNIT_ASSERT_PTR_EQ(test, sk_page_frag(sock[2]->sk), pf);
	if (pf->page) {
		put_page(pf->page);
		pf->page = NULL;
	}

	for (i = 0; i < 48; i++) {
		unsigned int s = (i * 7 + i / 5) % 3;
		struct sock *sk = sock[s]->sk;

		want = s < 2 ? mem[s] : NULL;
		KUNIT_ASSERT_TRUE(test,
				  sk_page_frag_refill_lend(sk, pf, NULL,
							   ZC_FRAG_SIZE));
		KUNIT_ASSERT_NOT_NULL(test, pf->page);
		KUNIT_ASSERT_LE(test, pf->offset + 32, pf->size);
		if (zc_page_lent(pf->page)) {
			KUNIT_EXPECT_NOT_NULL_MSG(test, want,
						  "step %u: lent page for an ineligible socket",
						  i);
			KUNIT_EXPECT_TRUE_MSG(test, zc_page_lent_by(pf->page, want),
					      "step %u: page lent for another pool",
					      i);
			lent++;
		} else {
			plain++;
		}
		/* Every other step, an skb in flight keeps the page. */
		if (i % 2) {
			get_page(pf->page);
			zc_bag_add(test, bag, pf->page);
		}
		pf->offset += 1500;
	}
	KUNIT_EXPECT_GT(test, lent, 0);
	KUNIT_EXPECT_GT(test, plain, 0);
	for (i = 0; i < 2; i++) {
		zc_stats(mem[i], &st[i]);
		KUNIT_EXPECT_GT(test, st[i].allocs, 0);
	}

	put_page(pf->page);
	pf->page = NULL;
	zc_bag_put_all(bag);
}

/* 2. Order fallback in a fragmented pool, then the cap. */
static void zc_order_fallback_test(struct kunit *test)
{
	struct swiotlb_zc_stats st0, st1;
	struct page_frag pf = {};
	struct zc_page_bag *bag;
	struct io_tlb_mem *mem;
	unsigned int i, kept = 0, freed = 0;
	struct page *page;

	/* One segment of 128 slots: 256 KiB, eight order-3 runs. */
	mem = zc_mem_new(test, IO_TLB_SEGSIZE, 1);
	bag = zc_bag_new(test, IO_TLB_SEGSIZE);
	KUNIT_ASSERT_EQ(test, zc_set_percent(90), 0);

	/* Fill the pool with order-2 pages... */
	while ((page = zc_lend(mem, ZC_FRAG_ORDER - 1)))
		zc_bag_add(test, bag, page);
	/* ...free those that start an order-3 run, keep their buddies... */
	for (i = 0; i < bag->n; i++) {
		phys_addr_t off = page_to_phys(bag->pages[i]) -
				  mem->defpool.start;

		if (off % ZC_FRAG_SIZE) {
			kept++;
		} else {
			put_page(bag->pages[i]);
			bag->pages[i] = NULL;
			freed++;
		}
	}
	KUNIT_ASSERT_GT(test, kept, 0);
	KUNIT_ASSERT_GT(test, freed, 0);
	/* ...and take every order-3 run still free. */
	zc_stats(mem, &st0);
	while ((page = zc_lend(mem, ZC_FRAG_ORDER)))
		zc_bag_add(test, bag, page);
	zc_stats(mem, &st1);
	KUNIT_ASSERT_EQ_MSG(test, st1.fallback[SWIOTLB_ZC_FB_FRAGMENTED],
			    st0.fallback[SWIOTLB_ZC_FB_FRAGMENTED] + 1,
			    "setup did not fragment the pool");

	zc_stats(mem, &st0);
	KUNIT_ASSERT_TRUE(test, skb_page_frag_refill_zc(32, &pf, GFP_KERNEL,
							mem));
	zc_stats(mem, &st1);
	zc_bag_add(test, bag, pf.page);
	KUNIT_EXPECT_TRUE(test, zc_page_lent_by(pf.page, mem));
	KUNIT_EXPECT_LT(test, pf.size, ZC_FRAG_SIZE);
	KUNIT_EXPECT_EQ(test, pf.size, PAGE_SIZE << (ZC_FRAG_ORDER - 1));
	KUNIT_EXPECT_EQ(test, pf.size, page_size(pf.page));
	KUNIT_EXPECT_EQ(test, st1.fallback[SWIOTLB_ZC_FB_FRAGMENTED] -
			st0.fallback[SWIOTLB_ZC_FB_FRAGMENTED], 1);
	KUNIT_EXPECT_EQ(test, st1.allocs - st0.allocs, 1);
	KUNIT_EXPECT_EQ(test, st1.used - st0.used,
			ZC_SLOTS(ZC_FRAG_ORDER - 1));

	/* With a cap below what is lent, nothing fits: an ordinary page. */
	KUNIT_ASSERT_EQ(test, zc_set_percent(1), 0);
	pf.page = NULL;
	zc_stats(mem, &st0);
	KUNIT_ASSERT_TRUE(test, skb_page_frag_refill_zc(32, &pf, GFP_KERNEL,
							mem));
	zc_stats(mem, &st1);
	zc_bag_add(test, bag, pf.page);
	KUNIT_EXPECT_FALSE(test, zc_page_lent(pf.page));
	KUNIT_EXPECT_EQ(test, st1.fallback[SWIOTLB_ZC_FB_CAP] -
			st0.fallback[SWIOTLB_ZC_FB_CAP], ZC_FRAG_ORDER + 1);
	KUNIT_EXPECT_EQ(test, st1.allocs, st0.allocs);
	KUNIT_EXPECT_EQ(test, st1.used, st0.used);

	zc_bag_put_all(bag);
	zc_stats(mem, &st1);
	KUNIT_EXPECT_EQ(test, st1.used, 0);
	KUNIT_EXPECT_EQ(test, st1.pool_used, 0);
}

/* 3. A lent page returns exactly once, after the last skb that holds it. */

enum zc_skb_path {
	ZC_SKB_KFREE,
	ZC_SKB_CONSUME,
	ZC_SKB_CLONE_FREE_CLONE_FIRST,
	ZC_SKB_CLONE_FREE_ORIG_FIRST,
	ZC_SKB_PSKB_COPY,
	ZC_SKB_SEGMENT,
	ZC_SKB_SPLIT,
};

struct zc_skb_case {
	const char *name;
	enum zc_skb_path path;
};

static const struct zc_skb_case zc_skb_cases[] = {
	{ "kfree_skb", ZC_SKB_KFREE },
	{ "consume_skb", ZC_SKB_CONSUME },
	{ "clone_free_clone_first", ZC_SKB_CLONE_FREE_CLONE_FIRST },
	{ "clone_free_orig_first", ZC_SKB_CLONE_FREE_ORIG_FIRST },
	{ "pskb_copy", ZC_SKB_PSKB_COPY },
	{ "skb_segment", ZC_SKB_SEGMENT },
	{ "skb_split", ZC_SKB_SPLIT },
};

KUNIT_ARRAY_PARAM_DESC(zc_skb, zc_skb_cases, name);

#define ZC_SKB_MSS	1000
#define ZC_SKB_NFRAGS	3
static const char zc_hdr[] = "abcdefgh";

static u8 zc_pattern(size_t off)
{
	return (u8)(off * 131 + (off >> 9) + 7);
}

/* Frags of ZC_SKB_MSS bytes, one crossing a base page, in @page. */
static const unsigned int zc_skb_frag_off[ZC_SKB_NFRAGS] = {
	0, PAGE_SIZE - ZC_SKB_MSS / 2, 3 * PAGE_SIZE,
};

static struct sk_buff *zc_skb_build(struct kunit *test, struct page *page)
{
	const int shinfo = SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	struct sk_buff *skb;
	unsigned int i;

	skb = alloc_skb(sizeof(zc_hdr) + shinfo, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	/* As net_test.c: headers before skb->data, payload all in frags. */
	skb_put_data(skb, zc_hdr, sizeof(zc_hdr));
	skb_reset_mac_header(skb);
	skb_pull(skb, sizeof(zc_hdr));
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	skb->protocol = htons(ETH_P_ATALK);

	for (i = 0; i < ZC_SKB_NFRAGS; i++) {
		get_page(page);
		skb_fill_page_desc(skb, i, page, zc_skb_frag_off[i],
				   ZC_SKB_MSS);
		skb->len += ZC_SKB_MSS;
		skb->data_len += ZC_SKB_MSS;
		skb->truesize += ZC_SKB_MSS;
	}
	return skb;
}

/* The payload an skb made by zc_skb_build() carries from @from on. */
static void zc_skb_expect_payload(struct kunit *test, struct sk_buff *skb,
				  unsigned int from)
{
	unsigned int hlen = skb_headlen(skb), i, f, at;
	u8 byte;

	/* Segments start with a copy of the header, then the payload. */
	for (i = 0; i < skb->len - hlen; i++) {
		f = (from + i) / ZC_SKB_MSS;
		at = zc_skb_frag_off[f] + (from + i) % ZC_SKB_MSS;
		KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, hlen + i, &byte, 1),
				0);
		if (byte != zc_pattern(at)) {
			KUNIT_FAIL(test, "payload byte %u differs", from + i);
			return;
		}
	}
}

static void zc_expect_held(struct kunit *test, struct io_tlb_mem *mem,
			   const struct swiotlb_zc_stats *st0,
			   unsigned int order, const char *what)
{
	struct swiotlb_zc_stats st;

	zc_stats(mem, &st);
	KUNIT_EXPECT_EQ_MSG(test, st.used, st0->used + ZC_SLOTS(order),
			    "slots returned too early, after %s", what);
	KUNIT_EXPECT_EQ_MSG(test, st.frees, st0->frees,
			    "page returned too early, after %s", what);
}

static void zc_expect_returned(struct kunit *test, struct io_tlb_mem *mem,
			       const struct swiotlb_zc_stats *st0)
{
	struct swiotlb_zc_stats st;

	zc_stats(mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, st0->used);
	KUNIT_EXPECT_EQ(test, st.frees, st0->frees + 1);
	KUNIT_EXPECT_EQ(test, st.allocs, st0->allocs + 1);
	KUNIT_EXPECT_EQ(test, st.pool_used, st0->pool_used);
	KUNIT_EXPECT_EQ(test, st.stray, st0->stray);
}

static void zc_skb_test(struct kunit *test)
{
	const struct zc_skb_case *sc = test->param_value;
	struct sk_buff *skb, *other, *segs, *next;
	struct swiotlb_zc_stats st0;
	const skb_frag_t *frag;
	struct io_tlb_mem *mem;
	struct page *page;
	unsigned int i, nsegs;

	mem = zc_mem_new(test, ZC_POOL_SLABS, 1);
	zc_stats(mem, &st0);
	page = zc_lend(mem, ZC_FRAG_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	for (i = 0; i < ZC_FRAG_SIZE; i++)
		((u8 *)page_address(page))[i] = zc_pattern(i);
	skb = zc_skb_build(test, page);
	/* From now on only the skb holds the page. */
	put_page(page);
	zc_expect_held(test, mem, &st0, ZC_FRAG_ORDER, "building the skb");

	switch (sc->path) {
	case ZC_SKB_KFREE:
		kfree_skb(skb);
		break;
	case ZC_SKB_CONSUME:
		consume_skb(skb);
		break;
	case ZC_SKB_CLONE_FREE_CLONE_FIRST:
	case ZC_SKB_CLONE_FREE_ORIG_FIRST:
		other = skb_clone(skb, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, other);
		if (sc->path == ZC_SKB_CLONE_FREE_ORIG_FIRST)
			swap(skb, other);
		kfree_skb(other);
		zc_expect_held(test, mem, &st0, ZC_FRAG_ORDER, "first free");
		zc_skb_expect_payload(test, skb, 0);
		consume_skb(skb);
		break;
	case ZC_SKB_PSKB_COPY:
		other = pskb_copy(skb, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, other);
		/* The copy shares the lent page, it does not copy it. */
		KUNIT_EXPECT_PTR_EQ(test,
				    skb_frag_page(&skb_shinfo(other)->frags[0]),
				    page);
		consume_skb(skb);
		zc_expect_held(test, mem, &st0, ZC_FRAG_ORDER, "original");
		zc_skb_expect_payload(test, other, 0);
		kfree_skb(other);
		break;
	case ZC_SKB_SEGMENT:
		skb_shinfo(skb)->gso_size = ZC_SKB_MSS;
		segs = skb_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, segs);
		consume_skb(skb);
		zc_expect_held(test, mem, &st0, ZC_FRAG_ORDER, "GSO skb");
		for (nsegs = 0, skb = segs; skb; skb = next, nsegs++) {
			next = skb->next;
			skb_mark_not_on_list(skb);
			KUNIT_EXPECT_EQ(test, skb->len,
					sizeof(zc_hdr) + ZC_SKB_MSS);
			KUNIT_EXPECT_EQ(test, skb->data_len, ZC_SKB_MSS);
			/* The frag is the lent page, not a copy of it. */
			frag = &skb_shinfo(skb)->frags[0];
			KUNIT_EXPECT_PTR_EQ(test,
					    compound_head(skb_frag_page(frag)),
					    page);
			zc_skb_expect_payload(test, skb, nsegs * ZC_SKB_MSS);
			if (next) {
				consume_skb(skb);
				zc_expect_held(test, mem, &st0, ZC_FRAG_ORDER,
					       "a segment");
			} else {
				kfree_skb(skb);
			}
		}
		KUNIT_EXPECT_EQ(test, nsegs, ZC_SKB_NFRAGS);
		break;
	case ZC_SKB_SPLIT:
		other = alloc_skb(0, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, other);
		/* In the middle of the second frag: both halves hold it. */
		skb_split(skb, other, ZC_SKB_MSS + ZC_SKB_MSS / 2);
		KUNIT_EXPECT_EQ(test, skb->len, ZC_SKB_MSS + ZC_SKB_MSS / 2);
		KUNIT_EXPECT_EQ(test, other->len,
				ZC_SKB_NFRAGS * ZC_SKB_MSS - skb->len);
		zc_skb_expect_payload(test, skb, 0);
		zc_skb_expect_payload(test, other, skb->len);
		kfree_skb(skb);
		zc_expect_held(test, mem, &st0, ZC_FRAG_ORDER, "head half");
		consume_skb(other);
		break;
	}
	zc_expect_returned(test, mem, &st0);
}

/* 4. A page_frag moves to a new page while an skb holds the old one. */
static void zc_pfrag_replaced_test(struct kunit *test)
{
	struct swiotlb_zc_stats st0, st;
	struct page_frag pf = {};
	struct io_tlb_mem *mem;
	struct page *old;
	struct sk_buff *skb;
	unsigned int i;

	mem = zc_mem_new(test, ZC_POOL_SLABS, 1);
	zc_stats(mem, &st0);
	KUNIT_ASSERT_TRUE(test, skb_page_frag_refill_zc(32, &pf, GFP_KERNEL,
							mem));
	old = pf.page;
	KUNIT_ASSERT_TRUE(test, zc_page_lent_by(old, mem));

	/* A sender copies 1000 bytes and attaches them to skb A. */
	memset(page_address(old) + pf.offset, 0x5a, 1000);
	skb = alloc_skb(0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	get_page(old);
	skb_fill_page_desc(skb, 0, old, pf.offset, 1000);
	skb->len = 1000;
	skb->data_len = 1000;
	skb->truesize += 1000;
	pf.offset += 1000;

	/* Room left: the same page, mid-page. */
	KUNIT_ASSERT_TRUE(test, skb_page_frag_refill_zc(32, &pf, GFP_KERNEL,
							mem));
	KUNIT_EXPECT_PTR_EQ(test, pf.page, old);
	KUNIT_EXPECT_EQ(test, pf.offset, 1000);

	/* Past the end: a new page replaces the one skb A still holds. */
	pf.offset = pf.size - 16;
	KUNIT_ASSERT_TRUE(test, skb_page_frag_refill_zc(32, &pf, GFP_KERNEL,
							mem));
	KUNIT_EXPECT_PTR_NE(test, pf.page, old);
	KUNIT_EXPECT_TRUE(test, zc_page_lent_by(pf.page, mem));
	KUNIT_EXPECT_EQ(test, pf.offset, 0);

	/* The old page is still lent, typed and intact while A lives. */
	KUNIT_EXPECT_TRUE(test, zc_page_lent_by(old, mem));
	KUNIT_EXPECT_EQ(test, page_ref_count(old), 1);
	zc_stats(mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, st0.used + 2 * ZC_SLOTS(ZC_FRAG_ORDER));
	KUNIT_EXPECT_EQ(test, st.frees, st0.frees);
	for (i = 0; i < 1000; i++) {
		u8 byte;

		skb_copy_bits(skb, i, &byte, 1);
		if (byte != 0x5a) {
			KUNIT_FAIL(test, "skb A byte %u changed", i);
			break;
		}
	}

	kfree_skb(skb);
	zc_stats(mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, st0.used + ZC_SLOTS(ZC_FRAG_ORDER));
	KUNIT_EXPECT_EQ(test, st.frees, st0.frees + 1);

	put_page(pf.page);
	zc_stats(mem, &st);
	KUNIT_EXPECT_EQ(test, st.used, st0.used);
	KUNIT_EXPECT_EQ(test, st.frees, st0.frees + 2);
	KUNIT_EXPECT_EQ(test, st.allocs, st0.allocs + 2);
}

/* 5. TCP through a bouncing device, copied and MSG_ZEROCOPY sends mixed. */

#define ZC_TCP_MSGS		24
#define ZC_TCP_MAX_MSG		30000
/* The copied head of a mixed send: large enough to lend. */
#define ZC_TCP_MIXED_COPY	SK_TX_LEND_MIN_COPY
#define ZC_TCP_TIMEOUT_S	10
#define ZC_NIC_ADDR		0xc0000201	/* 192.0.2.1, TEST-NET-1 */
#define ZC_PEER_ADDR		0xc0000202	/* 192.0.2.2, reflected */

/*
 * devinet_ioctl() is not exported, nor is much below: the suite is built in
 * (CONFIG_SKB_FRAG_ZC_KUNIT_TEST is bool).
 */
static int zc_set_addr(struct net_device *dev, unsigned int cmd, __be32 addr)
{
	struct sockaddr_in *sin;
	struct ifreq ifr = {};

	strscpy(ifr.ifr_name, dev->name, IFNAMSIZ);
	sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = addr;
	return devinet_ioctl(dev_net(dev), cmd, &ifr);
}

static void zc_netdev_unregister(void *data)
{
	unregister_netdev(data);
	free_netdev(data);
}

/*
 * The NIC: up, 192.0.2.1/24 and a DMA parent that bounces through the
 * default pool; it reflects every IPv4 packet it sends.
 */
static struct net_device *zc_nic_new(struct kunit *test, struct device *parent,
				     bool maps_frags)
{
	struct zc_ndev_priv *priv;
	struct net_device *ndev;
	int err;

	ndev = alloc_netdev(sizeof(struct zc_ndev_priv), "zctx%d",
			    NET_NAME_ENUM, zc_ndev_setup);
	KUNIT_ASSERT_NOT_NULL(test, ndev);
	SET_NETDEV_DEV(ndev, parent);
	ndev->tx_maps_frags = maps_frags;
	priv = netdev_priv(ndev);
	priv->reflect = true;
	if (register_netdev(ndev)) {
		free_netdev(ndev);
		KUNIT_FAIL_AND_ABORT(test, "register_netdev failed");
	}
	err = kunit_add_action_or_reset(test, zc_netdev_unregister, ndev);
	KUNIT_ASSERT_EQ(test, err, 0);
	rtnl_lock();
	KUNIT_EXPECT_EQ(test, dev_open(ndev, NULL), 0);
	rtnl_unlock();
	KUNIT_ASSERT_TRUE(test, netif_running(ndev));
	err = zc_set_addr(ndev, SIOCSIFADDR, htonl(ZC_NIC_ADDR));
	KUNIT_ASSERT_EQ(test, err, 0);
	err = zc_set_addr(ndev, SIOCSIFNETMASK, htonl(0xffffff00));
	KUNIT_ASSERT_EQ(test, err, 0);
	return ndev;
}

static size_t zc_tcp_msg_len(unsigned int i)
{
	size_t len = 1000 + (i * 7919) % (ZC_TCP_MAX_MSG - 1000);

	/* Mixed sends (i % 3 == 2) copy ZC_TCP_MIXED_COPY bytes first. */
	return i % 3 == 2 ? max_t(size_t, len, ZC_TCP_MIXED_COPY + 1000) : len;
}

static void zc_stream_fill(struct page **pages, size_t len)
{
	size_t off;

	for (off = 0; off < len; off++)
		((u8 *)page_address(pages[off / PAGE_SIZE]))[off % PAGE_SIZE] =
			zc_pattern(off);
}

static int zc_send_copy(struct socket *sock, struct page **pages, size_t off,
			size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = flags };
	struct kvec kv[16];
	size_t n, chunk;
	int ret;

	/*
	 * Copied from the same pages the zerocopy sends pin, up to 64 KiB
	 * per sendmsg(), as one write of the caller's buffer.
	 */
	while (len) {
		for (n = 0, chunk = 0; n < ARRAY_SIZE(kv) && chunk < len; n++) {
			size_t at = off + chunk;

			kv[n].iov_base = page_address(pages[at / PAGE_SIZE]) +
					 at % PAGE_SIZE;
			kv[n].iov_len = min_t(size_t, len - chunk,
					      PAGE_SIZE - at % PAGE_SIZE);
			chunk += kv[n].iov_len;
		}
		ret = kernel_sendmsg(sock, &msg, kv, n, chunk);
		if (ret <= 0)
			return ret ? ret : -EIO;
		off += ret;
		len -= ret;
	}
	return 0;
}

/*
 * MSG_ZEROCOPY with SO_ZEROCOPY set, from kernel pages: tcp_sendmsg()
 * pins the bvec pages with iov_iter_get_pages2() and attaches a
 * msg_zerocopy uarg, as for a user's pinned pages.
 */
static int zc_send_zerocopy(struct socket *sock, struct page **pages,
			    size_t off, size_t len, int flags)
{
	struct bio_vec bv[DIV_ROUND_UP(ZC_TCP_MAX_MSG, PAGE_SIZE) + 1];
	struct msghdr msg = {};
	unsigned int n = 0;
	size_t pos, left;
	int ret;

	for (pos = off, left = len; left; n++) {
		unsigned int chunk = min_t(size_t, left,
					   PAGE_SIZE - pos % PAGE_SIZE);

		if (n >= ARRAY_SIZE(bv))
			return -E2BIG;
		bvec_set_page(&bv[n], pages[pos / PAGE_SIZE], chunk,
			      pos % PAGE_SIZE);
		pos += chunk;
		left -= chunk;
	}
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, len);
	while (msg_data_left(&msg)) {
		msg.msg_flags = MSG_ZEROCOPY | flags;
		ret = sock_sendmsg(sock, &msg);
		if (ret <= 0)
			return ret ? ret : -EIO;
	}
	return 0;
}

static int zc_recv_check(struct socket *sock, u8 *buf, size_t off, size_t len)
{
	struct msghdr msg = {};
	struct kvec kv;
	size_t got = 0, i;
	int ret;

	while (got < len) {
		kv.iov_base = buf + got;
		kv.iov_len = len - got;
		ret = kernel_recvmsg(sock, &msg, &kv, 1, kv.iov_len,
				     MSG_WAITALL);
		if (ret <= 0)
			return ret ? ret : -ECONNRESET;
		got += ret;
	}
	for (i = 0; i < len; i++)
		if (buf[i] != zc_pattern(off + i))
			return -EBADMSG;
	return 0;
}

static void zc_sock_timeouts(struct socket *sock)
{
	sock_set_sndtimeo(sock->sk, ZC_TCP_TIMEOUT_S);
	WRITE_ONCE(sock->sk->sk_rcvtimeo, ZC_TCP_TIMEOUT_S * HZ);
}

static void zc_tcp_test(struct kunit *test)
{
	struct sockaddr_in laddr = { .sin_family = AF_INET };
	struct sockaddr_in caddr = { .sin_family = AF_INET };
	struct sockaddr_in peer = {};
	struct socket *lsock, *csock, *asock;
	struct swiotlb_zc_stats st0, st1;
	struct zc_ndev_priv *priv;
	struct zc_page_bag *bag;
	struct net_device *ndev;
	struct device *parent;
	size_t total = 0, off;
	unsigned int i;
	int one = 1;
	int err;
	u8 *rbuf;

	KUNIT_ASSERT_TRUE_MSG(test, swiotlb_zc_mem_can_lend(zc_default_mem),
			      "the kernel must bounce every DMA (swiotlb=force)");

	parent = zc_dma_dev_new(test, NULL);
	KUNIT_ASSERT_PTR_EQ(test, parent->dma_io_tlb_mem, zc_default_mem);
	KUNIT_ASSERT_PTR_EQ(test, swiotlb_zc_dev_mem(parent), zc_default_mem);

	for (i = 0; i < ZC_TCP_MSGS; i++)
		total += zc_tcp_msg_len(i);
	bag = zc_bag_new(test, DIV_ROUND_UP(total, PAGE_SIZE));
	for (i = 0; i < bag->max; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		zc_bag_add(test, bag, page);
	}
	zc_stream_fill(bag->pages, total);
	rbuf = kunit_kmalloc(test, ZC_TCP_MAX_MSG + 1000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rbuf);

	ndev = zc_nic_new(test, parent, true);
	priv = netdev_priv(ndev);

	lsock = zc_sock_new(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	zc_sock_timeouts(lsock);
	laddr.sin_addr.s_addr = htonl(INADDR_ANY);
	KUNIT_ASSERT_EQ(test, kernel_bind(lsock, (struct sockaddr *)&laddr,
					  sizeof(laddr)), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(lsock, 4), 0);
	err = kernel_getsockname(lsock, (struct sockaddr *)&laddr);
	KUNIT_ASSERT_GT(test, err, 0);

	csock = zc_sock_new(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	zc_sock_timeouts(csock);
	caddr.sin_addr.s_addr = htonl(ZC_PEER_ADDR);
	caddr.sin_port = laddr.sin_port;
	KUNIT_ASSERT_EQ(test, kernel_connect(csock, (struct sockaddr *)&caddr,
					     sizeof(caddr), 0), 0);
	KUNIT_ASSERT_EQ(test, kernel_accept(lsock, &asock, 0), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_sock_release,
							asock), 0);
	zc_sock_timeouts(asock);
	/* The listener sees the connection come from the reflected peer. */
	err = kernel_getpeername(asock, (struct sockaddr *)&peer);
	KUNIT_ASSERT_GT(test, err, 0);
	KUNIT_EXPECT_EQ(test, peer.sin_addr.s_addr, htonl(ZC_PEER_ADDR));
	KUNIT_ASSERT_PTR_EQ(test, sk_tx_lend_mem(csock->sk, NULL),
			    zc_default_mem);

	KUNIT_ASSERT_EQ(test, sock_setsockopt(csock, SOL_SOCKET, SO_ZEROCOPY,
					      KERNEL_SOCKPTR(&one),
					      sizeof(one)), 0);
	KUNIT_ASSERT_TRUE(test, sock_flag(csock->sk, SOCK_ZEROCOPY));

	zc_stats(zc_default_mem, &st0);
	for (i = 0, off = 0; i < ZC_TCP_MSGS; off += zc_tcp_msg_len(i), i++) {
		size_t len = zc_tcp_msg_len(i);
		int ret;

		switch (i % 3) {
		case 0:
			ret = zc_send_copy(csock, bag->pages, off, len, 0);
			break;
		case 1:
			ret = zc_send_zerocopy(csock, bag->pages, off, len, 0);
			break;
		default:
			/*
			 * Both kinds of frags in one skb. Corked, the tail of
			 * the copied part (16 KiB is no multiple of the MSS)
			 * waits for the zerocopy part even when every segment
			 * sent before it is acknowledged meanwhile.
			 */
			tcp_sock_set_cork(csock->sk, true);
			ret = zc_send_copy(csock, bag->pages, off,
					   ZC_TCP_MIXED_COPY, MSG_MORE);
			if (!ret)
				ret = zc_send_zerocopy(csock, bag->pages,
						       off + ZC_TCP_MIXED_COPY,
						       len - ZC_TCP_MIXED_COPY, 0);
			tcp_sock_set_cork(csock->sk, false);
			break;
		}
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "send %u failed", i);
		ret = zc_recv_check(asock, rbuf, off, len);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "receive %u failed", i);
	}
	zc_stats(zc_default_mem, &st1);

	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&priv->errors), 0,
			    "device saw wrong mappings, first error %d",
			    atomic_read(&priv->first_error));
	KUNIT_EXPECT_GT(test, atomic_long_read(&priv->reflected), 0);
	/* Copied sends wrote into lent pages, mapped in place. */
	KUNIT_EXPECT_GT(test, st1.allocs, st0.allocs);
	KUNIT_EXPECT_GT(test, atomic_long_read(&priv->lent_bytes), 0);
	KUNIT_EXPECT_GE(test, st1.mapped_bytes - st0.mapped_bytes,
			(unsigned long)atomic_long_read(&priv->lent_bytes));
	/* MSG_ZEROCOPY pages are the sender's: bounced as before. */
	KUNIT_EXPECT_GT(test, atomic_long_read(&priv->bounced_bytes), 0);
	KUNIT_EXPECT_GE(test, st1.bounced_bytes - st0.bounced_bytes,
			(unsigned long)atomic_long_read(&priv->bounced_bytes));
	KUNIT_EXPECT_GT(test, atomic_long_read(&priv->mixed_skbs), 0);
	kunit_info(test, "%zu bytes: %ld lent in place, %ld bounced, %ld mixed skbs, %lu pages lent",
		   total, atomic_long_read(&priv->lent_bytes),
		   atomic_long_read(&priv->bounced_bytes),
		   atomic_long_read(&priv->mixed_skbs), st1.allocs - st0.allocs);

	/* Close, and drop what this task's page_frag still holds. */
	kunit_release_action(test, zc_sock_release, asock);
	kunit_release_action(test, zc_sock_release, csock);
	kunit_release_action(test, zc_sock_release, lsock);
	if (current->task_frag.page) {
		put_page(current->task_frag.page);
		current->task_frag.page = NULL;
	}
	KUNIT_EXPECT_EQ(test, zc_wait_used(zc_default_mem, st0.used),
			st0.used);
}

static void zc_lo_down(void *data)
{
	rtnl_lock();
	dev_close(data);
	rtnl_unlock();
}

/* Nothing brings lo up in a KUnit kernel: do, for as long as the case runs. */
static void zc_lo_up(struct kunit *test)
{
	struct net_device *lo = init_net.loopback_dev;
	int err;

	if (lo->flags & IFF_UP)
		return;
	rtnl_lock();
	err = dev_open(lo, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	err = kunit_add_action_or_reset(test, zc_lo_down, lo);
	KUNIT_ASSERT_EQ(test, err, 0);
}

/*
 * 6. A UDP socket connected through the NIC that sends elsewhere with
 * sendto(): the payload takes the route of its destination, and only that
 * route decides whether it may go to lent pages. Corked sends
 * (MSG_MORE) append to page frags, which the queued skbs show; appends
 * below SK_TX_LEND_MIN_COPY copy into ordinary pages on any route.
 */
struct zc_udp_case {
	const char *name;
	__be32 daddr;
	unsigned int len;
	bool lent;
};

/* Appends smaller than SK_TX_LEND_MIN_COPY copy into ordinary pages. */
static const struct zc_udp_case zc_udp_cases[] = {
	{ "sendto_connected_peer", htonl(ZC_PEER_ADDR), SK_TX_LEND_MIN_COPY,
	  true },
	{ "sendto_loopback", htonl(INADDR_LOOPBACK), SK_TX_LEND_MIN_COPY,
	  false },
	{ "small_appends", htonl(ZC_PEER_ADDR), 1200, false },
};

KUNIT_ARRAY_PARAM_DESC(zc_udp, zc_udp_cases, name);

/* The frags of the datagram corked on a UDP socket, lent or not. */
struct zc_corked {
	unsigned int lent, plain;
	unsigned long lent_len, plain_len;
};

static void zc_corked_frags(struct sock *sk, struct zc_corked *q)
{
	struct sk_buff *skb;
	unsigned int i;

	memset(q, 0, sizeof(*q));
	skb_queue_walk(&sk->sk_write_queue, skb) {
		for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
			skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

			if (zc_page_lent(skb_frag_page(frag))) {
				q->lent++;
				q->lent_len += skb_frag_size(frag);
			} else {
				q->plain++;
				q->plain_len += skb_frag_size(frag);
			}
		}
	}
}

/* A buffer of @len bytes of the test pattern, freed with the case. */
static u8 *zc_pattern_buf(struct kunit *test, size_t len)
{
	u8 *buf = kunit_kmalloc(test, len, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < len; i++)
		buf[i] = zc_pattern(i);
	return buf;
}

static void zc_udp_route_test(struct kunit *test)
{
	const struct zc_udp_case *uc = test->param_value;
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct swiotlb_zc_stats st0, st1;
	struct msghdr msg = {};
	unsigned int i, len;
	struct socket *sock;
	struct zc_corked q;
	struct kvec kv;
	u8 *buf;
	int err;

	KUNIT_ASSERT_TRUE_MSG(test, swiotlb_zc_mem_can_lend(zc_default_mem),
			      "the kernel must bounce every DMA (swiotlb=force)");
	zc_lo_up(test);
	zc_nic_new(test, zc_dma_dev_new(test, NULL), true);
	buf = zc_pattern_buf(test, uc->len);

	sock = zc_sock_new(test, AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	to.sin_port = htons(9);
	to.sin_addr.s_addr = htonl(ZC_PEER_ADDR);
	err = kernel_connect(sock, (struct sockaddr *)&to, sizeof(to), 0);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_PTR_EQ(test, sk_tx_lend_mem(sock->sk, NULL),
			    zc_default_mem);

	zc_stats(zc_default_mem, &st0);
	to.sin_addr.s_addr = uc->daddr;
	msg.msg_name = &to;
	msg.msg_namelen = sizeof(to);
	/* The first corked send builds a linear skb, the next ones frags. */
	for (i = 0; i < 3; i++) {
		len = i ? uc->len : 100;
		kv.iov_base = buf;
		kv.iov_len = len;
		msg.msg_flags = MSG_MORE;
		err = kernel_sendmsg(sock, &msg, &kv, 1, len);
		KUNIT_ASSERT_EQ(test, err, len);
	}
	zc_stats(zc_default_mem, &st1);

	zc_corked_frags(sock->sk, &q);
	KUNIT_ASSERT_GT_MSG(test, q.lent + q.plain, 0, "no paged data queued");
	/* __ip_append_data() counted each copy into a page frag. */
	KUNIT_EXPECT_EQ(test, st1.copied_lent_bytes - st0.copied_lent_bytes,
			q.lent_len);
	KUNIT_EXPECT_EQ(test, st1.copied_bytes - st0.copied_bytes, q.plain_len);
	if (uc->lent) {
		KUNIT_EXPECT_GT(test, q.lent, 0);
		KUNIT_EXPECT_GT(test, st1.allocs, st0.allocs);
	} else {
		KUNIT_EXPECT_EQ_MSG(test, q.lent, 0,
				    "payload for %pI4 in lent pages", &uc->daddr);
		KUNIT_EXPECT_EQ(test, st1.allocs, st0.allocs);
	}

	/* Closing drops the corked data. */
	kunit_release_action(test, zc_sock_release, sock);
	if (current->task_frag.page) {
		put_page(current->task_frag.page);
		current->task_frag.page = NULL;
	}
}

/*
 * 7. Real attachments on a real TCP connection through the NIC. Each case
 * attaches the real thing after connect() (a netfilter hook, a clsact
 * qdisc made through rtnetlink, an IPsec policy, kTLS, ethtool feature
 * changes, the namespace's opt-in), sends 64 KiB with copying sendmsg()
 * and checks where every payload byte was when the device read it: in a
 * lent page mapped in place, or in an ordinary page that was bounced or
 * linearised.
 */
#define ZC_REAL_BYTES		(64 * 1024)
#define ZC_REAL_CHUNK		(16 * 1024)
/* More than the largest lent page (order SKB_FRAG_PAGE_ORDER) */
#define ZC_REAL_MAX_CHUNK	(SZ_32K + 1000)
#define ZC_REAL_STREAM		(4 * ZC_REAL_BYTES)

enum zc_real_kind {
	ZC_REAL_PLAIN,
	ZC_REAL_NETNS_OFF,
	ZC_REAL_NF_NAT,
	ZC_REAL_NF_FILTER,
	ZC_REAL_NF_POSTROUTING,
	ZC_REAL_CONNTRACK,
	ZC_REAL_CLSACT,
	ZC_REAL_KTLS,
	ZC_REAL_TEST_ULP,
	ZC_REAL_PSOCK,
	ZC_REAL_NO_SG,
	ZC_REAL_NO_CSUM,
	ZC_REAL_NO_MAPS_FRAGS,
};

struct zc_real_case {
	const char *name;
	enum zc_real_kind kind;
	bool lent;
};

static const struct zc_real_case zc_real_cases[] = {
	{ "plain_route", ZC_REAL_PLAIN, true },
	{ "netns_not_opted_in", ZC_REAL_NETNS_OFF, false },
	{ "netfilter_nat_priority_hook", ZC_REAL_NF_NAT, false },
	{ "netfilter_filter_priority_hook", ZC_REAL_NF_FILTER, false },
	{ "netfilter_postrouting_hook", ZC_REAL_NF_POSTROUTING, false },
	{ "conntrack_defrag_priority_hook", ZC_REAL_CONNTRACK, true },
	{ "tc_clsact_egress", ZC_REAL_CLSACT, false },
	{ "ktls_tx", ZC_REAL_KTLS, false },
	{ "tcp_ulp", ZC_REAL_TEST_ULP, false },
	{ "sockmap_psock", ZC_REAL_PSOCK, false },
	{ "ethtool_sg_off", ZC_REAL_NO_SG, false },
	{ "ethtool_tx_csum_off", ZC_REAL_NO_CSUM, false },
	{ "driver_copies_frags", ZC_REAL_NO_MAPS_FRAGS, false },
};

KUNIT_ARRAY_PARAM_DESC(zc_real, zc_real_cases, name);

struct zc_conn {
	struct net_device *ndev;
	struct zc_ndev_priv *priv;
	struct socket *lsock, *csock, *asock;
	struct zc_page_bag *src;
	size_t off;
	u8 *rbuf;
};

static void zc_task_frag_drop(void)
{
	if (current->task_frag.page) {
		put_page(current->task_frag.page);
		current->task_frag.page = NULL;
	}
}

/*
 * Abort both ends: closed sockets must not linger as orphans that keep
 * unacknowledged data, and the lent pages in it, until a timer fires.
 */
static void zc_conn_close(void *data)
{
	struct zc_conn *c = data;

	zc_task_frag_drop();
	sock_no_linger(c->csock->sk);
	if (c->asock) {
		sock_no_linger(c->asock->sk);
		zc_sock_release(c->asock);
	}
	c->asock = NULL;
}

/* A TCP connection from 192.0.2.1 to the reflected 192.0.2.2. */
static struct zc_conn *zc_conn_open(struct kunit *test, bool maps_frags)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct device *parent;
	struct zc_conn *c;
	unsigned int i;
	int err;

	KUNIT_ASSERT_TRUE_MSG(test, swiotlb_zc_mem_can_lend(zc_default_mem),
			      "the kernel must bounce every DMA (swiotlb=force)");
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->src = zc_bag_new(test, ZC_REAL_STREAM / PAGE_SIZE);
	for (i = 0; i < c->src->max; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		zc_bag_add(test, c->src, page);
	}
	zc_stream_fill(c->src->pages, ZC_REAL_STREAM);
	c->rbuf = kunit_kmalloc(test, ZC_REAL_MAX_CHUNK, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->rbuf);

	parent = zc_dma_dev_new(test, NULL);
	c->ndev = zc_nic_new(test, parent, maps_frags);
	c->priv = netdev_priv(c->ndev);

	c->lsock = zc_sock_new(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	zc_sock_timeouts(c->lsock);
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	err = kernel_bind(c->lsock, (struct sockaddr *)&addr, sizeof(addr));
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(c->lsock, 4), 0);
	KUNIT_ASSERT_GT(test, kernel_getsockname(c->lsock,
						 (struct sockaddr *)&addr), 0);
	c->csock = zc_sock_new(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	zc_sock_timeouts(c->csock);
	addr.sin_addr.s_addr = htonl(ZC_PEER_ADDR);
	err = kernel_connect(c->csock, (struct sockaddr *)&addr,
			     sizeof(addr), 0);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kernel_accept(c->lsock, &c->asock, 0), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_conn_close,
							c), 0);
	zc_sock_timeouts(c->asock);
	zc_task_frag_drop();
	return c;
}

/*
 * Send @len bytes of the stream with copying sendmsg()s of at most @chunk
 * bytes; @check: read back.
 */
static void zc_conn_send_chunks(struct kunit *test, struct zc_conn *c,
				size_t len, size_t chunk, bool check)
{
	while (len) {
		size_t n = min(len, chunk);
		int ret;

		KUNIT_ASSERT_LE(test, c->off + n, (size_t)ZC_REAL_STREAM);
		ret = zc_send_copy(c->csock, c->src->pages, c->off, n, 0);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "send at %zu", c->off);
		if (check) {
			ret = zc_recv_check(c->asock, c->rbuf, c->off, n);
			KUNIT_ASSERT_EQ_MSG(test, ret, 0, "receive at %zu",
					    c->off);
		}
		c->off += n;
		len -= n;
	}
}

static void zc_conn_send(struct kunit *test, struct zc_conn *c, size_t len,
			 bool check)
{
	zc_conn_send_chunks(test, c, len, ZC_REAL_CHUNK, check);
}

/* Where the device found payload bytes, and what the pool lent. */
struct zc_where {
	long lent, bounced, linear;
	struct swiotlb_zc_stats st;
};

static void zc_where(struct zc_conn *c, struct zc_where *w)
{
	w->lent = atomic_long_read(&c->priv->lent_bytes);
	w->bounced = atomic_long_read(&c->priv->bounced_bytes);
	w->linear = atomic_long_read(&c->priv->linear_bytes);
	zc_stats(zc_default_mem, &w->st);
}

/*
 * Send one netlink request of @protocol (NETLINK_ROUTE, NETLINK_XFRM), as
 * ip(8) or tc(8) would, and return the error of its ack. Both check
 * CAP_NET_ADMIN against the file of the sending socket, so the kernel
 * socket gets one. Consumes @req. No KUnit assertion here: cleanup
 * actions call it too.
 */
static int zc_nl_call(int protocol, struct sk_buff *req)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa) };
	struct nlmsghdr *nlh;
	struct socket *sock;
	struct file *file;
	struct kvec kv;
	void *buf;
	int ret;

	buf = kmalloc(NLMSG_GOODSIZE, GFP_KERNEL);
	ret = buf ? sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW,
				     protocol, &sock) : -ENOMEM;
	if (ret)
		goto out;
	file = sock_alloc_file(sock, 0, NULL);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out;
	}
	kv.iov_base = req->data;
	kv.iov_len = req->len;
	ret = kernel_sendmsg(sock, &msg, &kv, 1, kv.iov_len);
	if (ret >= 0) {
		memset(&msg, 0, sizeof(msg));
		kv.iov_base = buf;
		kv.iov_len = NLMSG_GOODSIZE;
		ret = kernel_recvmsg(sock, &msg, &kv, 1, kv.iov_len, 0);
		nlh = buf;
		if (ret >= (int)NLMSG_SPACE(sizeof(struct nlmsgerr)) &&
		    nlh->nlmsg_type == NLMSG_ERROR)
			ret = ((struct nlmsgerr *)nlmsg_data(nlh))->error;
		else if (ret >= 0)
			ret = -EPROTO;
	}
	__fput_sync(file);
out:
	kfree(buf);
	kfree_skb(req);
	return ret;
}

static int zc_rtnl_call(struct sk_buff *req)
{
	return zc_nl_call(NETLINK_ROUTE, req);
}

static struct sk_buff *zc_rtnl_msg(int type, int flags, size_t hdrlen,
				   struct nlmsghdr **nlh)
{
	struct sk_buff *skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	if (!skb)
		return NULL;
	*nlh = nlmsg_put(skb, 0, 1, type, hdrlen,
			 NLM_F_REQUEST | NLM_F_ACK | flags);
	if (!*nlh) {
		kfree_skb(skb);
		return NULL;
	}
	memset(nlmsg_data(*nlh), 0, hdrlen);
	return skb;
}

/*
 * Finish @skb and send it as a request of @protocol, or drop it if an
 * attribute did not fit (@err).
 */
static int zc_nl_send(int protocol, struct sk_buff *skb, struct nlmsghdr *nlh,
		      int err)
{
	if (err) {
		kfree_skb(skb);
		return err;
	}
	nlmsg_end(skb, nlh);
	return zc_nl_call(protocol, skb);
}

static int zc_rtnl_send(struct sk_buff *skb, struct nlmsghdr *nlh, int err)
{
	return zc_nl_send(NETLINK_ROUTE, skb, nlh, err);
}

/* tc qdisc add|del dev @dev clsact */
static int zc_clsact(struct net_device *dev, bool add)
{
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	struct tcmsg *tcm;

	skb = zc_rtnl_msg(add ? RTM_NEWQDISC : RTM_DELQDISC,
			  add ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*tcm),
			  &nlh);
	if (!skb)
		return -ENOMEM;
	tcm = nlmsg_data(nlh);
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = dev->ifindex;
	tcm->tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
	tcm->tcm_parent = TC_H_CLSACT;
	return zc_rtnl_send(skb, nlh, nla_put_string(skb, TCA_KIND, "clsact"));
}

static void zc_clsact_del(void *data)
{
	zc_clsact(data, false);
}

static unsigned int zc_nf_accept(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static struct nf_hook_ops zc_nf_ops = {
	.hook		= zc_nf_accept,
	.pf		= NFPROTO_IPV4,
	.hooknum	= NF_INET_LOCAL_OUT,
};

static void zc_nf_unregister(void *data)
{
	nf_unregister_net_hook(&init_net, data);
}

static void zc_nf_register(struct kunit *test, struct nf_hook_ops *ops,
			   unsigned int hooknum, int priority)
{
	ops->hooknum = hooknum;
	ops->priority = priority;
	KUNIT_ASSERT_EQ(test, nf_register_net_hook(&init_net, ops), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_nf_unregister,
							ops), 0);
}

static void zc_xfrm_delete(void *data)
{
	struct xfrm_policy *pol = data;

	xfrm_policy_delete(pol, XFRM_POLICY_OUT);
	xfrm_pol_put(pol);
}

/* ip xfrm policy add dir out action allow, for every IPv4 packet. */
static void zc_xfrm_policy_add(struct kunit *test)
{
	struct xfrm_policy *pol = xfrm_policy_alloc(&init_net, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pol);
	pol->family = AF_INET;
	pol->selector.family = AF_INET;
	pol->action = XFRM_POLICY_ALLOW;
	pol->type = XFRM_POLICY_TYPE_MAIN;
	if (xfrm_policy_insert(XFRM_POLICY_OUT, pol, 1)) {
		xfrm_policy_destroy(pol);
		KUNIT_FAIL_AND_ABORT(test, "xfrm_policy_insert failed");
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_xfrm_delete,
							pol), 0);
}

/* setsockopt(TCP_ULP, "tls") and setsockopt(SOL_TLS, TLS_TX, ...) */
static void zc_ktls_tx(struct kunit *test, struct socket *sock)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = TLS_1_2_VERSION,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};
	char tls[] = "tls";
	int err;

	err = sock->ops->setsockopt(sock, SOL_TCP, TCP_ULP,
				    KERNEL_SOCKPTR(tls), strlen(tls));
	KUNIT_ASSERT_EQ(test, err, 0);
	err = sock->ops->setsockopt(sock, SOL_TLS, TLS_TX, KERNEL_SOCKPTR(&ci),
				    sizeof(ci));
	KUNIT_ASSERT_EQ(test, err, 0);
}

static void zc_test_ulp_attach(struct kunit *test, struct socket *sock)
{
	char *name = zc_test_ulp.name;
	int err;

	err = sock->ops->setsockopt(sock, SOL_TCP, TCP_ULP,
				    KERNEL_SOCKPTR(name), strlen(name));
	KUNIT_ASSERT_EQ(test, err, 0);
}

static void zc_psock_put(void *data)
{
	struct sk_psock *psock = data;

	sk_psock_put(psock->sk, psock);
}

/* The psock that sockmap attaches to every socket it holds. */
static void zc_psock_attach(struct kunit *test, struct sock *sk)
{
	struct sk_psock *psock = sk_psock_init(sk, NUMA_NO_NODE);

	KUNIT_ASSERT_FALSE(test, IS_ERR(psock));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_psock_put,
							psock), 0);
}

/* ethtool -K dev sg|tx-checksumming off */
static void zc_features_off(struct net_device *dev, netdev_features_t off)
{
	rtnl_lock();
	dev->wanted_features &= ~off;
	netdev_update_features(dev);
	rtnl_unlock();
}

static void zc_real_attach(struct kunit *test, struct zc_conn *c,
			   enum zc_real_kind kind)
{
	struct socket *sock = c->csock;
	int err;

	switch (kind) {
	case ZC_REAL_NETNS_OFF:
		WRITE_ONCE(init_net.core.sysctl_swiotlb_tx_lend, 0);
		break;
	case ZC_REAL_NF_NAT:
		zc_nf_register(test, &zc_nf_ops, NF_INET_LOCAL_OUT,
			       NF_IP_PRI_NAT_DST);
		break;
	case ZC_REAL_NF_FILTER:
		zc_nf_register(test, &zc_nf_ops, NF_INET_LOCAL_OUT,
			       NF_IP_PRI_FILTER);
		break;
	case ZC_REAL_NF_POSTROUTING:
		zc_nf_register(test, &zc_nf_ops, NF_INET_POST_ROUTING,
			       NF_IP_PRI_FILTER);
		break;
	case ZC_REAL_CONNTRACK:
		/* Where nf_defrag_ipv4 hooks in for conntrack. */
		zc_nf_register(test, &zc_nf_ops, NF_INET_LOCAL_OUT,
			       NF_IP_PRI_CONNTRACK_DEFRAG);
		break;
	case ZC_REAL_CLSACT:
		KUNIT_ASSERT_EQ(test, zc_clsact(c->ndev, true), 0);
		err = kunit_add_action_or_reset(test, zc_clsact_del, c->ndev);
		KUNIT_ASSERT_EQ(test, err, 0);
		break;
	case ZC_REAL_KTLS:
		zc_ktls_tx(test, sock);
		break;
	case ZC_REAL_TEST_ULP:
		zc_test_ulp_attach(test, sock);
		break;
	case ZC_REAL_PSOCK:
		zc_psock_attach(test, sock->sk);
		break;
	case ZC_REAL_NO_SG:
		zc_features_off(c->ndev, NETIF_F_SG);
		KUNIT_ASSERT_FALSE(test, c->ndev->features & NETIF_F_SG);
		break;
	case ZC_REAL_NO_CSUM:
		zc_features_off(c->ndev, NETIF_F_CSUM_MASK);
		KUNIT_ASSERT_TRUE(test, c->ndev->features & NETIF_F_SG);
		break;
	default:
		break;
	}
}

/* Read and drop what kTLS sent: records, not the plaintext. */
static void zc_conn_drain(struct kunit *test, struct zc_conn *c, size_t len)
{
	struct msghdr msg = {};
	struct kvec kv;
	int ret;

	while (len) {
		kv.iov_base = c->rbuf;
		kv.iov_len = min_t(size_t, len, ZC_REAL_CHUNK);
		ret = kernel_recvmsg(c->asock, &msg, &kv, 1, kv.iov_len, 0);
		KUNIT_ASSERT_GT(test, ret, 0);
		len -= min_t(size_t, len, ret);
	}
}

static void zc_real_test(struct kunit *test)
{
	const struct zc_real_case *rc = test->param_value;
	bool ktls = rc->kind == ZC_REAL_KTLS;
	unsigned long copied_lent, copied;
	struct zc_where w0, w1;
	struct zc_conn *c;
	long frag_bytes;

	c = zc_conn_open(test, rc->kind != ZC_REAL_NO_MAPS_FRAGS);
	zc_real_attach(test, c, rc->kind);

	zc_where(c, &w0);
	zc_conn_send(test, c, ZC_REAL_BYTES, !ktls);
	if (ktls)
		zc_conn_drain(test, c, ZC_REAL_BYTES);
	zc_where(c, &w1);

	frag_bytes = w1.lent - w0.lent + w1.bounced - w0.bounced;
	/* The sender's copy as the kernel counted it, where it happened. */
	copied_lent = w1.st.copied_lent_bytes - w0.st.copied_lent_bytes;
	copied = w1.st.copied_bytes - w0.st.copied_bytes;
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&c->priv->errors), 0,
			    "device saw wrong mappings, first error %d",
			    atomic_read(&c->priv->first_error));
	if (rc->lent) {
		/* Every payload byte was in a lent page, mapped in place. */
		KUNIT_EXPECT_GT(test, w1.st.allocs, w0.st.allocs);
		KUNIT_EXPECT_GE(test, w1.lent - w0.lent, (long)ZC_REAL_BYTES);
		KUNIT_EXPECT_EQ(test, w1.bounced - w0.bounced, 0);
		/* ... copied there once, and never into an ordinary page. */
		KUNIT_EXPECT_EQ(test, copied_lent, (unsigned long)ZC_REAL_BYTES);
		KUNIT_EXPECT_EQ(test, copied, 0UL);
	} else {
		/* No payload byte was ever in a lent page. */
		KUNIT_EXPECT_EQ(test, w1.st.allocs, w0.st.allocs);
		KUNIT_EXPECT_EQ(test, w1.lent - w0.lent, 0);
		KUNIT_EXPECT_GE(test, frag_bytes + w1.linear - w0.linear,
				(long)ZC_REAL_BYTES);
		KUNIT_EXPECT_EQ(test, copied_lent, 0UL);
		/*
		 * kTLS copies the plaintext into its own sk_msg pages and
		 * hands TCP the records as spliced pages: not counted here.
		 */
		if (!ktls)
			KUNIT_EXPECT_EQ(test, copied,
					(unsigned long)ZC_REAL_BYTES);
	}
	kunit_info(test, "%d bytes: %ld in lent pages, %ld in bounced frags, %ld linear; copied %lu into lent, %lu into ordinary pages",
		   ZC_REAL_BYTES, w1.lent - w0.lent, w1.bounced - w0.bounced,
		   w1.linear - w0.linear, copied_lent, copied);
}

/*
 * 7b. The route is validated at every refill: an IPsec policy inserted
 * after connect() makes the cached route obsolete (route genid), and the
 * refill right after it is ordinary although TCP has not re-routed yet.
 * Once TCP re-routed (this policy has no transform), lending resumes.
 */
static void zc_xfrm_stale_route_test(struct kunit *test)
{
	struct zc_where w0, w1;
	struct zc_conn *c;

	c = zc_conn_open(test, true);
	zc_conn_send(test, c, ZC_REAL_CHUNK, true);
	KUNIT_ASSERT_PTR_EQ(test, sk_tx_lend_mem(c->csock->sk, NULL),
			    zc_default_mem);
	KUNIT_ASSERT_NOT_NULL(test,
			      rcu_access_pointer(c->csock->sk->sk_dst_cache));

	zc_xfrm_policy_add(test);
	KUNIT_EXPECT_NULL(test, sk_tx_lend_mem(c->csock->sk, NULL));
	zc_task_frag_drop();
	zc_where(c, &w0);
	zc_conn_send(test, c, 4096, true);
	zc_where(c, &w1);
	KUNIT_EXPECT_EQ(test, w1.st.allocs, w0.st.allocs);
	KUNIT_EXPECT_EQ(test, w1.lent - w0.lent, 0);

	/* TCP re-routed while sending: the new route is valid. */
	KUNIT_EXPECT_PTR_EQ(test, sk_tx_lend_mem(c->csock->sk, NULL),
			    zc_default_mem);
}

/*
 * 7c. Redirection the kernel cannot see in advance: a LOCAL_OUT hook at
 * conntrack's priority (which may lend) that sends data segments to the
 * loopback device instead of the NIC, as a NAT REDIRECT would. The lent
 * pages are caught on their way in: counted as TxLendLocalDelivery, and
 * the socket never gets lent pages again.
 */
static unsigned int zc_nf_to_lo(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct rtable *rt;

	if (skb->len <= skb_transport_offset(skb) + tcp_hdrlen(skb))
		return NF_ACCEPT;
	rt = ip_route_output(state->net, htonl(ZC_NIC_ADDR), 0, 0, 0,
			     RT_SCOPE_UNIVERSE);
	if (IS_ERR(rt))
		return NF_ACCEPT;
	skb_dst_drop(skb);
	skb_dst_set(skb, &rt->dst);
	return NF_ACCEPT;
}

static struct nf_hook_ops zc_nf_to_lo_ops = {
	.hook		= zc_nf_to_lo,
	.pf		= NFPROTO_IPV4,
	.hooknum	= NF_INET_LOCAL_OUT,
};

static unsigned long zc_local_deliveries(void)
{
	return snmp_fold_field(init_net.mib.net_statistics,
			       LINUX_MIB_TXLENDLOCALDELIVERY);
}

static void zc_local_delivery_test(struct kunit *test)
{
	unsigned long timeout, n0;
	struct zc_where w0, w1;
	struct zc_conn *c;
	struct sock *sk;

	zc_lo_up(test);
	c = zc_conn_open(test, true);
	sk = c->csock->sk;
	n0 = zc_local_deliveries();
	/* A priority that may lend: only this after-the-fact check is left. */
	zc_nf_register(test, &zc_nf_to_lo_ops, NF_INET_LOCAL_OUT,
		       NF_IP_PRI_CONNTRACK);
	KUNIT_ASSERT_PTR_EQ(test, sk_tx_lend_mem(sk, NULL), zc_default_mem);

	zc_where(c, &w0);
	zc_conn_send(test, c, ZC_REAL_CHUNK, false);
	zc_where(c, &w1);
	KUNIT_EXPECT_GT(test, w1.st.allocs, w0.st.allocs);
	timeout = jiffies + msecs_to_jiffies(ZC_DRAIN_MS);
	while (zc_local_deliveries() == n0 && time_before(jiffies, timeout))
		msleep(20);
	KUNIT_EXPECT_GT(test, zc_local_deliveries(), n0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_tx_lend), SK_TX_LEND_STOP);
	KUNIT_EXPECT_NULL(test, sk_tx_lend_mem(sk, NULL));

	/* Without the hook, retransmits reach the peer; no more lending. */
	kunit_release_action(test, zc_nf_unregister, &zc_nf_to_lo_ops);
	KUNIT_ASSERT_EQ(test, zc_recv_check(c->asock, c->rbuf, 0, ZC_REAL_CHUNK),
			0);
	zc_task_frag_drop();
	zc_where(c, &w0);
	zc_conn_send(test, c, ZC_REAL_CHUNK, true);
	zc_where(c, &w1);
	KUNIT_EXPECT_EQ(test, w1.st.allocs, w0.st.allocs);
	KUNIT_EXPECT_EQ(test, w1.lent - w0.lent, 0);
}

/*
 * 7d. Write sizes on a route that lends. A sendmsg() smaller than
 * SK_TX_LEND_MIN_COPY copies into ordinary pages, which consecutive writes
 * share as without lending: a page lent per small write costs more than
 * the copy it saves. A sendmsg() that starts lending lends to its end,
 * also for a tail below the minimum.
 */
struct zc_wsize_case {
	const char *name;
	size_t chunk;
	bool lent;
};

static const struct zc_wsize_case zc_wsize_cases[] = {
	{ "mss_writes", 1448, false },
	{ "below_min_copy", SK_TX_LEND_MIN_COPY - 1, false },
	{ "min_copy", SK_TX_LEND_MIN_COPY, true },
	/* A whole lent page, then 1000 bytes: the tail is lent too. */
	{ "tail_below_min_copy", ZC_REAL_MAX_CHUNK, true },
};

KUNIT_ARRAY_PARAM_DESC(zc_wsize, zc_wsize_cases, name);

static void zc_write_size_test(struct kunit *test)
{
	const struct zc_wsize_case *wc = test->param_value;
	size_t len = 4 * wc->chunk;
	unsigned long copied_lent, copied;
	struct zc_where w0, w1;
	struct zc_conn *c;

	BUILD_BUG_ON(ZC_REAL_MAX_CHUNK - 1000 < ZC_FRAG_SIZE);
	c = zc_conn_open(test, true);
	zc_where(c, &w0);
	zc_conn_send_chunks(test, c, len, wc->chunk, true);
	zc_where(c, &w1);

	copied_lent = w1.st.copied_lent_bytes - w0.st.copied_lent_bytes;
	copied = w1.st.copied_bytes - w0.st.copied_bytes;
	KUNIT_EXPECT_EQ(test, atomic_read(&c->priv->errors), 0);
	KUNIT_EXPECT_EQ(test, copied_lent, wc->lent ? len : 0);
	KUNIT_EXPECT_EQ(test, copied, wc->lent ? 0 : len);
	KUNIT_EXPECT_EQ(test, w1.st.allocs > w0.st.allocs, wc->lent);
	if (wc->lent)
		KUNIT_EXPECT_EQ(test, w1.bounced - w0.bounced, 0);
	else
		KUNIT_EXPECT_EQ(test, w1.lent - w0.lent, 0);
}

/*
 * 7e. An idle ordinary page in the task's page_frag, left by a small write
 * whose skbs are gone, is swapped for a lent page when a write may lend
 * (reused from its start, it would serve every write for ever). When the
 * pool cannot lend, the write reuses it as without lending: it is not
 * freed before a lent page is there. The witness is PG_owner_priv_1, which
 * no page_frag page uses and the page allocator clears on free: freed and
 * allocated again, the same page would look kept otherwise.
 */
struct zc_idle_page_case {
	const char *name;
	bool at_cap;
};

static const struct zc_idle_page_case zc_idle_page_cases[] = {
	{ "swapped_for_lent_page", false },
	{ "kept_with_pool_at_cap", true },
};

KUNIT_ARRAY_PARAM_DESC(zc_idle_page, zc_idle_page_cases, name);

/* Wait until the page_frag holds the only reference to @page. */
static bool zc_wait_page_idle(struct page *page)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(ZC_DRAIN_MS);

	while (page_ref_count(page) != 1) {
		if (time_after(jiffies, timeout))
			return false;
		msleep(20);
	}
	return true;
}

static void zc_idle_page_test(struct kunit *test)
{
	const struct zc_idle_page_case *ic = test->param_value;
	struct page_frag *pf = &current->task_frag;
	unsigned long copied_lent, copied;
	struct swiotlb_zc_stats st;
	struct zc_where w0, w1;
	struct zc_conn *c;
	struct page *idle;
	bool kept;

	c = zc_conn_open(test, true);
	zc_conn_send_chunks(test, c, 1448, 1448, true);
	idle = pf->page;
	KUNIT_ASSERT_NOT_NULL(test, idle);
	KUNIT_ASSERT_FALSE(test, zc_page_lent(idle));
	KUNIT_ASSERT_TRUE_MSG(test, zc_wait_page_idle(idle),
			      "skbs still hold the small write's page");
	if (ic->at_cap) {
		zc_stats(zc_default_mem, &st);
		zc_fill_to_cap(test, zc_default_mem,
			       zc_bag_new(test, st.nslabs / ZC_SLOTS(0)));
		set_bit(PG_owner_priv_1, &idle->flags);
	}

	zc_where(c, &w0);
	zc_conn_send_chunks(test, c, SK_TX_LEND_MIN_COPY, SK_TX_LEND_MIN_COPY,
			    true);
	zc_where(c, &w1);
	copied_lent = w1.st.copied_lent_bytes - w0.st.copied_lent_bytes;
	copied = w1.st.copied_bytes - w0.st.copied_bytes;
	if (ic->at_cap) {
		kept = pf->page == idle &&
		       test_and_clear_bit(PG_owner_priv_1, &idle->flags);
		KUNIT_EXPECT_TRUE_MSG(test, kept,
				      "the idle page was freed and replaced");
		KUNIT_EXPECT_EQ(test, copied, (unsigned long)SK_TX_LEND_MIN_COPY);
		KUNIT_EXPECT_EQ(test, copied_lent, 0UL);
	} else {
		/* The lent page was dropped at the end of the sendmsg(). */
		KUNIT_EXPECT_NULL(test, pf->page);
		KUNIT_EXPECT_EQ(test, copied_lent,
				(unsigned long)SK_TX_LEND_MIN_COPY);
		KUNIT_EXPECT_EQ(test, copied, 0UL);
	}
}

/*
 * 8. The opt-in is per network namespace: a socket gets lent pages only
 * when its own namespace opted in, whatever init_net says.
 */
KUNIT_DEFINE_ACTION_WRAPPER(zc_put_net, put_net, struct net *);

static void zc_netns_test(struct kunit *test)
{
	struct io_tlb_mem *mem = zc_mem_new(test, ZC_POOL_SLABS, 1);
	struct net_device *ndev;
	struct dst_entry *dst;
	struct socket *sock;
	struct net *net;

	ndev = zc_netdev_new(test, zc_dma_dev_new(test, mem));
	dst = zc_dst_new(test, ndev);
	net = copy_net_ns(CLONE_NEWNET, &init_user_ns, &init_net);
	KUNIT_ASSERT_FALSE(test, IS_ERR(net));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_put_net, net),
			0);
	KUNIT_ASSERT_EQ(test, sock_create_kern(net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &sock), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_sock_release,
							sock), 0);
	sk_dst_set(sock->sk, dst_clone(dst));

	/* init_net opted in (zc_test_init()); a new namespace has not. */
	KUNIT_EXPECT_EQ(test, net->core.sysctl_swiotlb_tx_lend, 0);
	KUNIT_EXPECT_NULL(test, sk_tx_lend_mem(sock->sk, NULL));
	WRITE_ONCE(net->core.sysctl_swiotlb_tx_lend, 1);
	KUNIT_EXPECT_PTR_EQ(test, sk_tx_lend_mem(sock->sk, NULL), mem);
	WRITE_ONCE(init_net.core.sysctl_swiotlb_tx_lend, 0);
	KUNIT_EXPECT_PTR_EQ(test, sk_tx_lend_mem(sock->sk, NULL), mem);
	WRITE_ONCE(net->core.sysctl_swiotlb_tx_lend, 0);
	KUNIT_EXPECT_NULL(test, sk_tx_lend_mem(sock->sk, NULL));
}

/*
 * 9. Real macvlan devices made through rtnetlink on an Ethernet NIC that
 * bounces: passthru and private send every packet to the wire; bridge,
 * VEPA and source may hand it to a sibling inside the guest.
 */
struct zc_macvlan_case {
	const char *name;
	u32 mode;
	bool lent;
};

static const struct zc_macvlan_case zc_macvlan_cases[] = {
	{ "passthru", MACVLAN_MODE_PASSTHRU, true },
	{ "private", MACVLAN_MODE_PRIVATE, true },
	{ "bridge", MACVLAN_MODE_BRIDGE, false },
	{ "vepa", MACVLAN_MODE_VEPA, false },
	{ "source", MACVLAN_MODE_SOURCE, false },
};

KUNIT_ARRAY_PARAM_DESC(zc_macvlan, zc_macvlan_cases, name);

/*
 * ip link add link @lower name @name type @kind, with one attribute
 * @type of @len bytes at @val in the kind's IFLA_INFO_DATA.
 */
static int zc_link_add(struct net_device *lower, const char *name,
		       const char *kind, int type, const void *val, int len)
{
	struct nlattr *info, *data;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	int err;

	skb = zc_rtnl_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
			  sizeof(struct ifinfomsg), &nlh);
	if (!skb)
		return -ENOMEM;
	err = nla_put_string(skb, IFLA_IFNAME, name) ?:
	      nla_put_u32(skb, IFLA_LINK, lower->ifindex);
	info = err ? NULL : nla_nest_start(skb, IFLA_LINKINFO);
	if (info)
		err = nla_put_string(skb, IFLA_INFO_KIND, kind);
	data = info && !err ? nla_nest_start(skb, IFLA_INFO_DATA) : NULL;
	if (data) {
		err = nla_put(skb, type, len, val);
		nla_nest_end(skb, data);
		nla_nest_end(skb, info);
	} else if (!err) {
		err = -EMSGSIZE;
	}
	return zc_rtnl_send(skb, nlh, err);
}

/* ip link add link @lower name @name type macvlan mode @mode */
static int zc_macvlan_add(struct net_device *lower, const char *name, u32 mode)
{
	return zc_link_add(lower, name, "macvlan", IFLA_MACVLAN_MODE, &mode,
			   sizeof(mode));
}

/* ip link del dev @ifindex */
static void zc_link_del(void *data)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = zc_rtnl_msg(RTM_DELLINK, 0, sizeof(*ifm), &nlh);
	if (!skb)
		return;
	ifm = nlmsg_data(nlh);
	ifm->ifi_index = *(int *)data;
	zc_rtnl_send(skb, nlh, 0);
}

static void zc_ether_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &zc_ndev_ops;
	dev->lltx = true;
	dev->features = NETIF_F_SG | NETIF_F_HW_CSUM;
	dev->hw_features = dev->features;
	dev->tx_maps_frags = 1;
	eth_hw_addr_random(dev);
}

/* A registered Ethernet NIC (down) that lends from @mem. */
static struct net_device *zc_ether_nic_new(struct kunit *test,
					   struct io_tlb_mem *mem)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(sizeof(struct zc_ndev_priv), "zceth%d",
			   NET_NAME_ENUM, zc_ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	SET_NETDEV_DEV(dev, zc_dma_dev_new(test, mem));
	if (register_netdev(dev)) {
		free_netdev(dev);
		KUNIT_FAIL_AND_ABORT(test, "register_netdev failed");
	}
	err = kunit_add_action_or_reset(test, zc_netdev_unregister, dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_PTR_EQ(test, netdev_zc_mem(dev), mem);
	return dev;
}

static void zc_macvlan_test(struct kunit *test)
{
	const struct zc_macvlan_case *mc = test->param_value;
	struct io_tlb_mem *mem = zc_mem_new(test, ZC_POOL_SLABS, 1);
	struct net_device *lower, *mv;
	struct io_tlb_mem *got;
	char name[IFNAMSIZ];
	bool is_macvlan;
	int *ifindex;

	lower = zc_ether_nic_new(test, mem);

	snprintf(name, sizeof(name), "zcmv%d", atomic_inc_return(&zc_dev_id));
	KUNIT_ASSERT_EQ(test, zc_macvlan_add(lower, name, mc->mode), 0);
	mv = dev_get_by_name(&init_net, name);
	KUNIT_ASSERT_NOT_NULL(test, mv);
	ifindex = kunit_kzalloc(test, sizeof(*ifindex), GFP_KERNEL);
	if (ifindex)
		*ifindex = mv->ifindex;
	is_macvlan = netif_is_macvlan(mv);
	rcu_read_lock();
	got = netdev_zc_mem(mv);
	rcu_read_unlock();
	dev_put(mv);
	KUNIT_ASSERT_NOT_NULL(test, ifindex);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_link_del,
							ifindex), 0);
	KUNIT_ASSERT_TRUE(test, is_macvlan);
	KUNIT_EXPECT_PTR_EQ(test, got, mc->lent ? mem : NULL);
}

/*
 * 9c. Real upper devices made through rtnetlink, as ip(8) makes them: a
 * bond (active-backup, which needs no MAC address change of its port) and
 * a team, each with an Ethernet NIC that lends as its port, and a veth
 * pair. None is on the allow-list: a bond or a team may send a packet
 * through any port, and a veth delivers it inside the guest. So none of
 * them gets lent pages, although the NIC under the bond and team does.
 */
enum zc_upper_kind {
	ZC_UP_BOND,
	ZC_UP_TEAM,
	ZC_UP_VETH,
};

struct zc_upper_case {
	const char *name;
	const char *kind;
	enum zc_upper_kind type;
};

static const struct zc_upper_case zc_upper_cases[] = {
	{ "bond_active_backup", "bond", ZC_UP_BOND },
	{ "team", "team", ZC_UP_TEAM },
	{ "veth_pair", "veth", ZC_UP_VETH },
};

KUNIT_ARRAY_PARAM_DESC(zc_upper, zc_upper_cases, name);

/* The IFLA_INFO_DATA of "ip link add @name type @uc->kind [...]". */
static int zc_upper_data(struct sk_buff *skb, const struct zc_upper_case *uc,
			 const char *peer)
{
	struct ifinfomsg *ifm;
	struct nlattr *nest;

	switch (uc->type) {
	case ZC_UP_BOND:
		return nla_put_u8(skb, IFLA_BOND_MODE, BOND_MODE_ACTIVEBACKUP);
	case ZC_UP_VETH:
		nest = nla_nest_start(skb, VETH_INFO_PEER);
		ifm = nest ? nla_reserve_nohdr(skb, sizeof(*ifm)) : NULL;
		if (!ifm)
			return -EMSGSIZE;
		memset(ifm, 0, sizeof(*ifm));
		if (nla_put_string(skb, IFLA_IFNAME, peer))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
		return 0;
	default:
		return 0;
	}
}

/* ip link add @name type bond mode active-backup | team | veth peer @peer */
static int zc_upper_add(const struct zc_upper_case *uc, const char *name,
			const char *peer)
{
	struct nlattr *info, *data;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	int err;

	skb = zc_rtnl_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
			  sizeof(struct ifinfomsg), &nlh);
	if (!skb)
		return -ENOMEM;
	err = nla_put_string(skb, IFLA_IFNAME, name);
	info = err ? NULL : nla_nest_start(skb, IFLA_LINKINFO);
	err = info ? nla_put_string(skb, IFLA_INFO_KIND, uc->kind) : -EMSGSIZE;
	data = err ? NULL : nla_nest_start(skb, IFLA_INFO_DATA);
	err = data ? zc_upper_data(skb, uc, peer) : -EMSGSIZE;
	if (!err) {
		nla_nest_end(skb, data);
		nla_nest_end(skb, info);
	}
	return zc_rtnl_send(skb, nlh, err);
}

/* ip link set dev @port master @master */
static int zc_set_master(struct net_device *port, int master)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = zc_rtnl_msg(RTM_NEWLINK, 0, sizeof(*ifm), &nlh);
	if (!skb)
		return -ENOMEM;
	ifm = nlmsg_data(nlh);
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = port->ifindex;
	return zc_rtnl_send(skb, nlh, nla_put_u32(skb, IFLA_MASTER, master));
}

/* netdev_zc_mem() of the device called @name, which the case deletes. */
static struct io_tlb_mem *zc_upper_mem(struct kunit *test, const char *name,
				       int *ifindex)
{
	struct io_tlb_mem *got;
	struct net_device *dev;

	dev = dev_get_by_name(&init_net, name);
	KUNIT_ASSERT_NOT_NULL_MSG(test, dev, "no device %s", name);
	*ifindex = dev->ifindex;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_link_del,
							ifindex), 0);
	rcu_read_lock();
	got = netdev_zc_mem(dev);
	rcu_read_unlock();
	dev_put(dev);
	return got;
}

static void zc_upper_test(struct kunit *test)
{
	const struct zc_upper_case *uc = test->param_value;
	struct io_tlb_mem *mem = zc_mem_new(test, ZC_POOL_SLABS, 1);
	char name[IFNAMSIZ], peer[IFNAMSIZ];
	struct net_device *nic;
	struct io_tlb_mem *got;
	int *ifindex;
	int id;

	nic = zc_ether_nic_new(test, mem);
	ifindex = kunit_kcalloc(test, 2, sizeof(*ifindex), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ifindex);
	id = atomic_inc_return(&zc_dev_id);
	snprintf(name, sizeof(name), "zcup%d", id);
	snprintf(peer, sizeof(peer), "zcpeer%d", id);
	KUNIT_ASSERT_EQ(test, zc_upper_add(uc, name, peer), 0);
	KUNIT_EXPECT_NULL(test, zc_upper_mem(test, name, &ifindex[0]));
	if (uc->type == ZC_UP_VETH) {
		KUNIT_EXPECT_NULL(test, zc_upper_mem(test, peer, &ifindex[1]));
		return;
	}
	/* The NIC as the port: the upper device still does not lend. */
	KUNIT_ASSERT_EQ(test, zc_set_master(nic, ifindex[0]), 0);
	KUNIT_ASSERT_TRUE(test, netif_is_bond_slave(nic) ||
			  netif_is_team_port(nic));
	rcu_read_lock();
	got = netdev_zc_mem(netdev_master_upper_dev_get_rcu(nic));
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, got);
}

/*
 * 9b. Real vlan devices stacked through rtnetlink on an Ethernet NIC that
 * bounces: the walk to the real device follows NETDEV_ZC_MAX_DEPTH (4)
 * levels and gives up on deeper stacks, which get ordinary pages.
 */
struct zc_vlan_depth_case {
	const char *name;
	unsigned int vlans;
	bool lent;
};

static const struct zc_vlan_depth_case zc_vlan_depth_cases[] = {
	{ "one_vlan", 1, true },
	{ "four_stacked_vlans", 4, true },
	{ "five_stacked_vlans", 5, false },
};

KUNIT_ARRAY_PARAM_DESC(zc_vlan_depth, zc_vlan_depth_cases, name);

/* ip link add link @lower name @name type vlan id @id */
static int zc_vlan_add(struct net_device *lower, const char *name, u16 id)
{
	return zc_link_add(lower, name, "vlan", IFLA_VLAN_ID, &id, sizeof(id));
}

static void zc_vlan_depth_test(struct kunit *test)
{
	const struct zc_vlan_depth_case *vc = test->param_value;
	struct io_tlb_mem *mem = zc_mem_new(test, ZC_POOL_SLABS, 1);
	struct net_device *lower, *top = NULL;
	struct io_tlb_mem *got = NULL;
	char name[IFNAMSIZ];
	unsigned int i;
	int *ifindex;
	int err;

	if (!IS_ENABLED(CONFIG_VLAN_8021Q))
		kunit_skip(test, "needs CONFIG_VLAN_8021Q");
	lower = alloc_netdev(sizeof(struct zc_ndev_priv), "zceth%d",
			     NET_NAME_ENUM, zc_ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, lower);
	/* What the driver offers its vlans, as real NICs set it. */
	lower->vlan_features = lower->features;
	SET_NETDEV_DEV(lower, zc_dma_dev_new(test, mem));
	if (register_netdev(lower)) {
		free_netdev(lower);
		KUNIT_FAIL_AND_ABORT(test, "register_netdev failed");
	}
	err = kunit_add_action_or_reset(test, zc_netdev_unregister, lower);
	KUNIT_ASSERT_EQ(test, err, 0);

	for (i = 0; i < vc->vlans; i++) {
		struct net_device *below = top ?: lower;

		snprintf(name, sizeof(name), "zcvl%d",
			 atomic_inc_return(&zc_dev_id));
		KUNIT_ASSERT_EQ(test, zc_vlan_add(below, name, 10 + i), 0);
		if (top)
			dev_put(top);
		top = dev_get_by_name(&init_net, name);
		KUNIT_ASSERT_NOT_NULL(test, top);
		ifindex = kunit_kzalloc(test, sizeof(*ifindex), GFP_KERNEL);
		if (!ifindex)
			dev_put(top);
		KUNIT_ASSERT_NOT_NULL(test, ifindex);
		*ifindex = top->ifindex;
		err = kunit_add_action_or_reset(test, zc_link_del, ifindex);
		if (err)
			dev_put(top);
		KUNIT_ASSERT_EQ(test, err, 0);
		if (!is_vlan_dev(top)) {
			dev_put(top);
			KUNIT_FAIL_AND_ABORT(test, "%s is not a vlan", name);
		}
	}
	got = netdev_zc_mem(top);
	dev_put(top);
	KUNIT_EXPECT_PTR_EQ(test, got, vc->lent ? mem : NULL);
}

/*
 * 10. Idle holders: 1024 threads each send the smallest write that lends
 * (SK_TX_LEND_MIN_COPY) on an eligible socket and stay alive.
 * A lent page does not outlive the sendmsg() that filled it in a task's
 * page_frag, so once the bytes are acknowledged no slot is lent, although
 * every thread is still there. Under KASAN, where each send costs several
 * times as much, 256 threads. Socket timeouts of 60 s and a 30 s wait for
 * the last thread keep a stuck case well inside KUnit's 300 s per case.
 */
#define ZC_IDLE_THREADS		(IS_ENABLED(CONFIG_KASAN) ? 256 : 1024)
#define ZC_IDLE_TIMEOUT_S	60

struct zc_idle {
	struct socket *sock;
	u8 *src;
	atomic_t sent, failed;
	struct completion all_sent;
	wait_queue_head_t wq;
	bool stop;
};

static int zc_idle_fn(void *data)
{
	struct zc_idle *z = data;
	struct msghdr msg = {};
	struct kvec kv = { z->src, SK_TX_LEND_MIN_COPY };

	if (kernel_sendmsg(z->sock, &msg, &kv, 1, kv.iov_len) != (int)kv.iov_len)
		atomic_inc(&z->failed);
	if (atomic_inc_return(&z->sent) == ZC_IDLE_THREADS)
		complete(&z->all_sent);
	wait_event(z->wq, READ_ONCE(z->stop) || kthread_should_stop());
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * Read up to @len bytes and return how many were read; no KUnit assertion:
 * the threads must be stopped first.
 */
static size_t zc_idle_drain(struct zc_conn *c, size_t len)
{
	struct msghdr msg = {};
	size_t got = 0;
	struct kvec kv;
	int ret;

	while (got < len) {
		kv.iov_base = c->rbuf;
		kv.iov_len = min_t(size_t, len - got, ZC_REAL_CHUNK);
		ret = kernel_recvmsg(c->asock, &msg, &kv, 1, kv.iov_len, 0);
		if (ret <= 0)
			break;
		got += ret;
	}
	return got;
}

static void zc_idle_test(struct kunit *test)
{
	struct swiotlb_zc_stats st0, st1;
	struct task_struct **tasks;
	struct zc_idle *z;
	struct zc_conn *c;
	unsigned long used;
	bool all_sent = false;
	unsigned int i, n;
	size_t drained;

	c = zc_conn_open(test, true);
	z = kunit_kzalloc(test, sizeof(*z), GFP_KERNEL);
	tasks = kunit_kcalloc(test, ZC_IDLE_THREADS, sizeof(*tasks),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_ASSERT_NOT_NULL(test, tasks);
	z->sock = c->csock;
	/* 1024 senders queue on one socket: maybe more than 10 s for one. */
	sock_set_sndtimeo(z->sock->sk, ZC_IDLE_TIMEOUT_S);
	WRITE_ONCE(c->asock->sk->sk_rcvtimeo, ZC_IDLE_TIMEOUT_S * HZ);
	z->src = zc_pattern_buf(test, SK_TX_LEND_MIN_COPY);
	init_completion(&z->all_sent);
	init_waitqueue_head(&z->wq);
	zc_stats(zc_default_mem, &st0);

	for (n = 0; n < ZC_IDLE_THREADS; n++) {
		tasks[n] = kthread_run(zc_idle_fn, z, "zc_idle/%u", n);
		if (IS_ERR(tasks[n]))
			break;
		get_task_struct(tasks[n]);
	}
	/* The receiver reads every byte while the threads send. */
	drained = n == ZC_IDLE_THREADS ?
		  zc_idle_drain(c, ZC_IDLE_THREADS * SK_TX_LEND_MIN_COPY) : 0;
	if (drained == ZC_IDLE_THREADS * SK_TX_LEND_MIN_COPY)
		all_sent = wait_for_completion_timeout(&z->all_sent, 30 * HZ);
	kunit_info(test, "%u threads, %zu bytes received, %d sent, %d failed",
		   n, drained, atomic_read(&z->sent), atomic_read(&z->failed));
	if (all_sent && !atomic_read(&z->failed)) {
		/*
		 * Both ends are aborted, which frees every skb at once. Only
		 * the threads' page_frags could still hold lent pages.
		 */
		kunit_release_action(test, zc_conn_close, c);
		kunit_release_action(test, zc_sock_release, c->csock);
		used = zc_wait_used(zc_default_mem, st0.used);
	} else {
		used = ULONG_MAX;
	}
	WRITE_ONCE(z->stop, true);
	wake_up_all(&z->wq);
	for (i = 0; i < n; i++) {
		kthread_stop(tasks[i]);
		put_task_struct(tasks[i]);
	}
	KUNIT_ASSERT_EQ(test, n, ZC_IDLE_THREADS);
	KUNIT_EXPECT_EQ(test, atomic_read(&z->sent), ZC_IDLE_THREADS);
	KUNIT_EXPECT_EQ(test, atomic_read(&z->failed), 0);
	/* Pages were lent, and none is held by an idle thread. */
	zc_stats(zc_default_mem, &st1);
	KUNIT_EXPECT_GT(test, st1.allocs, st0.allocs);
	KUNIT_EXPECT_EQ_MSG(test, used, st0.used,
			    "slots still lent with %u idle threads", n);
}

/*
 * 11. Every page_frag user but the copying sendmsg() paths gets ordinary
 * pages by construction, even for a socket that may lend: splice of
 * received data (linear_to_page()), kTLS, skmsg and KCM refill through
 * sk_page_frag_refill(). Case 16 runs the splice path itself.
 */
static void zc_refill_allow_list_test(struct kunit *test)
{
	struct io_tlb_mem *mem = zc_mem_new(test, ZC_POOL_SLABS, 1);
	struct page_frag pf = {};
	struct net_device *ndev;
	struct dst_entry *dst;
	struct socket *sock;

	/* Created before the socket: released after it (and its route). */
	ndev = zc_netdev_new(test, zc_dma_dev_new(test, mem));
	dst = zc_dst_new(test, ndev);
	sock = zc_sock_new(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	sk_dst_set(sock->sk, dst_clone(dst));
	KUNIT_ASSERT_PTR_EQ(test, sk_tx_lend_mem(sock->sk, NULL), mem);

	KUNIT_ASSERT_TRUE(test, sk_page_frag_refill(sock->sk, &pf));
	KUNIT_EXPECT_FALSE(test, zc_page_lent(pf.page));
	put_page(pf.page);
	pf.page = NULL;
	KUNIT_ASSERT_TRUE(test, skb_page_frag_refill(32, &pf, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zc_page_lent(pf.page));
	put_page(pf.page);
	pf.page = NULL;

	/* The lending path, for contrast, and its end of sendmsg(). */
	KUNIT_ASSERT_TRUE(test, sk_page_frag_refill_lend(sock->sk, &pf, NULL,
							 SK_TX_LEND_MIN_COPY));
	KUNIT_EXPECT_TRUE(test, zc_page_lent_by(pf.page, mem));
	KUNIT_EXPECT_EQ(test, page_size(pf.page), SK_TX_LEND_MIN_COPY);
	sk_page_frag_lend_end(&pf);
	KUNIT_EXPECT_NULL(test, pf.page);
}

/*
 * 12. The IPv6 datagram path (ip6_append_data()): a UDPv6 socket connected
 * through the NIC, corked sends to the peer and to ::1. Only payload for
 * the peer may go to lent pages. A netfilter hook registered after
 * connect() at IPv6 LOCAL_OUT with NAT priority refuses lending to the
 * peer; the same hook for IPv4 does not (the decision reads the hooks of
 * the route's family).
 */
static const struct in6_addr zc_nic_addr6 = {
	.s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };	/* 2001:db8::1 */
static const struct in6_addr zc_peer_addr6 = {
	.s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };	/* 2001:db8::2 */

/* ip -6 addr add 2001:db8::1/64 dev @dev nodad */
static int zc_addr6_add(struct net_device *dev)
{
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = zc_rtnl_msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
			  sizeof(*ifa), &nlh);
	if (!skb)
		return -ENOMEM;
	ifa = nlmsg_data(nlh);
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 64;
	ifa->ifa_flags = IFA_F_NODAD;
	ifa->ifa_index = dev->ifindex;
	return zc_rtnl_send(skb, nlh,
			    nla_put_in6_addr(skb, IFA_LOCAL, &zc_nic_addr6));
}

struct zc_udp6_case {
	const char *name;
	bool loopback;
	u8 nf_pf;	/* NFPROTO_* of a NAT hook at LOCAL_OUT, or 0 */
	bool lent;
};

static const struct zc_udp6_case zc_udp6_cases[] = {
	{ "sendto_connected_peer", false, 0, true },
	{ "sendto_loopback", true, 0, false },
	{ "ipv6_nat_priority_hook", false, NFPROTO_IPV6, false },
	{ "ipv4_nat_priority_hook", false, NFPROTO_IPV4, true },
};

KUNIT_ARRAY_PARAM_DESC(zc_udp6, zc_udp6_cases, name);

static void zc_udp6_route_test(struct kunit *test)
{
	const struct zc_udp6_case *uc = test->param_value;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	struct swiotlb_zc_stats st0, st1;
	struct net_device *ndev;
	struct msghdr msg = {};
	struct socket *sock;
	struct zc_corked q;
	unsigned int i;
	struct kvec kv;
	u8 *buf;
	int err;

	KUNIT_ASSERT_TRUE_MSG(test, swiotlb_zc_mem_can_lend(zc_default_mem),
			      "the kernel must bounce every DMA (swiotlb=force)");
	zc_lo_up(test);
	ndev = zc_nic_new(test, zc_dma_dev_new(test, NULL), true);
	KUNIT_ASSERT_EQ(test, zc_addr6_add(ndev), 0);
	buf = zc_pattern_buf(test, SK_TX_LEND_MIN_COPY);

	sock = zc_sock_new(test, AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
	to.sin6_port = htons(9);
	to.sin6_addr = zc_peer_addr6;
	err = kernel_connect(sock, (struct sockaddr *)&to, sizeof(to), 0);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_PTR_EQ(test, sk_tx_lend_mem(sock->sk, NULL),
			    zc_default_mem);
	if (uc->nf_pf) {
		struct nf_hook_ops *ops = kunit_kzalloc(test, sizeof(*ops),
							GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, ops);
		ops->hook = zc_nf_accept;
		ops->pf = uc->nf_pf;
		zc_nf_register(test, ops, NF_INET_LOCAL_OUT,
			       uc->nf_pf == NFPROTO_IPV6 ? NF_IP6_PRI_NAT_DST :
							   NF_IP_PRI_NAT_DST);
	}

	zc_stats(zc_default_mem, &st0);
	if (uc->loopback)
		to.sin6_addr = in6addr_loopback;
	msg.msg_name = &to;
	msg.msg_namelen = sizeof(to);
	/* The first corked send builds a linear skb, the next ones frags. */
	for (i = 0; i < 3; i++) {
		kv.iov_base = buf;
		kv.iov_len = i ? SK_TX_LEND_MIN_COPY : 100;
		msg.msg_flags = MSG_MORE;
		err = kernel_sendmsg(sock, &msg, &kv, 1, kv.iov_len);
		KUNIT_ASSERT_EQ(test, err, (int)kv.iov_len);
	}
	zc_stats(zc_default_mem, &st1);
	zc_corked_frags(sock->sk, &q);
	kunit_release_action(test, zc_sock_release, sock);
	KUNIT_ASSERT_GT_MSG(test, q.lent + q.plain, 0, "no paged data queued");
	/* __ip6_append_data() counted each copy into a page frag. */
	KUNIT_EXPECT_EQ(test, st1.copied_lent_bytes - st0.copied_lent_bytes,
			q.lent_len);
	KUNIT_EXPECT_EQ(test, st1.copied_bytes - st0.copied_bytes, q.plain_len);
	KUNIT_EXPECT_EQ(test, q.lent > 0, uc->lent);
	KUNIT_EXPECT_EQ(test, st1.allocs > st0.allocs, uc->lent);
}

/*
 * 13. Root qdiscs made through rtnetlink: one that can hold classifiers
 * (prio: a filter with a mirred action could redirect the packet inside
 * the guest) refuses lending; a plain FIFO does not.
 */
static int zc_root_qdisc(struct net_device *dev, const char *kind, bool add)
{
	struct tc_prio_qopt prio = {
		.bands = 3,
		.priomap = { 1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1 },
	};
	struct tc_fifo_qopt fifo = { .limit = 1000 };
	bool is_prio = !strcmp(kind, "prio");
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	struct tcmsg *tcm;
	int err;

	skb = zc_rtnl_msg(add ? RTM_NEWQDISC : RTM_DELQDISC,
			  add ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*tcm),
			  &nlh);
	if (!skb)
		return -ENOMEM;
	tcm = nlmsg_data(nlh);
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = dev->ifindex;
	tcm->tcm_handle = TC_H_MAKE(1 << 16, 0);
	tcm->tcm_parent = TC_H_ROOT;
	err = add ? nla_put_string(skb, TCA_KIND, kind) : 0;
	if (!err && add)
		err = is_prio ? nla_put(skb, TCA_OPTIONS, sizeof(prio), &prio) :
				nla_put(skb, TCA_OPTIONS, sizeof(fifo), &fifo);
	return zc_rtnl_send(skb, nlh, err);
}

static const char *zc_root_qdisc_id(struct net_device *dev)
{
	const char *id;

	rcu_read_lock();
	id = rcu_dereference(dev->qdisc)->ops->id;
	rcu_read_unlock();
	return id;
}

static void zc_root_qdisc_del(void *data)
{
	zc_root_qdisc(data, "", false);
}

static void zc_qdisc_test(struct kunit *test)
{
	struct zc_conn *c = zc_conn_open(test, true);
	struct sock *sk = c->csock->sk;
	int err;

	KUNIT_ASSERT_PTR_EQ(test, sk_tx_lend_mem(sk, NULL), zc_default_mem);
	KUNIT_ASSERT_EQ(test, zc_root_qdisc(c->ndev, "prio", true), 0);
	err = kunit_add_action_or_reset(test, zc_root_qdisc_del, c->ndev);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_NULL(test, sk_tx_lend_mem(sk, NULL));
	kunit_release_action(test, zc_root_qdisc_del, c->ndev);
	KUNIT_ASSERT_STREQ(test, zc_root_qdisc_id(c->ndev), "noqueue");
	KUNIT_EXPECT_PTR_EQ(test, sk_tx_lend_mem(sk, NULL), zc_default_mem);

	KUNIT_ASSERT_EQ(test, zc_root_qdisc(c->ndev, "pfifo", true), 0);
	err = kunit_add_action_or_reset(test, zc_root_qdisc_del, c->ndev);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_PTR_EQ(test, sk_tx_lend_mem(sk, NULL), zc_default_mem);
	zc_conn_send(test, c, ZC_REAL_CHUNK, true);
}

/*
 * 14. dev_forward_skb(), as veth, ipvlan or a macvlan in bridge mode hand
 * a packet to a device in the guest: a packet with a lent frag that still
 * belongs to its socket is counted, and the socket stops lending. The
 * frag is a page the socket was really lent (sk_page_frag_refill_lend()
 * on a connection through the NIC), so the socket is marked as it is
 * when tcp_sendmsg_locked() lends.
 */
static void zc_dev_forward_test(struct kunit *test)
{
	struct page_frag pf = {};
	struct net_device *dev;
	unsigned long n0;
	struct sk_buff *skb;
	struct zc_conn *c;
	struct ethhdr *eth;
	struct sock *sk;
	bool ok;
	int err;

	dev = alloc_netdev(sizeof(struct zc_ndev_priv), "zceth%d",
			   NET_NAME_ENUM, zc_ether_setup);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	if (register_netdev(dev)) {
		free_netdev(dev);
		KUNIT_FAIL_AND_ABORT(test, "register_netdev failed");
	}
	err = kunit_add_action_or_reset(test, zc_netdev_unregister, dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	rtnl_lock();
	err = dev_open(dev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	c = zc_conn_open(test, true);
	sk = c->csock->sk;
	lock_sock(sk);
	ok = sk_page_frag_refill_lend(sk, &pf, NULL, SK_TX_LEND_MIN_COPY);
	release_sock(sk);
	KUNIT_ASSERT_TRUE(test, ok);
	skb = alloc_skb(128, GFP_KERNEL);
	if (!skb || !zc_page_lent(pf.page)) {
		kfree_skb(skb);
		put_page(pf.page);
		KUNIT_FAIL_AND_ABORT(test, "no skb, or the page was not lent");
	}
	skb_reserve(skb, NET_IP_ALIGN);
	eth = skb_put_zero(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, dev->dev_addr);
	eth->h_proto = htons(ETH_P_IP);
	/* The skb takes the page_frag's reference. */
	skb_add_rx_frag(skb, 0, pf.page, 0, 100, pf.size);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_tx_lend), SK_TX_LEND_LENT);
	skb->dev = dev;
	skb_set_owner_w(skb, sk);
	n0 = zc_local_deliveries();
	dev_forward_skb(dev, skb);
	KUNIT_EXPECT_EQ(test, zc_local_deliveries(), n0 + 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_tx_lend), SK_TX_LEND_STOP);
	KUNIT_EXPECT_NULL(test, sk_tx_lend_mem(sk, NULL));
}

/*
 * 15. Feedback from the device: the route's devices all have
 * scatter-gather, but the driver's ndo_features_check() takes the packets
 * without it, so the stack copies the lent frags into linear buffers
 * instead of the device mapping them in place. The first such packet is
 * counted as TxLendCopied and the socket never lends again.
 */
static unsigned long zc_copied_events(void)
{
	return snmp_fold_field(init_net.mib.net_statistics,
			       LINUX_MIB_TXLENDCOPIED);
}

static void zc_copied_feedback_test(struct kunit *test)
{
	struct zc_where w0, w1;
	struct zc_conn *c;
	unsigned long n0;
	struct sock *sk;

	c = zc_conn_open(test, true);
	sk = c->csock->sk;
	n0 = zc_copied_events();
	WRITE_ONCE(c->priv->no_sg, true);
	KUNIT_ASSERT_PTR_EQ(test, sk_tx_lend_mem(sk, NULL), zc_default_mem);

	zc_where(c, &w0);
	zc_conn_send(test, c, ZC_REAL_CHUNK, true);
	zc_where(c, &w1);
	KUNIT_EXPECT_GT(test, w1.st.allocs, w0.st.allocs);
	KUNIT_EXPECT_EQ(test, w1.lent - w0.lent, 0);
	KUNIT_EXPECT_GE(test, w1.linear - w0.linear, (long)ZC_REAL_CHUNK);
	KUNIT_EXPECT_GT(test, zc_copied_events(), n0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_tx_lend), SK_TX_LEND_STOP);
	KUNIT_EXPECT_NULL(test, sk_tx_lend_mem(sk, NULL));

	/* Scatter-gather back: this socket still gets ordinary pages. */
	WRITE_ONCE(c->priv->no_sg, false);
	zc_task_frag_drop();
	zc_where(c, &w0);
	zc_conn_send(test, c, ZC_REAL_CHUNK, true);
	zc_where(c, &w1);
	KUNIT_EXPECT_EQ(test, w1.st.allocs, w0.st.allocs);
	KUNIT_EXPECT_EQ(test, w1.lent - w0.lent, 0);
	KUNIT_EXPECT_GE(test, w1.bounced - w0.bounced, (long)ZC_REAL_CHUNK);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->priv->errors), 0);
}

/*
 * 16. Lent frags the IP layer copies: a corked UDP datagram built in
 * 1500-byte pieces leaves after the NIC's MTU dropped to 1280, so IP
 * fragmentation takes its slow path and copies the payload into new
 * linear skbs. That is TxLendCopied, as for a device without
 * scatter-gather. With the MTU unchanged, the fast path splits the
 * datagram along its frag_list and the NIC maps the lent frags in place.
 */
struct zc_frag_case {
	const char *name;
	int family;
	bool mtu_drop;
};

static const struct zc_frag_case zc_frag_cases[] = {
	{ "ipv4_fast_path", AF_INET, false },
	{ "ipv4_mtu_drop_slow_path", AF_INET, true },
	{ "ipv6_fast_path", AF_INET6, false },
	{ "ipv6_mtu_drop_slow_path", AF_INET6, true },
};

KUNIT_ARRAY_PARAM_DESC(zc_frag, zc_frag_cases, name);

/* A connected UDP socket of @family to the NIC's peer, port 9. */
static struct socket *zc_udp_peer_sock(struct kunit *test, int family)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(9),
		.sin6_addr = zc_peer_addr6,
	};
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(9),
		.sin_addr.s_addr = htonl(ZC_PEER_ADDR),
	};
	struct socket *sock = zc_sock_new(test, family, SOCK_DGRAM,
					  IPPROTO_UDP);
	int err;

	if (family == AF_INET6)
		err = kernel_connect(sock, (struct sockaddr *)&sin6,
				     sizeof(sin6), 0);
	else
		err = kernel_connect(sock, (struct sockaddr *)&sin,
				     sizeof(sin), 0);
	KUNIT_ASSERT_EQ(test, err, 0);
	return sock;
}

static void zc_frag_copied_test(struct kunit *test)
{
	const struct zc_frag_case *fc = test->param_value;
	struct zc_ndev_priv *priv;
	struct net_device *ndev;
	struct msghdr msg = {};
	unsigned long n0, l0;
	struct socket *sock;
	struct zc_corked q;
	struct kvec kv;
	unsigned int i;
	u8 *buf;
	int err;

	KUNIT_ASSERT_TRUE_MSG(test, swiotlb_zc_mem_can_lend(zc_default_mem),
			      "the kernel must bounce every DMA (swiotlb=force)");
	ndev = zc_nic_new(test, zc_dma_dev_new(test, NULL), true);
	priv = netdev_priv(ndev);
	WRITE_ONCE(priv->reflect, false);
	if (fc->family == AF_INET6)
		KUNIT_ASSERT_EQ(test, zc_addr6_add(ndev), 0);
	buf = zc_pattern_buf(test, SK_TX_LEND_MIN_COPY);
	sock = zc_udp_peer_sock(test, fc->family);
	KUNIT_ASSERT_EQ(test, READ_ONCE(sock->sk->sk_tx_lend), 0);

	/*
	 * 100 bytes, then 16 KiB: pieces of at most 1500 bytes; what the
	 * second append adds to the piece already there goes to lent frags.
	 */
	for (i = 0; i < 2; i++) {
		kv.iov_base = buf;
		kv.iov_len = i ? SK_TX_LEND_MIN_COPY : 100;
		msg.msg_flags = MSG_MORE;
		err = kernel_sendmsg(sock, &msg, &kv, 1, kv.iov_len);
		KUNIT_ASSERT_EQ(test, err, (int)kv.iov_len);
	}
	zc_corked_frags(sock->sk, &q);
	KUNIT_ASSERT_GT_MSG(test, q.lent_len, 0, "no lent frags corked");
	/* The append path marked the socket when it lent. */
	KUNIT_ASSERT_EQ(test, READ_ONCE(sock->sk->sk_tx_lend),
			SK_TX_LEND_LENT);
	if (fc->mtu_drop) {
		rtnl_lock();
		err = dev_set_mtu(ndev, IPV6_MIN_MTU);
		rtnl_unlock();
		KUNIT_ASSERT_EQ(test, err, 0);
	}
	n0 = zc_copied_events();
	l0 = atomic_long_read(&priv->lent_bytes);
	/* An empty send without MSG_MORE sends the corked datagram. */
	msg.msg_flags = 0;
	err = kernel_sendmsg(sock, &msg, &kv, 0, 0);
	KUNIT_ASSERT_EQ(test, err, 0);

	if (fc->mtu_drop) {
		KUNIT_EXPECT_GT(test, zc_copied_events(), n0);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&priv->lent_bytes), l0);
		KUNIT_EXPECT_EQ(test, READ_ONCE(sock->sk->sk_tx_lend),
				SK_TX_LEND_STOP);
		KUNIT_EXPECT_NULL(test, sk_tx_lend_mem(sock->sk, NULL));
	} else {
		KUNIT_EXPECT_EQ(test, zc_copied_events(), n0);
		/* Every corked lent byte was mapped in place. */
		KUNIT_EXPECT_EQ(test, atomic_long_read(&priv->lent_bytes) - l0,
				(long)q.lent_len);
		KUNIT_EXPECT_EQ(test, READ_ONCE(sock->sk->sk_tx_lend),
				SK_TX_LEND_LENT);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->errors), 0);
}

/*
 * 17. Splice of received data: tcp_splice_read() hands the linear part of
 * a received skb to linear_to_page(), which copies it into the socket's
 * page_frag (sk_page_frag(): the task's, for this kernel socket). That
 * refill is not a copying sendmsg(): the pages in the pipe are ordinary
 * even when the receiving socket, on its route through the NIC, may lend.
 * The NIC's receive path (zc_dev_reflect()) makes linear skbs with a
 * kmalloc()ed head, so every received byte goes through linear_to_page().
 */
#define ZC_SPLICE_BYTES		(32 * 1024)
/* At most one page per splice: the copies all fit in one page_frag page. */
#define ZC_SPLICE_CALL		PAGE_SIZE

struct zc_splice {
	struct socket *sock;
	struct file *sock_file;
	struct file *pipe[2];
};

static void zc_splice_close(void *data)
{
	struct zc_splice *s = data;

	if (s->pipe[0]) {
		__fput_sync(s->pipe[0]);
		__fput_sync(s->pipe[1]);
	}
	sock_no_linger(s->sock->sk);
	/* Releases the accepted socket too. */
	__fput_sync(s->sock_file);
}

/* A file for the accepted socket, as accept(2) makes, and a pipe(2). */
static struct zc_splice *zc_splice_open(struct kunit *test, struct zc_conn *c)
{
	struct zc_splice *s;
	int err;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	/* The file owns the socket now, released or not. */
	s->sock = c->asock;
	c->asock = NULL;
	s->sock_file = sock_alloc_file(s->sock, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s->sock_file));
	err = kunit_add_action_or_reset(test, zc_splice_close, s);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, create_pipe_files(s->pipe, 0), 0);
	return s;
}

/* Wait until @len bytes wait in @sk's receive queue and @tx sent all. */
static bool zc_rcv_wait(struct sock *sk, struct sock *tx, size_t len)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(ZC_DRAIN_MS);
	struct tcp_sock *tp = tcp_sk(sk);

	for (;;) {
		u32 inq = READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq);

		if (inq >= len && !READ_ONCE(tx->sk_wmem_queued))
			return true;
		if (time_after(jiffies, timeout))
			return false;
		msleep(20);
	}
}

/* Bytes in @sk's receive queue that skb_splice_bits() copies first. */
static size_t zc_rcvq_locked_linear(struct sock *sk)
{
	struct sk_buff *skb;
	size_t bytes = 0;

	lock_sock(sk);
	skb_queue_walk(&sk->sk_receive_queue, skb)
		if (!skb->data_len && skb_head_is_locked(skb))
			bytes += skb->len;
	release_sock(sk);
	return bytes;
}

/* How many bytes of @buf, from the start, are the stream's from @off on. */
static size_t zc_pattern_match(const u8 *buf, size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != zc_pattern(off + i))
			break;
	return i;
}

/* What the pipe's buffers hold, and in which pages. */
struct zc_pipe_where {
	size_t bytes, lent, in_frag;
	unsigned int bufs;
};

static void zc_pipe_where(struct pipe_inode_info *pipe, struct page *frag,
			  struct zc_pipe_where *pw)
{
	unsigned int slot;

	memset(pw, 0, sizeof(*pw));
	pipe_lock(pipe);
	for (slot = pipe->tail; slot != pipe->head; slot++) {
		const struct pipe_buffer *buf = pipe_buf(pipe, slot);

		pw->bufs++;
		pw->bytes += buf->len;
		if (zc_page_lent(buf->page))
			pw->lent += buf->len;
		if (buf->page == frag)
			pw->in_frag += buf->len;
	}
	pipe_unlock(pipe);
}

static void zc_splice_test(struct kunit *test)
{
	size_t start, got = 0, lent = 0, in_frag = 0;
	unsigned long copied_lent, copied;
	struct pipe_inode_info *pipe;
	struct zc_where w0, w1;
	struct zc_splice *s;
	unsigned int bufs = 0;
	struct zc_conn *c;
	struct sock *sk;

	c = zc_conn_open(test, true);
	s = zc_splice_open(test, c);
	sk = s->sock->sk;
	pipe = get_pipe_info(s->pipe[0], true);
	KUNIT_ASSERT_NOT_NULL(test, pipe);
	KUNIT_ASSERT_PTR_EQ(test, sk_page_frag(sk), &current->task_frag);

	/* 32 KiB in small linear skbs, left in the receive queue. */
	start = c->off;
	zc_conn_send(test, c, ZC_SPLICE_BYTES, false);
	KUNIT_ASSERT_TRUE_MSG(test, zc_rcv_wait(sk, c->csock->sk,
						ZC_SPLICE_BYTES),
			      "the data did not arrive");
	KUNIT_ASSERT_EQ(test, zc_rcvq_locked_linear(sk),
			(size_t)ZC_SPLICE_BYTES);
	/* The receiving socket's route would get it lent pages. */
	lock_sock(sk);
	KUNIT_EXPECT_PTR_EQ(test, sk_tx_lend_mem(sk, NULL), zc_default_mem);
	release_sock(sk);

	zc_where(c, &w0);
	while (got < ZC_SPLICE_BYTES) {
		struct zc_pipe_where pw;
		ssize_t n, ret;

		/* Each splice starts a new page_frag page. */
		zc_task_frag_drop();
		n = do_splice(s->sock_file, NULL, s->pipe[1], NULL,
			      min_t(size_t, ZC_SPLICE_BYTES - got,
				    ZC_SPLICE_CALL), 0);
		KUNIT_ASSERT_GT_MSG(test, n, 0, "splice at %zu", got);
		zc_pipe_where(pipe, current->task_frag.page, &pw);
		KUNIT_ASSERT_EQ(test, pw.bytes, (size_t)n);
		bufs += pw.bufs;
		lent += pw.lent;
		in_frag += pw.in_frag;
		/* Read out of the pipe, as the application would. */
		ret = kernel_read(s->pipe[0], c->rbuf, n, NULL);
		KUNIT_ASSERT_EQ(test, ret, n);
		KUNIT_EXPECT_EQ_MSG(test, zc_pattern_match(c->rbuf, start + got,
							   n), (size_t)n,
				    "spliced bytes differ after %zu", got);
		got += n;
	}
	zc_where(c, &w1);
	copied_lent = w1.st.copied_lent_bytes - w0.st.copied_lent_bytes;
	copied = w1.st.copied_bytes - w0.st.copied_bytes;

	/* Every spliced byte was copied by linear_to_page()... */
	KUNIT_EXPECT_EQ(test, in_frag, (size_t)ZC_SPLICE_BYTES);
	/* ... into an ordinary page: nothing lent, nothing counted. */
	KUNIT_EXPECT_EQ(test, lent, (size_t)0);
	KUNIT_EXPECT_EQ(test, w1.st.allocs, w0.st.allocs);
	KUNIT_EXPECT_EQ(test, copied_lent, 0UL);
	KUNIT_EXPECT_EQ(test, copied, 0UL);
	KUNIT_EXPECT_EQ(test, w1.lent - w0.lent, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->priv->errors), 0);
	kunit_info(test, "%zu bytes spliced in %u pipe buffers: %zu copied into the page_frag, %zu in lent pages",
		   got, bufs, in_frag, lent);
}

/*
 * 18. A per-socket IPsec policy set after connect() with
 * setsockopt(IP_XFRM_POLICY) (xfrm_user_policy(), compiled by xfrm_user):
 * the socket's route is reset, and once TCP routed again (the new route
 * is valid and has no transform: the policy allows the flow as it is) the
 * next refill is still ordinary. Lending resumes when the policy is gone.
 */
static int zc_sk_policy(struct socket *sock, bool set)
{
	struct xfrm_userpolicy_info p = {
		.sel.family = AF_INET,
		.lft = {
			.soft_byte_limit = XFRM_INF,
			.hard_byte_limit = XFRM_INF,
			.soft_packet_limit = XFRM_INF,
			.hard_packet_limit = XFRM_INF,
		},
		.dir = XFRM_POLICY_OUT,
		.action = XFRM_POLICY_ALLOW,
		.share = XFRM_SHARE_ANY,
	};

	/* ip xfrm policy dir out action allow, on this socket only */
	return sock->ops->setsockopt(sock, SOL_IP, IP_XFRM_POLICY,
				     set ? KERNEL_SOCKPTR(&p) :
					   KERNEL_SOCKPTR(NULL),
				     set ? sizeof(p) : 0);
}

/*
 * After the policy change reset the socket's route: send a chunk, so that
 * TCP routes again, and return what the new route allows.
 */
static struct io_tlb_mem *zc_sk_reroute(struct kunit *test, struct zc_conn *c)
{
	struct sock *sk = c->csock->sk;
	struct io_tlb_mem *mem;
	struct dst_entry *dst;

	zc_conn_send(test, c, ZC_REAL_CHUNK, true);
	lock_sock(sk);
	dst = __sk_dst_check(sk, 0);
	KUNIT_EXPECT_NOT_NULL(test, dst);
	if (dst) {
		KUNIT_EXPECT_NULL(test, dst_xfrm(dst));
		KUNIT_EXPECT_PTR_EQ(test, netdev_zc_mem(dst->dev),
				    zc_default_mem);
	}
	mem = sk_tx_lend_mem(sk, NULL);
	release_sock(sk);
	/* The next refill asks again. */
	zc_task_frag_drop();
	return mem;
}

static void zc_sk_policy_test(struct kunit *test)
{
	struct zc_where w0, w1;
	struct zc_conn *c;
	struct sock *sk;

	c = zc_conn_open(test, true);
	sk = c->csock->sk;
	zc_where(c, &w0);
	zc_conn_send(test, c, ZC_REAL_CHUNK, true);
	zc_where(c, &w1);
	KUNIT_ASSERT_GE(test, w1.lent - w0.lent, (long)ZC_REAL_CHUNK);

	KUNIT_ASSERT_EQ(test, zc_sk_policy(c->csock, true), 0);
	KUNIT_ASSERT_NOT_NULL(test,
			      rcu_access_pointer(sk->sk_policy[XFRM_POLICY_OUT]));
	KUNIT_EXPECT_NULL(test, zc_sk_reroute(test, c));
	zc_where(c, &w0);
	zc_conn_send(test, c, 2 * ZC_REAL_CHUNK, true);
	zc_where(c, &w1);
	KUNIT_EXPECT_EQ(test, w1.st.allocs, w0.st.allocs);
	KUNIT_EXPECT_EQ(test, w1.lent - w0.lent, 0);
	KUNIT_EXPECT_GE(test, w1.bounced - w0.bounced, 2L * ZC_REAL_CHUNK);
	KUNIT_EXPECT_EQ(test, w1.st.copied_lent_bytes - w0.st.copied_lent_bytes,
			0UL);
	KUNIT_EXPECT_EQ(test, w1.st.copied_bytes - w0.st.copied_bytes,
			2UL * ZC_REAL_CHUNK);

	/* setsockopt(IP_XFRM_POLICY, NULL, 0) removes it: lending resumes. */
	KUNIT_ASSERT_EQ(test, zc_sk_policy(c->csock, false), 0);
	KUNIT_EXPECT_NULL(test,
			  rcu_access_pointer(sk->sk_policy[XFRM_POLICY_OUT]));
	KUNIT_EXPECT_PTR_EQ(test, zc_sk_reroute(test, c), zc_default_mem);
	zc_where(c, &w0);
	zc_conn_send(test, c, ZC_REAL_CHUNK, true);
	zc_where(c, &w1);
	KUNIT_EXPECT_GT(test, w1.st.allocs, w0.st.allocs);
	KUNIT_EXPECT_GE(test, w1.lent - w0.lent, (long)ZC_REAL_CHUNK);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->priv->errors), 0);
}

/*
 * 19. Routes whose packets are transformed on their way out, made as ip(8)
 * makes them: an IPsec bundle (a transport mode ESP SA with the null
 * algorithms and an OUT policy to the peer, through xfrm_user) and a
 * lightweight tunnel route (encap ip, through rtnetlink). Both leave
 * through the NIC, which would map their payload in place, yet a UDP
 * socket connected over either route gets no lent page.
 */
#define ZC_TUN_SPI		0x2c7c
/* Large enough to lend (a datagram of 100 + 2 * ZC_TUN_MSG bytes) */
#define ZC_TUN_MSG		SK_TX_LEND_MIN_COPY

static void zc_tun_lft_inf(struct xfrm_lifetime_cfg *lft)
{
	lft->soft_byte_limit = XFRM_INF;
	lft->hard_byte_limit = XFRM_INF;
	lft->soft_packet_limit = XFRM_INF;
	lft->hard_packet_limit = XFRM_INF;
}

/*
 * ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x2c7c
 *	mode transport enc 'ecb(cipher_null)' '' auth digest_null ''
 */
static int zc_tun_esp_sa_add(void)
{
	struct xfrm_algo alg = {};
	struct xfrm_usersa_info *p;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	int err;

	skb = zc_rtnl_msg(XFRM_MSG_NEWSA, NLM_F_CREATE | NLM_F_EXCL,
			  sizeof(*p), &nlh);
	if (!skb)
		return -ENOMEM;
	p = nlmsg_data(nlh);
	p->id.daddr.a4 = htonl(ZC_PEER_ADDR);
	p->id.spi = htonl(ZC_TUN_SPI);
	p->id.proto = IPPROTO_ESP;
	p->saddr.a4 = htonl(ZC_NIC_ADDR);
	p->family = AF_INET;
	p->mode = XFRM_MODE_TRANSPORT;
	zc_tun_lft_inf(&p->lft);
	strscpy(alg.alg_name, "ecb(cipher_null)");
	err = nla_put(skb, XFRMA_ALG_CRYPT, sizeof(alg), &alg);
	strscpy(alg.alg_name, "digest_null");
	err = err ?: nla_put(skb, XFRMA_ALG_AUTH, sizeof(alg), &alg);
	return zc_nl_send(NETLINK_XFRM, skb, nlh, err);
}

/* ip xfrm state del dst 192.0.2.2 proto esp spi 0x2c7c */
static int zc_tun_esp_sa_del(void)
{
	struct xfrm_usersa_id *id;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = zc_rtnl_msg(XFRM_MSG_DELSA, 0, sizeof(*id), &nlh);
	if (!skb)
		return -ENOMEM;
	id = nlmsg_data(nlh);
	id->daddr.a4 = htonl(ZC_PEER_ADDR);
	id->spi = htonl(ZC_TUN_SPI);
	id->family = AF_INET;
	id->proto = IPPROTO_ESP;
	return zc_nl_send(NETLINK_XFRM, skb, nlh, 0);
}

static void zc_tun_esp_sel(struct xfrm_selector *sel)
{
	sel->daddr.a4 = htonl(ZC_PEER_ADDR);
	sel->prefixlen_d = 32;
	sel->family = AF_INET;
}

/*
 * ip xfrm policy add dst 192.0.2.2/32 dir out
 *	tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode transport
 */
static int zc_tun_esp_policy_add(void)
{
	struct xfrm_user_tmpl tmpl = {
		.id.daddr.a4 = htonl(ZC_PEER_ADDR),
		.id.proto = IPPROTO_ESP,
		.family = AF_INET,
		.saddr.a4 = htonl(ZC_NIC_ADDR),
		.mode = XFRM_MODE_TRANSPORT,
		.aalgos = ~0U,
		.ealgos = ~0U,
		.calgos = ~0U,
	};
	struct xfrm_userpolicy_info *p;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = zc_rtnl_msg(XFRM_MSG_NEWPOLICY, NLM_F_CREATE | NLM_F_EXCL,
			  sizeof(*p), &nlh);
	if (!skb)
		return -ENOMEM;
	p = nlmsg_data(nlh);
	zc_tun_esp_sel(&p->sel);
	zc_tun_lft_inf(&p->lft);
	p->dir = XFRM_POLICY_OUT;
	p->action = XFRM_POLICY_ALLOW;
	p->share = XFRM_SHARE_ANY;
	return zc_nl_send(NETLINK_XFRM, skb, nlh,
			  nla_put(skb, XFRMA_TMPL, sizeof(tmpl), &tmpl));
}

/* ip xfrm policy del dst 192.0.2.2/32 dir out; ip xfrm state del ... */
static void zc_tun_esp_del(void *unused)
{
	struct xfrm_userpolicy_id *id;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = zc_rtnl_msg(XFRM_MSG_DELPOLICY, 0, sizeof(*id), &nlh);
	if (skb) {
		id = nlmsg_data(nlh);
		zc_tun_esp_sel(&id->sel);
		id->dir = XFRM_POLICY_OUT;
		zc_nl_send(NETLINK_XFRM, skb, nlh, 0);
	}
	zc_tun_esp_sa_del();
}

static void zc_tun_esp_add(struct kunit *test, struct net_device *nic)
{
	KUNIT_ASSERT_EQ(test, zc_tun_esp_sa_add(), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_tun_esp_del,
							NULL), 0);
	KUNIT_ASSERT_EQ(test, zc_tun_esp_policy_add(), 0);
}

static bool zc_tun_is_esp(const struct dst_entry *dst)
{
	const struct xfrm_state *x = dst_xfrm(dst);

	return x && x->id.proto == IPPROTO_ESP &&
	       x->props.mode == XFRM_MODE_TRANSPORT;
}

/* encap ip id 1 dst 192.0.2.2 */
static int zc_tun_lwt_encap(struct sk_buff *skb)
{
	struct nlattr *encap;

	if (nla_put_u16(skb, RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_IP))
		return -EMSGSIZE;
	encap = nla_nest_start(skb, RTA_ENCAP);
	if (!encap ||
	    nla_put_be64(skb, LWTUNNEL_IP_ID, cpu_to_be64(1),
			 LWTUNNEL_IP_PAD) ||
	    nla_put_in_addr(skb, LWTUNNEL_IP_DST, htonl(ZC_PEER_ADDR)))
		return -EMSGSIZE;
	nla_nest_end(skb, encap);
	return 0;
}

/* ip route add|del 192.0.2.2/32 dev @nic [encap ip id 1 dst 192.0.2.2] */
static int zc_tun_lwt_route(struct net_device *nic, bool add)
{
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	struct rtmsg *rtm;
	int err;

	skb = zc_rtnl_msg(add ? RTM_NEWROUTE : RTM_DELROUTE,
			  add ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*rtm),
			  &nlh);
	if (!skb)
		return -ENOMEM;
	rtm = nlmsg_data(nlh);
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	err = nla_put_in_addr(skb, RTA_DST, htonl(ZC_PEER_ADDR)) ?:
	      nla_put_u32(skb, RTA_OIF, nic->ifindex);
	if (!err && add)
		err = zc_tun_lwt_encap(skb);
	return zc_rtnl_send(skb, nlh, err);
}

static void zc_tun_lwt_del(void *nic)
{
	zc_tun_lwt_route(nic, false);
}

static void zc_tun_lwt_add(struct kunit *test, struct net_device *nic)
{
	KUNIT_ASSERT_EQ(test, zc_tun_lwt_route(nic, true), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_tun_lwt_del,
							nic), 0);
}

static bool zc_tun_is_lwt(const struct dst_entry *dst)
{
	return !dst_xfrm(dst) && dst->lwtstate &&
	       dst->lwtstate->type == LWTUNNEL_ENCAP_IP;
}

struct zc_tun_case {
	const char *name;
	const char *needs;
	bool configured;
	void (*add)(struct kunit *test, struct net_device *nic);
	bool (*route_is)(const struct dst_entry *dst);
};

static const struct zc_tun_case zc_tun_cases[] = {
	{ "ipsec_esp_transport", "CONFIG_INET_ESP",
	  IS_ENABLED(CONFIG_INET_ESP), zc_tun_esp_add, zc_tun_is_esp },
	{ "lwtunnel_encap_ip", "CONFIG_LWTUNNEL",
	  IS_ENABLED(CONFIG_LWTUNNEL), zc_tun_lwt_add, zc_tun_is_lwt },
};

KUNIT_ARRAY_PARAM_DESC(zc_tun, zc_tun_cases, name);

/* send() @len bytes of @buf to the connected peer, corked if @more. */
static int zc_tun_send(struct socket *sock, void *buf, size_t len, bool more)
{
	struct msghdr msg = { .msg_flags = more ? MSG_MORE : 0 };
	struct kvec kv = { .iov_base = buf, .iov_len = len };

	return kernel_sendmsg(sock, &msg, &kv, 1, len);
}

/* connect() routes the socket again; return its new route, held. */
static struct dst_entry *zc_tun_connect(struct kunit *test,
					struct socket *sock)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(9),
		.sin_addr.s_addr = htonl(ZC_PEER_ADDR),
	};
	struct dst_entry *dst;
	int err;

	err = kernel_connect(sock, (struct sockaddr *)&to, sizeof(to), 0);
	KUNIT_ASSERT_EQ(test, err, 0);
	dst = sk_dst_get(sock->sk);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zc_dst_release,
							dst), 0);
	return dst;
}

/*
 * Send a corked datagram of 100 + 2 * ZC_TUN_MSG bytes (the first send
 * builds a linear skb, the next ones page frags) and check that no byte
 * of it was in a lent page, queued or when the NIC read it.
 */
static void zc_tun_send_unlent(struct kunit *test, struct socket *sock,
			       struct zc_ndev_priv *priv)
{
	struct swiotlb_zc_stats st0, st1;
	struct zc_corked q;
	u8 *buf;

	buf = zc_pattern_buf(test, ZC_TUN_MSG);
	zc_stats(zc_default_mem, &st0);
	KUNIT_ASSERT_EQ(test, zc_tun_send(sock, buf, 100, true), 100);
	KUNIT_ASSERT_EQ(test, zc_tun_send(sock, buf, ZC_TUN_MSG, true),
			ZC_TUN_MSG);
	zc_corked_frags(sock->sk, &q);
	KUNIT_ASSERT_GT_MSG(test, q.lent + q.plain, 0, "no paged data queued");
	KUNIT_EXPECT_EQ(test, q.lent, 0);
	KUNIT_ASSERT_EQ(test, zc_tun_send(sock, buf, ZC_TUN_MSG, false),
			ZC_TUN_MSG);
	zc_stats(zc_default_mem, &st1);
	KUNIT_EXPECT_EQ(test, st1.allocs, st0.allocs);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&priv->lent_bytes), 0);
	/* The datagram left through the NIC. */
	KUNIT_EXPECT_GE(test, atomic_long_read(&priv->lent_bytes) +
			atomic_long_read(&priv->bounced_bytes) +
			atomic_long_read(&priv->linear_bytes),
			(long)(100 + 2 * ZC_TUN_MSG));
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->errors), 0);
}

static void zc_tun_route_test(struct kunit *test)
{
	const struct zc_tun_case *tc = test->param_value;
	struct net_device *nic;
	struct dst_entry *dst;
	struct socket *sock;

	if (!tc->configured)
		kunit_skip(test, "needs %s", tc->needs);
	KUNIT_ASSERT_TRUE_MSG(test, swiotlb_zc_mem_can_lend(zc_default_mem),
			      "the kernel must bounce every DMA (swiotlb=force)");
	nic = zc_nic_new(test, zc_dma_dev_new(test, NULL), true);
	sock = zc_sock_new(test, AF_INET, SOCK_DGRAM, IPPROTO_UDP);

	/* The plain route through the same NIC lends. */
	dst = zc_tun_connect(test, sock);
	KUNIT_ASSERT_FALSE(test, tc->route_is(dst));
	KUNIT_ASSERT_PTR_EQ(test, sk_tx_lend_mem(sock->sk, NULL),
			    zc_default_mem);

	tc->add(test, nic);
	dst = zc_tun_connect(test, sock);
	KUNIT_ASSERT_TRUE_MSG(test, tc->route_is(dst), "not a %s route",
			      tc->name);
	KUNIT_ASSERT_PTR_EQ(test, dst->dev, nic);
	KUNIT_EXPECT_NULL(test, sk_tx_lend_mem(sock->sk, NULL));
	zc_tun_send_unlent(test, sock, netdev_priv(nic));
	/* ... through the SA, as one ESP packet. */
	if (dst_xfrm(dst))
		KUNIT_EXPECT_EQ(test, dst_xfrm(dst)->curlft.packets, 1ULL);
}

static int zc_test_init(struct kunit *test)
{
	struct zc_ctx *ctx;

	/* Not a kunit resource: exit() frees resources before it checks. */
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	ctx->saved_percent = swiotlb_zc_tx_percent();
	KUNIT_ASSERT_EQ(test, zc_set_percent(50), 0);
	/* The namespace's opt-in; cases about it turn it off again. */
	ctx->saved_lend = READ_ONCE(init_net.core.sysctl_swiotlb_tx_lend);
	WRITE_ONCE(init_net.core.sysctl_swiotlb_tx_lend, 1);
	zc_track(test, zc_default_mem, false);
	return 0;
}

/*
 * Release what the case left (sockets, devices, page references), then
 * check that every pool it used got all its slots back.
 */
static void zc_test_exit(struct kunit *test)
{
	struct zc_ctx *ctx = test->priv;
	struct swiotlb_zc_stats st;
	unsigned int i;

	if (!ctx)
		return;
	kunit_cleanup(test);
	/* kunit_cleanup() forgets the test, which still runs until exit ends */
	current->kunit_test = test;
	rcu_barrier();

	for (i = 0; i < ctx->nmem; i++) {
		struct zc_tracked *t = &ctx->mems[i];
		unsigned long used = zc_wait_used(t->mem, t->start.used);

		zc_stats(t->mem, &st);
		KUNIT_EXPECT_EQ_MSG(test, used, t->start.used,
				    "pool %u: slots still lent", i);
		KUNIT_EXPECT_EQ_MSG(test, st.allocs - t->start.allocs,
				    st.frees - t->start.frees,
				    "pool %u: pages lent and returned", i);
		KUNIT_EXPECT_EQ(test, st.stray, t->start.stray);
		if (!t->owned)
			continue;
		KUNIT_EXPECT_EQ(test, st.pool_used, 0);
		/* A pool with pages still out is leaked, never freed. */
		if (used == 0 && st.pool_used == 0)
			swiotlb_zc_test_mem_destroy(t->mem);
	}
	zc_set_percent(ctx->saved_percent);
	WRITE_ONCE(init_net.core.sysctl_swiotlb_tx_lend, ctx->saved_lend);
	kfree(ctx);
	test->priv = NULL;
}

static int zc_suite_init(struct kunit_suite *suite)
{
	int err;

	zc_dst_cache = kmem_cache_create("skb_frag_zc_kunit_dst",
					 sizeof(struct dst_entry), 0,
					 SLAB_HWCACHE_ALIGN, NULL);
	if (!zc_dst_cache)
		return -ENOMEM;
	zc_dst_ops.kmem_cachep = zc_dst_cache;

	zc_default_dev = root_device_register("skb_frag_zc_default");
	if (IS_ERR(zc_default_dev)) {
		err = PTR_ERR(zc_default_dev);
		goto err_cache;
	}
	zc_default_mem = zc_default_dev->dma_io_tlb_mem;

	err = tcp_register_ulp(&zc_test_ulp);
	if (err)
		goto err_dev;
	return 0;

err_dev:
	root_device_unregister(zc_default_dev);
err_cache:
	kmem_cache_destroy(zc_dst_cache);
	return err;
}

static void zc_suite_exit(struct kunit_suite *suite)
{
	tcp_unregister_ulp(&zc_test_ulp);
	root_device_unregister(zc_default_dev);
	rcu_barrier();
	kmem_cache_destroy(zc_dst_cache);
}

static struct kunit_case zc_test_cases[] = {
	KUNIT_CASE_PARAM(zc_route_test, zc_route_gen_params),
	KUNIT_CASE(zc_task_frag_test),
	KUNIT_CASE(zc_order_fallback_test),
	KUNIT_CASE_PARAM(zc_skb_test, zc_skb_gen_params),
	KUNIT_CASE(zc_pfrag_replaced_test),
	KUNIT_CASE_SLOW(zc_tcp_test),
	KUNIT_CASE_PARAM(zc_udp_route_test, zc_udp_gen_params),
	KUNIT_CASE_PARAM_ATTR(zc_real_test, zc_real_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_SLOW(zc_xfrm_stale_route_test),
	KUNIT_CASE_SLOW(zc_local_delivery_test),
	KUNIT_CASE_PARAM(zc_write_size_test, zc_wsize_gen_params),
	KUNIT_CASE_PARAM(zc_idle_page_test, zc_idle_page_gen_params),
	KUNIT_CASE(zc_netns_test),
	KUNIT_CASE_PARAM(zc_macvlan_test, zc_macvlan_gen_params),
	KUNIT_CASE_PARAM(zc_upper_test, zc_upper_gen_params),
	KUNIT_CASE_PARAM(zc_vlan_depth_test, zc_vlan_depth_gen_params),
	KUNIT_CASE_SLOW(zc_idle_test),
	KUNIT_CASE(zc_refill_allow_list_test),
	KUNIT_CASE_PARAM(zc_udp6_route_test, zc_udp6_gen_params),
	KUNIT_CASE_SLOW(zc_qdisc_test),
	KUNIT_CASE(zc_dev_forward_test),
	KUNIT_CASE_SLOW(zc_copied_feedback_test),
	KUNIT_CASE_PARAM(zc_frag_copied_test, zc_frag_gen_params),
	KUNIT_CASE_SLOW(zc_splice_test),
	KUNIT_CASE_SLOW(zc_sk_policy_test),
	KUNIT_CASE_PARAM(zc_tun_route_test, zc_tun_gen_params),
	{}
};

static struct kunit_suite zc_test_suite = {
	.name		= "skb_frag_zc",
	.suite_init	= zc_suite_init,
	.suite_exit	= zc_suite_exit,
	.init		= zc_test_init,
	.exit		= zc_test_exit,
	.test_cases	= zc_test_cases,
};

kunit_test_suite(zc_test_suite);

MODULE_DESCRIPTION("KUnit tests for socket transmit pages lent by swiotlb");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
