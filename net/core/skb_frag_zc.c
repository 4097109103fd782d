// SPDX-License-Identifier: GPL-2.0
/*
 * Socket transmit page_frags lent by swiotlb: which payload may use them.
 *
 * In a guest whose devices bounce every DMA through swiotlb, a copying
 * sendmsg() can write its payload straight into swiotlb slots lent as
 * pages (see swiotlb_zc_alloc_pages()), and the driver then maps them
 * without a second copy. Those slots are shared with the host, which can
 * read and modify them, so this is a confidentiality decision first: only
 * payload that provably leaves the guest as it is, through a device that
 * would have bounced it anyway, may be written there.
 *
 * The decision is an allow-list, taken when the payload is copied:
 *  - the caller is a copying sendmsg path that names itself by calling
 *    sk_page_frag_refill_lend() (tcp_sendmsg_locked(), ip_append_data(),
 *    ip6_append_data()); every other page_frag user gets ordinary pages;
 *  - the socket's network namespace opted in (net.core.swiotlb_tx_lend);
 *  - the socket is a plain TCP, UDP or raw INET socket: no upper layer
 *    protocol, no sockmap, no per-socket IPsec policy, and it never had a
 *    lent packet delivered inside the guest;
 *  - its route is valid now (dst->ops->check()), has no IPsec transform
 *    and no lightweight tunnel, and no output netfilter hook of its
 *    namespace may keep the packet (only conntrack, defrag and SELinux
 *    hooks may be there);
 *  - every device it leaves through is a vlan, a passthru or private
 *    macvlan, or the real device, none with an egress tc/tcx program, a
 *    netfilter egress hook, a root qdisc that can hold classifiers or an
 *    L3 master, all with scatter-gather and checksum offload, and the real
 *    device's driver maps transmit frags in place with the DMA API
 *    (&net_device.tx_maps_frags) from a DMA device that bounces through
 *    swiotlb.
 * Anything else, or anything the kernel cannot tell, gets ordinary pages.
 *
 * Where redirection cannot be seen in advance, a packet carrying lent
 * frags that is handed to loopback or dev_forward_skb() while it still
 * belongs to its socket is counted (TxLendLocalDelivery in
 * /proc/net/netstat), warned about once, and that socket never gets lent
 * pages again.
 *
 * See Documentation/core-api/swiotlb-zerocopy-tx.rst.
 */

#include <linux/if_macvlan.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/skbuff.h>
#include <linux/swiotlb.h>
#include <net/dst.h>
#include <net/inet_connection_sock.h>
#include <net/ip.h>
#include <net/ip6_fib.h>
#include <net/lwtunnel.h>
#include <net/sch_generic.h>
#include <net/sock.h>
#include <net/swiotlb_tx_lend.h>
#include <net/xfrm.h>

/* vlan in macvlan in vlan is plenty; deeper stacks get ordinary pages. */
#define NETDEV_ZC_MAX_DEPTH	4

/* Exported only in test kernels: zctx_bench times the lending decision. */
#ifdef CONFIG_SWIOTLB_ZEROCOPY_TX_TEST_HELPERS
#define EXPORT_SYMBOL_IF_ZC_TESTS(sym) \
	EXPORT_SYMBOL_NS_GPL(sym, EXPORTED_FOR_KUNIT_TESTING)
#else
/* Not exported: only referenced, in a section the linker discards. */
#define EXPORT_SYMBOL_IF_ZC_TESTS(sym) __ADDRESSABLE(sym)
#endif

#if IS_ENABLED(CONFIG_NETFILTER)
/*
 * Output hooks that neither drop, queue, duplicate nor reroute a locally
 * generated packet: connection tracking with its defragmentation, and
 * SELinux labelling, at the priorities they register with. Any other hook
 * on LOCAL_OUT or POST_ROUTING (NAT, mangle, filter, raw or security
 * tables, nftables chains, IPVS, BPF programs, anything unknown) may keep
 * the payload in the guest (REDIRECT, DROP or REJECT, TEE or dup,
 * NFQUEUE): the kernel cannot know, so it does not lend.
 */
static bool nf_hook_keeps_packet(const struct nf_hook_ops *ops)
{
	if (ops->hook_ops_type != NF_HOOK_OP_UNDEFINED)
		return false;
	switch (ops->priority) {
	case NF_IP_PRI_CONNTRACK_DEFRAG:
	case NF_IP_PRI_SELINUX_FIRST:
	case NF_IP_PRI_CONNTRACK:
	case NF_IP_PRI_SELINUX_LAST:
	case NF_IP_PRI_CONNTRACK_CONFIRM:
		return true;
	}
	return false;
}

