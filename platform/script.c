// SPDX-License-Identifier: GPL-2.0-or-later
/* vpnc-scripts (script.h): their environment and running them; script_apply.c journals them. */
#define _GNU_SOURCE /* pidfd_open through syscall() */
#include "platform/script.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/ipv4.h"
#include "lib/text.h"
#include "platform/plat_int.h"
#include "platform/trust.h"
#include "lib/i18n.h"

#define SCRIPT_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct envb {
	char **v;
	size_t n, cap;
	bool failed;
};

static void add(struct envb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct envb *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (b->failed)
		return;
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		char **v = realloc(b->v, cap * sizeof(*v));
		if (!v) {
			b->failed = true;
			return;
		}
		b->v = v;
		b->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		s = NULL;
		b->failed = true;
	}
	va_end(ap);
	if (s) {
		b->v[b->n++] = s;
		b->v[b->n] = NULL;
	}
}

static int masklen(uint32_t mask)
{
	int n = 0;
	while (mask & 0x80000000u) {
		n++;
		mask <<= 1;
	}
	return n;
}

/* "a b c" of n addresses */
static void add_list(struct envb *b, const char *name, const uint32_t *a, size_t n)
{
	char text[EVC_POLICY_MAX_DNS * 16 + EVC_POLICY_MAX_WINS * 16 + 1] = "", ip[16];
	size_t off = 0;

	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%s", i ? " " : "",
		                        ipv4_str(a[i], ip, sizeof(ip)));
	add(b, "%s=%s", name, text);
}

static void add_nets(struct envb *b, const char *name, const struct evc_net *nets, size_t n)
{
	char a[16], m[16];

	if (!n)
		return;
	add(b, "%s=%zu", name, n);
	for (size_t i = 0; i < n; i++) {
		add(b, "%s_%zu_ADDR=%s", name, i, ipv4_str(nets[i].addr, a, sizeof(a)));
		add(b, "%s_%zu_MASK=%s", name, i, ipv4_str(nets[i].mask, m, sizeof(m)));
		add(b, "%s_%zu_MASKLEN=%d", name, i, masklen(nets[i].mask));
		add(b, "%s_%zu_PROTOCOL=0", name, i);
		add(b, "%s_%zu_SPORT=0", name, i);
		add(b, "%s_%zu_DPORT=0", name, i);
	}
}

/* A domain name as a shell may see it unquoted: letters, digits, '-' and '.', not led by '-'
 * (which a command would take for an option). */
static bool domain_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			return false;
	}
	return true;
}

/*
 * name=the entries of in (separated by any of seps) that are domain names, joined by joiner;
 * nothing when none is. The scripts use these unquoted (resolv.conf lines, resolvectl
 * arguments), so what the gateway sent must not reach them as shell syntax; an entry left
 * out is named to note.
 */
