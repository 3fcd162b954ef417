/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nftables side of PAT: the names of evc's own tables, running a ruleset through
 * libnftables, and deleting a table (for the journal's undo and crash recovery, which must
 * never touch a table that is not evc's).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "platform/plat_int.h"
#include "lib/i18n.h"

#define PAT_PREFIX "evc_"

int plat_pat_table(char *buf, size_t len, const char *ifname)
{
	if (!ifname[0])
		return -EINVAL;
	for (const char *c = ifname; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_'))
			return -EINVAL;
	int n = snprintf(buf, len, PAT_PREFIX "%s", ifname);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A table name this module made: journal entries from a state file are held to it. */
bool plat_pat_table_ok(const char *name)
{
	char buf[64];
	return strncmp(name, PAT_PREFIX, strlen(PAT_PREFIX)) == 0 &&
	       plat_pat_table(buf, sizeof(buf), name + strlen(PAT_PREFIX)) == 0;
}

int plat_nft_run(const char *cmd, const char *what, char *err, size_t errlen)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc = 0;
	if (!nft)
		return plat_failx(err, errlen, -ENOMEM, _("cannot %s: libnftables"), what);
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	if (nft_run_cmd_from_buffer(nft, cmd) != 0) {
		char msg[200];
		const char *e = nft_ctx_get_error_buffer(nft);
		snprintf(msg, sizeof(msg), "%s", e && *e ? e : "refused");
		msg[strcspn(msg, "\n")] = '\0';
		rc = plat_failx(err, errlen, -EIO, _("cannot %s: nftables: %s"), what, msg);
	}
	nft_ctx_free(nft);
	return rc;
}

int plat_pat_delete(const char *table, char *err, size_t errlen)
{
	char cmd[160];
	if (!plat_pat_table_ok(table))
		return plat_failx(err, errlen, -EINVAL, _("'%s' is not a table of evc's"), table);
	/* "add" first makes the delete succeed when the table is already gone */
	snprintf(cmd, sizeof(cmd), "add table ip %s\ndelete table ip %s\n", table, table);
	return plat_nft_run(cmd, "remove the address translation", err, errlen);
}
