/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host's firewall from its nftables ruleset: see fwprobe.h. */
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

#include "platform/fwprobe.h"
#include "platform/plat_int.h"
#include "lib/i18n.h"

/* Whether word w stands alone in line (between blanks, or at an end, or before ';'). */
static bool has_word(const char *line, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = strstr(line, w); p; p = strstr(p + 1, w)) {
		bool start = p == line || p[-1] == ' ' || p[-1] == '\t';
		bool end = p[n] == '\0' || p[n] == ' ' || p[n] == ';' || p[n] == '\n';
		if (start && end)
			return true;
	}
	return false;
}

void plat_fw_scan(const char *ruleset, struct plat_fw *out)
{
	char table[48] = "", chain[48] = "", line[512];
	bool input = false;
	int depth = 0;

	memset(out, 0, sizeof(*out));
	for (const char *p = ruleset; p && *p && !out->found;) {
		size_t n = strcspn(p, "\n");
		const char *l;
		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
		         p);
		p += n + (p[n] == '\n');
		for (l = line; *l == ' ' || *l == '\t'; l++)
			;
		if (depth == 0 && strncmp(l, "table ", 6) == 0) {
			/* "table FAMILY NAME {" */
			snprintf(table, sizeof(table), "%.*s", (int)strcspn(l + 6, "{"), l + 6);
			for (size_t e = strlen(table); e && table[e - 1] == ' ';)
				table[--e] = '\0';
			depth = 1;
			continue;
		}
		if (depth == 1 && sscanf(l, "chain %47s", chain) == 1) {
			depth = 2;
			input = false;
			continue;
		}
		if (*l == '}') {
			depth = depth > 0 ? depth - 1 : 0;
			continue;
		}
		if (depth != 2)
			continue;
		if (has_word(l, "hook") && has_word(l, "input"))
			input = has_word(l, "filter") || strstr(l, "type filter");
		if (!input)
			continue;
		if (strstr(l, "policy drop"))
			snprintf(out->what, sizeof(out->what),
			         _("table %.40s, chain %.40s: policy drop"), table, chain);
		else if (!strstr(l, "hook") && (has_word(l, "drop") || has_word(l, "reject")))
			snprintf(out->what, sizeof(out->what),
			         _("table %.40s, chain %.40s: a rule that drops"), table, chain);
		else
			continue;
		size_t e = strlen(out->what);
		while (e && out->what[e - 1] == ' ')
			out->what[--e] = '\0';
		out->found = true;
	}
}

int plat_fw_probe(struct plat_fw *out, char *err, size_t errlen)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!nft)
		return plat_failx(err, errlen, -ENOMEM, _("cannot read the firewall: libnftables"));
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	if (nft_run_cmd_from_buffer(nft, "list ruleset") != 0) {
		const char *e = nft_ctx_get_error_buffer(nft);
		char msg[160];
		snprintf(msg, sizeof(msg), "%s", e && *e ? e : "refused");
		msg[strcspn(msg, "\n")] = '\0';
		rc =
		    plat_failx(err, errlen, -EIO, _("cannot read the firewall: nftables: %s"), msg);
	} else {
		plat_fw_scan(nft_ctx_get_output_buffer(nft), out);
	}
	nft_ctx_free(nft);
	return rc;
}
