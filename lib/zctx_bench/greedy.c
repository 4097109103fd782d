// SPDX-License-Identifier: GPL-2.0
/*
 * zctx_bench greedy workload: kernel threads that build skbs the way
 * tcp_sendmsg() does (header room in the linear part, payload copied from
 * a "user" buffer into page_frag pages refilled by skb_page_frag_refill_zc()
 * with the eligibility decision of real sockets, netdev_zc_mem(), or with
 * source=pool into page_pool pages, pool.c) and push
 * them through dev_queue_xmit(), with at most inflight_kb bytes in flight
 * per sender, like TCP small queues.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/swiotlb_tx_lend.h>

#include "zctx_bench.h"

/* Called when a greedy sender's skb is freed, after the device is done. */
static void zctx_skb_destructor(struct sk_buff *skb)
{
	struct zctx_sender *s = (struct zctx_sender *)skb_shinfo(skb)->destructor_arg;

	if (atomic_sub_return(skb->truesize, &s->inflight) <
	    s->run->inflight_limit)
		wake_up(&s->wq);
}

/*
 * source=frag: the next bytes of @s's page_frag, refilled through the
 * same path as a socket, with the device part of the socket's eligibility
 * decision (@mem, from netdev_zc_mem()): there is no socket, route or
 * namespace here. @size: bytes wanted; set to the bytes given.
 */
static struct page *zctx_frag_refill(struct zctx_sender *s,
				     struct io_tlb_mem *mem, unsigned int *off,
				     unsigned int *size)
{
	struct page_frag *pfrag = &s->pfrag;
	struct page *old = pfrag->page;
	u64 t0 = ktime_get_ns();
	bool ok = skb_page_frag_refill_zc(32U, pfrag, GFP_KERNEL, mem);

	s->src_ns += ktime_get_ns() - t0;
	if (!ok)
		return NULL;
	/* A new page, or the old one again once nothing else held it. */
	if (pfrag->page != old || !pfrag->offset)
		s->src_pages++;
	*off = pfrag->offset;
	*size = min_t(unsigned int, *size, pfrag->size - pfrag->offset);
	pfrag->offset += *size;
	return pfrag->page;
}

/*
 * Copy @len bytes from @src into pages of @s's page source appended to
 * @skb as frags: a page_frag (lending or bouncing) or a page_pool page,
 * whose frags take one of the sender's page_pool references instead of a
 * page reference.
 */
static int zctx_fill_frags(struct zctx_sender *s, struct sk_buff *skb,
			   const u8 *src, unsigned int len)
{
	bool pool = s->run->p.source == ZCTX_SRC_POOL;
	/* sk_tx_lend_mem() ends in the same call for a socket's route. */
	struct io_tlb_mem *mem = pool ? NULL : netdev_zc_mem(zctx.ndev);
	unsigned int copy, off;
	struct page *page;

	while (len) {
		unsigned int i = skb_shinfo(skb)->nr_frags;

		copy = len;
		page = pool ? zctx_pool_frag(s, &off, &copy) :
			      zctx_frag_refill(s, mem, &off, &copy);
		if (!page)
			return -ENOMEM;
		if (i && skb_can_coalesce(skb, i, page, off)) {
			skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
		} else {
			if (i >= MAX_SKB_FRAGS)
				return -EMSGSIZE;
			skb_fill_page_desc(skb, i, page, off, copy);
			if (pool)
				zctx_pool_frag_ref(s);
			else
				get_page(page);
		}
		memcpy(page_address(page) + off, src, copy);
		/*
		 * Counted by the kernel's counter, as tcp_sendmsg_locked()
		 * does: a lent page as a copy into lent memory, a page_frag
		 * or page_pool page as an ordinary copy.
		 */
		if (swiotlb_zc_counting())
			swiotlb_zc_count_tx_copy(page, copy);
		src += copy;
		len -= copy;
		skb->len += copy;
		skb->data_len += copy;
		skb->truesize += copy;
		s->copied += copy;
	}
	return 0;
}

/*
 * Push UDP and IPv4 headers; the payload's sampled checksum @hash goes
 * into the IP id and UDP checksum fields, for zctx_verify().
 */
static void zctx_push_headers(struct zctx_sender *s, struct sk_buff *skb,
			      u32 hash)
{
	unsigned int msg_size = s->run->p.msg_size;
	struct udphdr *uh;
	struct iphdr *iph;

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = htons(10000 + s->id);
	uh->dest = htons(ZCTX_UDP_PORT);
	uh->len = htons(min_t(u32, msg_size + sizeof(*uh), 0xffff));
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
}

/* Build one message like tcp_sendmsg_locked(). */
static struct sk_buff *zctx_build_skb(struct zctx_sender *s)
{
	const struct zctx_params *p = &s->run->p;
	unsigned int pos = s->seq % ZCTX_PERIOD;
	struct sk_buff *skb;
	u32 hash = 0;

	skb = alloc_skb(ZCTX_HEADROOM + ZCTX_HDR_LEN, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, ZCTX_HEADROOM + ZCTX_HDR_LEN);
	/* Freed frags of page_pool pages go back to their pool. */
	if (p->source == ZCTX_SRC_POOL)
		skb_mark_for_recycle(skb);
	if (zctx_fill_frags(s, skb, s->ubuf + pos, p->msg_size)) {
		kfree_skb(skb);
		return NULL;
	}
	if (p->verify_stride)
		hash = zctx_hash(0, s->ubuf + pos, p->msg_size, 0,
				 p->verify_stride);
	zctx_push_headers(s, skb, hash);
	skb->protocol = htons(ETH_P_IP);
	skb->dev = zctx.ndev;
	skb->ip_summed = CHECKSUM_NONE;
	skb_shinfo(skb)->destructor_arg = s;
	skb->destructor = zctx_skb_destructor;
	atomic_add(skb->truesize, &s->inflight);
	s->seq++;
	return skb;
}

static bool zctx_sender_may_send(struct zctx_sender *s)
{
	return atomic_read(&s->inflight) < s->run->inflight_limit ||
	       READ_ONCE(s->run->stop) || kthread_should_stop();
}

/**
 * zctx_greedy_thread() - a greedy sender
 * @data: its &struct zctx_sender
 *
 * Return: 0, once kthread_stop() was called.
 */
int zctx_greedy_thread(void *data)
{
	struct zctx_sender *s = data;
	struct zctx_run *run = s->run;
	struct sk_buff *skb;

	while (!kthread_should_stop() && !READ_ONCE(run->stop)) {
		/* Backpressure: at most inflight_kb queued or in the ring. */
		if (!zctx_sender_may_send(s)) {
			wait_event_timeout(s->wq, zctx_sender_may_send(s),
					   HZ / 10);
			continue;
		}
		skb = zctx_build_skb(s);
		if (!skb) {
			s->drops++;
			cond_resched();
			continue;
		}
		if (likely(dev_queue_xmit(skb) == NET_XMIT_SUCCESS)) {
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
	zctx_pool_frag_drop(s);
	/* Stay until kthread_stop() so the task can be reaped uniformly. */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 100);
	return 0;
}
