/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Socket transmit pages lent by swiotlb: which payload may use them.
 * See net/core/skb_frag_zc.c and Documentation/core-api/swiotlb-zerocopy-tx.rst.
 */
#ifndef _NET_SWIOTLB_TX_LEND_H
#define _NET_SWIOTLB_TX_LEND_H

#include <linux/minmax.h>
#include <linux/netdev_features.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <linux/swiotlb.h>

struct dst_entry;
struct net_device;
struct page_frag;
struct sk_buff;
struct sock;

/* Values of sock::sk_tx_lend; 0: never given lent pages. */
#define SK_TX_LEND_LENT		1
#define SK_TX_LEND_STOP		2

/*
 * A copying sendmsg() starts lending only with at least this much payload
 * left to copy (see sk_page_frag_refill_lend()): half of the largest lent
 * page (SKB_FRAG_PAGE_ORDER, 32 KiB), and at least a page. A lent page
 * serves one sendmsg(), so smaller writes would each lend and return a
 * page of their own, mostly empty, with frags the skb cannot merge.
 */
#define SK_TX_LEND_MIN_COPY	MAX(SZ_16K, PAGE_SIZE)

bool sk_page_frag_refill_lend(struct sock *sk, struct page_frag *pfrag,
			      struct dst_entry *dst, size_t hint);
void sk_page_frag_lend_end(struct page_frag *pfrag);

#ifdef CONFIG_SWIOTLB_ZEROCOPY_TX
struct io_tlb_mem *netdev_zc_mem(const struct net_device *dev);
struct io_tlb_mem *sk_tx_lend_mem(struct sock *sk, struct dst_entry *dst);
void skb_tx_lend_local(struct sk_buff *skb);
void skb_tx_lend_copied(struct sk_buff *skb);
#else
static inline struct io_tlb_mem *netdev_zc_mem(const struct net_device *dev)
{
	return NULL;
}

static inline struct io_tlb_mem *sk_tx_lend_mem(struct sock *sk,
						struct dst_entry *dst)
{
	return NULL;
}

static inline void skb_tx_lend_local(struct sk_buff *skb)
{
}

static inline void skb_tx_lend_copied(struct sk_buff *skb)
{
}
#endif

/**
 * skb_tx_lend_check_local() - note a sent packet delivered inside the guest
 * @skb:	Packet handed to loopback or dev_forward_skb().
 *
 * A static branch when lending is off; see skb_tx_lend_local().
 */
static inline void skb_tx_lend_check_local(struct sk_buff *skb)
{
	if (swiotlb_zc_enabled())
		skb_tx_lend_local(skb);
}

/**
 * skb_tx_lend_check_features() - note frags the stack will copy for a device
 * @skb:	Packet about to be validated for its device.
 * @features:	The features the device takes this packet with.
 *
 * Without scatter-gather the stack linearises the packet, or segments it
 * into linear skbs, before the driver sees it: lent frags are then copied,
 * not mapped in place. A static branch when lending is off; see
 * skb_tx_lend_copied().
 */
static inline void skb_tx_lend_check_features(struct sk_buff *skb,
					      netdev_features_t features)
{
	if (swiotlb_zc_enabled() && !(features & NETIF_F_SG) &&
	    skb_shinfo(skb)->nr_frags)
		skb_tx_lend_copied(skb);
}

/**
 * skb_tx_lend_check_copy() - note a sent packet the stack copies as a whole
 * @skb:	Packet whose payload is about to be copied into new linear
 *		skbs (the IP fragmentation slow path).
 *
 * A static branch when lending is off; see skb_tx_lend_copied().
 */
static inline void skb_tx_lend_check_copy(struct sk_buff *skb)
{
	if (swiotlb_zc_enabled() && skb->data_len)
		skb_tx_lend_copied(skb);
}

/**
 * sk_page_frag_count_copy() - count payload a sender copied into a page_frag
 * @pfrag:	The page_frag the payload was just copied into.
 * @len:	Bytes copied.
 *
 * Call where the copy happens, after it succeeded. A static branch when
 * nothing counts; see swiotlb_zc_count_tx_copy().
 */
static inline void sk_page_frag_count_copy(const struct page_frag *pfrag,
					   size_t len)
{
	if (swiotlb_zc_counting())
		swiotlb_zc_count_tx_copy(pfrag->page, len);
}

#endif /* _NET_SWIOTLB_TX_LEND_H */
