/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A RADIUS Framed-IP-Address outside evs's pools is the user's own address, not drawn from a
 * pool, so no pool says whether it is free. Two sessions given the same one (the same user
 * from two places, or two users with one static address in the RADIUS server) must not both
 * be handed it: the second is refused with the reason, and the first keeps its address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ike/driver.h"
#include "server/core/daemon_aaa.h"

#include "evs_net.h"

struct fake {
	struct evs_aaa_req q[8];
	size_t n;
};
static struct fake fake;

static int ask(void *ctx, const struct evs_aaa_req *req)
{
	struct fake *f = ctx;
	assert_true(f->n < 8);
	f->q[f->n++] = *req;
	return 0;
}

/* The sample with RADIUS first (then `local` unless radius_only), save-password in the group. */
static int setup_with(void **state, bool radius_only)
{
	char path[] = "/tmp/evs-radius-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	while (fgets(line, sizeof(line), in)) {
		if (strcmp(line, "aaa authentication login vpn-users local\n") == 0)
			fputs(radius_only
			          ? "aaa authentication login vpn-users group radius\n"
			          : "aaa authentication login vpn-users group radius local\n",
			      out);
		else if (strcmp(line, "aaa authorization network quizware local\n") == 0)
			fputs("aaa authorization network quizware group radius local\n"
			      "radius-server host 127.0.0.1 auth-port 1812 key s3cret\n",
			      out);
		else
			fputs(line, out);
		if (strcmp(line, " acl 101\n") == 0)
			fputs(" save-password\n", out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	int rc = evs_net_setup_conf(state, path);
	unlink(path);
	if (rc == 0) {
		memset(&fake, 0, sizeof(fake));
		evs_daemon_set_aaa(((struct evs_net *)*state)->d, ask, &fake);
	}
	return rc;
}

static int setup(void **state)
{
	return setup_with(state, false);
}

static void answer(struct evs_net *n, size_t i, enum evs_aaa_outcome o,
                   const struct evs_aaa_pair *pairs, size_t n_pairs)
{
	struct evs_aaa_result *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_true(i < fake.n);
	r->ticket = fake.q[i].ticket;
	r->outcome = o;
	snprintf(r->why, sizeof(r->why), "RADIUS server 127.0.0.1:1812 (in memory): %s",
	         evs_aaa_outcome_str(o));
	if (n_pairs)
		memcpy(r->pairs, pairs, n_pairs * sizeof(*pairs));
	r->n_pairs = n_pairs;
	evs_daemon_aaa_done(n->d, r, n->now);
	free(r);
	assert_true(evs_net_pump(n));
}

#define STATIC_ADDR 0x0a4d0005u /* 10.77.0.5: outside the sample's pool 10.98.0.10-100 */

static void accept_with_addr(struct evs_net *n, size_t i, uint32_t addr)
{
	struct evs_aaa_pair p = {.type = 8, .is_num = true, .num = addr}; /* Framed-IP-Address */
	answer(n, i, EVS_AAA_ACCEPT, &p, 1);
}

static void static_address_in_use(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *a = evs_net_client_new(n, "alice", "alice-pw");
	assert_true(evs_net_pump(n));
	accept_with_addr(n, 0, STATIC_ADDR);
	assert_true(a->up);
	assert_int_equal(a->policy.addr, STATIC_ADDR);

	struct evs_cli *b = evs_net_client_new(n, "bob", "bob-pw");
	assert_true(evs_net_pump(n));
	accept_with_addr(n, 1, STATIC_ADDR);
	assert_false(b->up);
	assert_true(b->failed || b->closed);
	assert_int_not_equal(b->policy.addr, STATIC_ADDR);
	assert_non_null(strstr(n->warnings, "Framed-IP-Address 10.77.0.5 is in use"));
	assert_true(a->up);

	/* once alice is gone the address is free again */
	ike_close(a->sa, n->now);
	ike_drive(a->sa, &evs_net_cli_ops, a);
	assert_true(evs_net_pump(n));
	assert_true(a->closed);
	struct evs_cli *c = evs_net_client_new(n, "carol", "carol-pw");
	assert_true(evs_net_pump(n));
	accept_with_addr(n, 2, STATIC_ADDR);
	assert_true(c->up);
	assert_int_equal(c->policy.addr, STATIC_ADDR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(static_address_in_use, setup, evs_net_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
