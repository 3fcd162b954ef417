/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the RADIUS reply attributes evs takes (server/core/aaa_attrs.c): the
 * bytes are a list of attributes, each [flags, type, length, value...] (flags bit 0: Cisco
 * vendor 9, else standard; bit 1: an integer/address value, the first 4 bytes big-endian),
 * read with the bounded reader, in the form evs_radius_reply_pairs hands them over
 * (fuzz_radius reaches that from whole reply datagrams). Every list that parses is laid
 * over a group's policy of a fixed configuration (pools, ACLs looked up).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "server/core/aaa_attrs.h"
#include "server/core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char conf[] = "aaa new-model\n"
                           "aaa authentication login U group radius local\n"
                           "aaa authorization network G group radius\n"
                           "username u secret p\n"
                           "radius-server host 127.0.0.1 key k\n"
                           "ip local pool P 10.0.0.10 10.0.0.20\n"
                           "ip local pool vip 10.1.0.10 10.1.0.20\n"
                           "access-list 150 permit ip 10.50.0.0 0.0.255.255 any\n"
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
                           "crypto map M 10 ipsec-isakmp dynamic D\n"
                           "interface eth0\n"
                           " ip address 198.51.100.1 255.255.255.0\n"
                           " crypto map M\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct evs_config *cfg;
	struct evs_aaa_pair *pairs = calloc(EVS_AAA_MAX_PAIRS, sizeof(*pairs));
	struct rd r = rd_init(data, size);
	struct evs_aaa_attrs a;
	struct evc_policy pol;
	char why[256];
	size_t n = 0;
	uint8_t flags, type, len;

	if (!cfg)
		cfg = evs_config_parse("fuzz.conf", conf, sizeof(conf) - 1, NULL, NULL);
	if (!cfg || !pairs)
		abort();
	while (n < EVS_AAA_MAX_PAIRS && rd_u8(&r, &flags) && rd_u8(&r, &type) && rd_u8(&r, &len)) {
		struct evs_aaa_pair *p = &pairs[n];
		const uint8_t *v;
		if (len > EVS_AAA_VALUE_MAX || !rd_ptr(&r, len, &v))
			break;
		p->vendor = flags & 1 ? EVS_AAA_VENDOR_CISCO : 0;
		p->type = type;
		p->is_num = flags & 2;
		if (p->is_num) {
			struct rd nr = rd_init(v, len);
			if (!rd_u32(&nr, &p->num))
				p->num = 0;
		} else {
			memcpy(p->text, v, len);
			p->text[len] = '\0';
		}
		n++;
	}
	why[0] = '\0';
	if (evs_aaa_attrs_parse(pairs, n, &a, why, sizeof(why)) == 0) {
		int pool = 0;
		if (strlen(a.ignored) >= sizeof(a.ignored) ||
		    strlen(a.split_dns) > EVS_AAA_VALUE_MAX)
			abort();
		evs_config_group_policy(cfg, 0, &pol);
		if (evs_aaa_attrs_apply(&a, cfg, &pol, &pool, why, sizeof(why)) == 0 &&
		    (pool < -1 || pool >= (int)evs_config_n_pools(cfg) ||
		     pol.n_dns > EVC_POLICY_MAX_DNS || pol.n_split_include > EVC_POLICY_MAX_NETS))
			abort();
	} else if (!why[0]) {
		abort(); /* a refusal always says why */
	}
	free(pairs);
	return 0;
}
