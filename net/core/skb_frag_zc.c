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
 *    and no lightweight tunnel, and no LOCAL_OUT netfilter hook of its
 *    namespace may reroute it;
 *  - every device it leaves through is a vlan, a passthru or private
 *    macvlan, or the real device, none with an egress tc/tcx program, all
 *    with scatter-gather and checksum offload, and the real device's
 *    driver maps transmit frags in place with the DMA API
 *    (&net_device.tx_maps_frags) from a DMA device that bounces through
 *    swiotlb.
 * Anything else, or anything the kernel cannot tell, gets ordinary pages.
 *
 * Where redirection cannot be seen in advance, a packet carrying lent
 * frags that is delivered inside the guest (loopback, dev_forward_skb(),
 * any local receive) is counted (TxLendLocalDelivery in /proc/net/netstat),
 * warned about once, and its sending socket never gets lent pages again.
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
#include <net/lwtunnel.h>
#if IS_ENABLED(CONFIG_NF_TABLES)
#include <net/netfilter/nf_tables.h>
#endif
#include <net/sock.h>
#include <net/swiotlb_tx_lend.h>
#include <net/xfrm.h>

/* vlan in macvlan in vlan is plenty; deeper stacks get ordinary pages. */
#define NETDEV_ZC_MAX_DEPTH	4

#if IS_ENABLED(CONFIG_NETFILTER)
/*
 * LOCAL_OUT hooks that cannot reroute a packet: connection tracking,
 * the raw, filter and security tables and SELinux, at the priorities they
 * register with, and nftables chains of type filter. NAT, mangle and
 * nftables route chains (which reroute), BPF netfilter programs, IPVS and
 * anything unknown make the namespace's sockets use ordinary pages.
 */
static bool nf_hook_keeps_route(const struct nf_hook_ops *ops)
{
	switch (ops->hook_ops_type) {
#if IS_ENABLED(CONFIG_NF_TABLES)
	case NF_HOOK_OP_NF_TABLES: {
		const struct nft_chain *chain = ops->priv;

		return nft_base_chain(chain)->type->type == NFT_CHAIN_T_DEFAULT;
	}
#endif
	case NF_HOOK_OP_UNDEFINED:
		switch (ops->priority) {
		case NF_IP_PRI_RAW:
		case NF_IP_PRI_SELINUX_FIRST:
		case NF_IP_PRI_CONNTRACK:
		case NF_IP_PRI_FILTER:
		case NF_IP_PRI_SECURITY:
		case NF_IP_PRI_SELINUX_LAST:
		case NF_IP_PRI_CONNTRACK_HELPER:
		case NF_IP_PRI_CONNTRACK_CONFIRM:
			return true;
		}
		return false;
	default:
		return false;
	}
}

/* May a LOCAL_OUT hook of @net reroute a packet of @family? */
static bool nf_local_out_may_reroute(const struct net *net, int family)
{
	const struct nf_hook_entries *e = NULL;
	struct nf_hook_ops **ops;
	unsigned int i;

	if (family == AF_INET)
		e = rcu_dereference(net->nf.hooks_ipv4[NF_INET_LOCAL_OUT]);
#if IS_ENABLED(CONFIG_IPV6)
	else if (family == AF_INET6)
		e = rcu_dereference(net->nf.hooks_ipv6[NF_INET_LOCAL_OUT]);
#endif
	else
		return true;
	if (!e)
		return false;
	ops = nf_hook_entries_get_hook_ops(e);
	for (i = 0; i < e->num_hook_entries; i++)
		if (!nf_hook_keeps_route(ops[i]))
			return true;
	return false;
}
#else
static bool nf_local_out_may_reroute(const struct net *net, int family)
{
	return false;
}
#endif

/* Is @dev's transmit path free of anything that could keep the payload? */
static bool netdev_tx_leaves_as_is(const struct net_device *dev)
{
	if (dev->flags & IFF_LOOPBACK)
		return false;
#ifdef CONFIG_NET_XGRESS
	if (rcu_access_pointer(dev->tcx_egress))
		return false;
#endif
	return (dev->features & NETIF_F_SG) &&
	       (dev->features & NETIF_F_CSUM_MASK);
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

/* Walk @dev down to its real device; %NULL if a level may keep the payload. */
static const struct net_device *netdev_zc_real_dev(const struct net_device *dev)
{
	int depth;

	for (depth = 0; depth <= NETDEV_ZC_MAX_DEPTH; depth++) {
		if (!netdev_tx_leaves_as_is(dev))
			return NULL;
		if (is_vlan_dev(dev)) {
			dev = vlan_dev_real_dev(dev);
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
 * Context: Under rcu_read_lock() or RTNL.
 * Return: the allocator to lend from, or %NULL for ordinary pages.
 */
struct io_tlb_mem *netdev_zc_mem(const struct net_device *dev)
{
	struct device *parent;

	if (!swiotlb_zc_enabled())
		return NULL;
	dev = netdev_zc_real_dev(dev);
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
	if (dst->ops->family == AF_INET6 && sk->sk_family == AF_INET6)
		cookie = inet6_sk(sk)->dst_cookie;
#endif
	return !dst->obsolete || dst->ops->check(dst, cookie);
}

static bool sk_tx_lend_allowed(const struct sock *sk)
{
	if (!sk_fullsock(sk) ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return false;
	if (!READ_ONCE(sock_net(sk)->core.sysctl_swiotlb_tx_lend) ||
	    READ_ONCE(sk->sk_tx_lend_stop))
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
	if (nf_local_out_may_reroute(sock_net(sk), dst->ops->family))
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
 * the copy. Called by sk_page_frag_refill_lend(), once per new page.
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
	return mem;
}

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

/**
 * skb_tx_lend_local() - a locally sent packet is delivered inside the guest
 * @skb:	Packet handed to loopback, dev_forward_skb() or the receive path.
 * @count:	Count it here: %false where it keeps its socket and is
 *		counted again in the receive path (dev_forward_skb()).
 *
 * Only a packet that still belongs to a local socket is considered: it
 * was sent here and never left the guest. (A driver's received packet has
 * no socket, even when a test device hands a transmitted skb back in.)
 * If it carries lent pages, its payload was in shared memory although it
 * stays in the guest: the socket never gets lent pages again, and the
 * packet is counted as TxLendLocalDelivery and warned about once. The
 * pages go back to swiotlb as usual, cleared if no device mapped them.
 *
 * Context: Any context; callers test swiotlb_zc_enabled() first.
 */
void skb_tx_lend_local(struct sk_buff *skb, bool count)
{
	struct sock *sk = skb->sk;

	if (!sk || !sk_fullsock(sk) || !skb_has_lent_frags(skb))
		return;
	WRITE_ONCE(sk->sk_tx_lend_stop, 1);
	if (!count)
		return;
	NET_INC_STATS(sock_net(sk), LINUX_MIB_TXLENDLOCALDELIVERY);
	pr_warn_once("%s: a packet with lent swiotlb pages was delivered inside the guest; lending stopped for its socket\n",
		     netdev_name(skb->dev));
}
