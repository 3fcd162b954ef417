/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RADIUS questions through radcli in threads of their own: see radius.h. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <radcli/radcli.h>

#include "lib/ipv4.h"
#include "lib/secret.h"
#include "server/core/radius.h"

/* The attributes evs sends and reads; radcli drops the ones its dictionary lacks. */
static const char dictionary[] = "ATTRIBUTE User-Name 1 string\n"
                                 "ATTRIBUTE User-Password 2 string\n"
                                 "ATTRIBUTE NAS-IP-Address 4 ipaddr\n"
                                 "ATTRIBUTE NAS-Port 5 integer\n"
                                 "ATTRIBUTE Service-Type 6 integer\n"
                                 "ATTRIBUTE Framed-IP-Address 8 ipaddr\n"
                                 "ATTRIBUTE Framed-IP-Netmask 9 ipaddr\n"
                                 "ATTRIBUTE Reply-Message 18 string\n"
                                 "ATTRIBUTE Class 25 string\n"
                                 "ATTRIBUTE Session-Timeout 27 integer\n"
                                 "ATTRIBUTE Calling-Station-Id 31 string\n"
                                 "ATTRIBUTE NAS-Identifier 32 string\n"
                                 "ATTRIBUTE NAS-Port-Type 61 integer\n"
                                 "VENDOR Cisco 9\n"
                                 "ATTRIBUTE Cisco-AVPair 1 string Cisco\n";

#define SERVICE_TYPE_LOGIN 1
#define NAS_PORT_TYPE_VIRTUAL 5

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
		return "answers that do not verify with the key";
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

/* radcli finds a server's key only among its configured authservers ("ADDR:PORT:KEY"). */
static rc_handle *handle_for(const struct evs_radius_server *s, const char *addr)
{
	char v[32], srv[EVS_RADIUS_KEY_MAX + 40];
	rc_handle *rh = rc_new();
	int rc;

	if (!rh)
		return NULL;
	if (!rc_config_init(rh))
		return NULL; /* rc_config_init frees rh on failure */
	snprintf(v, sizeof(v), "%u", s->timeout_s);
	if (rc_add_config(rh, "radius_timeout", v, "evs", 0) != 0)
		goto fail;
	snprintf(v, sizeof(v), "%u", s->retries);
	if (rc_add_config(rh, "radius_retries", v, "evs", 0) != 0)
		goto fail;
	if (rc_add_config(rh, "radius_deadtime", "0", "evs", 0) != 0)
		goto fail;
	snprintf(srv, sizeof(srv), "%s:%u:%s", addr, s->port, s->key);
	rc = rc_add_config(rh, "authserver", srv, "evs", 0);
	mem_wipe(srv, sizeof(srv));
	if (rc != 0)
		goto fail;
	if (rc_apply_config(rh) != 0)
		goto fail;
	if (rc_read_dictionary_from_buffer(rh, dictionary, sizeof(dictionary) - 1) != 0)
		goto fail;
	return rh;
fail:
	rc_destroy(rh);
	return NULL;
}

static bool add_pairs(rc_handle *rh, VALUE_PAIR **send, const struct evs_aaa_req *req)
{
	char calling[20];
	uint32_t svc = SERVICE_TYPE_LOGIN, port_type = NAS_PORT_TYPE_VIRTUAL;
	uint32_t nas = req->nas_addr;

	ipv4_str(req->peer_addr, calling, sizeof(calling));
	return rc_avpair_add(rh, send, PW_USER_NAME, req->user, -1, 0) &&
	       rc_avpair_add(rh, send, PW_USER_PASSWORD, req->password, -1, 0) &&
	       rc_avpair_add(rh, send, PW_SERVICE_TYPE, &svc, -1, 0) &&
	       rc_avpair_add(rh, send, PW_NAS_PORT_TYPE, &port_type, -1, 0) &&
	       rc_avpair_add(rh, send, PW_CALLING_STATION_ID, calling, -1, 0) &&
	       (!nas || rc_avpair_add(rh, send, PW_NAS_IP_ADDRESS, &nas, -1, 0));
}

