// SPDX-License-Identifier: GPL-2.0
/*
 * zctx_bench device model: "zctx0", a network device whose parent is a
 * platform device mapped with dma-direct through the default swiotlb pool.
 * ndo_start_xmit() maps the linear part and every frag with the DMA API as
 * a NIC driver does, "transmits" by reading the mapped bytes (a sampled
 * checksum checked against what a greedy sender wrote), and completes
 * from NAPI, which unmaps and frees, or reflects TCP packets back as
 * received packets with source and destination addresses swapped.
 *
 * Two completion models (enum zctx_dev_model): "instant" schedules the
 * NAPI poll from every xmit; "ring" behaves like a NIC under load: BQL,
 * descriptors that complete after complete_us and at line_mbit, an hrtimer
 * standing in for the completion interrupt, the queue stopped when the
 * ring is full and woken from the poll.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/platform_device.h>
#include <linux/rtnetlink.h>

#include "zctx_bench.h"

u8 zctx_pattern_tab[ZCTX_PERIOD];

void zctx_pattern_init(unsigned int kind)
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
u32 zctx_hash(u32 hash, const u8 *data, unsigned int len, unsigned int pos,
	      unsigned int stride)
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

/* Hash the payload of @d through its DMA addresses; false: unreadable. */
static bool zctx_dma_hash(struct zctx_priv *zp, struct zctx_desc *d,
			  const u8 *va, u32 *hash)
{
	unsigned int i, pos = 0, skip = ZCTX_HDR_LEN;

	for (i = 0; i < d->nr; i++) {
		if (i) {
			va = zctx_dma_vaddr(zp->dmadev, d->addr[i]);
			if (!va)
				return false;
		}
		if (d->len[i] > skip)
			*hash = zctx_hash(*hash, va + skip, d->len[i] - skip,
					  pos, zp->verify_stride);
		pos += d->len[i] - skip;
		skip = 0;
	}
	return true;
}

/*
 * "Transmit" a greedy sender's packet: read the payload through the DMA
 * mappings, as a device would, and compare its sampled checksum with the
 * one the sender put in the IP id and UDP checksum fields.
 */
static void zctx_verify(struct zctx_priv *zp, struct zctx_queue *q,
			struct zctx_desc *d)
{
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
	if (!zctx_dma_hash(zp, d, va, &hash))
		q->unverified++;
	else if (hash != want)
		q->csum_errors++;
}

/* Entry 0 is the linear part (length 0 when there is none). */
static void zctx_unmap(struct zctx_priv *zp, struct zctx_desc *d)
{
	unsigned int i;

	for (i = 0; i < d->nr; i++) {
		if (!d->len[i] || d->in_place & BIT(i))
			continue;
		if (i == 0)
			dma_unmap_single(zp->dmadev, d->addr[0], d->len[0],
					 DMA_TO_DEVICE);
		else
			dma_unmap_page(zp->dmadev, d->addr[i], d->len[i],
				       DMA_TO_DEVICE);
	}
	d->nr = 0;
	d->in_place = 0;
}

/*
 * The DMA address of a frag of a page_pool page of zctx0. The pools have
 * no PP_FLAG_DMA_MAP (pool.c): the device reads the page where it is, at
 * the DMA address of its physical address, standing in for the address a
 * swiotlb-aware pool of shared pages would have stored at allocation. No
 * bounce slot, no copy, nothing to unmap.
 */
static dma_addr_t zctx_pool_dma(struct zctx_priv *zp, const skb_frag_t *f)
{
	return phys_to_dma(zp->dmadev, page_to_phys(skb_frag_page(f)) +
			   skb_frag_off(f));
}

/* Payload bytes of @d that the device reads in place from pool pages. */
static unsigned int zctx_in_place_bytes(const struct zctx_desc *d)
{
	unsigned int i, bytes = 0;

	for (i = 1; i < d->nr; i++)
		if (d->in_place & BIT(i))
			bytes += d->len[i];
	return bytes;
}

