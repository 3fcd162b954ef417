/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether this host runs a firewall, for a gateway's `firewall are-u-there` (evc reports it
 * in mode-config): an nftables base chain on the input hook that drops what it does not
 * accept (policy drop), or that has a rule which drops or rejects. Read through libnftables
 * (`list ruleset`), which needs CAP_NET_ADMIN as the rest of evc's host changes do.
 */
#ifndef EVC_PLATFORM_FWPROBE_H
#define EVC_PLATFORM_FWPROBE_H

#include <stdbool.h>
#include <stddef.h>

struct plat_fw {
	bool found;
	char what[128]; /* e.g. "table inet filter, chain input: policy drop" */
};

/* 0 and *out filled, or negative with err (nftables could not be read). */
int plat_fw_probe(struct plat_fw *out, char *err, size_t errlen);
/* The same over the text of `nft list ruleset` (for tests). */
void plat_fw_scan(const char *ruleset, struct plat_fw *out);

#endif
