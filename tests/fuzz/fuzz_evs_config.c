/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the evs configuration parser: any bytes as an IOS-style file. The seed
 * corpus is server/evs.conf and the configurations in tests/fuzz/evs_config/.
 *
 * Every input is parsed twice: as is, and appended to a small valid configuration. A file is
 * rejected as a whole on any error, so the second run is what lets mutated commands reach the
 * cross-reference checks, the proposal mapping and the run-time state.
 *
 * Besides sanitizer findings it aborts when a promise breaks: every message starts with the
 * file name and holds no control bytes, a rejected file reported at least one error and an
 * accepted one none; an accepted file maps to proposals the engine can use and drives the
 * run-time state (PSK lookup, policy with pool address, AAA, sessions, show) without fault.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/secret.h"
#include "server/core/config.h"
#include "server/core/sessions.h"
#include "server/core/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

#define NAME "fuzz.conf"

struct seen {
	unsigned errors;
};

static void report(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	struct seen *s = ctx;

	CHECK(strncmp(msg, NAME ":", strlen(NAME) + 1) == 0);
	for (const char *q = msg; *q; q++)
		CHECK((unsigned char)*q >= 0x20 && *q != 0x7f);
	if (sev == EVS_CONFIG_ERROR)
		s->errors++;
	(void)line;
}

static void check_proposals(const struct evs_config *c)
{
	struct ike_p1_prop p1[64];
	struct ike_p2_prop p2[64];
	size_t n1 = evs_config_p1(c, p1, 64), n2 = evs_config_p2(c, p2, 64);

	CHECK(n1 >= 1 && n2 >= 1);
	for (size_t i = 0; i < n1 && i < 64; i++) {
		CHECK(p1[i].encr == 5 || p1[i].encr == 7); /* 3DES or AES, never DES */
		CHECK(p1[i].group >= 2);                   /* never MODP-768 */
		CHECK(p1[i].life_s >= 60 && p1[i].life_s <= 86400);
	}
	for (size_t i = 0; i < n2 && i < 64; i++) {
		CHECK(p2[i].auth != 0);
		CHECK(p2[i].life_s >= 120 && p2[i].life_kb >= 2560);
		(void)evs_config_rri(c, p2[i].esp, p2[i].key_bits, p2[i].auth);
	}
}

static void drive_state(const struct evs_config *c)
{
	struct evs_state *st = evs_state_new(c);
	const struct ike_server_ops *ops;
	struct evs_sessions *s;
	struct evc_policy pol;
	char buf[512];

	if (!st)
		return;
	ops = evs_server_ops(st);
	s = evs_state_sessions(st);
	for (size_t g = 0; g < evs_config_n_groups(c) && g < 8; g++) {
		const char *name = evs_config_group_name(c, g);
		struct secret psk = {0};
		uint32_t id;

		if (ops->group_psk(ops->ctx, name, &psk) == 0)
			secret_clear(&psk);
		if (ops->assign_policy(ops->ctx, name, "fuzzuser", &pol) == 0) {
			CHECK(strlen(pol.banner) < sizeof(pol.banner));
			CHECK(pol.n_split_include <= EVC_POLICY_MAX_NETS);
			ops->release_policy(ops->ctx, name, "fuzzuser", &pol);
		}
		if (evs_aaa_check(st, name, "fuzzuser", "pw") == EVS_AAA_OK)
			evs_sessions_add(s, name, "fuzzuser", NULL, NULL, NULL, 0, &id);
	}
	evs_show_session_summary(s, c, buf, sizeof(buf));
	evs_show_session_group(s, c, buf, sizeof(buf));
	evs_state_free(st);
}

static const char base[] = "aaa new-model\n"
                           "aaa authentication login U local\n"
                           "aaa authorization network G local\n"
                           "username u secret p\n"
                           "ip local pool P 10.0.0.10 10.0.0.20\n"
                           "crypto isakmp client configuration group G\n"
                           " key k\n"
                           " pool P\n"
                           "crypto isakmp policy 10\n"
                           " encryption aes 256\n"
                           " authentication pre-share\n"
                           " group 2\n"
                           "crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
                           "crypto dynamic-map D 10\n"
                           " set transform-set T\n"
                           "crypto map M client authentication list U\n"
                           "crypto map M isakmp authorization list G\n"
                           "crypto map M client configuration address respond\n"
                           "crypto map M 65535 ipsec-isakmp dynamic D\n"
                           "interface eth0\n"
                           " ip address 198.51.100.1 255.255.255.0\n"
                           " crypto map M\n";

static void run(const char *text, size_t size)
{
	struct seen seen = {0};
	struct evs_config *c = evs_config_parse(NAME, text, size, report, &seen);
	struct evc_net l[4];

	if (!c) {
		CHECK(seen.errors > 0);
		return;
	}
	CHECK(seen.errors == 0);
	check_proposals(c);
	CHECK(evs_config_listen(c, l, 4) >= 1);
	for (size_t g = 0; g < evs_config_n_groups(c); g++) {
		struct evc_policy pol;

		evs_config_group_policy(c, g, &pol);
	}
	(void)evs_config_check_password(c, "richard", "richard-pw-1");
	drive_state(c);
	evs_config_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *joined;

	run((const char *)data, size);
	if (size > (1u << 20))
		return 0;
	joined = malloc(sizeof(base) - 1 + size);
	if (!joined)
		return 0;
	memcpy(joined, base, sizeof(base) - 1);
	memcpy(joined + sizeof(base) - 1, data, size);
	run(joined, sizeof(base) - 1 + size);
	free(joined);
	return 0;
}