/* Map the linear part and every frag of @skb into @d, as a NIC does. */
static int zctx_map_skb(struct zctx_priv *zp, struct zctx_desc *d,
			struct sk_buff *skb)
{
	struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int i;

	d->nr = 1;
	d->in_place = 0;
	d->len[0] = 0;
	if (skb_headlen(skb)) {
		d->addr[0] = dma_map_single(zp->dmadev, skb->data,
					    skb_headlen(skb), DMA_TO_DEVICE);
		if (dma_mapping_error(zp->dmadev, d->addr[0]))
			return -ENOMEM;
		d->len[0] = skb_headlen(skb);
	}
	for (i = 0; i < sh->nr_frags; i++) {
		skb_frag_t *f = &sh->frags[i];

		if (skb->pp_recycle &&
		    zctx_pool_page(zp->ndev, skb_frag_page(f))) {
			d->addr[i + 1] = zctx_pool_dma(zp, f);
			d->len[i + 1] = skb_frag_size(f);
			d->in_place |= BIT(i + 1);
			d->nr = i + 2;
			continue;
		}
		d->addr[i + 1] = skb_frag_dma_map(zp->dmadev, f, 0,
						  skb_frag_size(f),
						  DMA_TO_DEVICE);
		if (dma_mapping_error(zp->dmadev, d->addr[i + 1]))
			return -ENOMEM;
		d->len[i + 1] = skb_frag_size(f);
		d->nr = i + 2;
	}
	return 0;
}

/*
 * Ring model: when the descriptor of @bytes bytes queued now completes.
 * The "wire" sends one descriptor after the other at line_mbit (0: no
 * limit); the completion is seen complete_ns after it left.
 */
static u64 zctx_done_ns(struct zctx_priv *zp, struct zctx_queue *q,
			unsigned int bytes)
{
	u64 now = ktime_get_ns(), start = max(now, q->wire_free_ns);
	unsigned int mbit = READ_ONCE(zp->line_mbit);

	if (mbit)
		start += div_u64((u64)bytes * 8 * 1000, mbit);
	q->wire_free_ns = start;
	return start + READ_ONCE(zp->complete_ns);
}

/* The ring is full: stop the queue unless the poll just made room. */
static bool zctx_ring_full(struct zctx_priv *zp, struct zctx_queue *q,
			   struct netdev_queue *txq)
{
	bool full;

	spin_lock(&q->lock);
	full = q->count >= zp->ring_size;
	if (full)
		netif_tx_stop_queue(txq);
	spin_unlock(&q->lock);
	if (full) {
		q->busy++;
		if (zp->model == ZCTX_DEV_INSTANT)
			napi_schedule(&q->napi);
	}
	return full;
}

/* Hand the descriptor at head to the "device". */
static void zctx_publish(struct zctx_priv *zp, struct zctx_queue *q,
			 struct netdev_queue *txq, struct zctx_desc *d)
{
	bool ring = zp->model == ZCTX_DEV_RING, first;

	if (ring) {
		d->done_ns = zctx_done_ns(zp, q, d->bytes);
		netdev_tx_sent_queue(txq, d->bytes);
	}
	spin_lock(&q->lock);
	q->head = (q->head + 1) & (zp->ring_size - 1);
	first = !q->count++;
	if (q->count >= zp->ring_size) {
		netif_tx_stop_queue(txq);
		q->stops++;
	}
	/* The poll re-arms the timer while descriptors are pending. */
	if (ring && first)
		hrtimer_start(&q->timer, ns_to_ktime(d->done_ns),
			      HRTIMER_MODE_ABS);
	spin_unlock(&q->lock);
	if (!ring)
		napi_schedule(&q->napi);
}

