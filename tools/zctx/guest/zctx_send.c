// SPDX-License-Identifier: GPL-2.0
/*
 * zctx_send: user-space TCP sender for the zctx benchmark guest.
 *
 * Connects to 192.0.2.2:PORT through zctx0 (the zctx_bench device, which
 * reflects the connection to its in-kernel listener) and sends a
 * patterned stream with plain send() or with MSG_ZEROCOPY, one process
 * per connection. Prints one "zctx_bench: key=value ..." line with the
 * same keys as the kernel module, computed from the swiotlb debugfs
 * counters, /proc/stat and /sys/kernel/debug/zctx_bench/rx.
 *
 * Build: gcc -static -O2 -o zctx_send zctx_send.c
 * Usage: zctx_send [-z] [-t seconds] [-s msg_size] [-n conns]
 *                  [-q queues] [-p port] [-l label]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif

#define PERIOD 251	/* must match ZCTX_PERIOD and pattern 0 of the module */
#define SWIOTLB "/sys/kernel/debug/swiotlb/"
#define BENCH "/sys/kernel/debug/zctx_bench/"
#define MAXCONN 64

static unsigned long long rd_ull(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static void rd_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, len, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

struct snap {
	unsigned long long bounced, bounced_sirq, mapped, allocs, fb, fb_cap;
	unsigned long long fb_short, zc_used, softirq_ticks, rx_bytes;
	unsigned long long rx_csum, rx_zcopy_copied, pool_used;
	/* What sending sockets copied into lent and ordinary page_frags. */
	unsigned long long copied_lent, copied;
	/* /proc/stat "cpu": user nice system idle iowait irq softirq */
	unsigned long long cpu[7];
};

enum { C_USER, C_NICE, C_SYSTEM, C_IDLE, C_IOWAIT, C_IRQ, C_SOFTIRQ };

static void cpu_ticks(unsigned long long *v)
{
	FILE *f = fopen("/proc/stat", "r");

	memset(v, 0, 7 * sizeof(*v));
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
		memset(v, 0, 7 * sizeof(*v));
	fclose(f);
}

static void snapshot(struct snap *s)
{
	char buf[256];

	s->bounced = rd_ull(SWIOTLB "io_tlb_bounced_bytes");
	s->bounced_sirq = rd_ull(SWIOTLB "io_tlb_bounced_softirq_bytes");
	s->mapped = rd_ull(SWIOTLB "io_tlb_zc_mapped_bytes");
	s->allocs = rd_ull(SWIOTLB "io_tlb_zc_allocs");
	s->fb_cap = rd_ull(SWIOTLB "io_tlb_zc_fallback_cap");
	s->fb_short = rd_ull(SWIOTLB "io_tlb_zc_fallback_exhausted") +
		      rd_ull(SWIOTLB "io_tlb_zc_fallback_fragmented");
	s->fb = s->fb_cap + s->fb_short +
		rd_ull(SWIOTLB "io_tlb_zc_fallback_disabled") +
		rd_ull(SWIOTLB "io_tlb_zc_fallback_pool");
	s->zc_used = rd_ull(SWIOTLB "io_tlb_zc_used");
	s->pool_used = rd_ull(SWIOTLB "io_tlb_used");
	s->copied_lent = rd_ull(SWIOTLB "io_tlb_zc_copied_lent_bytes");
	s->copied = rd_ull(SWIOTLB "io_tlb_copied_bytes");
	cpu_ticks(s->cpu);
	s->softirq_ticks = s->cpu[C_SOFTIRQ];
	rd_str(BENCH "rx", buf, sizeof(buf));
	s->rx_bytes = s->rx_csum = s->rx_zcopy_copied = 0;
	sscanf(buf, "bytes=%llu csum_errors=%llu zcopy_rx_copied=%llu",
	       &s->rx_bytes, &s->rx_csum, &s->rx_zcopy_copied);
}

/* The NIC's transmit offloads, as "csum,sg,tso" (NIC mode). */
static void offloads(const char *ifname, char *buf, size_t len)
{
	static const struct { unsigned int cmd; const char *name; } o[] = {
		{ ETHTOOL_GTXCSUM, "csum" }, { ETHTOOL_GSG, "sg" },
		{ ETHTOOL_GTSO, "tso" },
	};
	struct ethtool_value ev;
	struct ifreq ifr;
	size_t i, n = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(buf, len, "none");
	for (i = 0; fd >= 0 && i < sizeof(o) / sizeof(o[0]); i++) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
		ev.cmd = o[i].cmd;
		ev.data = 0;
		ifr.ifr_data = (void *)&ev;
		if (ioctl(fd, SIOCETHTOOL, &ifr) || !ev.data)
			continue;
		n += snprintf(buf + n, len - n, "%s%s", n ? "," : "", o[i].name);
	}
	if (fd >= 0)
		close(fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reap MSG_ZEROCOPY completions; returns how many sends completed. */
static long reap(int fd, unsigned long long *copied_flag)
{
	char control[256];
	long done = 0;

	for (;;) {
		struct msghdr msg = { .msg_control = control,
				      .msg_controllen = sizeof(control) };
		struct sock_extended_err *ee;
		struct cmsghdr *cm;

		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			ee = (struct sock_extended_err *)CMSG_DATA(cm);
			if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY)
				continue;
			done += ee->ee_data - ee->ee_info + 1;
			if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
				*copied_flag = 1;
		}
	}
	return done;
}

