// SPDX-License-Identifier: GPL-2.0
/*
 * zctx_bench: the cost of the socket lending decision. It is not cached
 * per socket (Documentation/core-api/swiotlb-zerocopy-tx.rst, "Eligibility
 * is not cached"): sk_page_frag_refill_lend() asks sk_tx_lend_mem() again
 * whenever a copying sendmsg() may lend. After a tcp run, with the senders
 * stopped and their sockets still connected through zctx0, this times
 * elig_checks calls on each socket, made as tcp_sendmsg_locked() makes
 * them: socket lock held, the socket's cached route (dst %NULL), process
 * context, no RCU read lock held by the caller (the decision takes its
 * own). sk_tx_lend_mem() is exported only by test kernels
 * (CONFIG_SWIOTLB_ZEROCOPY_TX_TEST_HELPERS, which CONFIG_ZCTX_BENCH
 * selects).
 */

#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <net/sock.h>
#include <net/swiotlb_tx_lend.h>

#include "zctx_bench.h"

#ifdef CONFIG_SWIOTLB_ZEROCOPY_TX
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Time @n decisions on @sk, in ns; *@allowed counts those that lend. */
static u64 zctx_elig_batch(struct sock *sk, unsigned int n,
			   unsigned int *allowed)
{
	unsigned int i, a = 0;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < n; i++)
		a += !!sk_tx_lend_mem(sk, NULL);
	t0 = ktime_get_ns() - t0;
	*allowed += a;
	return t0;
}

/*
 * Time @n decisions on @sk, in ns, in batches of ZCTX_ELIG_BATCH;
 * *@lend counts those that allowed lending, *@best is the fastest full
 * batch so far.
 *
 * sk_tx_lend_mem() has one side effect: the first call that allows
 * lending marks the socket SK_TX_LEND_LENT (a cmpxchg from 0), so that the
 * transmit path examines its packets. A socket that lent during the run
 * is marked already, and a refill runs the decision with the mark set on
 * every call after the socket's first: that is what is timed. One untimed
 * call comes first, which may set the mark, and the mark is taken back
 * after if that call set it (1448-byte writes never lend, so their
 * sockets are not marked). Nothing else writes the state meanwhile: only
 * the transmit path does, to SK_TX_LEND_STOP, and only for packets
 * carrying lent pages, which an unmarked socket never had; cmpxchg()
 * would leave a stop in place anyway.
 */
static u64 zctx_elig_time(struct sock *sk, unsigned int n, u64 *lend,
			  u64 *best)
{
	unsigned int i, b, allowed = 0;
	u64 t, ns = 0;
	u8 was;

	lock_sock(sk);
	was = READ_ONCE(sk->sk_tx_lend);
	sk_tx_lend_mem(sk, NULL);
	for (i = 0; i < n; i += b) {
		b = min(n - i, ZCTX_ELIG_BATCH);
		t = zctx_elig_batch(sk, b, &allowed);
		ns += t;
		if (b == ZCTX_ELIG_BATCH)
			*best = min(*best, t);
	}
	if (!was)
		cmpxchg(&sk->sk_tx_lend, SK_TX_LEND_LENT, 0);
	release_sock(sk);
	*lend += allowed;
	return ns;
}

/**
 * zctx_elig_measure() - time the lending decision on a tcp run's sockets
 * @run: the run; its senders stopped, their sockets still connected
 *
 * Fills the elig_* counters of @run->m. Nothing is timed with
 * elig_checks=0, with lending off (the refill does not ask then), or when
 * the run was interrupted.
 */
void zctx_elig_measure(struct zctx_run *run)
{
	struct zctx_meas *m = &run->m;
	unsigned int i, n = run->p.elig_checks;

	if (!n || !swiotlb_zc_tx_percent() || READ_ONCE(zctx.exiting) ||
	    fatal_signal_pending(current))
		return;
	m->elig_best = U64_MAX;
	for (i = 0; i < run->p.senders; i++) {
		struct socket *sock = run->s[i].sock;

		if (!sock)
			continue;
		m->elig_ns += zctx_elig_time(sock->sk, n, &m->elig_lend,
					     &m->elig_best);
		m->elig_checks += n;
	}
}
#else
void zctx_elig_measure(struct zctx_run *run)
{
}
#endif
