/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Regression test for a forged RADIUS Access-Accept (security review, HIGH): with radcli
 * 1.2.11, evs took an Access-Accept whose Response Authenticator was garbage, even from
 * another address or port, so that anyone who could send a datagram to evs's ephemeral port
 * logged in as any RADIUS user. Here a UDP socket of this process stands in for the server
 * and answers each Access-Request as a forger would:
 *   - an Accept with a garbage authenticator, from the server's port and from another port;
 *   - an Accept whose Response Authenticator verifies (as an MD5 collision would make it,
 *     BlastRADIUS) but that has no Message-Authenticator, or a wrong one;
 * none of which may be taken. A forged reply does not cut the wait short either: the real
 * answer after it still counts. Loopback only, ports chosen by the kernel.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/crypto.h"
#include "server/core/radius.h"

#define KEY "the-real-secret"
#define LO 0x7f000001u

enum forge {
	F_GARBAGE,         /* authenticator 0xAA.., from the server's port */
	F_GARBAGE_ELSE,    /* the same from another port */
	F_NO_MA,           /* Response Authenticator right, no Message-Authenticator */
	F_WRONG_MA,        /* Response Authenticator right, Message-Authenticator wrong */
	F_WRONG_ID,        /* a valid reply, but to another ID */
	F_GARBAGE_THEN_OK, /* garbage first, then the real server's valid Accept */
	F_VALID,           /* what the real server sends: for the test's own check */
};

struct stand_in {
	int srv, other;
	uint16_t port;
};

static int bind_lo(uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(LO)};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	if (port)
		*port = ntohs(sa.sin_port);
	return fd;
}

static int setup(void **state)
{
	static struct stand_in s;
	s.srv = bind_lo(&s.port);
	s.other = bind_lo(NULL);
	*state = &s;
	return 0;
}

static int teardown(void **state)
{
	struct stand_in *s = *state;
	close(s->srv);
	close(s->other);
	return 0;
}

/*
 * An Access-Accept with Framed-IP-Address 10.66.0.9 to the request req: with a
 * Message-Authenticator when ma (wrong when bad_ma), and a Response Authenticator made with
 * the key unless garbage.
 */
static size_t reply(uint8_t *out, const uint8_t *req, uint8_t id, bool ma, bool bad_ma,
                    bool garbage)
{
	static const uint8_t framed[] = {8, 6, 10, 66, 0, 9};
	size_t len = 20;
	uint8_t md[HASH_MAX_LEN];

	out[0] = 2;
	out[1] = id;
	memcpy(out + 4, req + 4, 16); /* the Request Authenticator, for the MACs */
	if (ma) {
		out[len] = 80;
		out[len + 1] = 18;
		memset(out + len + 2, 0, 16);
		len += 18;
	}
	memcpy(out + len, framed, sizeof(framed));
	len += sizeof(framed);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	if (ma) {
		struct crypto_iov v = {out, len};
		assert_int_equal(
		    crypto_prf_v(HASH_MD5, (const uint8_t *)KEY, strlen(KEY), &v, 1, md), 0);
		memcpy(out + 22, md, 16);
		if (bad_ma)
			out[22] ^= 1;
	}
	if (garbage) {
		memset(out + 4, 0xAA, 16);
	} else {
		struct crypto_iov v[2] = {{out, len}, {KEY, strlen(KEY)}};
		assert_int_equal(crypto_hash_v(HASH_MD5, v, 2, md), 0);
		memcpy(out + 4, md, 16);
	}
	return len;
}