static void take_pairs(VALUE_PAIR *vp, struct evs_aaa_result *out)
{
	for (; vp && out->n_pairs < EVS_AAA_MAX_PAIRS; vp = rc_avpair_next(vp)) {
		struct evs_aaa_pair *p = &out->pairs[out->n_pairs];
		unsigned type, id;
		rc_avpair_get_attr(vp, &type, &id);
		memset(p, 0, sizeof(*p));
		p->vendor = VENDOR(id);
		p->type = ATTRID(id);
		if (type == PW_TYPE_STRING) {
			char *raw;
			unsigned len;
			if (rc_avpair_get_raw(vp, &raw, &len) != 0)
				continue;
			if (len > EVS_AAA_VALUE_MAX)
				len = EVS_AAA_VALUE_MAX;
			memcpy(p->text, raw, len);
			p->text[len] = '\0';
		} else if (type == PW_TYPE_INTEGER || type == PW_TYPE_IPADDR) {
			if (rc_avpair_get_uint32(vp, &p->num) != 0)
				continue;
			p->is_num = true;
		} else {
			continue;
		}
		out->n_pairs++;
	}
}

/* One server: true when it gave a final answer (accept or reject). */
static bool ask_one(const struct evs_radius_server *s, const struct evs_aaa_req *req,
                    struct evs_aaa_result *out, bool *bad_answer)
{
	char a[20], msg[PW_MAX_MSG_SIZE];
	SERVER srv = {0};
	VALUE_PAIR *send = NULL, *recv = NULL;
	rc_handle *rh;
	bool final = false;
	int rc;

	ipv4_str(s->addr, a, sizeof(a));
	rh = handle_for(s, a);
	if (!rh) {
		add_why(out, "RADIUS server %s:%u: radcli could not be set up", a, s->port);
		return false;
	}
	if (!add_pairs(rh, &send, req)) {
		add_why(out, "RADIUS server %s:%u: radcli could not build the request", a, s->port);
		goto out;
	}
	srv.max = 1;
	srv.name[0] = a;
	srv.port[0] = s->port;
	srv.secret[0] = (char *)s->key;
	msg[0] = '\0';
	rc = rc_aaa_ctx_server(rh, NULL, &srv, AUTH, 0, send, &recv, msg, 0, PW_ACCESS_REQUEST);
	switch (rc) {
	case OK_RC:
		out->outcome = EVS_AAA_ACCEPT;
		take_pairs(recv, out);
		add_why(out, "RADIUS server %s:%u accepted the user", a, s->port);
		final = true;
		break;
	case REJECT_RC:
		out->outcome = EVS_AAA_REJECT;
		/* radcli 1.2.11 does not verify the Response Authenticator, so a server that has
		 * another key (and so reads a garbled password) shows up here too */
		add_why(out,
		        "RADIUS server %s:%u rejected the user (a wrong key looks the same: if "
		        "every user is rejected, compare the key with the server's)",
		        a, s->port);
		final = true;
		break;
	case TIMEOUT_RC:
		add_why(out, "RADIUS server %s:%u did not answer (%u tries, %u s each)", a, s->port,
		        s->retries + 1, s->timeout_s);
		break;
	case BADRESP_RC:
	case BADRESPID_RC:
		*bad_answer = true;
		add_why(out,
		        "RADIUS server %s:%u answered but its answer does not verify with the key "
		        "(is the key the server's?)",
		        a, s->port);
		break;
	default:
		add_why(out, "RADIUS server %s:%u: the request failed (radcli error %d)", a,
		        s->port, rc);
		break;
	}
out:
	mem_wipe(msg, sizeof(msg));
	rc_avpair_free(send); /* it holds the password in clear: radcli frees, it cannot wipe */
	rc_avpair_free(recv);
	rc_destroy(rh);
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
