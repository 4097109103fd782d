// SPDX-License-Identifier: GPL-2.0
/*
 * zctx_bench TCP workload: kernel TCP sockets from 192.0.2.1 to
 * 192.0.2.2:port through zctx0, received by an in-kernel listener on port;
 * the device reflects each packet, so tcp_sendmsg_locked() itself is
 * measured. The receivers check the stream's pattern.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "zctx_bench.h"

/* Errors among the sampled bytes of @len received bytes at @data. */
static u64 zctx_rx_check(u64 off, const u8 *data, unsigned int len,
			 unsigned int stride)
{
	u64 pos = off, errors = 0;
	unsigned int i;

	for (i = (stride - do_div(pos, stride)) % stride; i < len;
	     i += stride) {
		u64 at = off + i;

		if (data[i] != zctx_pattern_tab[do_div(at, ZCTX_PERIOD)])
			errors++;
	}
	return errors;
}

/* Check the sampled bytes of received data against the stream pattern. */
static int zctx_rx_actor(read_descriptor_t *desc, struct sk_buff *skb,
			 unsigned int offset, size_t len)
{
	struct zctx_rx *rx = desc->arg.data;
	unsigned int stride = READ_ONCE(zctx.p.verify_stride);
	struct skb_seq_state st;
	unsigned int consumed = 0, l;
	const u8 *data;
	u64 errors = 0;

	if (stride) {
		skb_prepare_seq_read(skb, offset, offset + len, &st);
		while ((l = skb_seq_read(consumed, &data, &st)) != 0) {
			errors += zctx_rx_check(rx->off + consumed, data, l,
						stride);
			consumed += l;
		}
		skb_abort_seq_read(&st);
	}
	if (errors)
		atomic64_add(errors, &zctx.rx_csum_errors);
	rx->off += len;
	atomic64_add(len, &zctx.rx_bytes);
	return len;
}

/* Read what arrived; false once the stream is over. Socket locked. */
static bool zctx_rx_once(struct zctx_rx *rx, struct sock *sk)
{
	read_descriptor_t desc = { .arg.data = rx, .count = 1 };
	long timeo;

	if (tcp_read_sock(sk, &desc, zctx_rx_actor) > 0)
		return true;
	if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
	    (sk->sk_shutdown & RCV_SHUTDOWN)) {
		WRITE_ONCE(rx->eof, !sk->sk_err &&
			   (sk->sk_shutdown & RCV_SHUTDOWN));
		return false;
	}
	timeo = HZ / 10;
	sk_wait_data(sk, &timeo, NULL);
	return true;
}

static int zctx_rx_thread(void *data)
{
	struct zctx_rx *rx = data;
	struct sock *sk = rx->sock->sk;
	bool more = true;

	while (more && !kthread_should_stop()) {
		lock_sock(sk);
		more = zctx_rx_once(rx, sk);
		release_sock(sk);
	}
	/* Answer the sender's FIN, so that it knows everything arrived. */
	kernel_sock_shutdown(rx->sock, SHUT_WR);
	/* Publish rx->eof before done: zctx_rx_eofs() reads it after. */
	smp_store_release(&rx->done, true);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 100);
	return 0;
}

/**
 * zctx_sock_abort() - close a benchmark TCP socket with a reset
 * @sock: the socket, released
 *
 * Called once the run is over and its bytes are counted. A graceful close
 * leaves an orphan that keeps its unacknowledged or out-of-order skbs, and
 * the lent pages in them, until a retransmission timer fires, seconds
 * later when the tiny-pool runs dropped packets; tcp_disconnect() frees
 * them now.
 */
void zctx_sock_abort(struct socket *sock)
{
	sock_no_linger(sock->sk);
	sock_release(sock);
}

/**
 * zctx_rx_reap() - stop and free receivers
 * @all: every receiver, or only those whose stream is over
 */
void zctx_rx_reap(bool all)
{
	struct zctx_rx *rx, *tmp;

	mutex_lock(&zctx.rx_lock);
	list_for_each_entry_safe(rx, tmp, &zctx.rxs, list) {
		if (!all && !READ_ONCE(rx->done))
			continue;
		kthread_stop(rx->task);
		put_task_struct(rx->task);
		zctx_sock_abort(rx->sock);
		list_del(&rx->list);
		kfree(rx);
	}
	mutex_unlock(&zctx.rx_lock);
}

/**
 * zctx_rx_all_done() - has every receiver seen the end of its stream?
 *
 * Return: true if so (or if there is none).
 */
bool zctx_rx_all_done(void)
{
	struct zctx_rx *rx;
	bool done = true;

	mutex_lock(&zctx.rx_lock);
	list_for_each_entry(rx, &zctx.rxs, list)
		done &= READ_ONCE(rx->done);
	mutex_unlock(&zctx.rx_lock);
	return done;
}

/**
 * zctx_rx_eofs() - receivers whose stream ended cleanly
 *
 * Call once they are all done.
 *
 * Return: the number of streams that ended with a FIN and no error.
 */
