/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal of host changes and its state file.
 *
 * State file, one change per line after a header, oldest first; strings are %XX-escaped so
 * that no field contains a space or a newline:
 *   evc-platform-journal 1
 *   link   IFNAME IFINDEX OLD_MTU OLD_UP
 *   addr   IFNAME IFINDEX ADDR PLEN
 *   route  IFNAME IFINDEX DST PLEN GATEWAY TABLE PROTOCOL METRIC
 *   file   PATH absent|regular|symlink MODE UID GID BACKUP_OR_TARGET
 *   sysctl PATH OLD_VALUE
 *   script PATH ENVIRONMENT (connect's, one NAME=VALUE per line; script.h)
 *   resolved IFNAME IFINDEX (systemd-resolved holds the link's DNS; resolved.h)
 */
#include "platform/plat_int.h"
#include "platform/trust.h"
#include "lib/ipv4.h"
#include "lib/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAGIC "evc-platform-journal 1"
#define STATE_MAX (16u << 20)

struct plat_journal {
	char *path;
	struct plat_jentry *e;
	size_t n, cap;
};

static void entry_clear(struct plat_jentry *e)
{
	free(e->path);
	free(e->aux);
	e->path = NULL;
	e->aux = NULL;
}

int plat_state_path_default(char *buf, size_t len, const char *ifname)
{
	int n = snprintf(buf, len, "%s/%s.state", PLAT_STATE_DIR, ifname);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

const char *plat_journal_state_path(const struct plat_journal *j)
{
	return j->path;
}

size_t plat_journal_count(const struct plat_journal *j)
{
	return j ? j->n : 0;
}

static void put_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c >= 0x7f || c == '%')
			fprintf(f, "%%%02X", c);
		else
			fputc(c, f);
	}
}

static void put_ip(FILE *f, uint32_t a)
{
	char ip[16];

	fprintf(f, " %s", ipv4_str(a, ip, sizeof(ip)));
}

static const char *const kind_names[] = {"absent", "regular", "symlink"};

static void put_entry(FILE *f, const struct plat_jentry *e)
{
	switch (e->type) {
	case PJ_LINK:
		fputs("link ", f);
		put_str(f, e->ifname);
		fprintf(f, " %d %u %d\n", e->ifindex, e->mtu, e->up ? 1 : 0);
		break;
	case PJ_ADDR:
		fputs("addr ", f);
		put_str(f, e->ifname);
		fprintf(f, " %d", e->ifindex);
		put_ip(f, e->addr);
		fprintf(f, " %u\n", e->plen);
		break;
	case PJ_ROUTE:
		fputs("route ", f);
		put_str(f, e->ifname);
		fprintf(f, " %d", e->ifindex);
		put_ip(f, e->rt.dst);
		fprintf(f, " %u", e->rt.prefixlen);
		put_ip(f, e->rt.gateway);
		fprintf(f, " %u %u %u\n", e->rt.table, e->rt.protocol, e->rt.metric);
		break;
	case PJ_FILE:
		fputs("file ", f);
		put_str(f, e->path);
		fprintf(f, " %s %o %u %u ", kind_names[e->kind], e->mode, e->uid, e->gid);
		put_str(f, e->kind == PF_ABSENT ? "-" : e->aux);
		fputc('\n', f);
		break;
	case PJ_NFT:
		fputs("nft ", f);
		put_str(f, e->path);
		fputc('\n', f);
		break;
	case PJ_SYSCTL:
		fputs("sysctl ", f);
		put_str(f, e->path);
		fputc(' ', f);
		put_str(f, e->aux);
		fputc('\n', f);
		break;
	case PJ_RESOLVED:
		fputs("resolved ", f);
		put_str(f, e->ifname);
		fprintf(f, " %d\n", e->ifindex);
		break;
	case PJ_SCRIPT:
		fputs("script ", f);
		put_str(f, e->path);
		fputc(' ', f);
		put_str(f, e->aux);
		fputc('\n', f);
		break;
	}
}

