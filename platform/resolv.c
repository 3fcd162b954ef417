/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* asprintf, mkostemp */
/* Pushed DNS servers into resolv.conf, and the original back. */
#include "platform/plat_int.h"
#include "platform/trust.h"
#include "lib/ipv4.h"
#include "lib/i18n.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void notef(void (*note)(void *, const char *), void *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void notef(void (*note)(void *, const char *), void *arg, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (!note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	note(arg, msg);
}

/* The domain comes from the server and ends up in a file parsed line by line: allow only
 * hostname characters so it cannot add lines or options. */
static bool domain_ok(const char *d)
{
	size_t n = strlen(d);

	if (n == 0 || n > 253)
		return false;
	for (; *d; d++) {
		char c = *d;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static char *build_resolv(const struct evc_policy *pol, const char *ifname,
                          void (*note)(void *, const char *), void *note_arg)
{
	char *buf = NULL, ip[16];
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "# Written by evc for %s; the previous file comes back on disconnect.\n",
	        ifname);
	if ((pol->have & EVC_HAVE_DOMAIN) && pol->domain[0]) {
		if (domain_ok(pol->domain))
			fprintf(f, "search %s\n", pol->domain);
		else
			notef(
			    note, note_arg,
			    _("the default domain pushed by the server is not a valid domain name; "
			      "it was not added to resolv.conf"));
	}
	for (size_t i = 0; i < pol->n_dns && i < EVC_POLICY_MAX_DNS; i++)
		fprintf(f, "nameserver %s\n", ipv4_str(pol->dns[i], ip, sizeof(ip)));
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int plat_dns_apply(struct plat_journal *j, const struct evc_policy *pol, const char *path,
                   enum plat_dns_mode mode, const char *ifname,
                   void (*note)(void *arg, const char *msg), void *note_arg, char *err,
                   size_t errlen)
{
	struct plat_jentry e = {.type = PJ_FILE, .mode = 0644};
	char *old = NULL, *new = NULL, *backup = NULL, target[PATH_MAX];
	size_t old_len = 0;
	struct stat st;
	ssize_t tl;
	int rc = 0;

	if (mode == PLAT_DNS_OFF || pol->n_dns == 0)
		return 0;
	if (!path)
		path = PLAT_DEFAULT_RESOLV_CONF;
	/* systemd-resolved running owns the resolver: per-link servers and routing domains
	 * (split DNS) through its D-Bus API; otherwise the file, as the mode says */
	if (mode == PLAT_DNS_RESOLV_CONF && strcmp(path, PLAT_DEFAULT_RESOLV_CONF) == 0) {
		rc = plat_resolved_apply(j, pol, ifname, note, note_arg, err, errlen);
		if (rc != -ENOENT)
			return rc;
		rc = 0;
	}
	/* root rewrites it and later writes the old content back: nobody else may control it */
	rc = plat_path_trusted(path, _("resolver file"), true, err, errlen);
	if (rc < 0)
		return rc;
	e.path = (char *)path;
	e.uid = geteuid();
	e.gid = getegid();
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			return plat_fail(err, errlen, -errno, _("cannot examine %s"), path);
		e.kind = PF_ABSENT;
	} else if (S_ISLNK(st.st_mode)) {
		tl = readlink(path, target, sizeof(target) - 1);
		if (tl < 0)
			return plat_fail(err, errlen, -errno, _("cannot read symlink %s"), path);
		target[tl] = '\0';
		if (mode != PLAT_DNS_REPLACE_SYMLINK) {
			notef(
			    note, note_arg,
			    _("DNS servers were NOT applied: %s is a symlink to %s, so another "
			      "program (systemd-resolved, resolvconf) manages it and evc does not "
			      "write through it. Names inside the VPN will not resolve unless you "
			      "configure the servers there or choose the mode that replaces the "
			      "link (restored on disconnect)"),
			    path, target);
			return 0;
		}
		e.kind = PF_SYMLINK;
		e.aux = target;
	} else if (S_ISREG(st.st_mode)) {
		rc = plat_file_read(path, PLAT_FILE_BACKUP_MAX, &old, &old_len, err, errlen);
		if (rc < 0)
			goto out;
		e.kind = PF_REGULAR;
		e.mode = st.st_mode & 07777;
		e.uid = st.st_uid;
		e.gid = st.st_gid;
		if (asprintf(&backup, "%s.dns%zu", plat_journal_state_path(j),
		             plat_journal_count(j)) < 0) {
			backup = NULL;
			rc = plat_fail(err, errlen, -ENOMEM, _("cannot back up %s"), path);
			goto out;
		}
		rc = plat_file_replace(backup, old, old_len, 0600, geteuid(), getegid(), err,
		                       errlen);
		if (rc < 0)
			goto out;
		e.aux = backup;
	} else {
		return plat_failx(
		    err, errlen, -EINVAL,
		    _("%s is neither a file nor a symlink; DNS servers were not applied"), path);
	}
	if ((pol->have & EVC_HAVE_SPLIT_DNS) && pol->split_dns[0])
		notef(note, note_arg,
		      _("the server asked for split DNS (%s); resolv.conf cannot do that, so all "
		        "names are resolved through the VPN's DNS servers"),
		      pol->split_dns);
	new = build_resolv(pol, ifname, note, note_arg);
	if (!new) {
		rc = plat_fail(err, errlen, -ENOMEM, _("cannot write %s"), path);
		goto out;
	}
	rc = plat_journal_record(j, &e, err, errlen);
	if (rc < 0)
		goto out;
	rc = plat_file_replace(path, new, strlen(new), e.mode, e.uid, e.gid, err, errlen);
	if (rc < 0) {
		plat_journal_forget(j, plat_journal_count(j) - 1, NULL, 0);
		goto out;
	}
	free(backup); /* the file is the journal's now, removed on undo */
	backup = NULL;
out:
	if (backup) {
		unlink(backup);
		free(backup);
	}
	free(old);
	free(new);
	return rc;
}
