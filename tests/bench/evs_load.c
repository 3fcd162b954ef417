/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A load generator for evs: many EasyVPN clients from one process, each a real initiator
 * engine (ike/) driven through ike/driver.h as evc drives its own, each with its own UDP
 * socket and so its own source port, spread over several source addresses (evs limits the
 * half-open SAs and first messages of one address, as a real gateway must). Every client does
 * the whole aggressive mode, XAUTH, mode-config and quick mode against a real evs; then they
 * all hold their sessions (answering evs's DPD) until --hold-s runs out (0, the default:
 * until SIGTERM or SIGINT),
 * and close them with DELETEs.
 *
 * It prints how long it took, the handshakes per second and the per-handshake latency, and
 * what refused or failed clients were told; the last lines are machine-readable:
 *   result up=N refused=N failed=N
 *   replaced=up|refused|failed|no        (with --replace)
 *
 * usage: evs_load --server ADDR --source FIRST --sources N --clients N --group NAME
 *                 --key-file F --password-file F [--user-prefix P] [--per-source N]
 *                 [--inflight N] [--dh N] [--timeout-s S] [--hold-s S] [--replace]
 *                 [--ready-file F]
 * Users are P00000, P00001, ... (default prefix "load"), all with the same password.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ike/driver.h"
#include "ike/ike.h"
#include "lib/ipv4.h"
#include "lib/timer.h"

enum lc_state { LC_IDLE, LC_CONNECTING, LC_UP, LC_REFUSED, LC_FAILED, LC_CLOSED };

struct load;

struct lc {
	struct load *l;
	struct ike_sa *sa;
	int fd;
	struct ike_endpoint local;
	size_t src;
	enum lc_state st;
	uint64_t t0, t_up;
	char user[32];
};

struct reason {
	char text[200];
	size_t n;
};