static bool nf_hooks_keep_packet(const struct nf_hook_entries *e)
{
	struct nf_hook_ops **ops;
	unsigned int i;

	if (!e)
		return true;
	ops = nf_hook_entries_get_hook_ops(e);
	for (i = 0; i < e->num_hook_entries; i++)
		if (!nf_hook_keeps_packet(ops[i]))
			return false;
	return true;
}

/* May an output hook of @net keep a packet of @family in the guest? */
static bool nf_output_may_keep(const struct net *net, int family)
{
	struct nf_hook_entries __rcu * const *hooks;

	if (family == AF_INET)
		hooks = net->nf.hooks_ipv4;
#if IS_ENABLED(CONFIG_IPV6)
	else if (family == AF_INET6)
		hooks = net->nf.hooks_ipv6;
#endif
	else
		return true;
	return !nf_hooks_keep_packet(rcu_dereference(hooks[NF_INET_LOCAL_OUT])) ||
	       !nf_hooks_keep_packet(rcu_dereference(hooks[NF_INET_POST_ROUTING]));
}
#else
static bool nf_output_may_keep(const struct net *net, int family)
{
	return false;
}
#endif

/*
 * Root qdiscs that hold no classifier, so that no tc action (mirred,
 * pedit, ...) can redirect or change the packet: noqueue, the FIFOs and
 * fq, fq_codel without filters, and mq over any of those; noop, which a
 * device that is down or not registered yet has, sends nothing.
 */
static bool qdisc_is_plain(struct Qdisc *q)
{
	static const char * const plain[] = {
		"noqueue", "noop", "pfifo_fast", "pfifo", "bfifo", "fq",
	};
	const struct Qdisc_class_ops *cops = q->ops->cl_ops;
	struct tcf_block *block;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(plain); i++)
		if (!strcmp(q->ops->id, plain[i]))
			return true;
	if (strcmp(q->ops->id, "fq_codel") || !cops || !cops->tcf_block)
		return false;
	block = cops->tcf_block(q, 0, NULL);
	return !block || !block->chain0.chain ||
	       !rcu_access_pointer(block->chain0.chain->filter_chain);
}

static bool netdev_qdisc_is_plain(const struct net_device *dev)
{
	struct Qdisc *root = rcu_dereference(dev->qdisc);
	unsigned int i;

	/* Not registered yet: no qdisc, and nothing is sent. */
	if (!root)
		return true;
	if (strcmp(root->ops->id, "mq"))
		return qdisc_is_plain(root);
	for (i = 0; i < dev->real_num_tx_queues; i++) {
		struct netdev_queue *txq = netdev_get_tx_queue(dev, i);
		struct Qdisc *q = rcu_dereference(txq->qdisc_sleeping);

		if (!q || !qdisc_is_plain(q))
			return false;
	}
	return true;
}

/* Is @dev's transmit path free of anything that could keep the payload? */
static bool netdev_tx_leaves_as_is(const struct net_device *dev)
{
	if (dev->flags & IFF_LOOPBACK ||
	    netif_is_l3_master(dev) || netif_is_l3_slave(dev))
		return false;
#ifdef CONFIG_NET_XGRESS
	if (rcu_access_pointer(dev->tcx_egress))
		return false;
#endif
#ifdef CONFIG_NETFILTER_EGRESS
	if (rcu_access_pointer(dev->nf_hooks_egress))
		return false;
#endif
	return (dev->features & NETIF_F_SG) &&
	       (dev->features & NETIF_F_CSUM_MASK) &&
	       netdev_qdisc_is_plain(dev);
}

/*
 * Only passthru and private macvlans send every packet to the wire;
 * bridge, VEPA and source modes may hand it to a sibling in the guest.
 */
static bool macvlan_tx_leaves_as_is(const struct net_device *dev)
{
	const struct macvlan_dev *vlan = netdev_priv(dev);

	return vlan->mode == MACVLAN_MODE_PASSTHRU ||
	       vlan->mode == MACVLAN_MODE_PRIVATE;
}

/*
 * The device a vlan sends through: one level down. vlan_dev_real_dev()
 * skips every stacked vlan to the bottom, and each level must be checked.
 */
static const struct net_device *vlan_lower_dev(const struct net_device *dev)
{
#if IS_ENABLED(CONFIG_VLAN_8021Q)
	return vlan_dev_priv(dev)->real_dev;
#else
	return NULL;
#endif
}

