/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Client mode with a LAN behind the host (PAT): the LAN's connections into the tunnel leave
 * with the one assigned address, and the tunnel cannot open connections to the LAN. The
 * rules live in an nftables table of evc's own, "evc_<tun>", replaced as a whole in one
 * atomic batch and deleted as a whole, so no other table or rule is ever touched.
 *
 * libnftables is nftables' own library (what `nft` itself runs on, Debian libnftables-dev):
 * it takes the ruleset in nft's syntax and commits it as one netlink transaction, without a
 * process to spawn and with the kernel's errors as text; libnftnl alone would mean building
 * every expression by hand.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "platform/plat_int.h"
#include "lib/ipv4.h"
#include "lib/i18n.h"

int plat_pat_add(struct plat_journal *j, const char *ifname, uint32_t addr,
                 const struct evc_net *lan, size_t n, char *err, size_t errlen)
{
	/* each network at most "255.255.255.255/32, ": 20 characters */
	char table[64], a[16], set[EVC_POLICY_MAX_NETS * 20 + 1], cmd[3 * sizeof(set) + 1024];
	size_t used = 0;
	int rc;

	if (!n)
		return 0;
	if (plat_pat_table(table, sizeof(table), ifname) != 0)
		return plat_failx(err, errlen, -EINVAL,
		                  _("interface name %s does not fit a table name"), ifname);
	for (size_t i = 0; i < n && i < EVC_POLICY_MAX_NETS; i++) {
		char b[16];
		used += (size_t)snprintf(set + used, sizeof(set) - used, "%s%s/%d", i ? ", " : "",
		                         ipv4_str(lan[i].addr, b, sizeof(b)),
		                         __builtin_popcount(lan[i].mask));
	}
	ipv4_str(addr, a, sizeof(a));
	/* replaced as a whole: "add" then "delete" clears a table left by an earlier run */
	int len =
	    snprintf(cmd, sizeof(cmd),
	             "add table ip %1$s\n"
	             "delete table ip %1$s\n"
	             "table ip %1$s {\n"
	             " chain postrouting {\n"
	             "  type nat hook postrouting priority srcnat; policy accept;\n"
	             "  oifname \"%2$s\" ip saddr { %3$s } snat to %4$s\n"
	             " }\n"
	             " chain forward {\n"
	             "  type filter hook forward priority filter; policy accept;\n"
	             "  iifname \"%2$s\" ip daddr { %3$s } ct state established,related accept\n"
	             "  iifname \"%2$s\" ip daddr { %3$s } drop\n"
	             " }\n"
	             "}\n",
	             table, ifname, set, a);
	if (len < 0 || (size_t)len >= sizeof(cmd))
		return plat_failx(err, errlen, -E2BIG, _("too many LAN networks to translate"));
	struct plat_jentry e = {.type = PJ_NFT, .path = table};
	rc = plat_journal_record(j, &e, err, errlen);
	if (rc < 0)
		return rc;
	rc = plat_nft_run(cmd, "set up address translation for the LAN", err, errlen);
	if (rc < 0)
		plat_journal_forget(j, plat_journal_count(j) - 1, NULL, 0);
	return rc;
}