struct load {
	uint32_t server;
	uint32_t src_first;
	size_t n_src, n_clients, per_source, inflight_max;
	const char *group, *user_prefix, *ready_file;
	char psk[256], password[256];
	unsigned dh, timeout_s, hold_s;
	bool replace;
	struct lc *c; /* n_clients + 1 (the replacement) */
	size_t *src_busy;
	size_t started, inflight, up, refused, failed;
	struct reason reasons[8];
	size_t n_reasons;
	int ep, sigfd;
	bool stop;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "evs_load: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

/* ---- the engine's actions ---- */

static void a_send(void *ctx, const uint8_t *msg, size_t len, const struct ike_endpoint *to,
                   uint16_t from_port)
{
	struct lc *c = ctx;
	uint8_t buf[65536];
	size_t off = 0;
	struct sockaddr_in sin = {
	    .sin_family = AF_INET, .sin_addr.s_addr = htonl(to->addr), .sin_port = htons(to->port)};
	if (len + 4 > sizeof(buf))
		return;
	if (from_port == IKE_NATT_PORT) { /* the non-ESP marker */
		memset(buf, 0, 4);
		off = 4;
	}
	memcpy(buf + off, msg, len);
	/* a full socket buffer drops it, as the network would: the engine retransmits */
	(void)sendto(c->fd, buf, off + len, MSG_DONTWAIT, (struct sockaddr *)&sin, sizeof(sin));
}

static void a_prompt(void *ctx, const char *message, bool retry)
{
	struct lc *c = ctx;
	(void)message;
	if (retry)
		ike_close(c->sa, mono_ms());
	else
		ike_xauth_answer(c->sa, mono_ms(), c->user, c->l->password);
}

static void settle(struct lc *c, enum lc_state st)
{
	struct load *l = c->l;
	if (c->st == LC_CONNECTING) {
		l->inflight--;
		l->src_busy[c->src]--;
	}
	c->st = st;
}

static void a_child_up(void *ctx, const struct ike_child *ch)
{
	struct lc *c = ctx;
	(void)ch;
	if (c->st != LC_CONNECTING)
		return; /* a rekey */
	c->t_up = mono_ms();
	c->l->up++;
	settle(c, LC_UP);
}

static void note_reason(struct load *l, const char *text)
{
	for (size_t i = 0; i < l->n_reasons; i++)
		if (strcmp(l->reasons[i].text, text) == 0) {
			l->reasons[i].n++;
			return;
		}
	if (l->n_reasons < sizeof(l->reasons) / sizeof(l->reasons[0])) {
		struct reason *r = &l->reasons[l->n_reasons++];
		snprintf(r->text, sizeof(r->text), "%s", text);
		r->n = 1;
	}
}

static void a_failed(void *ctx, enum ike_step step, const char *text)
{
	struct lc *c = ctx;
	struct load *l = c->l;
	bool was_up = c->st == LC_UP;
	(void)step;
	note_reason(l, text);
	if (was_up)
		l->up--;
	/* a refusal with the gateway's reason (max-users, max-logins) is not a failure */
	if (!was_up && (strstr(text, "max-users") || strstr(text, "max-logins"))) {
		l->refused++;
		settle(c, LC_REFUSED);
	} else {
		l->failed++;
		settle(c, LC_FAILED);
	}
}

static void a_closed(void *ctx, const char *text)
{
	struct lc *c = ctx;
	(void)text;
	if (c->st == LC_UP)
		c->l->up--;
	else if (c->st == LC_CONNECTING) {
		note_reason(c->l, text);
		c->l->failed++;
	}
	settle(c, LC_CLOSED);
}

static const struct ike_driver_ops ops = {
    .send = a_send,
    .xauth_prompt = a_prompt,
    .child_up = a_child_up,
    .failed = a_failed,
    .closed = a_closed,
};

/* Ends a client's engine and socket once it reached an end (after its actions ran). */
static void reap(struct lc *c)
{
	if (c->st == LC_CONNECTING || c->st == LC_UP || !c->sa)
		return;
	ike_sa_free(c->sa);
	c->sa = NULL;
	epoll_ctl(c->l->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

static void drive(struct lc *c)
{
	ike_drive(c->sa, &ops, c);
	reap(c);
}

/* ---- clients ---- */

static bool start(struct load *l, size_t i, const char *user)
{
	struct lc *c = &l->c[i];
	struct ike_config cfg = {0};
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);
	const char *why = NULL;

	c->l = l;
	c->src = i % l->n_src;
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return false;
	sin.sin_addr.s_addr = htonl(l->src_first + (uint32_t)c->src);
	if (bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(c->fd, (struct sockaddr *)&sin, &sl) < 0) {
		close(c->fd);
		return false;
	}
	c->local = (struct ike_endpoint){ntohl(sin.sin_addr.s_addr), ntohs(sin.sin_port)};
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		close(c->fd);
		return false;
	}
	snprintf(c->user, sizeof(c->user), "%s", user);
	cfg.role = IKE_ROLE_INITIATOR;
	cfg.local = c->local;
	cfg.peer = (struct ike_endpoint){l->server, IKE_PORT};
	cfg.group = l->group;
	cfg.psk = (const uint8_t *)l->psk;
	cfg.psk_len = strlen(l->psk);
	cfg.dh_group = l->dh;
	cfg.app_version = "evs_load";
	c->sa = ike_sa_new(&cfg, mono_ms(), &why);
	if (!c->sa) {
		fprintf(stderr, "evs_load: cannot make a client engine: %s\n", why);
		close(c->fd);
		return false;
	}
	c->st = LC_CONNECTING;
	c->t0 = mono_ms();
	l->inflight++;
	l->src_busy[c->src]++;
	ike_start(c->sa, c->t0);
	drive(c);
	return true;
}

/* Starts clients while the limits allow: the total in flight and, per source address, fewer
 * than evs lets one address hold half-open. */
static void start_more(struct load *l)
{
	while (l->started < l->n_clients && l->inflight < l->inflight_max) {
		size_t i = l->started;
		char user[32];
		if (l->src_busy[i % l->n_src] >= l->per_source)
			return;
		snprintf(user, sizeof(user), "%s%05zu", l->user_prefix, i);
		if (!start(l, i, user)) {
			fprintf(stderr, "evs_load: cannot open client %zu's socket: %s\n", i,
			        strerror(errno));
			l->stop = true;
			return;
		}
		l->started++;
	}
}

static void on_readable(struct load *l, size_t i)
{
	struct lc *c = &l->c[i];
	uint8_t buf[65536];
	for (int n = 0; n < 64 && c->sa; n++) {
		struct sockaddr_in sin;
		socklen_t sl = sizeof(sin);
		ssize_t len = recvfrom(c->fd, buf, sizeof(buf), 0, (struct sockaddr *)&sin, &sl);
		if (len < 0)
			return;
		struct ike_endpoint from = {ntohl(sin.sin_addr.s_addr), ntohs(sin.sin_port)};
		const uint8_t *msg = buf;
		size_t mlen = (size_t)len;
		if (from.port == IKE_NATT_PORT) {
			/* ESP and NAT keepalives are not for the engine */
			if (mlen < 4 || buf[0] || buf[1] || buf[2] || buf[3])
				continue;
			msg += 4;
			mlen -= 4;
		}
		ike_input(c->sa, mono_ms(), msg, mlen, &from, &c->local);
		drive(c);
	}
}

static void tick_all(struct load *l, uint64_t now)
{
	for (size_t i = 0; i < l->started; i++) {
		struct lc *c = &l->c[i];
		if (c->sa && ike_next_timeout(c->sa) <= now) {
			ike_tick(c->sa, now);
			drive(c);
		}
	}
}

/* Runs the loop until stop, until every started client reached an end (settled), or until
 * deadline; false on a signal. */
static bool run(struct load *l, uint64_t deadline, bool until_settled)
{
	struct epoll_event evs[256];
	uint64_t next_tick = 0;
	while (!l->stop) {
		uint64_t now = mono_ms();
		start_more(l);
		if (until_settled && l->started == l->n_clients && l->inflight == 0)
			return true;
		if (now >= deadline)
			return true;
		if (now >= next_tick) {
			tick_all(l, now);
			next_tick = now + 20;
		}
		int n = epoll_wait(l->ep, evs, 256, 20);
		for (int k = 0; k < n; k++) {
			if (evs[k].data.u64 == UINT64_MAX) {
				struct signalfd_siginfo si;
				(void)!read(l->sigfd, &si, sizeof(si));
				l->stop = true;
				return false;
			}
			on_readable(l, (size_t)evs[k].data.u64);
		}
	}
	return false;
}

/* ---- figures ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(struct load *l, uint64_t t0, uint64_t t1)
{
	uint64_t *lat = calloc(l->n_clients ? l->n_clients : 1, sizeof(*lat));
	size_t n = 0;
	double s = (double)(t1 - t0) / 1000.0;
	for (size_t i = 0; lat && i < l->n_clients; i++)
		if (l->c[i].t_up)
			lat[n++] = l->c[i].t_up - l->c[i].t0;
	printf("connected %zu of %zu in %.2f s: %.1f handshakes/s", l->up, l->n_clients, s,
	       s > 0 ? (double)l->up / s : 0.0);
	if (n) {
		qsort(lat, n, sizeof(*lat), cmp_u64);
		printf(" (per handshake: median %llu ms, p99 %llu ms)",
		       (unsigned long long)lat[n / 2], (unsigned long long)lat[(n * 99) / 100]);
	}
	printf("\n");
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("load generator CPU: %.1f s\n",
		       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	for (size_t i = 0; i < l->n_reasons; i++)
		printf("told %zu client(s): %s\n", l->reasons[i].n, l->reasons[i].text);
	fflush(stdout);
	free(lat);
}

static void read_secret(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("cannot read %s", path);
	if (!fgets(out, (int)cap, f))
		out[0] = 0;
	fclose(f);
	out[strcspn(out, "\r\n")] = 0;
	if (!out[0])
		die("%s is empty", path);
}

static void raise_fd_limit(size_t need)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= need)
		return;
	r.rlim_cur = need;
	if (r.rlim_max < need)
		r.rlim_max = need; /* root may raise the hard limit */
	if (setrlimit(RLIMIT_NOFILE, &r) != 0)
		fprintf(
		    stderr,
		    "evs_load: cannot raise the descriptor limit to %zu (%s); raise ulimit -n\n",
		    need, strerror(errno));
}