/* Walk @dev down to its real device; %NULL if a level may keep the payload. */
static const struct net_device *netdev_zc_real_dev(const struct net_device *dev)
{
	int depth;

	for (depth = 0; depth <= NETDEV_ZC_MAX_DEPTH; depth++) {
		if (!netdev_tx_leaves_as_is(dev))
			return NULL;
		if (is_vlan_dev(dev)) {
			dev = vlan_lower_dev(dev);
			if (!dev)
				return NULL;
		} else if (IS_ENABLED(CONFIG_MACVLAN) && netif_is_macvlan(dev)) {
			if (!macvlan_tx_leaves_as_is(dev))
				return NULL;
			dev = macvlan_dev_real_dev(dev);
		} else {
			return dev;
		}
	}
	return NULL;
}

/**
 * netdev_zc_mem() - swiotlb allocator whose pages a net device maps in place
 * @dev:	Net device a packet leaves through.
 *
 * vlan, passthru and private macvlan devices are resolved to their real
 * device. Every device on the way must have scatter-gather and checksum
 * offload (otherwise the stack copies the frags before the driver sees
 * them) and no egress tc/tcx program (which may redirect the packet inside
 * the guest). The real device's driver must map transmit frags in place
 * (&net_device.tx_maps_frags), from a DMA device that force-bounces
 * through swiotlb: the first ancestor with a DMA mask, for virtio-net the
 * PCI device. Loopback and virtual devices without such a parent (tun/tap,
 * veth, bond, team, WireGuard, ...) get %NULL.
 *
 * Context: Any context; the caller holds a reference on @dev (the walk
 * takes rcu_read_lock() itself).
 * Return: the allocator to lend from, or %NULL for ordinary pages.
 */
struct io_tlb_mem *netdev_zc_mem(const struct net_device *dev)
{
	struct device *parent;

	if (!swiotlb_zc_enabled())
		return NULL;
	rcu_read_lock();
	dev = netdev_zc_real_dev(dev);
	rcu_read_unlock();
	if (!dev || !dev->tx_maps_frags)
		return NULL;
	parent = dev->dev.parent;
	while (parent && !parent->dma_mask)
		parent = parent->parent;
	return swiotlb_zc_dev_mem(parent);
}
EXPORT_SYMBOL_GPL(netdev_zc_mem);

/* The route check a socket's own transmit path would make now. */
static bool sk_dst_valid(const struct sock *sk, struct dst_entry *dst)
{
	u32 cookie = 0;

#if IS_ENABLED(CONFIG_IPV6)
	/* The socket's cookie belongs to its cached route only. */
	if (dst->ops->family == AF_INET6)
		cookie = sk->sk_family == AF_INET6 && dst == __sk_dst_get(sk) ?
			 inet6_sk(sk)->dst_cookie :
			 rt6_get_cookie(dst_rt6_info(dst));
#endif
	return !dst->obsolete || dst->ops->check(dst, cookie);
}