static void add_domains(struct envb *b, const char *name, const char *text, size_t cap,
                        const char *seps, char joiner, void (*note)(void *, const char *),
                        void *note_arg)
{
	char in[sizeof(((struct evc_policy *)0)->split_dns)], out[sizeof(in)];
	size_t off = 0;

	snprintf(in, sizeof(in), "%.*s", (int)strnlen(text, cap), text);

	/* the engine refuses control characters in these; should one come all the same, no
	 * part of that text is trusted (a line break would be a line of resolv.conf) */
	for (const char *c = in; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			seps = "";
	for (const char *p = in; *p;) {
		size_t n = seps[0] ? strcspn(p, seps) : strlen(p);
		if (domain_ok(p, n) && off + n + 2 <= sizeof(out)) {
			if (off)
				out[off++] = joiner;
			memcpy(out + off, p, n);
			off += n;
		} else if (n && note) {
			char shown[160], msg[320];
			text_clean(shown, sizeof(shown), (const uint8_t *)p, n, false);
			snprintf(msg, sizeof(msg),
			         _("the gateway's %s entry \"%s\" is not a domain name: it is left "
			           "out of the vpnc-script's environment"),
			         name, shown);
			note(note_arg, msg);
		}
		p += n;
		p += seps[0] ? strspn(p, seps) : 0;
	}
	out[off] = '\0';
	if (off)
		add(b, "%s=%s", name, out);
}

char **plat_script_env(const char *reason, const struct evc_policy *pol, const char *ifname,
                       uint32_t gateway, unsigned mtu, long pid,
                       void (*note)(void *arg, const char *msg), void *note_arg)
{
	struct envb b = {0};
	char a[16], m[16];

	add(&b, "reason=%s", reason);
	add(&b, "VPNGATEWAY=%s", ipv4_str(gateway, a, sizeof(a)));
	add(&b, "VPNPID=%ld", pid);
	add(&b, "TUNDEV=%s", ifname);
	add(&b, "INTERNAL_IP4_ADDRESS=%s", ipv4_str(pol->addr, a, sizeof(a)));
	add(&b, "INTERNAL_IP4_MTU=%u", mtu ? mtu : PLAT_DEFAULT_MTU);
	if ((pol->have & EVC_HAVE_NETMASK) && pol->netmask) {
		add(&b, "INTERNAL_IP4_NETMASK=%s", ipv4_str(pol->netmask, m, sizeof(m)));
		add(&b, "INTERNAL_IP4_NETMASKLEN=%d", masklen(pol->netmask));
		add(&b, "INTERNAL_IP4_NETADDR=%s",
		    ipv4_str(pol->addr & pol->netmask, a, sizeof(a)));
	}
	add_list(&b, "INTERNAL_IP4_DNS", pol->dns, pol->n_dns);
	add_list(&b, "INTERNAL_IP4_NBNS", pol->wins, pol->n_wins);
	/* the script writes these into resolv.conf: only names, never a line of their own */
	if (pol->have & EVC_HAVE_DOMAIN)
		add_domains(&b, "CISCO_DEF_DOMAIN", pol->domain, sizeof(pol->domain), " ,", ' ',
		            note, note_arg);
	if ((pol->have & EVC_HAVE_BANNER) && pol->banner[0] && strcmp(reason, "disconnect") != 0) {
		char text[sizeof(pol->banner)];
		text_clean(text, sizeof(text), (const uint8_t *)pol->banner,
		           strnlen(pol->banner, sizeof(pol->banner)), true);
		add(&b, "CISCO_BANNER=%s", text);
	}
	if (pol->have & EVC_HAVE_SPLIT_DNS)
		add_domains(&b, "CISCO_SPLIT_DNS", pol->split_dns, sizeof(pol->split_dns), ", ",
		            ',', note, note_arg);
	add_nets(&b, "CISCO_SPLIT_INC", pol->split_include, pol->n_split_include);
	add_nets(&b, "CISCO_SPLIT_EXC", pol->local_lan, pol->n_local_lan);
	add(&b, "%s", SCRIPT_PATH_ENV);
	if (b.failed) {
		plat_script_env_free(b.v);
		return NULL;
	}
	return b.v;
}

void plat_script_env_free(char **env)
{
	if (!env)
		return;
	for (char **p = env; *p; p++)
		free(*p);
	free(env);
}

int plat_script_check(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int rc;

	if (!path || path[0] != '/')
		return plat_failx(err, errlen, -EINVAL,
		                  _("the vpnc-script \"%s\" must be an absolute path"),
		                  path ? path : "");
	rc = plat_path_trusted(path, "vpnc-script", false, err, errlen);
	if (rc == -ENOENT)
		return plat_failx(err, errlen, rc, _("the vpnc-script %s does not exist"), path);
	if (rc)
		return rc;
	if (stat(path, &st) != 0)
		return plat_fail(err, errlen, -errno, _("cannot use the vpnc-script %s"), path);
	if (!S_ISREG(st.st_mode))
		return plat_failx(err, errlen, -EINVAL,
		                  _("the vpnc-script %s is not a regular file"), path);
	if (access(path, X_OK) != 0)
		return plat_failx(
		    err, errlen, -EACCES,
		    _("the vpnc-script %s is not executable (mode %04o); chmod +x it"), path,
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

static const char *reason_of(char *const env[])
{
	for (size_t i = 0; env[i]; i++)
		if (!strncmp(env[i], "reason=", 7))
			return env[i] + 7;
	return "?";
}

/* Waits for pid at most timeout_ms (a pidfd where the kernel has them); -ETIMEDOUT after. */
static int wait_child(pid_t pid, int *status)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pfd >= 0) {
		struct pollfd p = {.fd = pfd, .events = POLLIN};
		int n;
		do
			n = poll(&p, 1, PLAT_SCRIPT_TIMEOUT_MS);
		while (n < 0 && errno == EINTR);
		close(pfd);
		if (n == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return -ETIMEDOUT;
		}
	}
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int plat_script_run(const char *path, char *const env[], char *err, size_t errlen)
{
	char *const argv[] = {(char *)path, NULL};
	int status = 0, rc;
	pid_t pid = fork();

	if (pid < 0)
		return plat_fail(err, errlen, -errno, _("cannot run the vpnc-script %s"), path);
	if (pid == 0) {
		/* only async-signal-safe calls from here on */
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && fd != STDIN_FILENO) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		execve(path, argv, env);
		_exit(127);
	}
	rc = wait_child(pid, &status);
	if (rc == -ETIMEDOUT)
		return plat_failx(
		    err, errlen, rc,
		    _("the vpnc-script %s (reason %s) did not end within %d s and was "
		      "killed"),
		    path, reason_of(env), PLAT_SCRIPT_TIMEOUT_MS / 1000);
	if (rc)
		return plat_fail(err, errlen, rc, _("cannot wait for the vpnc-script %s"), path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return plat_failx(err, errlen, -ECHILD,
		                  _("the vpnc-script %s (reason %s) failed with exit status %d%s"),
		                  path, reason_of(env), WEXITSTATUS(status),
		                  WEXITSTATUS(status) == 127 ? " (it could not be started)" : "");
	return plat_failx(err, errlen, -ECHILD,
	                  _("the vpnc-script %s (reason %s) died of signal %d"), path,
	                  reason_of(env), WTERMSIG(status));
}

int plat_script_pre_init(const char *path, uint32_t gateway, long pid, char *err, size_t errlen)
{
	struct envb b = {0};
	char a[16];
	int rc = plat_script_check(path, err, errlen);

	if (rc)
		return rc;
	add(&b, "reason=pre-init");
	if (gateway)
		add(&b, "VPNGATEWAY=%s", ipv4_str(gateway, a, sizeof(a)));
	add(&b, "VPNPID=%ld", pid);
	add(&b, "%s", SCRIPT_PATH_ENV);
	if (b.failed)
		rc = plat_fail(err, errlen, -ENOMEM, _("cannot run the vpnc-script %s"), path);
	else
		rc = plat_script_run(path, b.v, err, errlen);
	plat_script_env_free(b.v);
	return rc;
}

int plat_script_revert(const struct plat_jentry *e, char *err, size_t errlen)
{
	struct envb b = {0};
	char *copy = strdup(e->aux), *save = NULL;
	int rc;

	if (!copy)
		return plat_fail(err, errlen, -ENOMEM, _("cannot run the vpnc-script %s"), e->path);
	add(&b, "reason=disconnect");
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		add(&b, "%s", l);
	free(copy);
	if (b.failed) {
		plat_script_env_free(b.v);
		return plat_fail(err, errlen, -ENOMEM, _("cannot run the vpnc-script %s"), e->path);
	}
	/* the script may have changed since connect: judged again before it runs as root */
	rc = plat_script_check(e->path, err, errlen);
	if (!rc)
		rc = plat_script_run(e->path, b.v, err, errlen);
	plat_script_env_free(b.v);
	return rc;
}
