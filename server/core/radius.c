/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RADIUS questions, each in a thread of its own, over evs's own client: see radius.h. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "lib/crypto.h"
#include "lib/ipv4.h"
#include "lib/secret.h"
#include "server/core/radius.h"
#include "server/core/radius_pkt.h"

struct done {
	struct done *next;
	struct evs_aaa_result res;
};

/* Shared by the owner and the threads; the last one out frees it. */
struct evs_radius {
	pthread_mutex_t lock;
	int efd;
	unsigned running;
	bool closed;
	struct done *head, *tail;
};

struct job {
	struct evs_radius *r;
	struct evs_aaa_req req;
};

const char *evs_aaa_outcome_str(enum evs_aaa_outcome o)
{
	switch (o) {
	case EVS_AAA_ACCEPT:
		return "accepted";
	case EVS_AAA_REJECT:
		return "rejected";
	case EVS_AAA_NO_ANSWER:
		return "no answer";
	case EVS_AAA_BAD_ANSWER:
		return "no valid answer (the RADIUS key does not match)";
	case EVS_AAA_FAILED:
		return "not asked";
	}
	return "?";
}

static void add_why(struct evs_aaa_result *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_why(struct evs_aaa_result *out, const char *fmt, ...)
{
	size_t n = strlen(out->why);
	va_list ap;

	if (n + 3 >= sizeof(out->why))
		return;
	if (n) {
		memcpy(out->why + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out->why + n, sizeof(out->why) - n, fmt, ap);
	va_end(ap);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * A UDP socket connect()ed to the server: the kernel hands it only datagrams from the
 * server's address and port. *nas: the local address, for NAS-IP-Address when the daemon has
 * none. -1 with errno on failure.
 */
static int server_socket(const struct evs_radius_server *s, uint32_t *nas)
{
	struct sockaddr_in sa = {
	    .sin_family = AF_INET, .sin_port = htons(s->port), .sin_addr.s_addr = htonl(s->addr)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*nas = ntohl(sa.sin_addr.s_addr);
	return fd;
}

/* What came back from one server. */
struct tally {
	enum evs_radius_verdict v; /* the final verdict, when final */
	bool final;
	unsigned bad_auth, bad_ma, ignored, refused;
	int err; /* errno of a failed send or receive */
};

/* Waits until at, taking datagrams: true when one verified. */
static bool wait_reply(int fd, uint64_t at, const uint8_t *msg, const uint8_t *key, size_t klen,
                       bool ma_optional, uint8_t *buf, size_t *got, struct tally *t)
{
	for (;;) {
		uint64_t now = now_ms();
		struct pollfd p = {fd, POLLIN, 0};
		enum evs_radius_verdict v;
		ssize_t n;
		int pr;

		if (now >= at)
			return false;
		pr = poll(&p, 1, (int)(at - now));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			t->err = errno;
			return false;
		}
		if (pr == 0)
			return false;
		n = recv(fd, buf, RADIUS_MAX_LEN, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ECONNREFUSED)
				t->refused++; /* ICMP port unreachable: nobody listens (or a forger)
				               */
			else if (errno != EAGAIN && errno != EINTR)
				t->err = errno;
			continue;
		}
		v = evs_radius_check(buf, (size_t)n, msg[1], msg + 4, key, klen, !ma_optional);
		switch (v) {
		case EVS_RADIUS_V_IGNORE:
			t->ignored++;
			continue;
		case EVS_RADIUS_V_BAD_AUTH:
			t->bad_auth++;
			continue;
		case EVS_RADIUS_V_BAD_MA:
			t->bad_ma++;
			continue;
		default:
			t->v = v;
			t->final = true;
			*got = (size_t)n;
			return true;
		}
	}
}

/*
 * One server: the request, retransmitted unchanged (same ID and authenticator, RFC 5080
 * 2.2.1) after each timeout, until a verified reply or the last try has timed out. Replies
 * that do not verify are counted and the wait goes on: a forger cannot cut it short.
 */
static void exchange(const struct evs_radius_server *s, const struct evs_aaa_req *req,
                     struct tally *t, uint8_t *reply, size_t *rlen, char *why, size_t whylen)
{
	uint8_t msg[RADIUS_MAX_LEN], rnd[1 + RADIUS_AUTH_LEN];
	const uint8_t *key = (const uint8_t *)s->key;
	size_t klen = strnlen(s->key, sizeof(s->key)), mlen = 0;
	uint32_t nas = req->nas_addr, local = 0;
	int fd = server_socket(s, &local);

	if (fd < 0) {
		t->err = errno;
		snprintf(why, whylen, "no socket to it: %s", strerror(errno));
		return;
	}
	if (!nas)
		nas = local; /* as radcli did: the address the request leaves from */
	if (crypto_random(rnd, sizeof(rnd)) != 0) {
		snprintf(why, whylen, "no random bytes for the Request Authenticator");
		t->err = EIO;
		goto out;
	}
	if (evs_radius_build_request(msg, sizeof(msg), &mlen, rnd[0], rnd + 1, key, klen, req, nas,
	                             why, whylen) != 0) {
		t->err = EINVAL;
		goto out;
	}
	for (unsigned i = 0; i <= s->retries && !t->final; i++) {
		if (send(fd, msg, mlen, 0) < 0 && errno != ECONNREFUSED) {
			t->err = errno;
			snprintf(why, whylen, "cannot send to it: %s", strerror(errno));
			break;
		}
		wait_reply(fd, now_ms() + (uint64_t)s->timeout_s * 1000, msg, key, klen,
		           s->ma_optional, reply, rlen, t);
	}
out:
	mem_wipe(msg, sizeof(msg));
	mem_wipe(rnd, sizeof(rnd));
	close(fd);
}

/* One server: true when it gave a final answer (accept or reject). */
static bool ask_one(const struct evs_radius_server *s, const struct evs_aaa_req *req,
                    struct evs_aaa_result *out, bool *bad_answer)
{
	uint8_t reply[RADIUS_MAX_LEN];
	struct tally t = {0};
	char a[20], why[200] = "";
	size_t rlen = 0;
	bool final = false;

	ipv4_str(s->addr, a, sizeof(a));
	exchange(s, req, &t, reply, &rlen, why, sizeof(why));
	if (!t.final) {
		if (t.bad_auth || t.bad_ma) {
			*bad_answer = true;
			add_why(out,
			        "RADIUS server %s:%u gave no valid answer: the RADIUS key does not "
			        "match (%u replies failed the Response Authenticator check, %u the "
			        "Message-Authenticator check)",
			        a, s->port, t.bad_auth, t.bad_ma);
		} else if (why[0]) {
			add_why(out, "RADIUS server %s:%u: %s", a, s->port, why);
		} else {
			/* a server drops a request whose Message-Authenticator does not verify
			 * with its key (FreeRADIUS does), so silence may be a wrong key too */
			add_why(out, "RADIUS server %s:%u did not answer (%u tries, %u s each): %s",
			        a, s->port, s->retries + 1, s->timeout_s,
			        t.refused ? "its port is unreachable (is it running?)"
			                  : "it is down, or the RADIUS key does not match");
		}
		return false;
	}
	switch (t.v) {
	case EVS_RADIUS_V_ACCEPT:
		if (evs_radius_reply_pairs(reply, rlen, out, why, sizeof(why)) != 0) {
			/* the server holds the key, so this is its mistake: no access on it */
			out->n_pairs = 0;
			out->outcome = EVS_AAA_REJECT;
			add_why(out, "RADIUS server %s:%u accepted the user, but %s: refused", a,
			        s->port, why);
		} else {
			out->outcome = EVS_AAA_ACCEPT;
			add_why(out, "RADIUS server %s:%u accepted the user", a, s->port);
		}
		final = true;
		break;
	case EVS_RADIUS_V_REJECT:
		out->outcome = EVS_AAA_REJECT;
		add_why(out, "RADIUS server %s:%u rejected the user", a, s->port);
		final = true;
		break;
	default: /* EVS_RADIUS_V_CHALLENGE */
		out->outcome = EVS_AAA_REJECT;
		add_why(out,
		        "RADIUS server %s:%u sent an Access-Challenge, which evs does not answer "
		        "(XAUTH asks one password): refused",
		        a, s->port);
		final = true;
		break;
	}
	mem_wipe(reply, sizeof(reply));
	return final;
}

void evs_radius_query(const struct evs_aaa_req *req, struct evs_aaa_result *out)
{
	bool bad = false;

	memset(out, 0, sizeof(*out));
	out->ticket = req->ticket;
	out->outcome = EVS_AAA_NO_ANSWER;
	if (!req->n_servers) {
		out->outcome = EVS_AAA_FAILED;
		add_why(out, "no RADIUS server is configured");
		return;
	}
	for (size_t i = 0; i < req->n_servers && i < EVS_RADIUS_MAX_SERVERS; i++)
		if (ask_one(&req->servers[i], req, out, &bad))
			return;
	if (bad)
		out->outcome = EVS_AAA_BAD_ANSWER;
}

/* ---- threads ---- */

static void release(struct evs_radius *r)
{
	struct done *d = r->head;

	while (d) {
		struct done *n = d->next;
		free(d);
		d = n;
	}
	if (r->efd >= 0)
		close(r->efd);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct evs_radius *r = j->r;
	struct done *d = calloc(1, sizeof(*d));
	bool last;

	if (d)
		evs_radius_query(&j->req, &d->res);
	crypto_thread_end(); /* before the answer is seen: the owner may exit right after */
	mem_wipe(j, sizeof(*j));
	free(j);
	pthread_mutex_lock(&r->lock);
	if (d && !r->closed) {
		if (r->tail)
			r->tail->next = d;
		else
			r->head = d;
		r->tail = d;
		d = NULL;
		uint64_t one = 1;
		if (write(r->efd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow with at most EVS_RADIUS_MAX_INFLIGHT writers
			 */
		}
	}
	r->running--;
	last = r->closed && r->running == 0;
	pthread_mutex_unlock(&r->lock);
	free(d);
	if (last)
		release(r);
	return NULL;
}

int evs_radius_new(struct evs_radius **out, char *err, size_t errlen)
{
	struct evs_radius *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create an eventfd for RADIUS answers: %s",
		         strerror(e));
		free(r);
		return -e;
	}
	pthread_mutex_init(&r->lock, NULL);
	*out = r;
	return 0;
}

void evs_radius_free(struct evs_radius *r)
{
	bool now;

	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->closed = true;
	now = r->running == 0;
	pthread_mutex_unlock(&r->lock);
	if (now)
		release(r);
}

int evs_radius_fd(const struct evs_radius *r)
{
	return r->efd;
}

int evs_radius_ask(struct evs_radius *r, const struct evs_aaa_req *req)
{
	pthread_attr_t attr;
	pthread_t t;
	struct job *j;
	int rc;

	pthread_mutex_lock(&r->lock);
	if (r->running >= EVS_RADIUS_MAX_INFLIGHT) {
		pthread_mutex_unlock(&r->lock);
		return -EBUSY;
	}
	r->running++;
	pthread_mutex_unlock(&r->lock);
	j = malloc(sizeof(*j));
	if (!j) {
		rc = -ENOMEM;
		goto undo;
	}
	j->r = r;
	j->req = *req;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	rc = -pthread_create(&t, &attr, worker, j);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		return 0;
	mem_wipe(j, sizeof(*j));
	free(j);
undo:
	pthread_mutex_lock(&r->lock);
	r->running--;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

bool evs_radius_next(struct evs_radius *r, struct evs_aaa_result *out)
{
	struct done *d;
	uint64_t n;

	pthread_mutex_lock(&r->lock);
	d = r->head;
	if (d) {
		r->head = d->next;
		if (!r->head)
			r->tail = NULL;
	} else if (read(r->efd, &n, sizeof(n)) < 0) {
		/* EAGAIN: the counter was read already; the queue is what counts */
	}
	pthread_mutex_unlock(&r->lock);
	if (!d)
		return false;
	*out = d->res;
	free(d);
	return true;
}