static netdev_tx_t zctx_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct zctx_priv *zp = netdev_priv(ndev);
	u16 qi = skb_get_queue_mapping(skb);
	struct zctx_queue *q = &zp->q[qi];
	struct netdev_queue *txq = netdev_get_tx_queue(ndev, qi);
	struct zctx_desc *d;

	/* Not expected: the queue stops when the ring fills up. */
	if (unlikely(READ_ONCE(q->count) >= zp->ring_size) &&
	    zctx_ring_full(zp, q, txq))
		return NETDEV_TX_BUSY;
	/* The slot at head is ours until it is published. */
	d = &q->ring[q->head];
	if (zctx_map_skb(zp, d, skb)) {
		zctx_unmap(zp, d);
		q->map_errors++;
		dev_core_stats_tx_dropped_inc(ndev);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	if (zp->verify_stride)
		zctx_verify(zp, q, d);
	d->skb = skb;
	d->bytes = skb->len;
	q->pool_bytes += zctx_in_place_bytes(d);
	q->tx_packets++;
	if (skb->len > ZCTX_HDR_LEN)
		q->tx_payload += skb->len - ZCTX_HDR_LEN;
	zctx_publish(zp, q, txq, d);
	return NETDEV_TX_OK;
}

/*
 * Turn a transmitted IPv4 TCP packet into a received one (everything else
 * is consumed): swap its addresses (the pseudo-header checksum is
 * unchanged) and hand it to the stack. A connection from 192.0.2.1:a to
 * 192.0.2.2:b comes back as 192.0.2.2:a to 192.0.2.1:b, which a listener
 * on b accepts, and its replies come back to the connecting socket the
 * same way.
 */
static void zctx_reflect(struct zctx_queue *q, struct sk_buff *skb,
			 int budget)
{
	struct net_device *ndev = q->zp->ndev;
	unsigned int frags;
	struct iphdr *iph;
	u64 t0;

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
		atomic64_add(skb->data_len, &zctx.rx_zcopy_bytes);
	dev_sw_netstats_rx_add(ndev, skb->len);
	netif_receive_skb(skb);
	return;
drop:
	/* The release of a greedy sender's pages: cost per frag. */
	frags = skb_shinfo(skb)->nr_frags;
	t0 = ktime_get_ns();
	napi_consume_skb(skb, budget);
	q->free_ns += ktime_get_ns() - t0;
	q->free_frags += frags;
}

/* Complete @n descriptors from @tail: unmap, then free or reflect. */
static unsigned int zctx_complete(struct zctx_queue *q, unsigned int tail,
				  unsigned int n, int budget)
{
	struct zctx_priv *zp = q->zp;
	unsigned int i, bytes = 0;
	struct sk_buff *skb;

	for (i = 0; i < n; i++) {
		struct zctx_desc *d = &q->ring[(tail + i) & (zp->ring_size - 1)];

		zctx_unmap(zp, d);
		bytes += d->bytes;
		skb = d->skb;
		d->skb = NULL;
		skb_orphan(skb);
		zctx_reflect(q, skb, budget);
	}
	return bytes;
}

/* Ring model: descriptors from @tail whose completion time has come. */
static unsigned int zctx_due(struct zctx_queue *q, unsigned int tail,
			     unsigned int avail)
{
	u64 now = ktime_get_ns();
	unsigned int n;

	for (n = 0; n < avail; n++)
		if (q->ring[(tail + n) & (q->zp->ring_size - 1)].done_ns > now)
			break;
	return n;
}

