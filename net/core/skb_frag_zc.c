// SPDX-License-Identifier: GPL-2.0
/*
 * Socket transmit page_frags lent by swiotlb: which sockets may use them.
 *
 * In a guest whose devices bounce every DMA through swiotlb, a socket's
 * copying sendmsg() can write its payload straight into swiotlb slots lent
 * as pages (see swiotlb_zc_alloc_pages()), and the driver then maps them
 * without a second copy. Those slots are shared with the host, so this is
 * a confidentiality decision as much as an optimisation: only payload that
 * leaves the guest as it is, through a device that would have bounced it
 * anyway, may be written there. Everything else gets ordinary pages.
 *
 * See Documentation/core-api/swiotlb-zerocopy-tx.rst.
 */

#include <linux/if_macvlan.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/swiotlb.h>
#include <net/dst.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>

/* vlan in macvlan in vlan is plenty; deeper stacks get ordinary pages. */
#define NETDEV_ZC_MAX_DEPTH	4

/**
 * netdev_zc_mem() - swiotlb allocator whose pages a net device maps in place
 * @dev:	Net device a packet leaves through.
 *
 * vlan and macvlan devices are resolved to their real device. A device
 * without a DMA-capable ancestor (loopback, tun/tap, veth, WireGuard and
 * other virtual devices, bond and team whose slave is chosen per packet)
 * keeps or transforms the payload inside the guest: it gets %NULL. So does
 * a device whose DMA device does not bounce through swiotlb.
 *
 * Context: Any context; called on every socket page_frag refill.
 * Return: the allocator to lend from, or %NULL for ordinary pages.
 */
struct io_tlb_mem *netdev_zc_mem(const struct net_device *dev)
{
	struct device *parent;
	int depth;

	if (!swiotlb_zc_enabled())
		return NULL;
	for (depth = 0; depth < NETDEV_ZC_MAX_DEPTH; depth++) {
		if (is_vlan_dev(dev))
			dev = vlan_dev_real_dev(dev);
		else if (IS_ENABLED(CONFIG_MACVLAN) && netif_is_macvlan(dev))
			dev = macvlan_dev_real_dev(dev);
		else
			break;
	}
	if (dev->flags & IFF_LOOPBACK)
		return NULL;

	/*
	 * The device that does the DMA is the first ancestor with a DMA
	 * mask: for virtio-net that is the transport (PCI) device, not
	 * the virtio device the netdev hangs off.
	 */
	parent = dev->dev.parent;
	while (parent && !parent->dma_mask)
		parent = parent->parent;
	return swiotlb_zc_dev_mem(parent);
}
EXPORT_SYMBOL_GPL(netdev_zc_mem);

/**
 * dst_zc_mem() - swiotlb allocator for payload sent along a route
 * @dst:	Route, usually a socket's cached one.
 *
 * IPsec (xfrm) routes encrypt the payload in the guest: %NULL.
 *
 * Context: Under rcu_read_lock() or with a reference on @dst.
 * Return: the allocator to lend from, or %NULL for ordinary pages.
 */
struct io_tlb_mem *dst_zc_mem(const struct dst_entry *dst)
{
	if (!dst || dst_xfrm(dst) || !dst->dev)
		return NULL;
	return netdev_zc_mem(dst->dev);
}
EXPORT_SYMBOL_GPL(dst_zc_mem);

/**
 * sk_page_frag_zc_mem() - swiotlb allocator for a socket's transmit page_frag
 * @sk:		Socket about to copy user data into its page_frag.
 *
 * Only IPv4 and IPv6 sockets with a cached route qualify (TCP, connected
 * UDP and raw sockets). Sockets that hand their plaintext to a transform
 * before it leaves get ordinary pages: an upper layer protocol (kTLS,
 * espintcp, ...) or a sockmap/sk_msg attachment (BPF redirection).
 *
 * Context: Socket lock held, or under rcu_read_lock().
 * Return: the allocator to lend from, or %NULL for ordinary pages.
 */
struct io_tlb_mem *sk_page_frag_zc_mem(const struct sock *sk)
{
	struct io_tlb_mem *mem;

	if (!swiotlb_zc_enabled())
		return NULL;
	rcu_read_lock();
	mem = sk_dst_page_frag_zc_mem(sk, __sk_dst_get(sk));
	rcu_read_unlock();
	return mem;
}
EXPORT_SYMBOL_GPL(sk_page_frag_zc_mem);

/**
 * sk_dst_page_frag_zc_mem() - swiotlb allocator for payload on a given route
 * @sk:		Socket about to copy user data into a page_frag.
 * @dst:	Route this payload takes. For datagram sockets that is the
 *		cork's route, which is not the cached one when a connected
 *		socket sends elsewhere with sendto().
 *
 * Context: Socket lock held, or under rcu_read_lock(); a reference on @dst.
 * Return: the allocator to lend from, or %NULL for ordinary pages.
 */
struct io_tlb_mem *sk_dst_page_frag_zc_mem(const struct sock *sk,
					   const struct dst_entry *dst)
{
	if (!swiotlb_zc_enabled())
		return NULL;
	if (!sk_fullsock(sk) ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return NULL;
	if (sk_is_tcp(sk) && inet_csk(sk)->icsk_ulp_ops)
		return NULL;
	if ((uintptr_t)rcu_access_pointer(sk->sk_user_data) &
	    SK_USER_DATA_PSOCK)
		return NULL;
	return dst_zc_mem(dst);
}
EXPORT_SYMBOL_GPL(sk_dst_page_frag_zc_mem);