/* Asks one question of the stand-in, answers it as mode says, and returns the result. */
static void ask(struct stand_in *s, enum forge mode, bool ma_optional, struct evs_aaa_result *res)
{
	struct evs_radius *r;
	struct evs_aaa_req q = {.ticket = 9, .nas_addr = LO, .peer_addr = 0xcb007102u};
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	uint8_t req[4096], rep[256];
	char err[128];
	ssize_t n;
	size_t rl;
	struct pollfd p = {s->srv, POLLIN, 0};

	q.n_servers = 1;
	q.servers[0].addr = LO;
	q.servers[0].port = s->port;
	snprintf(q.servers[0].key, sizeof(q.servers[0].key), "%s", KEY);
	q.servers[0].timeout_s = 1;
	q.servers[0].retries = 0;
	q.servers[0].ma_optional = ma_optional;
	snprintf(q.user, sizeof(q.user), "victim");
	snprintf(q.password, sizeof(q.password), "anything");
	assert_int_equal(evs_radius_new(&r, err, sizeof(err)), 0);
	assert_int_equal(evs_radius_ask(r, &q), 0);
	assert_int_equal(poll(&p, 1, 5000), 1);
	n = recvfrom(s->srv, req, sizeof(req), 0, (struct sockaddr *)&from, &fl);
	assert_true(n >= 20 && req[0] == 1);
	switch (mode) {
	case F_GARBAGE:
	case F_GARBAGE_ELSE:
		rl = reply(rep, req, req[1], false, false, true);
		break;
	case F_NO_MA:
		rl = reply(rep, req, req[1], false, false, false);
		break;
	case F_WRONG_MA:
		rl = reply(rep, req, req[1], true, true, false);
		break;
	case F_WRONG_ID:
		rl = reply(rep, req, (uint8_t)(req[1] + 1), true, false, false);
		break;
	case F_GARBAGE_THEN_OK:
		rl = reply(rep, req, req[1], true, false, true);
		break;
	default:
		rl = reply(rep, req, req[1], true, false, false);
		break;
	}
	assert_int_equal(sendto(mode == F_GARBAGE_ELSE ? s->other : s->srv, rep, rl, 0,
	                        (struct sockaddr *)&from, fl),
	                 (ssize_t)rl);
	if (mode == F_GARBAGE_THEN_OK) {
		rl = reply(rep, req, req[1], true, false, false);
		assert_int_equal(sendto(s->srv, rep, rl, 0, (struct sockaddr *)&from, fl),
		                 (ssize_t)rl);
	}
	p.fd = evs_radius_fd(r);
	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_true(evs_radius_next(r, res));
	evs_radius_free(r);
}

static void expect(void **state, enum forge mode, bool ma_optional, enum evs_aaa_outcome want,
                   const char *why)
{
	struct evs_aaa_result res;

	ask(*state, mode, ma_optional, &res);
	if (res.outcome != want || (why && !strstr(res.why, why)))
		fail_msg("forgery %d: %s (%s), %zu attributes; wanted %s", (int)mode,
		         evs_aaa_outcome_str(res.outcome), res.why, res.n_pairs,
		         evs_aaa_outcome_str(want));
	if (want != EVS_AAA_ACCEPT)
		assert_int_equal(res.n_pairs, 0);
}

static void garbage_authenticator(void **state)
{
	expect(state, F_GARBAGE, false, EVS_AAA_BAD_ANSWER, "the RADIUS key does not match");
}

static void garbage_from_another_port(void **state)
{
	/* the socket is connect()ed: the kernel drops it, evs hears nothing */
	expect(state, F_GARBAGE_ELSE, false, EVS_AAA_NO_ANSWER, "did not answer");
}

static void no_message_authenticator(void **state)
{
	expect(state, F_NO_MA, false, EVS_AAA_BAD_ANSWER, "1 the Message-Authenticator check");
	/* `radius-server message-authenticator optional` takes it (with a load-time warning) */
	expect(state, F_NO_MA, true, EVS_AAA_ACCEPT, "accepted");
}

static void wrong_message_authenticator(void **state)
{
	expect(state, F_WRONG_MA, false, EVS_AAA_BAD_ANSWER, "1 the Message-Authenticator check");
	expect(state, F_WRONG_MA, true, EVS_AAA_BAD_ANSWER, "1 the Message-Authenticator check");
}

static void wrong_id_ignored(void **state)
{
	expect(state, F_WRONG_ID, false, EVS_AAA_NO_ANSWER, "did not answer");
}

static void forgery_does_not_cut_the_wait(void **state)
{
	struct evs_aaa_result res;

	ask(*state, F_GARBAGE_THEN_OK, false, &res);
	if (res.outcome != EVS_AAA_ACCEPT)
		fail_msg("%s (%s)", evs_aaa_outcome_str(res.outcome), res.why);
	assert_int_equal(res.n_pairs, 1);
	assert_int_equal(res.pairs[0].type, 8);
	assert_int_equal(res.pairs[0].num, 0x0a420009u);
	expect(state, F_VALID, false, EVS_AAA_ACCEPT, "accepted the user");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(garbage_authenticator),
	    cmocka_unit_test(garbage_from_another_port),
	    cmocka_unit_test(no_message_authenticator),
	    cmocka_unit_test(wrong_message_authenticator),
	    cmocka_unit_test(wrong_id_ignored),
	    cmocka_unit_test(forgery_does_not_cut_the_wait),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