static int state_write(const struct plat_journal *j, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	f = open_memstream(&buf, &len);
	if (!f)
		return plat_fail(err, errlen, -ENOMEM, _("cannot write state file %s"), j->path);
	fputs(STATE_MAGIC "\n", f);
	for (size_t i = 0; i < j->n; i++)
		put_entry(f, &j->e[i]);
	if (fclose(f) != 0) {
		free(buf);
		return plat_fail(err, errlen, -ENOMEM, _("cannot write state file %s"), j->path);
	}
	rc = plat_file_replace(j->path, buf, len, 0600, geteuid(), getegid(), err, errlen);
	free(buf);
	return rc;
}

static int path_ok(const char *path)
{
	return path && path[0] == '/' && strlen(path) < 4000;
}

int plat_journal_new(struct plat_journal **out, const char *state_path, char *err, size_t errlen)
{
	struct plat_journal *j = NULL;
	char *dir = NULL;
	int fd, rc;

	*out = NULL;
	if (!path_ok(state_path))
		return plat_failx(err, errlen, -EINVAL,
		                  _("state file path \"%s\" must be absolute"),
		                  state_path ? state_path : "");
	dir = strdup(state_path);
	j = calloc(1, sizeof(*j));
	if (!dir || !j || !(j->path = strdup(state_path))) {
		rc = plat_fail(err, errlen, -ENOMEM, _("cannot start a journal"));
		goto out;
	}
	if (mkdir(dirname(dir), 0700) < 0 && errno != EEXIST) {
		rc = plat_fail(err, errlen, -errno, _("cannot create directory %s"), dir);
		goto out;
	}
	/* root must not keep its undo list where another user can edit it */
	rc = plat_path_trusted(state_path, _("state file"), true, err, errlen);
	if (rc < 0)
		goto out;
	/* O_EXCL: a leftover file means changes of a dead session are still on the host. */
	fd = open(state_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EEXIST)
			plat_fail(err, errlen, 0,
			          _("state file %s exists: an earlier session did not undo its "
			            "changes; recover them first"),
			          state_path);
		else
			plat_fail(err, errlen, rc, _("cannot create state file %s"), state_path);
		goto out;
	}
	close(fd);
	rc = state_write(j, err, errlen);
	if (rc < 0) {
		unlink(state_path);
		goto out;
	}
	*out = j;
	j = NULL;
out:
	free(dir);
	if (j) {
		free(j->path);
		free(j);
	}
	return rc;
}

void plat_journal_free(struct plat_journal *j)
{
	if (!j)
		return;
	if (j->n == 0)
		unlink(j->path);
	for (size_t i = 0; i < j->n; i++)
		entry_clear(&j->e[i]);
	free(j->e);
	free(j->path);
	free(j);
}

static int append(struct plat_journal *j, const struct plat_jentry *src)
{
	struct plat_jentry *e;

	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 16;

		e = realloc(j->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		j->e = e;
		j->cap = cap;
	}
	e = &j->e[j->n];
	*e = *src;
	e->path = NULL;
	e->aux = NULL;
	if ((src->path && !(e->path = strdup(src->path))) ||
	    (src->aux && !(e->aux = strdup(src->aux)))) {
		entry_clear(e);
		return -ENOMEM;
	}
	j->n++;
	return 0;
}

static void remove_at(struct plat_journal *j, size_t i)
{
	entry_clear(&j->e[i]);
	memmove(&j->e[i], &j->e[i + 1], (j->n - i - 1) * sizeof(j->e[0]));
	j->n--;
}

int plat_journal_record(struct plat_journal *j, const struct plat_jentry *e, char *err,
                        size_t errlen)
{
	int rc;

	rc = append(j, e);
	if (rc < 0)
		return plat_fail(err, errlen, rc, _("cannot record a change in the journal"));
	rc = state_write(j, err, errlen);
	if (rc < 0)
		remove_at(j, j->n - 1);
	return rc;
}