unsigned int zctx_rx_eofs(void)
{
	struct zctx_rx *rx;
	unsigned int n = 0;

	mutex_lock(&zctx.rx_lock);
	list_for_each_entry(rx, &zctx.rxs, list)
		/* Pairs with the release in zctx_rx_thread(). */
		n += smp_load_acquire(&rx->done) && READ_ONCE(rx->eof);
	mutex_unlock(&zctx.rx_lock);
	return n;
}

/* Start a receiver on @nsock; it owns the socket from then on. */
static void zctx_rx_start(struct socket *nsock)
{
	struct zctx_rx *rx;

	rx = kzalloc(sizeof(*rx), GFP_KERNEL);
	if (!rx) {
		sock_release(nsock);
		return;
	}
	rx->sock = nsock;
	rx->task = kthread_create(zctx_rx_thread, rx, "zctx_rx");
	if (IS_ERR(rx->task)) {
		sock_release(nsock);
		kfree(rx);
		return;
	}
	get_task_struct(rx->task);
	mutex_lock(&zctx.rx_lock);
	list_add_tail(&rx->list, &zctx.rxs);
	mutex_unlock(&zctx.rx_lock);
	wake_up_process(rx->task);
}

static int zctx_acceptor_thread(void *data)
{
	struct socket *nsock;

	while (!kthread_should_stop()) {
		/* The listener has a receive timeout: this wakes up often. */
		if (kernel_accept(zctx.lsock, &nsock, 0) < 0)
			continue;
		zctx_rx_start(nsock);
	}
	return 0;
}

/**
 * zctx_listen() - listen on TCP port @lport and accept in a kthread
 * @lport: the port
 *
 * Return: 0 or a negative error (with a message).
 */
int zctx_listen(unsigned int lport)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(lport),
	};
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &zctx.lsock);
	if (ret)
		return ret;
	sock_set_reuseaddr(zctx.lsock->sk);
	zctx.lsock->sk->sk_rcvtimeo = HZ / 10;
	ret = kernel_bind(zctx.lsock, (struct sockaddr *)&sin, sizeof(sin));
	if (!ret)
		ret = kernel_listen(zctx.lsock, 64);
	if (ret) {
		pr_err("cannot listen on TCP port %u: %d\n", lport, ret);
		goto err;
	}
	zctx.acceptor = kthread_run(zctx_acceptor_thread, NULL, "zctx_accept");
	if (IS_ERR(zctx.acceptor)) {
		ret = PTR_ERR(zctx.acceptor);
		zctx.acceptor = NULL;
		goto err;
	}
	return 0;
err:
	sock_release(zctx.lsock);
	zctx.lsock = NULL;
	return ret;
}

/**
 * zctx_unlisten() - stop accepting, stop every receiver, close the listener
 */
void zctx_unlisten(void)
{
	if (zctx.acceptor) {
		kthread_stop(zctx.acceptor);
		zctx.acceptor = NULL;
	}
	zctx_rx_reap(true);
	if (zctx.lsock) {
		sock_release(zctx.lsock);
		zctx.lsock = NULL;
	}
}

/**
 * zctx_tcp_thread() - a kernel TCP sender
 * @data: its &struct zctx_sender, connected
 *
 * Return: 0, once kthread_stop() was called.
 */
int zctx_tcp_thread(void *data)
{
	struct zctx_sender *s = data;
	struct zctx_run *run = s->run;
	struct msghdr msg = { };
	struct kvec iov;
	int ret;

	/* The stream carries the pattern at every offset, for the receiver. */
	while (!kthread_should_stop() && !READ_ONCE(run->stop)) {
		u64 off = s->sent;

		iov.iov_base = s->ubuf + do_div(off, ZCTX_PERIOD);
		iov.iov_len = run->p.msg_size;
		ret = kernel_sendmsg(s->sock, &msg, &iov, 1, iov.iov_len);
		if (ret > 0) {
			s->sent += ret;
			s->copied += ret;
		} else if (ret != -EAGAIN && ret != -EINTR) {
			s->error = ret;
			break;
		}
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 100);
	return 0;
}

/**
 * zctx_tcp_connect() - connect sender @s to the in-kernel listener
 * @s: the sender
 *
 * Return: 0 or a negative error (with a message).
 */
int zctx_tcp_connect(struct zctx_sender *s)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(ZCTX_PEER_ADDR),
		.sin_port = htons(s->run->p.port),
	};
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &s->sock);
	if (ret)
		return ret;
	s->sock->sk->sk_sndtimeo = 5 * HZ;
	ret = kernel_connect(s->sock, (struct sockaddr *)&sin, sizeof(sin), 0);
	if (ret) {
		pr_err("mode=tcp: connecting to 192.0.2.2:%u through %s failed (%d); does %s have 192.0.2.1/24 and is it up?\n",
		       s->run->p.port, zctx.ndev->name, ret, zctx.ndev->name);
		sock_release(s->sock);
		s->sock = NULL;
		return ret;
	}
	s->sock->sk->sk_sndtimeo = HZ / 10;
	return 0;
}
