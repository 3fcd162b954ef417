/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A session's host configuration, here or in the root helper of --run-as; see host.h. The
 * helper speaks fixed-size records over a SOCK_SEQPACKET socketpair: evc sends a request,
 * the helper answers each with one reply, in order.
 */
#define _GNU_SOURCE /* close_range */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/core/host.h"
#include "lib/secret.h"
#include "platform/apply.h"
#include "platform/script.h"
#include "platform/netcfg.h"
#include "platform/privs.h"
#include "platform/trust.h"
#include "lib/i18n.h"

#define HOST_ERR_MAX 1024
#define HOST_NOTES_MAX 2048

struct evc_hostd {
	int fd;
	pid_t pid;
};

struct evc_host {
	struct evc_hostd *hd; /* NULL: the changes are made in this process */
	const struct evc_settings *set;
	char ifname[EVC_IFNAME_MAX];
	/* the helper: the first session's device, which names the control socket (the client
	 * keeps that one socket across its sessions) */
	char ctl_ifname[EVC_IFNAME_MAX];
	struct plat_journal *journal;
	struct plat_nl *nl;
};

enum host_op { HOST_OPEN = 1, HOST_APPLY, HOST_CLOSE };

struct host_req {
	uint32_t op;
	char ifname[EVC_IFNAME_MAX];
	uint32_t gateway;
	struct evc_policy pol;
};

struct host_rep {
	int32_t rc;
	char err[HOST_ERR_MAX];
	char notes[HOST_NOTES_MAX]; /* one per line */
};

/* ---- the changes themselves, in whichever process holds the rights ---- */

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * The resolver file may be trusted (platform/trust.h), and, for an evc that is not root, is
 * its own in a directory it may write: resolv.c replaces it by renaming a new file over it and
 * gives the new file the old one's owner. Refused now rather than after the handshake.
 */
static int resolver_ok(const struct evc_settings *set, char *err, size_t errlen)
{
	const char *path = set->resolv_conf[0] ? set->resolv_conf : PLAT_DEFAULT_RESOLV_CONF;
	unsigned me = (unsigned)geteuid();
	char dir[EVC_PATH_MAX];
	struct stat st;
	int rc = plat_path_trusted(path, _("resolver file"), true, err, errlen);
	if (rc || me == 0)
		return rc;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode) && set->dns == PLAT_DNS_RESOLV_CONF)
			return 0; /* not written through (resolv.c says so when it matters) */
		if (st.st_uid != me)
			return fail(
			    err, errlen, -EPERM,
			    _("evc runs as uid %u and cannot replace the resolver file %s, which "
			      "belongs to uid %u: give --resolv-conf FILE in a directory of its "
			      "own, or --dns off"),
			    me, path, (unsigned)st.st_uid);
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if (faccessat(AT_FDCWD, dirname(dir), W_OK | X_OK, AT_EACCESS) != 0)
		return fail(
		    err, errlen, -errno,
		    _("evc runs as uid %u and cannot create files beside the resolver file "
		      "%s: %s; give --resolv-conf FILE in a directory of its own, or --dns off"),
		    me, path, strerror(errno));
	return 0;
}

static int open_here(struct evc_host *h, char *err, size_t errlen)
{
	const struct evc_settings *set = h->set;
	char e[512] = "", state[EVC_PATH_MAX];
	unsigned me = (unsigned)geteuid();
	int rc;

	if (set->state_path[0])
		snprintf(state, sizeof(state), "%s", set->state_path);
	else if (plat_state_path_default(state, sizeof(state), h->ifname) != 0)
		return fail(err, errlen, -ENAMETOOLONG, _("the state file name for %s is too long"),
		            h->ifname);
	/* an earlier evc that died left its changes: take them back first */
	rc = plat_journal_recover(state, e, sizeof(e));
	if (rc)
		return fail(err, errlen, rc, _("cannot undo what an earlier evc left in %s: %s"),
		            state, e);
	/* a vpnc-script does DNS itself; it must be trusted before anything is sent */
	if (set->script[0] && (rc = plat_script_check(set->script, err, errlen)) != 0)
		return rc;
	if (!set->script[0] && set->dns != PLAT_DNS_OFF &&
	    (rc = resolver_ok(set, err, errlen)) != 0)
		return rc;
	rc = plat_nl_new(&h->nl, e, sizeof(e));
	if (!rc)
		rc = plat_journal_new(&h->journal, state, e, sizeof(e));
	if (rc && me && (rc == -EACCES || rc == -EPERM))
		return fail(
		    err, errlen, rc,
		    _("cannot prepare the host configuration: %s (evc runs as uid %u: give "
		      "--state-file and --control in a directory of its own, or let systemd "
		      "create /run/evc for it with RuntimeDirectory=evc)"),
		    e, me);
	if (rc)
		return fail(err, errlen, rc, _("cannot prepare the host configuration: %s"), e);
	return 0;
}