static unsigned long num(const char *s, const char *what, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v > max)
		die("bad %s", what);
	return v;
}

static uint32_t addr(const char *s, const char *what)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1 || !a.s_addr)
		die("bad %s", what);
	return ntohl(a.s_addr);
}

static void parse(struct load *l, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"server", 1, 0, 's'},
	    {"source", 1, 0, 'a'},
	    {"sources", 1, 0, 'n'},
	    {"clients", 1, 0, 'c'},
	    {"group", 1, 0, 'g'},
	    {"key-file", 1, 0, 'k'},
	    {"password-file", 1, 0, 'p'},
	    {"user-prefix", 1, 0, 'u'},
	    {"per-source", 1, 0, 'P'},
	    {"inflight", 1, 0, 'i'},
	    {"dh", 1, 0, 'd'},
	    {"timeout-s", 1, 0, 't'},
	    {"hold-s", 1, 0, 'H'},
	    {"replace", 0, 0, 'r'},
	    {"ready-file", 1, 0, 'R'},
	    {0, 0, 0, 0},
	};
	int o;
	const char *key = NULL, *pw = NULL;
	*l = (struct load){.n_src = 1,
	                   .per_source = 4,
	                   .inflight_max = 128,
	                   .dh = 2,
	                   .timeout_s = 120,
	                   .user_prefix = "load",
	                   .group = "quizware"};
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			l->server = addr(optarg, "--server");
			break;
		case 'a':
			l->src_first = addr(optarg, "--source");
			break;
		case 'n':
			l->n_src = num(optarg, "--sources", 65536);
			break;
		case 'c':
			l->n_clients = num(optarg, "--clients", 1000000);
			break;
		case 'g':
			l->group = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'p':
			pw = optarg;
			break;
		case 'u':
			l->user_prefix = optarg;
			break;
		case 'P':
			l->per_source = num(optarg, "--per-source", 1000);
			break;
		case 'i':
			l->inflight_max = num(optarg, "--inflight", 100000);
			break;
		case 'd':
			l->dh = (unsigned)num(optarg, "--dh", 32);
			break;
		case 't':
			l->timeout_s = (unsigned)num(optarg, "--timeout-s", 86400);
			break;
		case 'H':
			l->hold_s = (unsigned)num(optarg, "--hold-s", 86400);
			break;
		case 'r':
			l->replace = true;
			break;
		case 'R':
			l->ready_file = optarg;
			break;
		default:
			die("see the usage at the top of %s", __FILE__);
		}
	}
	if (!l->server || !l->src_first || !l->n_clients || !key || !pw || !l->n_src ||
	    !l->per_source || !l->inflight_max)
		die("%s", "--server, --source, --clients, --key-file and --password-file are "
		          "needed");
	read_secret(key, l->psk, sizeof(l->psk));
	read_secret(pw, l->password, sizeof(l->password));
}

