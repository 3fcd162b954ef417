/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the text a gateway pushes in mode-config that evc parses itself after
 * the engine: the backup servers (profiles/learn.c, written back into the profile), the default
 * and split-dns domains (platform/resolved_plan.c, sent to systemd-resolved) and everything a
 * vpnc-script gets in its environment (platform/script.c, the banner included). The input is
 * cut at its first two NUL bytes into backup servers, split-dns and the rest (domain, then
 * banner after a newline).
 *
 * Besides sanitizer findings it aborts when a promise breaks: at most PROF_MAX_BACKUPS servers,
 * each a host name or IPv4 address, joined by ", "; every domain sent to resolved a DNS name
 * (labels of 1..63 of letters, digits, '-', '_'), split-dns ones routing-only; every variable
 * NAME=VALUE without a line break, but the banner, which holds no control character but
 * newline and tab.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/resolved.h"
#include "platform/script.h"
#include "profiles/learn.h"
#include "profiles/prof_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

/* The next field of data (up to a NUL) into dst, at most cap - 1 bytes. */
static void field(const uint8_t **p, const uint8_t *end, char *dst, size_t cap)
{
	size_t n = 0;
	while (*p < end && **p) {
		if (n + 1 < cap)
			dst[n++] = (char)**p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	dst[n] = '\0';
}

static bool dns_name(const char *d)
{
	size_t label = 0, n = strlen(d);
	if (!strcmp(d, "."))
		return true;
	if (!n || n > 253)
		return false;
	for (; *d; d++) {
		if (*d == '.') {
			if (!label)
				return false;
			label = 0;
		} else if (!(*d == '-' || *d == '_' || (*d >= '0' && *d <= '9') ||
		             (*d >= 'a' && *d <= 'z') || (*d >= 'A' && *d <= 'Z')) ||
		           ++label > 63) {
			return false;
		}
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct evc_policy pol = {.have = EVC_HAVE_BACKUP | EVC_HAVE_SPLIT_DNS | EVC_HAVE_DOMAIN |
	                                 EVC_HAVE_BANNER | EVC_HAVE_NETMASK,
	                         .addr = 0x0a62000a,
	                         .netmask = 0xffffff00,
	                         .n_dns = 1,
	                         .dns = {0x0a630035}};
	char out[PROF_LINE_MAX + 1], rest[sizeof(pol.domain) + sizeof(pol.banner)];

	field(&p, end, pol.backup_servers, sizeof(pol.backup_servers));
	field(&p, end, pol.split_dns, sizeof(pol.split_dns));
	field(&p, end, rest, sizeof(rest));
	char *nl = strchr(rest, '\n');
	if (nl)
		*nl++ = '\0';
	snprintf(pol.domain, sizeof(pol.domain), "%s", rest);
	snprintf(pol.banner, sizeof(pol.banner), "%s", nl ? nl : "");

	/* the backup servers written into the profile */
	size_t n =
	    prof_learn_backups(pol.backup_servers, "vpn.example.com", out, sizeof(out), NULL, NULL);
	CHECK(n <= PROF_MAX_BACKUPS);
	size_t items = 0;
	char copy[sizeof(out)], *save = NULL;
	memcpy(copy, out, sizeof(out));
	for (char *h = strtok_r(copy, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
		if (items)
			CHECK(*h++ == ' ');
		CHECK(prof_host_valid(h));
		items++;
	}
	CHECK(items == n);

	/* what systemd-resolved is told */
	for (int full = 0; full < 2; full++) {
		struct plat_resolved_plan plan;
		plat_resolved_plan(&pol, full, &plan, NULL, NULL);
		CHECK(plan.n_dns == 1 && plan.default_route == full);
		CHECK(plan.n_domains <= PLAT_RESOLVED_MAX_DOMAINS);
		for (size_t i = 0; i < plan.n_domains; i++) {
			CHECK(dns_name(plan.domains[i].name));
			CHECK(i == 0 || plan.domains[i].route_only); /* only the first may search */
		}
	}

	/* a vpnc-script's environment */
	char **env = plat_script_env("connect", &pol, "evc0", 0xc6336401, 1400, 1, NULL, NULL);
	CHECK(env);
	for (char **e = env; *e; e++) {
		const char *eq = strchr(*e, '=');
		CHECK(eq && eq > *e);
		bool banner = !strncmp(*e, "CISCO_BANNER=", 13);
		for (const char *c = eq + 1; *c; c++) {
			unsigned char u = (unsigned char)*c;
			if (banner)
				CHECK(u >= 0x20 || u == '\n' || u == '\t');
			else
				CHECK(u != '\n' && u != '\r');
		}
	}
	plat_script_env_free(env);
	return 0;
}