static int apply_here(struct evc_host *h, const struct evc_policy *pol, uint32_t gateway,
                      evc_host_note_fn note, void *arg, char *err, size_t errlen)
{
	const struct evc_settings *set = h->set;
	struct plat_client_opts o = {
	    .ifname = h->ifname,
	    .gateway = gateway,
	    .mtu = set->mtu,
	    .dns = set->dns,
	    .resolv_conf = set->resolv_conf[0] ? set->resolv_conf : NULL,
	    .script = set->script[0] ? set->script : NULL,
	    .pat_lan = set->lan,
	    .n_pat_lan = set->mode == EVC_MODE_CLIENT ? set->n_lan : 0,
	    .note = note,
	    .note_arg = arg,
	};
	if (!h->journal)
		return fail(err, errlen, -EBADF, _("the host configuration is not open"));
	return plat_apply_client_policy(h->journal, h->nl, pol, &o, err, errlen);
}

static int close_here(struct evc_host *h, char *err, size_t errlen)
{
	int rc = 0;
	if (h->journal) {
		rc = plat_journal_undo(h->journal, err, errlen);
		plat_journal_free(h->journal);
		h->journal = NULL;
	}
	plat_nl_free(h->nl);
	h->nl = NULL;
	return rc;
}

/* ---- the helper ---- */

/* The worker, as the user, cannot unlink in root's /run/evc: the helper removes the socket
 * when the worker is gone (the client keeps one control socket across its sessions). */
static void remove_control_socket(const struct evc_host *h)
{
	const struct evc_settings *set = h->set;
	char path[EVC_CONTROL_PATH_MAX + 32];
	struct stat st;
	if (set->no_control || !h->ctl_ifname[0])
		return;
	if (set->control_path[0])
		snprintf(path, sizeof(path), "%s", set->control_path);
	else
		snprintf(path, sizeof(path), "/run/evc/%s.sock", h->ctl_ifname);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
}

static void collect_note(void *arg, const char *msg)
{
	struct host_rep *rep = arg;
	size_t used = strlen(rep->notes);
	snprintf(rep->notes + used, sizeof(rep->notes) - used, "%s\n", msg);
}

/* A name the kernel could have given a TUN device: no path, no empty name. */
static bool ifname_ok(const char *n, size_t cap)
{
	size_t len = strnlen(n, cap);
	return len > 0 && len < cap && !strchr(n, '/') && strcmp(n, ".") && strcmp(n, "..");
}

static void serve(struct evc_host *h, const struct host_req *rq, struct host_rep *rep)
{
	switch (rq->op) {
	case HOST_OPEN:
		if (h->journal) {
			rep->rc = fail(rep->err, sizeof(rep->err), -EALREADY,
			               _("the host configuration is already open"));
			break;
		}
		if (!ifname_ok(rq->ifname, sizeof(rq->ifname))) {
			rep->rc =
			    fail(rep->err, sizeof(rep->err), -EINVAL,
			         _("the root helper refuses an interface name it cannot use"));
			break;
		}
		memcpy(h->ifname, rq->ifname, sizeof(h->ifname));
		if (!h->ctl_ifname[0])
			memcpy(h->ctl_ifname, rq->ifname, sizeof(h->ctl_ifname));
		rep->rc = open_here(h, rep->err, sizeof(rep->err));
		if (rep->rc)
			close_here(h, NULL, 0);
		break;
	case HOST_APPLY: {
		struct evc_policy pol = rq->pol;
		/* counts beyond the arrays are not a policy the gateway could have sent */
		if (pol.n_dns > EVC_POLICY_MAX_DNS || pol.n_wins > EVC_POLICY_MAX_WINS ||
		    pol.n_split_include > EVC_POLICY_MAX_NETS ||
		    pol.n_local_lan > EVC_POLICY_MAX_NETS) {
			rep->rc = fail(rep->err, sizeof(rep->err), -EINVAL,
			               _("the root helper refuses a malformed policy"));
			break;
		}
		pol.domain[sizeof(pol.domain) - 1] = '\0';
		pol.banner[sizeof(pol.banner) - 1] = '\0';
		pol.split_dns[sizeof(pol.split_dns) - 1] = '\0';
		pol.backup_servers[sizeof(pol.backup_servers) - 1] = '\0';
		rep->rc =
		    apply_here(h, &pol, rq->gateway, collect_note, rep, rep->err, sizeof(rep->err));
		break;
	}
	case HOST_CLOSE:
		rep->rc = close_here(h, rep->err, sizeof(rep->err));
		h->ifname[0] = '\0';
		break;
	default:
		rep->rc = fail(rep->err, sizeof(rep->err), -EINVAL,
		               _("the root helper does not know request %u"), rq->op);
	}
}