/* After a refusal: one connected client leaves (DELETE) and a new one must get its place. */
static const char *replace_one(struct load *l)
{
	size_t i, n = l->n_clients;
	for (i = 0; i < n && l->c[i].st != LC_UP; i++)
		;
	if (i == n)
		return "no";
	struct lc *old = &l->c[i];
	ike_close(old->sa, mono_ms());
	drive(old);
	if (!start(l, n, old->user))
		return "failed";
	l->started = l->n_clients = n + 1; /* run() starts no more, and ticks the new one */
	run(l, mono_ms() + (uint64_t)l->timeout_s * 1000, true);
	return l->c[n].st == LC_UP ? "up" : l->c[n].st == LC_REFUSED ? "refused" : "failed";
}

int main(int argc, char **argv)
{
	struct load l;
	sigset_t mask;
	parse(&l, argc, argv);
	raise_fd_limit(l.n_clients + 64);
	l.c = calloc(l.n_clients + 1, sizeof(*l.c));
	l.src_busy = calloc(l.n_src, sizeof(*l.src_busy));
	l.ep = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	l.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	struct epoll_event sev = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
	if (!l.c || !l.src_busy || l.ep < 0 || l.sigfd < 0 ||
	    epoll_ctl(l.ep, EPOLL_CTL_ADD, l.sigfd, &sev) < 0)
		die("%s", "out of memory or descriptors");
	char a[20];
	ipv4_str(l.server, a, sizeof(a));
	printf("evs_load: %zu clients from %zu source address(es) to %s, DH group %u\n",
	       l.n_clients, l.n_src, a, l.dh);
	fflush(stdout);

	uint64_t t0 = mono_ms();
	run(&l, t0 + (uint64_t)l.timeout_s * 1000, true);
	uint64_t t1 = mono_ms();
	report(&l, t0, t1);
	const char *replaced = NULL;
	if (l.replace && !l.stop)
		replaced = replace_one(&l);
	printf("result up=%zu refused=%zu failed=%zu\n", l.up, l.refused, l.failed);
	if (replaced)
		printf("replaced=%s\n", replaced);
	fflush(stdout);
	if (l.ready_file) {
		FILE *f = fopen(l.ready_file, "w");
		if (f)
			fclose(f);
	}
	/* hold the sessions (answering DPD) until the time is up or a signal comes */
	if (!l.stop)
		run(&l, l.hold_s ? mono_ms() + (uint64_t)l.hold_s * 1000 : UINT64_MAX, false);
	/* DELETEs in batches, so that a burst of thousands does not overflow evs's socket */
	size_t closing = 0;
	l.stop = false;
	for (size_t i = 0; i < l.started; i++) {
		if (!l.c[i].sa || l.c[i].st != LC_UP)
			continue;
		ike_close(l.c[i].sa, mono_ms());
		drive(&l.c[i]);
		if (++closing % 32 == 0)
			run(&l, mono_ms() + 5, false);
	}
	for (size_t i = 0; i < l.started; i++) {
		if (!l.c[i].sa)
			continue;
		ike_sa_free(l.c[i].sa);
		close(l.c[i].fd);
	}
	printf("closed %zu\n", closing);
	free(l.c);
	free(l.src_busy);
	close(l.ep);
	close(l.sigfd);
	return l.failed ? 1 : 0;
}