static int zctx_poll(struct napi_struct *napi, int budget)
{
	struct zctx_queue *q = container_of(napi, struct zctx_queue, napi);
	struct zctx_priv *zp = q->zp;
	struct netdev_queue *txq = netdev_get_tx_queue(zp->ndev, q->index);
	bool ring = zp->model == ZCTX_DEV_RING;
	unsigned int n, tail, bytes;

	if (!budget)
		return 0;
	spin_lock(&q->lock);
	n = min_t(unsigned int, q->count, budget);
	tail = q->tail;
	spin_unlock(&q->lock);
	/* Entries tail..tail+n-1 are published: the producer leaves them. */
	if (ring)
		n = zctx_due(q, tail, n);
	bytes = zctx_complete(q, tail, n, budget);
	if (ring)
		netdev_tx_completed_queue(txq, n, bytes);

	spin_lock(&q->lock);
	q->tail = (tail + n) & (zp->ring_size - 1);
	q->count -= n;
	if (netif_tx_queue_stopped(txq) && q->count <= zp->ring_size / 2)
		netif_tx_wake_queue(txq);
	if (ring && q->count)
		hrtimer_start(&q->timer,
			      ns_to_ktime(q->ring[q->tail].done_ns),
			      HRTIMER_MODE_ABS);
	spin_unlock(&q->lock);

	if (n < budget)
		napi_complete_done(napi, n);
	return n;
}

/* Ring model: the "completion interrupt". */
static enum hrtimer_restart zctx_timer_fn(struct hrtimer *t)
{
	struct zctx_queue *q = container_of(t, struct zctx_queue, timer);

	napi_schedule(&q->napi);
	return HRTIMER_NORESTART;
}

static int zctx_open(struct net_device *ndev)
{
	struct zctx_priv *zp = netdev_priv(ndev);
	int i;

	for (i = 0; i < ZCTX_MAX_QUEUES; i++) {
		zp->q[i].wire_free_ns = 0;
		netdev_tx_reset_queue(netdev_get_tx_queue(ndev, i));
		napi_enable(&zp->q[i].napi);
	}
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
		netdev_tx_reset_queue(netdev_get_tx_queue(zp->ndev, i));
	}
}