static bool send_rep(int fd, const struct host_rep *rep)
{
	return send(fd, rep, sizeof(*rep), MSG_NOSIGNAL) == (ssize_t)sizeof(*rep);
}

/* The helper's life: reduced privileges, then requests until evc is gone. Never returns. */
static void __attribute__((noreturn)) helper_main(int fd, struct evc_settings *set)
{
	struct evc_host h = {.set = set};
	struct host_req *rq = calloc(1, sizeof(*rq));
	struct host_rep *rep = calloc(1, sizeof(*rep));
	int devnull;

	/* it keeps no secret, no descriptor of evc's, and outlives Ctrl-C and SIGTERM: evc ends
	 * it (end of file) once the host is restored, or by dying */
	evc_settings_clear(set);
	static const int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP};
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
	}
	if (dup2(fd, 3) != 3)
		_exit(1);
	fd = 3;
	close_range(4, ~0u, 0);
	if (!rq || !rep)
		_exit(1);
	rep->rc = plat_privs_drop(rep->err, sizeof(rep->err));
	if (!send_rep(fd, rep) || rep->rc) {
		free(rq);
		free(rep);
		_exit(1);
	}
	for (;;) {
		ssize_t n = recv(fd, rq, sizeof(*rq), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		memset(rep, 0, sizeof(*rep));
		if ((size_t)n != sizeof(*rq))
			rep->rc = fail(rep->err, sizeof(rep->err), -EINVAL,
			               _("the root helper got a request of %zd bytes"), n);
		else
			serve(&h, rq, rep);
		if (!send_rep(fd, rep))
			break;
	}
	/* evc is gone, or ended without closing: nothing it applied may stay */
	close_here(&h, NULL, 0);
	remove_control_socket(&h);
	free(rq);
	free(rep);
	_exit(0);
}

int evc_hostd_start(struct evc_hostd **out, struct evc_settings *set, char *err, size_t errlen)
{
	struct evc_hostd *hd = NULL;
	struct host_rep *rep = NULL;
	int sv[2], rc;
	pid_t pid;
	ssize_t n;

	*out = NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return fail(err, errlen, -errno, _("cannot start the root helper: %s"),
		            strerror(errno));
	fflush(NULL); /* nothing buffered is written twice */
	/* before any allocation here: the helper owns nothing of this function */
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		helper_main(sv[1], set);
	}
	close(sv[1]);
	if (pid < 0) {
		rc = fail(err, errlen, -errno, _("cannot start the root helper: %s"),
		          strerror(errno));
		close(sv[0]);
		return rc;
	}
	hd = calloc(1, sizeof(*hd));
	rep = calloc(1, sizeof(*rep));
	if (!hd || !rep) {
		close(sv[0]); /* the helper reads end of file and exits */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		rc = fail(err, errlen, -ENOMEM, _("out of memory"));
		goto fail;
	}
	hd->fd = sv[0];
	hd->pid = pid;
	do
		n = recv(hd->fd, rep, sizeof(*rep), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*rep) || rep->rc) {
		rep->err[sizeof(rep->err) - 1] = '\0';
		rc = fail(err, errlen, -EPERM, _("the root helper did not start%s%s"),
		          n == (ssize_t)sizeof(*rep) ? ": " : "",
		          n == (ssize_t)sizeof(*rep) ? rep->err : "");
		evc_hostd_stop(hd);
		hd = NULL;
		goto fail;
	}
	free(rep);
	*out = hd;
	return 0;