static bool sk_tx_lend_allowed(const struct sock *sk)
{
	if (!sk_fullsock(sk) ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return false;
	if (!READ_ONCE(sock_net(sk)->core.sysctl_swiotlb_tx_lend))
		return false;
	if (sk_is_tcp(sk) && inet_csk(sk)->icsk_ulp_ops)
		return false;
	if ((uintptr_t)rcu_access_pointer(sk->sk_user_data) &
	    SK_USER_DATA_PSOCK)
		return false;
#ifdef CONFIG_XFRM
	if (rcu_access_pointer(sk->sk_policy[XFRM_POLICY_OUT]))
		return false;
#endif
	return true;
}

static struct io_tlb_mem *dst_tx_lend_mem(const struct sock *sk,
					  struct dst_entry *dst)
{
	if (!dst || dst_xfrm(dst) || dst->lwtstate || !dst->dev)
		return NULL;
	if (!sk_dst_valid(sk, dst))
		return NULL;
	if (nf_output_may_keep(sock_net(sk), dst->ops->family))
		return NULL;
	return netdev_zc_mem(dst->dev);
}

/**
 * sk_tx_lend_mem() - swiotlb allocator for payload a socket copies now
 * @sk:		Socket whose sendmsg() is about to copy payload.
 * @dst:	Route the payload takes, or %NULL for the socket's cached
 *		route, which is then validated as the transmit path would.
 *
 * The whole allow-list of the file comment, evaluated at the moment of
 * the copy. Called by sk_page_frag_refill_lend() for a new page of a
 * write that may lend, and at every refill while the page_frag holds a
 * lent page (once per chunk the sendmsg() copies there). A socket that
 * gets an allocator is marked SK_TX_LEND_LENT the first time, so that the
 * transmit-side checks skip sockets that never lent. A socket stopped for
 * good (SK_TX_LEND_STOP, set from the transmit path without the socket
 * lock) gets ordinary pages: the state is read after that mark, so a stop
 * racing with the first lend is not lost.
 *
 * Context: Socket lock held when @dst is %NULL; otherwise a reference on
 * @dst. An obsolete route is not dropped here: the transmit path does that.
 * Return: the allocator to lend from, or %NULL for ordinary pages.
 */
struct io_tlb_mem *sk_tx_lend_mem(struct sock *sk, struct dst_entry *dst)
{
	struct io_tlb_mem *mem;

	if (!swiotlb_zc_enabled() || !sk_tx_lend_allowed(sk))
		return NULL;
	rcu_read_lock();
	if (!dst)
		dst = __sk_dst_get(sk);
	mem = dst_tx_lend_mem(sk, dst);
	rcu_read_unlock();
	if (!mem)
		return NULL;
	if (!READ_ONCE(sk->sk_tx_lend))
		cmpxchg(&sk->sk_tx_lend, 0, SK_TX_LEND_LENT);
	if (READ_ONCE(sk->sk_tx_lend) == SK_TX_LEND_STOP)
		return NULL;
	return mem;
}
EXPORT_SYMBOL_IF_ZC_TESTS(sk_tx_lend_mem);

/* Does @skb, or an skb on its frag_list, carry a page lent by swiotlb? */
static bool skb_has_lent_frags(const struct sk_buff *skb)
{
	const struct sk_buff *iter;
	int i;

	for (iter = skb; iter; iter = iter == skb ?
	     skb_shinfo(skb)->frag_list : iter->next) {
		const struct skb_shared_info *sh = skb_shinfo(iter);

		for (i = 0; i < sh->nr_frags; i++) {
			struct page *page = skb_frag_page(&sh->frags[i]);

			if (page && folio_test_swiotlb(page_folio(page)))
				return true;
		}
	}
	return false;
}

/*
 * A packet of @skb->sk carried lent pages where its payload does not go to
 * the device in place: the socket never gets lent pages again, and the
 * event is counted in @mib. Return: %true if it was such a packet.
 */
static bool skb_tx_lend_stop(struct sk_buff *skb, int mib)
{
	struct sock *sk = skb->sk;

	/*
	 * A socket's own sendmsg() puts lent pages only into the skbs of a
	 * socket marked SK_TX_LEND_LENT; others are not examined.
	 */
	if (!sk || !sk_fullsock(sk) || !READ_ONCE(sk->sk_tx_lend) ||
	    !skb_has_lent_frags(skb))
		return false;
	WRITE_ONCE(sk->sk_tx_lend, SK_TX_LEND_STOP);
	NET_INC_STATS(sock_net(sk), mib);
	return true;
}

/**
 * skb_tx_lend_local() - a locally sent packet is delivered inside the guest
 * @skb:	Packet handed to loopback or dev_forward_skb().
 *
 * Only a packet that still belongs to a local socket is considered: it
 * was sent here and does not leave the guest. If it carries lent pages,
 * its payload was in shared memory although it stays in the guest: the
 * socket never gets lent pages again, and the packet is counted as
 * TxLendLocalDelivery and warned about once. The pages go back to swiotlb
 * as usual, cleared if no device mapped them.
 *
 * Context: Any context; callers test swiotlb_zc_enabled() first.
 */
void skb_tx_lend_local(struct sk_buff *skb)
{
	if (skb_tx_lend_stop(skb, LINUX_MIB_TXLENDLOCALDELIVERY))
		pr_warn_once("%s: a packet with lent swiotlb pages was delivered inside the guest; lending stopped for its socket\n",
			     skb->dev ? netdev_name(skb->dev) : "?");
}

/**
 * skb_tx_lend_copied() - a sent packet's frags are copied before the device
 * @skb:	Packet validated for a device without scatter-gather for it,
 *		or fragmented by copying (IP fragmentation slow path).
 *
 * The eligibility check saw scatter-gather on every device of the route,
 * but the device refused it for this packet (its features changed, or its
 * ndo_features_check() said so), or the path MTU dropped under a datagram
 * built for the old one: the stack copies the frags into linear buffers
 * and lent pages hold shared slots for nothing. This is the feedback for
 * paths that do not map lent frags in place: the socket never gets lent
 * pages again, and the packet is counted as TxLendCopied and warned about
 * once.
 *
 * Context: Any context; callers test swiotlb_zc_enabled() first.
 */
void skb_tx_lend_copied(struct sk_buff *skb)
{
	if (skb_tx_lend_stop(skb, LINUX_MIB_TXLENDCOPIED))
		pr_warn_once("%s: lent swiotlb pages of a packet are copied before the device; lending stopped for its socket\n",
			     skb->dev ? netdev_name(skb->dev) : "?");
}