int plat_journal_forget(struct plat_journal *j, size_t i, char *err, size_t errlen)
{
	if (i >= j->n)
		return -EINVAL;
	remove_at(j, i);
	return state_write(j, err, errlen);
}

long plat_journal_find_route(const struct plat_journal *j, const char *ifname, uint32_t dst,
                             unsigned plen)
{
	for (size_t i = j->n; i > 0; i--) {
		const struct plat_jentry *e = &j->e[i - 1];

		if (e->type == PJ_ROUTE && !strcmp(e->ifname, ifname) && e->rt.dst == dst &&
		    e->rt.prefixlen == plen)
			return (long)(i - 1);
	}
	return -1;
}

/*
 * The device a change was made on, if it is still the same one. A device that is gone, or
 * whose name now belongs to a new device, took the change with it.
 */
static int same_device(struct plat_nl *nl, const struct plat_jentry *e, int *ifindex)
{
	int rc, idx;

	rc = plat_link_index(nl, e->ifname, &idx, NULL, 0);
	if (rc == -ENODEV)
		return 0;
	if (rc < 0)
		return rc;
	if (idx != e->ifindex)
		return 0;
	*ifindex = idx;
	return 1;
}

static int revert(struct plat_nl **nl, const struct plat_jentry *e, char *err, size_t errlen)
{
	struct plat_route rt;
	int rc, idx = 0;

	if (e->type == PJ_FILE)
		return plat_file_restore(e, err, errlen);
	if (e->type == PJ_SYSCTL)
		return plat_sysctl_write(e->path, e->aux, err, errlen);
	if (e->type == PJ_NFT)
		return plat_pat_delete(e->path, err, errlen);
	if (e->type == PJ_SCRIPT)
		return plat_script_revert(e, err, errlen);
	if (e->type == PJ_RESOLVED)
		return plat_resolved_undo(e, err, errlen);
	if (!*nl) {
		rc = plat_nl_new(nl, err, errlen);
		if (rc < 0)
			return rc;
	}
	rc = same_device(*nl, e, &idx);
	if (rc == 0)
		return 0;
	if (rc < 0)
		return plat_fail(err, errlen, rc, _("cannot find interface %s"), e->ifname);
	switch (e->type) {
	case PJ_LINK:
		rc = plat_link_set(*nl, idx, e->mtu, e->up, err, errlen);
		return rc == -ENODEV ? 0 : rc;
	case PJ_ADDR:
		rc = plat_addr_del(*nl, idx, e->addr, e->plen, err, errlen);
		return rc == -EADDRNOTAVAIL || rc == -ENODEV ? 0 : rc;
	case PJ_ROUTE:
		rt = e->rt;
		rt.ifindex = idx;
		rc = plat_route_del(*nl, &rt, err, errlen);
		return rc == -ESRCH || rc == -ENODEV ? 0 : rc;
	default:
		return plat_failx(err, errlen, -EINVAL, _("unknown journal entry"));
	}
}

int plat_journal_undo_to(struct plat_journal *j, size_t mark, char *err, size_t errlen)
{
	struct plat_nl *nl = NULL;
	size_t failed = 0;
	char msg[512];
	int first = 0, rc;

	for (size_t i = j->n; i > mark; i--) {
		rc = revert(&nl, &j->e[i - 1], msg, sizeof(msg));
		if (rc == 0) {
			remove_at(j, i - 1);
			continue;
		}
		if (!first) {
			first = rc;
			if (err && errlen)
				snprintf(err, errlen, "%s", msg);
		}
		failed++;
	}
	plat_nl_free(nl);
	rc = state_write(j, first ? NULL : err, errlen);
	if (first) {
		if (failed > 1 && err && errlen) {
			size_t used = strlen(err);

			snprintf(err + used, errlen - used,
			         _("; %zu changes in all could not be undone, still listed in %s"),
			         failed, j->path);
		}
		return first;
	}
	return rc;
}