/* One connection; writes "sent copied_by_kernel_flag" to @out. */
static int child(int id, int zc, double secs, size_t msg, int port, int out,
		 const char *dest)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	unsigned long long sent = 0, copied_flag = 0;
	long outstanding = 0;
	unsigned char *buf;
	double end;
	cpu_set_t set;
	size_t i;
	int fd, one = 1;
	char line[64];

	CPU_ZERO(&set);
	CPU_SET(id % sysconf(_SC_NPROCESSORS_ONLN), &set);
	sched_setaffinity(0, sizeof(set), &set);
	buf = malloc(msg + PERIOD);
	if (!buf)
		return 1;
	for (i = 0; i < msg + PERIOD; i++)
		buf[i] = (unsigned char)((i % PERIOD) * 7 + 1);
	inet_pton(AF_INET, dest, &sin.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("zctx_send: connect");
		return 1;
	}
	if (zc && setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		perror("zctx_send: SO_ZEROCOPY");
		return 1;
	}
	end = now() + secs;
	while (now() < end) {
		ssize_t n = send(fd, buf + sent % PERIOD, msg,
				 zc ? MSG_ZEROCOPY : 0);

		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN) {
				outstanding -= reap(fd, &copied_flag);
				usleep(100);
				continue;
			}
			if (errno == EINTR)
				continue;
			perror("zctx_send: send");
			return 1;
		}
		sent += n;
		if (zc) {
			outstanding++;
			if (outstanding > 64)
				outstanding -= reap(fd, &copied_flag);
		}
	}
	shutdown(fd, SHUT_WR);
	/* Wait for the receiver's FIN, so everything sent was received. */
	{
		struct timeval tv = { .tv_sec = 10 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	while (recv(fd, line, sizeof(line), 0) > 0)
		;
	if (zc) {
		double t = now() + 2;

		while (outstanding > 0 && now() < t) {
			outstanding -= reap(fd, &copied_flag);
			usleep(1000);
		}
	}
	close(fd);
	snprintf(line, sizeof(line), "%llu %llu\n", sent, copied_flag);
	if (write(out, line, strlen(line)) < 0)
		return 1;
	return 0;
}

static void ratio(char *buf, size_t len, double a, double b, int dec)
{
	if (b <= 0)
		snprintf(buf, len, "nan");
	else
		snprintf(buf, len, "%.*f", dec, a / b);
}

int main(int argc, char **argv)
{
	int zc = 0, conns = 1, port = 5001, queues = 1, opt, i, fds[2];
	unsigned long long sent = 0, kflag = 0, peak_zc = 0, peak_pool = 0;
	unsigned long long at_stop, payload, bounced, sirq, nslabs, percent;
	double secs = 2, t0, elapsed, memcpy_gbs;
	const char *label = "-", *dest = "192.0.2.2", *ifname = "eth0";
	char offl[32] = "-";
	int nic = 0;
	size_t msg = 65536;
	struct snap a, b, st;
	char model[16] = "-";
	unsigned int complete_us = 0, line_mbit = 0, ring = 0;
	double tick_ns = 1e9 / sysconf(_SC_CLK_TCK);
	char *pp;
	char r[8][32], mem[64];
	pid_t pids[MAXCONN];
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), balanced;
	FILE *in;

	while ((opt = getopt(argc, argv, "zt:s:n:q:p:l:d:i:")) != -1) {
		switch (opt) {
		case 'z': zc = 1; break;
		case 't': secs = atof(optarg); break;
		case 's': msg = strtoul(optarg, NULL, 0); break;
		case 'n': conns = atoi(optarg); break;
		case 'q': queues = atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 'l': label = optarg; break;
		case 'd': dest = optarg; nic = 1; break;
		case 'i': ifname = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-z] [-t s] [-s bytes] [-n conns] [-q queues] [-p port] [-l label] [-d addr [-i ifname]]\n",
				argv[0]);
			return 2;
		}
	}
	if (conns < 1 || conns > MAXCONN || msg < 1 || secs <= 0) {
		fprintf(stderr, "zctx_send: bad arguments\n");
		return 2;
	}
	rd_str(BENCH "memcpy_gbs", mem, sizeof(mem));
	memcpy_gbs = atof(mem);
	percent = rd_ull("/sys/module/swiotlb/parameters/zerocopy_tx_percent");
	nslabs = rd_ull(SWIOTLB "io_tlb_nslabs");
	{
		char params[512];

		rd_str(BENCH "params", params, sizeof(params));
		pp = strstr(params, "ring=");
		if (pp)
			sscanf(pp, "ring=%u", &ring);
		pp = strstr(params, "dev_model=");
		if (pp)
			sscanf(pp, "dev_model=%15s complete_us=%u line_mbit=%u",
			       model, &complete_us, &line_mbit);
	}
	if (nic) {
		strcpy(model, "virtio");
		offloads(ifname, offl, sizeof(offl));
	}
	if (pipe(fds))
		return 1;

	snapshot(&a);
	t0 = now();
	for (i = 0; i < conns; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(child(i, zc, secs, msg, port, fds[1], dest));
	}
	close(fds[1]);
	/* Sample pool use while the children send. */
	while (now() < t0 + secs) {
		unsigned long long u = rd_ull(SWIOTLB "io_tlb_used");
		unsigned long long z = rd_ull(SWIOTLB "io_tlb_zc_used");

		peak_pool = u > peak_pool ? u : peak_pool;
		peak_zc = z > peak_zc ? z : peak_zc;
		usleep(10000);
	}
	snapshot(&b);
	st = b;
	elapsed = now() - t0;
	at_stop = b.rx_bytes - a.rx_bytes;
	in = fdopen(fds[0], "r");
	for (i = 0; i < conns; i++) {
		unsigned long long s = 0, f = 0;

		if (in && fscanf(in, "%llu %llu", &s, &f) == 2) {
			sent += s;
			kflag |= f;
		}
	}
	for (i = 0; i < conns; i++)
		waitpid(pids[i], NULL, 0);
	/* Lent pages come back when the sockets are gone. */
	for (i = 0; i < 200; i++) {
		FILE *fl;

		if (rd_ull(SWIOTLB "io_tlb_zc_used") <= a.zc_used)
			break;
		/* Free received skbs whose free was deferred to an idle CPU. */
		fl = fopen(BENCH "flush", "w");
		if (fl) {
			fputs("1\n", fl);
			fclose(fl);
		}
		usleep(10000);
	}
	balanced = rd_ull(SWIOTLB "io_tlb_zc_used") <= a.zc_used;
	snapshot(&b);
	payload = b.rx_bytes - a.rx_bytes;
	if (nic) {
		/* A receiver outside the guest: what it acknowledged. */
		at_stop = payload = sent;
		b.rx_csum = a.rx_csum;
	}
	bounced = b.bounced - a.bounced;
	sirq = b.bounced_sirq - a.bounced_sirq;

	ratio(r[0], sizeof(r[0]), elapsed, 1, 3);
	ratio(r[1], sizeof(r[1]), at_stop * 8.0 / 1e9, elapsed, 3);
	/*
	 * The senders' copies as the kernel counted them in
	 * tcp_sendmsg_locked() (MSG_ZEROCOPY pins user pages: none, unless
	 * the kernel fell back to copying), plus the bounce copies.
	 */
	ratio(r[2], sizeof(r[2]), (double)(b.copied_lent - a.copied_lent) +
	      (b.copied - a.copied) + bounced, payload, 4);
	ratio(r[3], sizeof(r[3]), sirq, payload, 4);
	ratio(r[4], sizeof(r[4]), (b.softirq_ticks - a.softirq_ticks) * 1000.0 /
	      sysconf(_SC_CLK_TCK) * 100, elapsed * 1000 * ncpu, 1);
	ratio(r[5], sizeof(r[5]), memcpy_gbs, 1, 2);
	ratio(r[6], sizeof(r[6]), at_stop / elapsed / 1e9, memcpy_gbs, 3);

	printf("zctx_bench: run=0 label=%s mode=%s zerocopy=%s percent=%llu queues=%d senders=%d msg_size=%zu seconds=%s bytes=%llu payload_bytes=%llu gbit_s=%s copies_per_byte=%s softirq_copy_per_byte=%s sender_copied_bytes=%llu bounced_bytes=%llu bounced_softirq_bytes=%llu zc_mapped_bytes=%llu zc_allocs=%llu zc_fallbacks=%llu zc_fallback_cap=%llu zc_fallback_exhausted=%llu zc_peak_slots=%llu zc_hiwater_slots=%llu pool_peak_slots=%llu pool_slots=%llu pool_peak_kib_per_flow=%llu softirq_ms=%llu softirq_pct=%s csum_errors=%llu unverified=0 drops=0 memcpy_gbs=%s gbyte_s_per_memcpy_gbs=%s pool_balanced=%d vcpus=%d rx_zcopy_copied_bytes=%llu msg_zerocopy_copied=%llu",
	       label, zc ? "user_msg_zerocopy" : "user_send",
	       percent ? "on" : "off", percent, queues, conns, msg, r[0],
	       at_stop, payload, r[1], r[2], r[3], zc ? 0 : sent, bounced, sirq,
	       b.mapped - a.mapped, b.allocs - a.allocs, b.fb - a.fb,
	       b.fb_cap - a.fb_cap, b.fb_short - a.fb_short, peak_zc,
	       rd_ull(SWIOTLB "io_tlb_zc_used_hiwater"), peak_pool, nslabs,
	       peak_pool * 2 / conns,
	       (b.softirq_ticks - a.softirq_ticks) * 1000 / sysconf(_SC_CLK_TCK),
	       r[4], b.rx_csum - a.rx_csum, r[5], r[6], balanced, ncpu,
	       b.rx_zcopy_copied - a.rx_zcopy_copied, kflag);
	/* CPU time of the timed part (as the module: at the stop) per byte. */
	ratio(r[0], sizeof(r[0]), sirq, bounced, 4);
	ratio(r[1], sizeof(r[1]), (st.cpu[C_USER] - a.cpu[C_USER] +
	      st.cpu[C_NICE] - a.cpu[C_NICE] + st.cpu[C_SYSTEM] -
	      a.cpu[C_SYSTEM]) * tick_ns, at_stop, 4);
	ratio(r[2], sizeof(r[2]), (st.cpu[C_SOFTIRQ] - a.cpu[C_SOFTIRQ]) *
	      tick_ns, at_stop, 4);
	ratio(r[3], sizeof(r[3]), (st.cpu[C_IRQ] - a.cpu[C_IRQ]) * tick_ns,
	      at_stop, 4);
	ratio(r[4], sizeof(r[4]), (st.cpu[C_IDLE] - a.cpu[C_IDLE] +
	      st.cpu[C_IOWAIT] - a.cpu[C_IOWAIT]) * tick_ns, at_stop, 4);
	printf(" copied_lent_bytes=%llu copied_bytes=%llu sender_copy_counted=kernel_tcp_sendmsg",
	       b.copied_lent - a.copied_lent, b.copied - a.copied);
	printf(" nic_offloads=%s", offl);
	printf(" dev_model=%s complete_us=%u line_mbit=%u ring=%u queue_stops=- softirq_bounce_share=%s bounce_slots_delta=%lld cpu_process_ns_per_byte=%s cpu_softirq_ns_per_byte=%s cpu_irq_ns_per_byte=%s cpu_idle_ns_per_byte=%s\n",
	       model, complete_us, line_mbit, ring, r[0],
	       (long long)(b.pool_used - b.zc_used) -
	       (long long)(a.pool_used - a.zc_used), r[1], r[2], r[3], r[4]);
	return sent ? 0 : 1;
}
