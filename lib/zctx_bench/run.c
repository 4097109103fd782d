// SPDX-License-Identifier: GPL-2.0
/*
 * zctx_bench runs: start the senders of a workload, measure for the
 * configured time or byte count, stop them, wait until everything sent
 * is freed and the swiotlb pool is back where it was, and report.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/rtnetlink.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "zctx_bench.h"

static void zctx_stop_senders(struct zctx_run *run)
{
	unsigned int i;

	WRITE_ONCE(run->stop, true);
	for (i = 0; i < run->p.senders; i++) {
		struct zctx_sender *s = &run->s[i];

		if (s->task) {
			wake_up(&s->wq);
			kthread_stop(s->task);
			put_task_struct(s->task);
			s->task = NULL;
		}
	}
}

static bool zctx_inflight_zero(struct zctx_run *run)
{
	unsigned int i;

	for (i = 0; i < run->p.senders; i++)
		if (atomic_read(&run->s[i].inflight))
			return false;
	return true;
}

/* Set up sender @i: its "user" buffer, socket (tcp) and thread. */
static int zctx_create_sender(struct zctx_run *run, unsigned int i)
{
	struct zctx_sender *s = &run->s[i];
	unsigned int j, len = run->p.msg_size + ZCTX_PERIOD;
	int ret;

	s->run = run;
	s->id = i;
	init_waitqueue_head(&s->wq);
	atomic_set(&s->inflight, 0);
	s->ubuf = kvmalloc(len, GFP_KERNEL);
	if (!s->ubuf)
		return -ENOMEM;
	for (j = 0; j < len; j++)
		s->ubuf[j] = zctx_pattern_tab[j % ZCTX_PERIOD];
	if (run->p.mode == ZCTX_MODE_TCP) {
		ret = zctx_tcp_connect(s);
		if (ret)
			return ret;
	}
	s->task = kthread_create(run->p.mode == ZCTX_MODE_TCP ?
				 zctx_tcp_thread : zctx_greedy_thread,
				 s, "zctx_send/%u", i);
	if (IS_ERR(s->task)) {
		ret = PTR_ERR(s->task);
		s->task = NULL;
		return ret;
	}
	get_task_struct(s->task);
	if (run->p.pin)
		kthread_bind(s->task, cpumask_nth(i % num_online_cpus(),
						  cpu_online_mask));
	return 0;
}

static int zctx_start_senders(struct zctx_run *run)
{
	unsigned int i;
	int ret;

	for (i = 0; i < run->p.senders; i++) {
		ret = zctx_create_sender(run, i);
		if (ret)
			return ret;
	}
	for (i = 0; i < run->p.senders; i++)
		wake_up_process(run->s[i].task);
	return 0;
}

static void zctx_free_senders(struct zctx_run *run)
{
	unsigned int i;

	for (i = 0; i < run->p.senders; i++) {
		struct zctx_sender *s = &run->s[i];

		if (s->sock)
			zctx_sock_abort(s->sock);
		kvfree(s->ubuf);
	}
	kfree(run->s);
	run->s = NULL;
}

static u64 zctx_sent_total(struct zctx_run *run)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < run->p.senders; i++)
		sum += READ_ONCE(run->s[i].sent);
	return sum;
}

/* Poll @cond(@run, @arg) every 5 ms for up to @ms; return its value. */
static bool zctx_wait_for(bool (*cond)(struct zctx_run *run,
				       unsigned long arg),
			  struct zctx_run *run, unsigned long arg,
			  unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);
	bool ok;

	while (!(ok = cond(run, arg)) && time_before(jiffies, end))
		usleep_range(5000, 6000);
	return ok;
}

static bool zctx_cond_rx_done(struct zctx_run *run, unsigned long arg)
{
	return zctx_rx_all_done();
}

static bool zctx_cond_inflight_zero(struct zctx_run *run, unsigned long arg)
{
	return zctx_inflight_zero(run);
}

/* Lent slots and bounce slots back to their counts before the run. */
static bool zctx_cond_balanced(struct zctx_run *run, unsigned long arg)
{
	const struct swiotlb_zc_stats *a = &run->m.a.st;
	struct swiotlb_zc_stats st;

	zctx_get_stats(&st);
	if (st.used <= a->used &&
	    st.pool_used - st.used <= a->pool_used - a->used)
		return true;
	zctx_flush_deferred();
	return false;
}

/* Bring zctx0 to the queues, device model and state @p needs. */
static int zctx_prepare(const struct zctx_params *p)
{
	struct zctx_priv *zp = netdev_priv(zctx.ndev);
	int ret;

	zctx_pattern_init(p->pattern);
	WRITE_ONCE(zp->verify_stride, p->verify_stride);
	ret = zctx_set_queues(p->queues);
	if (ret) {
		pr_err("cannot use queues=%u: %d\n", p->queues, ret);
		return ret;
	}
	ret = zctx_set_model(p);
	if (ret)
		return ret;
	if (!(zctx.ndev->flags & IFF_UP)) {
		rtnl_lock();
		ret = dev_change_flags(zctx.ndev, zctx.ndev->flags | IFF_UP,
				       NULL);
		rtnl_unlock();
	}
	return ret;
}