int plat_journal_undo(struct plat_journal *j, char *err, size_t errlen)
{
	int rc;

	if (!j)
		return 0;
	rc = plat_journal_undo_to(j, 0, err, errlen);
	if (rc == 0 && j->n == 0 && unlink(j->path) < 0 && errno != ENOENT)
		return plat_fail(err, errlen, -errno, _("cannot remove state file %s"), j->path);
	return rc;
}

/* Decodes %XX in place; rejects a truncated escape. */
static int unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '%') {
			unsigned v;

			if (!s[1] || !s[2] || sscanf(s + 1, "%2x", &v) != 1)
				return -1;
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return 0;
}

static int get_uint(const char *tok, int base, unsigned long max, unsigned *v)
{
	unsigned long x;
	char *end;

	if (!tok || !*tok || *tok == '-')
		return -1;
	errno = 0;
	x = strtoul(tok, &end, base);
	if (errno || *end || x > max)
		return -1;
	*v = (unsigned)x;
	return 0;
}

static int get_ip(const char *tok, uint32_t *v)
{
	struct in_addr a;

	if (!tok || inet_pton(AF_INET, tok, &a) != 1)
		return -1;
	*v = ntohl(a.s_addr);
	return 0;
}

static int get_ifname(const char *tok, char *out)
{
	char buf[64];

	if (!tok || strlen(tok) >= sizeof(buf))
		return -1;
	strcpy(buf, tok);
	if (unescape(buf) < 0 || !buf[0] || strlen(buf) >= IF_NAMESIZE)
		return -1;
	strcpy(out, buf);
	return 0;
}

static int parse_line(char *line, struct plat_jentry *e)
{
	char *tok[10] = {0}, *save = NULL;
	unsigned n = 0, v[4];
	unsigned i;

	memset(e, 0, sizeof(*e));
	for (char *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == 10)
			return -1;
		tok[n++] = t;
	}
	if (n == 0)
		return -1;
	if (!strcmp(tok[0], "link") && n == 5) {
		e->type = PJ_LINK;
		if (get_ifname(tok[1], e->ifname) || get_uint(tok[2], 10, 0x7fffffff, &v[0]) ||
		    get_uint(tok[3], 10, 0xffffffff, &e->mtu) || get_uint(tok[4], 10, 1, &v[1]))
			return -1;
		e->ifindex = (int)v[0];
		e->up = v[1];
		return 0;
	}
	if (!strcmp(tok[0], "addr") && n == 5) {
		e->type = PJ_ADDR;
		if (get_ifname(tok[1], e->ifname) || get_uint(tok[2], 10, 0x7fffffff, &v[0]) ||
		    get_ip(tok[3], &e->addr) || get_uint(tok[4], 10, 32, &e->plen))
			return -1;
		e->ifindex = (int)v[0];
		return 0;
	}
	if (!strcmp(tok[0], "route") && n == 9) {
		e->type = PJ_ROUTE;
		if (get_ifname(tok[1], e->ifname) || get_uint(tok[2], 10, 0x7fffffff, &v[0]) ||
		    get_ip(tok[3], &e->rt.dst) || get_uint(tok[4], 10, 32, &v[1]) ||
		    get_ip(tok[5], &e->rt.gateway) ||
		    get_uint(tok[6], 10, 0xffffffff, &e->rt.table) ||
		    get_uint(tok[7], 10, 255, &v[2]) || get_uint(tok[8], 10, 0xffffffff, &v[3]))
			return -1;
		e->ifindex = (int)v[0];
		e->rt.ifindex = e->ifindex;
		e->rt.prefixlen = (uint8_t)v[1];
		e->rt.protocol = (uint8_t)v[2];
		e->rt.metric = v[3];
		return 0;
	}
	if (!strcmp(tok[0], "file") && n == 7) {
		e->type = PJ_FILE;
		for (i = 0; i < 3 && strcmp(tok[2], kind_names[i]); i++)
			;
		if (i == 3 || unescape(tok[1]) || tok[1][0] != '/' ||
		    get_uint(tok[3], 8, 07777, &e->mode) ||
		    get_uint(tok[4], 10, 0xffffffff, &e->uid) ||
		    get_uint(tok[5], 10, 0xffffffff, &e->gid) || unescape(tok[6]) || !tok[6][0])
			return -1;
		e->kind = (enum plat_file_kind)i;
		e->path = tok[1];
		e->aux = tok[6];
		return 0;
	}
	if (!strcmp(tok[0], "nft") && n == 2) {
		e->type = PJ_NFT;
		if (unescape(tok[1]) || !plat_pat_table_ok(tok[1]))
			return -1;
		e->path = tok[1];
		return 0;
	}
	if (!strcmp(tok[0], "resolved") && n == 3) {
		e->type = PJ_RESOLVED;
		if (get_ifname(tok[1], e->ifname) || get_uint(tok[2], 10, 0x7fffffff, &v[0]))
			return -1;
		e->ifindex = (int)v[0];
		return 0;
	}
	if (!strcmp(tok[0], "script") && n == 3) {
		e->type = PJ_SCRIPT;
		if (unescape(tok[1]) || tok[1][0] != '/' || unescape(tok[2]) || !tok[2][0])
			return -1;
		e->path = tok[1];
		e->aux = tok[2];
		return 0;
	}
	if (!strcmp(tok[0], "sysctl") && n == 3) {
		e->type = PJ_SYSCTL;
		if (unescape(tok[1]) || tok[1][0] != '/' || unescape(tok[2]) || !tok[2][0])
			return -1;
		e->path = tok[1];
		e->aux = tok[2];
		return 0;
	}
	return -1;
}

