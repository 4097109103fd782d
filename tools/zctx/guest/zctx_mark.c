// SPDX-License-Identifier: GPL-2.0
/*
 * zctx_mark: send a marker stream over one TCP connection and receive it.
 *
 * Used by the pool-scan step (tools/zctx/scan.sh): listens on 0.0.0.0:LPORT,
 * then a child connects to ADDR:PORT and writes BYTES bytes in 64 KiB
 * send() calls, every call filled with the 16-byte MARKER repeated; the
 * parent accepts one connection, reads it to the end and checks that byte
 * i is MARKER[i % 16]. ADDR:PORT reaches LPORT directly (127.0.0.1, or
 * through zctx0, which reflects the connection back to this host) or
 * through an iptables REDIRECT rule. Prints one line:
 *   sent=N received=N bad=N
 * and exits 0 only if every byte arrived intact.
 *
 * Build: gcc -static -O2 -o zctx_mark zctx_mark.c
 * Usage: zctx_mark ADDR PORT LPORT MARKER BYTES
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MLEN	16
#define CHUNK	65536

static int sender(const char *addr, int port, const char *marker,
		  long long bytes)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	static char buf[CHUNK];
	long long sent = 0;
	int fd, i;

	for (i = 0; i < CHUNK; i++)
		buf[i] = marker[i % MLEN];
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "zctx_mark: bad address %s\n", addr);
		return 1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("zctx_mark: connect");
		return 1;
	}
	while (sent < bytes) {
		/* CHUNK is a multiple of MLEN: buf + off is in phase. */
		size_t off = sent % CHUNK, n = CHUNK - off;
		ssize_t r;

		if ((long long)n > bytes - sent)
			n = bytes - sent;
		r = send(fd, buf + off, n, 0);

		if (r <= 0) {
			perror("zctx_mark: send");
			return 1;
		}
		sent += r;
	}
	close(fd);
	printf("sent=%lld ", sent);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long long bytes, got = 0, bad = 0;
	static char buf[CHUNK];
	int lfd, fd, one = 1, st, reaped;
	const char *marker;
	pid_t pid;
	ssize_t r;

	if (argc != 6 || strlen(argv[4]) != MLEN) {
		fprintf(stderr, "usage: zctx_mark ADDR PORT LPORT MARKER(16 bytes) BYTES\n");
		return 2;
	}
	marker = argv[4];
	bytes = atoll(argv[5]);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_port = htons(atoi(argv[3]));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 1)) {
		perror("zctx_mark: listen");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("zctx_mark: fork");
		return 1;
	}
	if (!pid)
		_exit(sender(argv[1], atoi(argv[2]), marker, bytes));
	alarm(120);
	/* Give up as soon as the sender has failed to connect. */
	for (;;) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };

		reaped = waitpid(pid, &st, WNOHANG) == pid;
		if (poll(&pfd, 1, reaped ? 0 : 200) > 0)
			break;
		if (reaped) {
			fprintf(stderr, "zctx_mark: no connection on port %s\n",
				argv[3]);
			return 1;
		}
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("zctx_mark: accept");
		kill(pid, SIGKILL);
		return 1;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i++)
			bad += buf[i] != marker[(got + i) % MLEN];
		got += r;
	}
	close(fd);
	close(lfd);
	if ((!reaped && waitpid(pid, &st, 0) != pid) || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		bad++;
	printf("received=%lld bad=%lld\n", got, bad);
	return got == bytes && !bad ? 0 : 1;
}