static int zctx_stop(struct net_device *ndev)
{
	struct zctx_priv *zp = netdev_priv(ndev);
	int i;

	netif_tx_disable(ndev);
	/* No xmit now; once NAPI is off, nothing re-arms the timers. */
	for (i = 0; i < ZCTX_MAX_QUEUES; i++) {
		napi_disable(&zp->q[i].napi);
		hrtimer_cancel(&zp->q[i].timer);
	}
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

/* Copy the device model parameters of @p; the model itself only when idle. */
static void zctx_model_params(struct zctx_priv *zp,
			      const struct zctx_params *p, bool model)
{
	if (model)
		zp->model = p->dev_model;
	WRITE_ONCE(zp->complete_ns, (u64)p->complete_us * NSEC_PER_USEC);
	WRITE_ONCE(zp->line_mbit, p->line_mbit);
}

/**
 * zctx_set_model() - switch zctx0 to the device model of @p
 * @p: parameters; dev_model, complete_us and line_mbit are used
 *
 * A change of model takes the device down and up again (under RTNL), so
 * that no descriptor or BQL state of one model reaches the other. Only
 * call it between runs.
 *
 * Return: 0 or the error of dev_open().
 */
int zctx_set_model(const struct zctx_params *p)
{
	struct net_device *ndev = zctx.ndev;
	struct zctx_priv *zp = netdev_priv(ndev);
	bool up;
	int ret = 0;

	if (zp->model == p->dev_model) {
		zctx_model_params(zp, p, false);
		return 0;
	}
	rtnl_lock();
	up = ndev->flags & IFF_UP;
	if (up)
		dev_close(ndev);
	zctx_model_params(zp, p, true);
	if (up)
		ret = dev_open(ndev, NULL);
	rtnl_unlock();
	return ret;
}

static int zctx_init_queues(struct zctx_priv *zp, const struct zctx_params *p)
{
	int i;

	for (i = 0; i < ZCTX_MAX_QUEUES; i++) {
		struct zctx_queue *q = &zp->q[i];

		q->zp = zp;
		q->index = i;
		spin_lock_init(&q->lock);
		hrtimer_init(&q->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
		q->timer.function = zctx_timer_fn;
		q->ring = kvcalloc(p->ring, sizeof(*q->ring), GFP_KERNEL);
		if (!q->ring)
			return -ENOMEM;
		netif_napi_add(zp->ndev, &q->napi, zctx_poll);
	}
	return 0;
}

static void zctx_free_queues(struct zctx_priv *zp)
{
	int i;

	for (i = 0; i < ZCTX_MAX_QUEUES; i++) {
		if (!zp->q[i].ring)
			continue;
		hrtimer_cancel(&zp->q[i].timer);
		netif_napi_del(&zp->q[i].napi);
		kvfree(zp->q[i].ring);
		zp->q[i].ring = NULL;
	}
}

static int zctx_create_pdev(void)
{
	int ret;

	zctx.pdev = platform_device_register_simple(KBUILD_MODNAME,
						    PLATFORM_DEVID_NONE,
						    NULL, 0);
	if (IS_ERR(zctx.pdev)) {
		ret = PTR_ERR(zctx.pdev);
		zctx.pdev = NULL;
		return ret;
	}
	ret = dma_coerce_mask_and_coherent(&zctx.pdev->dev, DMA_BIT_MASK(64));
	if (ret) {
		platform_device_unregister(zctx.pdev);
		zctx.pdev = NULL;
		return ret;
	}
	if (!is_swiotlb_force_bounce(&zctx.pdev->dev))
		pr_warn("the DMA of %s is not bounced through swiotlb: boot with swiotlb=force or in a confidential guest; copies per byte will be about 1 in both modes\n",
			dev_name(&zctx.pdev->dev));
	return 0;
}

/**
 * zctx_create_netdev() - create the DMA parent and register zctx0
 * @p: parameters; ring, queues, verify_stride and the device model
 *
 * Return: 0 or a negative error; nothing is left registered on error.
 */
int zctx_create_netdev(const struct zctx_params *p)
{
	struct net_device *ndev;
	struct zctx_priv *zp;
	int ret;

	ret = zctx_create_pdev();
	if (ret)
		return ret;
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
	zctx_model_params(zp, p, true);
	ret = zctx_init_queues(zp, p);
	if (!ret)
		ret = netif_set_real_num_tx_queues(ndev, p->queues);
	if (!ret)
		ret = register_netdev(ndev);
	if (ret)
		goto err_queues;
	zctx.ndev = ndev;
	return 0;

err_queues:
	zctx_free_queues(zp);
	free_netdev(ndev);
err_pdev:
	platform_device_unregister(zctx.pdev);
	zctx.pdev = NULL;
	return ret;
}

/**
 * zctx_destroy_netdev() - unregister zctx0 and its DMA parent
 */
void zctx_destroy_netdev(void)
{
	if (!zctx.ndev)
		return;
	unregister_netdev(zctx.ndev);
	zctx_free_queues(netdev_priv(zctx.ndev));
	free_netdev(zctx.ndev);
	zctx.ndev = NULL;
	platform_device_unregister(zctx.pdev);
	zctx.pdev = NULL;
}

/**
 * zctx_set_queues() - use the first @n TX queues of zctx0
 * @n: queues, 1 to ZCTX_MAX_QUEUES
 *
 * Queue i serves the online CPUs c with c % n == i (XPS).
 *
 * Return: 0 or a negative error.
 */
int zctx_set_queues(unsigned int n)
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

static void zctx_kick_cpu(void *napi)
{
	napi_schedule(napi);
}

/**
 * zctx_flush_deferred() - free received skbs whose free was deferred
 *
 * A received skb freed on another CPU than the one that allocated it is
 * queued for that CPU (skb_attempt_defer_free()) and freed when it next
 * runs its NET_RX softirq, which an idle CPU may not do for a long time.
 * Schedule a NAPI poll on every CPU so that its deferred skbs, and any
 * lent pages they hold, are freed.
 */
void zctx_flush_deferred(void)
{
	struct zctx_priv *zp = netdev_priv(zctx.ndev);
	int cpu;

	if (!(zctx.ndev->flags & IFF_UP))
		return;
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, zctx_kick_cpu,
					 &zp->q[ZCTX_MAX_QUEUES - 1].napi, 1);
}