int plat_journal_recover(const char *state_path, char *err, size_t errlen)
{
	struct plat_journal j = {0};
	char *data = NULL, *line, *save = NULL;
	struct plat_jentry e;
	unsigned lineno = 1;
	size_t len;
	int rc;

	if (!path_ok(state_path))
		return plat_failx(err, errlen, -EINVAL,
		                  _("state file path \"%s\" must be absolute"),
		                  state_path ? state_path : "");
	/* what it lists is undone as root: only if nobody else could have written it */
	rc = plat_path_trusted(state_path, _("state file"), true, err, errlen);
	if (rc < 0)
		return rc;
	rc = plat_file_read(state_path, STATE_MAX, &data, &len, err, errlen);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	j.path = (char *)state_path;
	line = strtok_r(data, "\n", &save);
	if (!line || strcmp(line, STATE_MAGIC) != 0) {
		rc = plat_failx(err, errlen, -EINVAL,
		                _("%s is not an evc state file; nothing was undone"), state_path);
		goto out;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		lineno++;
		if (parse_line(line, &e) < 0) {
			rc = plat_failx(err, errlen, -EINVAL,
			                _("state file %s line %u is damaged; nothing was undone"),
			                state_path, lineno);
			goto out;
		}
		/* a backup is always the journal's own file: never copy another file into place */
		if (e.type == PJ_FILE && e.kind == PF_REGULAR &&
		    (strncmp(e.aux, state_path, strlen(state_path)) != 0 ||
		     e.aux[strlen(state_path)] != '.' || strchr(e.aux + strlen(state_path), '/'))) {
			rc = plat_failx(
			    err, errlen, -EPERM,
			    _("state file %s line %u: the backup %s is not beside the state "
			      "file; nothing was undone"),
			    state_path, lineno, e.aux);
			goto out;
		}
		rc = append(&j, &e);
		if (rc < 0) {
			plat_fail(err, errlen, rc, _("cannot load state file %s"), state_path);
			goto out;
		}
	}
	rc = plat_journal_undo_to(&j, 0, err, errlen);
	if (rc == 0 && unlink(state_path) < 0 && errno != ENOENT)
		rc = plat_fail(err, errlen, -errno, _("cannot remove state file %s"), state_path);
out:
	for (size_t i = 0; i < j.n; i++)
		entry_clear(&j.e[i]);
	free(j.e);
	free(data);
	return rc;
}