/* The timed part: until the duration or byte count, or a fatal signal. */
static void zctx_measure(struct zctx_run *run)
{
	const struct zctx_params *p = &run->p;
	struct zctx_meas *m = &run->m;
	ktime_t t0 = ktime_get();
	struct swiotlb_zc_stats st;

	for (;;) {
		/* Only a fatal signal ends a run: a shell gets SIGCHLD. */
		usleep_range(10000, 11000);
		if (fatal_signal_pending(current) || READ_ONCE(zctx.exiting))
			break;
		zctx_get_stats(&st);
		m->zc_peak = max(m->zc_peak, st.used);
		m->pool_peak = max(m->pool_peak, st.pool_used);
		m->elapsed_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
		if (p->seconds &&
		    m->elapsed_ns >= (u64)p->seconds * NSEC_PER_SEC)
			break;
		if (p->bytes && zctx_sent_total(run) >= p->bytes)
			break;
	}
	zctx_snapshot(&m->stop);
	m->elapsed_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	m->at_stop = p->mode == ZCTX_MODE_TCP ?
		     m->stop.rx_bytes - m->a.rx_bytes :
		     m->stop.tx_payload - m->a.tx_payload;
}

/*
 * Stop the senders, let the receivers get everything (tcp), wait for
 * every skb to be freed and collect the senders' counters. -EBUSY: skbs
 * still point at the senders, which are leaked, never freed.
 */
static int zctx_finish(struct zctx_run *run)
{
	struct zctx_meas *m = &run->m;
	unsigned int i;
	int ret = 0;

	zctx_stop_senders(run);
	if (run->p.mode == ZCTX_MODE_TCP) {
		/* Still connected, before the FIN: the lending decision. */
		zctx_elig_measure(run);
		for (i = 0; i < run->p.senders; i++)
			if (run->s[i].sock)
				kernel_sock_shutdown(run->s[i].sock, SHUT_WR);
		m->rx_drained = zctx_wait_for(zctx_cond_rx_done, run, 0, 3000) &&
				zctx_rx_eofs() >= run->p.senders;
	}
	if (!zctx_wait_for(zctx_cond_inflight_zero, run, 0, 3000)) {
		pr_err("run %u: skbs still in flight 3 s after the run; leaking the senders\n",
		       zctx.runs + 1);
		run->s = NULL;
		zctx_pool_finish(run, false);
		return -EBUSY;
	}
	/* Every skb freed: the page_pools must have every page back. */
	zctx_pool_finish(run, true);
	for (i = 0; i < run->p.senders; i++) {
		m->copied += run->s[i].copied;
		m->drops += run->s[i].drops;
		m->src_ns += run->s[i].src_ns;
		m->src_pages += run->s[i].src_pages;
		if (run->s[i].error && !ret) {
			pr_err("sender %u: error %d\n", i, run->s[i].error);
			ret = run->s[i].error;
		}
	}
	zctx_free_senders(run);
	zctx_rx_reap(true);
	return ret;
}

/* Start, measure and stop the senders of @run; report. */
static int zctx_run_senders(struct zctx_run *run)
{
	struct zctx_meas *m = &run->m;
	int ret, fret;

	m->mbs = zctx_memcpy_mbs(run->p.memcpy_ms);
	/* Earlier runs' deferred skbs must not come back during this one. */
	zctx_flush_deferred();
	/* The pools are filled before the run, outside what it measures. */
	ret = run->p.source == ZCTX_SRC_POOL ? zctx_pool_create(run) : 0;
	msleep(20);
	zctx_snapshot(&m->a);
	m->rx_drained = true;
	if (!ret)
		ret = zctx_start_senders(run);
	if (!ret)
		zctx_measure(run);
	fret = zctx_finish(run);
	if (ret || fret)
		return ret ? ret : fret;

	/* Everything freed: lent pages must be back, bounce slots free. */
	m->balanced = zctx_wait_for(zctx_cond_balanced, run, 0, 3000);
	zctx_snapshot(&m->end);
	zctx.runs++;
	zctx_report(run);
	if (run->p.source == ZCTX_SRC_POOL && !m->pp.balanced)
		pr_err("run %u: page_pool not balanced after the run: %llu pages released to the page allocator, %llu of %llu back, %llu held elsewhere\n",
		       zctx.runs, m->pp.released, m->pp.drained,
		       m->pp.prefilled + m->pp.slow, m->pp.extra_refs);
	if (!m->balanced)
		pr_err("run %u: swiotlb pool not balanced after the run: %lu zero-copy slots lent and %lu bouncing, %lu and %lu before\n",
		       zctx.runs, m->end.st.used,
		       m->end.st.pool_used - m->end.st.used, m->a.st.used,
		       m->a.st.pool_used - m->a.st.used);
	return 0;
}

/**
 * zctx_run() - run the workload of @p and report it
 * @p: parameters, checked
 *
 * Called with zctx.lock held.
 *
 * Return: 0, -EINVAL (with one message) if zctx0 cannot run @p, or
 * another negative error.
 */
int zctx_run(const struct zctx_params *p)
{
	struct zctx_run *run;
	int ret;

	if (p->mode == ZCTX_MODE_NONE)
		return 0;
	if (p->mode == ZCTX_MODE_TCP && !(zctx.ndev->flags & IFF_UP)) {
		pr_err("invalid mode=tcp: %s is down; give it 192.0.2.1/24 and bring it up first\n",
		       zctx.ndev->name);
		return -EINVAL;
	}
	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	run->p = *p;
	run->inflight_limit = p->inflight_kb * 1024;
	run->s = kcalloc(p->senders, sizeof(*run->s), GFP_KERNEL);
	ret = run->s ? zctx_prepare(p) : -ENOMEM;
	if (!ret) {
		zctx_rx_reap(true);
		ret = zctx_run_senders(run);
	}
	if (run->s)
		zctx_free_senders(run);
	kfree(run);
	return ret;
}