fail:
	free(rep);
	free(hd);
	return rc;
}

void evc_hostd_stop(struct evc_hostd *hd)
{
	if (!hd)
		return;
	close(hd->fd); /* end of file: the helper restores what is left and exits */
	while (waitpid(hd->pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(hd);
}

/* One request, its reply; the notes go to note. */
static int call(struct evc_hostd *hd, const struct host_req *rq, evc_host_note_fn note, void *arg,
                char *err, size_t errlen)
{
	struct host_rep *rep = calloc(1, sizeof(*rep));
	ssize_t n;
	int rc;

	if (!rep)
		return fail(err, errlen, -ENOMEM, _("out of memory"));
	if (send(hd->fd, rq, sizeof(*rq), MSG_NOSIGNAL) != (ssize_t)sizeof(*rq)) {
		rc = fail(
		    err, errlen, -EPIPE,
		    _("the root helper (pid %ld) is gone: %s; the next start of evc undoes what "
		      "the state file lists"),
		    (long)hd->pid, strerror(errno));
		goto out;
	}
	do
		n = recv(hd->fd, rep, sizeof(*rep), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*rep)) {
		rc =
		    fail(err, errlen, -EPIPE,
		         _("the root helper (pid %ld) did not answer; the next start of evc undoes "
		           "what the state file lists"),
		         (long)hd->pid);
		goto out;
	}
	rep->err[sizeof(rep->err) - 1] = '\0';
	rep->notes[sizeof(rep->notes) - 1] = '\0';
	for (char *save = NULL, *l = strtok_r(rep->notes, "\n", &save); l && note;
	     l = strtok_r(NULL, "\n", &save))
		note(arg, l);
	rc = rep->rc > 0 ? -EPROTO : rep->rc;
	if (rc && err)
		snprintf(err, errlen, "%s", rep->err);
out:
	free(rep);
	return rc;
}

/* ---- the interface ---- */

int evc_host_open(struct evc_host **out, struct evc_hostd *hd, const struct evc_settings *set,
                  const char *ifname, char *err, size_t errlen)
{
	struct evc_host *h = calloc(1, sizeof(*h));
	int rc;

	*out = NULL;
	if (!h)
		return fail(err, errlen, -ENOMEM, _("out of memory"));
	h->hd = hd;
	h->set = set;
	snprintf(h->ifname, sizeof(h->ifname), "%s", ifname);
	if (hd) {
		struct host_req *rq = calloc(1, sizeof(*rq));
		if (!rq) {
			free(h);
			return fail(err, errlen, -ENOMEM, _("out of memory"));
		}
		rq->op = HOST_OPEN;
		memcpy(rq->ifname, h->ifname, sizeof(rq->ifname));
		rc = call(hd, rq, NULL, NULL, err, errlen);
		free(rq);
	} else {
		rc = open_here(h, err, errlen);
		if (rc)
			close_here(h, NULL, 0);
	}
	if (rc) {
		free(h);
		return rc;
	}
	*out = h;
	return 0;
}

int evc_host_apply(struct evc_host *h, const struct evc_policy *pol, uint32_t gateway,
                   evc_host_note_fn note, void *arg, char *err, size_t errlen)
{
	struct host_req *rq;
	int rc;

	if (!h->hd)
		return apply_here(h, pol, gateway, note, arg, err, errlen);
	rq = calloc(1, sizeof(*rq));
	if (!rq)
		return fail(err, errlen, -ENOMEM, _("out of memory"));
	rq->op = HOST_APPLY;
	rq->gateway = gateway;
	rq->pol = *pol;
	rc = call(h->hd, rq, note, arg, err, errlen);
	mem_wipe(rq, sizeof(*rq));
	free(rq);
	return rc;
}

int evc_host_close(struct evc_host *h, char *err, size_t errlen)
{
	int rc;

	if (!h)
		return 0;
	if (h->hd) {
		struct host_req rq = {.op = HOST_CLOSE};
		rc = call(h->hd, &rq, NULL, NULL, err, errlen);
	} else {
		rc = close_here(h, err, errlen);
	}
	free(h);
	return rc;
}
