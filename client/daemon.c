/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `evc daemon` and its control socket; see daemon.h and docs/control-protocol.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "client/core/client.h"
#include "client/core/secret_use.h"
#include "client/daemon_int.h"
#include "client/profile_cmd.h"
#include "lib/control.h"
#include "lib/ctlproto.h"
#include "lib/i18n.h"
#include "lib/timer.h"
#include "platform/privs.h"
#include "profiles/profile.h"
#include "profiles/store.h"

enum { TAG_SIG = 1, TAG_CTL, TAG_CLIENT };

/* ---- connecting ---- */

static int add_client_fd(struct evd *d)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_CLIENT};
	return epoll_ctl(d->ep, EPOLL_CTL_ADD, evc_client_fd(d->client), &ev) ? -errno : 0;
}

static void forget_connection(struct evd *d)
{
	d->banner_waiting = d->prompt_waiting = false;
	d->have_policy = false;
	d->n_nets = d->n_dns = 0;
}

/* A new client for set (wiped here) and started; 0, or a negative errno with err. */
static int start_client(struct evd *d, struct evc_settings *set, char *err, size_t errlen)
{
	struct evc_client_ops ops;
	int rc;
	evd_ops(&ops);
	/* The desktop's daemon opens new sockets for each connection, so it keeps the
	 * capabilities that takes; a profile's daemon keeps its sockets and drops them. */
	if (!d->a->profile)
		ops.setup_done = NULL;
	set->no_control = true; /* served here, with events */
	forget_connection(d);
	d->client = d->t.client = evc_client_new(set, &ops, d, err, errlen);
	evc_settings_clear(set);
	if (!d->client)
		return -ENOMEM;
	rc = evc_client_start(d->client);
	if (rc == 0)
		rc = add_client_fd(d);
	if (rc) {
		struct evc_client_status st;
		evc_client_status(d->client, &st);
		snprintf(err, errlen, "%s", st.last_error[0] ? st.last_error : strerror(-rc));
		evc_client_free(d->client);
		d->client = d->t.client = NULL;
	}
	return rc;
}

/* The secret of kind from the command (wiped with it), else the profile's store. */
static int cmd_secret(struct evc_settings *set, const struct evc_profile *prof,
                      enum evc_secret_kind kind, const char *given, char *err, size_t errlen)
{
	if (given && given[0])
		return evc_settings_set_secret(set, kind, given);
	if (!prof)
		return -EAGAIN;
	return evc_settings_fetch_secret(set, prof, kind, err, errlen);
}

/*
 * Whether the command's gateway may have prof's stored secrets (client/core/secret_use.h): a
 * member of the socket's group may not send them to a gateway of its own choosing. 0, or
 * -EPERM with err. *foreign: the gateway is not the profile's and the caller not privileged,
 * so that nothing stored may be read for this connection at all.
 */
static int check_secret_use(struct evd *d, const struct ctlp_msg *m, const struct evc_profile *prof,
                            const struct evc_settings *set, const char *name, bool *foreign,
                            char *err, size_t errlen)
{
	const char *own[EVC_MAX_GATEWAYS];
	const char *gk = ctlp_str(m, "group_key"), *pw = ctlp_str(m, "password");
	long uid = ctl_srv_peer_uid(d->ctl);
	struct evc_secret_use u = {.profile = name, .gateway = ctlp_str(m, "gateway"), .own = own};

	*foreign = false;
	if (!prof || !u.gateway || !u.gateway[0])
		return 0;
	/* the gateways the client would try without the command's: root's --gateway, or the
	 * profile's own, its backups and those its gateway pushed (as settings.c lists them) */
	if (d->a->ov->gateway) {
		own[u.n_own++] = d->a->ov->gateway;
	} else {
		if (prof_gateway(prof))
			own[u.n_own++] = prof_gateway(prof);
		for (size_t i = 0; i < prof_backup_count(prof) && u.n_own < EVC_MAX_GATEWAYS; i++)
			own[u.n_own++] = prof_backup(prof, i);
		for (size_t i = 0; i < prof_pushed_backup_count(prof) && u.n_own < EVC_MAX_GATEWAYS;
		     i++)
			own[u.n_own++] = prof_pushed_backup(prof, i);
	}
	/* the daemon's own user can read what it stores anyway */
	u.privileged = uid == 0 || uid == (long)geteuid();
	u.cert = set->cert_path[0] != '\0';
	u.stored_group_key = prof_secret_ref(prof, PROF_SECRET_GROUP_KEY, NULL) != PROF_REF_PROMPT;
	u.stored_password = prof_secret_ref(prof, PROF_SECRET_PASSWORD, NULL) != PROF_REF_PROMPT;
	u.gives_group_key = gk && gk[0];
	u.gives_password = pw && pw[0];
	*foreign = !u.privileged && !evc_secret_use_own_gateway(&u);
	return evc_secret_use_check(&u, err, errlen);
}

/* `connect` on the desktop's daemon: a profile of the daemon's store, or what the command
 * brings (gateway, group, username, secrets). */
static int connect_new(struct evd *d, const struct ctlp_msg *m, char *err, size_t errlen)
{
	struct evc_overrides o = *d->a->ov;
	struct evc_settings set = {0};
	struct evc_profile *prof = NULL;
	const char *name = ctlp_str(m, "profile");
	static const char *const keys[] = {"gateway", "group", "user"};
	bool foreign = false, user_prof = false;
	int rc;

	if (!name || !name[0]) {
		snprintf(err, errlen, "%s", _("connect needs a profile name"));
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = ctlp_str(m, keys[i]);
		if (v && v[0] && (rc = evc_overrides_set(&o, keys[i], v, err, errlen)))
			return rc;
	}
	if (evd_user_profile_sent(m)) {
		/* the user's own, whole: never the store's, nothing stored read for it */
		rc = evd_user_profile(m, name, &prof, err, errlen);
		user_prof = true;
	} else {
		rc = evc_profile_find(name, NULL,
		                      d->a->profile_dir ? d->a->profile_dir : PROF_SYSTEM_DIR,
		                      &prof, err, errlen);
		if (rc && o.gateway && o.group)
			rc = 0; /* a version-1 client's own profile: gateway, group, user */
	}
	if (!rc)
		rc = evc_settings_build(&set, prof, &o, term_note, &d->t, err, errlen);
	if (!rc)
		rc = term_check_privileges(&d->t, &set, err, errlen);
	if (!rc && !user_prof)
		rc = check_secret_use(d, m, prof, &set, name, &foreign, err, errlen);
	if (rc)
		goto out;
	foreign = foreign || user_prof; /* no stored secret for a user's profile */
	/* a certificate profile (main mode) has no group key */
	rc = set.cert_path[0] ? 0
	                      : cmd_secret(&set, foreign ? NULL : prof, EVC_SECRET_GROUP_KEY,
	                                   ctlp_str(m, "group_key"), err, errlen);
	if (rc == -EAGAIN && set.hybrid)
		rc = 0; /* hybrid: the group key is optional (only its hash goes out) */
	if (rc == -EAGAIN)
		snprintf(err, errlen,
		         _("no group key for profile '%s': store it with `evc profile import "
		           "--system`, or send it with the connect command"),
		         name);
	if (!rc && !set.user[0]) {
		snprintf(err, errlen, _("profile '%s' has no username: give one"), name);
		rc = -EINVAL;
	}
	if (rc)
		goto out;
	/* no password: the gateway's XAUTH request becomes a prompt event */
	rc = cmd_secret(&set, foreign ? NULL : prof, EVC_SECRET_PASSWORD, ctlp_str(m, "password"),
	                err, errlen);
	if (rc == -EAGAIN || rc == -ENOENT)
		rc = 0;
	if (rc)
		goto out;
	snprintf(d->profile, sizeof(d->profile), "%s", name);
	evd_own(d, ctl_srv_peer_id(d->ctl), ctl_srv_peer_uid(d->ctl));
	rc = evc_settings_copy(&d->pending, &set);
	if (rc)
		snprintf(err, errlen, "%s", _("out of memory"));
	d->start_pending = rc == 0;
out:
	evc_settings_clear(&set);
	prof_free(prof);
	return rc;
}

/* ---- commands ---- */

static size_t reply(struct evd *d, char *out, size_t cap, const char *cmd, int rc, const char *err)
{
	struct ctlp_wr w;
	ctlp_wr_begin(&w, out, cap);
	ctlp_wr_str(&w, "reply", cmd);
	ctlp_wr_bool(&w, "ok", rc == 0);
	if (rc)
		ctlp_wr_str(&w, "error", err);
	if (strcmp(cmd, "hello") == 0) {
		ctlp_wr_int(&w, "version", d->call_version);
		ctlp_wr_str(&w, "daemon", "evc " EVC_VERSION_STRING);
		ctlp_wr_str(&w, "profile", d->profile);
	} else if (strcmp(cmd, "status") == 0 || strcmp(cmd, "subscribe") == 0) {
		struct evc_client_status st;
		evd_status(d, &st);
		evc_client_status_fields(&st, &w);
		evd_policy_fields(d, &w);
	}
	return ctlp_wr_end(&w);
}

static int cmd_connect(struct evd *d, const struct ctlp_msg *m, char *err, size_t errlen)
{
	const char *name = ctlp_str(m, "profile");
	if (d->start_pending) {
		snprintf(err, errlen, "%s", _("already connecting"));
		return -EALREADY;
	}
	if (!d->client)
		return connect_new(d, m, err, errlen);
	if (name && name[0] && strcmp(name, d->profile) != 0) {
		snprintf(err, errlen, _("profile '%s' is in use; disconnect it first"), d->profile);
		return -EBUSY;
	}
	if (evd_may_steer(d, false, err, errlen))
		return -EPERM;
	if (evc_client_reconnect_now(d->client) != 0) {
		snprintf(err, errlen, "%s", _("already connecting"));
		return -EALREADY;
	}
	return 0;
}

static int cmd_disconnect(struct evd *d, char *err, size_t errlen)
{
	if (!d->client) {
		snprintf(err, errlen, "%s", _("not connected"));
		return -EALREADY;
	}
	if (evd_may_steer(d, true, err, errlen))
		return -EPERM;
	evd_log(d, IKE_LOG_INFO, "disconnect asked for on the control socket");
	if (!d->a->profile) {
		evc_client_stop(d->client);
		return 0;
	}
	/* a profile's daemon stays, ready for `connect` */
	if (evc_client_pause(d->client) != 0) {
		snprintf(err, errlen, "%s", _("already disconnected"));
		return -EALREADY;
	}
	return 0;
}

static int cmd_answer(struct evd *d, const struct ctlp_msg *m, char *err, size_t errlen)
{
	const char *kind = ctlp_str(m, "prompt");
	bool accept = false;
	/* only the owner: another member of the group must neither answer nor learn what waits */
	if (d->client && evd_may_answer(d, err, errlen))
		return -EPERM;
	if (kind && strcmp(kind, "banner") == 0) {
		if (!d->banner_waiting || !d->client) {
			snprintf(err, errlen, "%s", _("no banner waits for an answer"));
			return -EALREADY;
		}
		if (!ctlp_bool(m, "accept", &accept)) {
			snprintf(err, errlen,
			         _("answer to the banner needs \"accept\": true or false"));
			return -EINVAL;
		}
		d->banner_waiting = false;
		evd_text(d, "log", "text",
		         accept ? _("the banner was accepted") : _("the banner was declined"));
		return evc_client_answer_banner(d->client, accept);
	}
	if (kind && strcmp(kind, "password") == 0) {
		const char *pw = ctlp_str(m, "password"), *user = ctlp_str(m, "user");
		if (!d->prompt_waiting || !d->client) {
			snprintf(err, errlen, "%s", _("no password prompt waits for an answer"));
			return -EALREADY;
		}
		d->prompt_waiting = false;
		/* no password: the user gave up, and the client ends with that reason */
		return evc_client_answer(d->client, user && user[0] ? user : NULL, pw);
	}
	snprintf(err, errlen, "%s", _("answer needs \"prompt\": \"password\" or \"banner\""));
	return -EINVAL;
}

/* A parsed command (d->msg); stated: the language it names, to keep for a session. *hello:
 * a hello opened a session. */
static size_t json_cmd(struct evd *d, const char *stated, bool *hello, char *out, size_t cap)
{
	char err[1024] = "", name[32];
	const char *cmd;
	int64_t v = CTLP_VERSION;
	int rc = 0;
	/* the name outlives the message, which is wiped before the reply is written */
	snprintf(name, sizeof(name), "%s",
	         ctlp_str(&d->msg, "cmd") ? ctlp_str(&d->msg, "cmd") : "");
	cmd = name;
	if (strcmp(cmd, "hello") == 0 || strcmp(cmd, "subscribe") == 0) {
		/* either opens a session: the connection stays for more commands and events */
		if (ctlp_int(&d->msg, "version", &v) &&
		    (v < CTLP_VERSION_MIN || v > CTLP_VERSION)) {
			snprintf(err, sizeof(err),
			         _("this evc speaks versions %d to %d of the control protocol, not "
			           "%lld"),
			         CTLP_VERSION_MIN, CTLP_VERSION, (long long)v);
			rc = -EPROTONOSUPPORT;
		} else if ((rc = ctl_srv_keep(d->ctl)) != 0) {
			snprintf(err, sizeof(err), _("%d sessions are open already; close one"),
			         CTL_MAX_KEPT);
		} else {
			d->call_version = (int)v; /* a version-1 client is answered as one */
			*hello = strcmp(cmd, "hello") == 0;
			if (stated[0])
				evd_lang_remember(d, ctl_srv_peer_id(d->ctl), stated);
		}
	} else if (strcmp(cmd, "status") == 0) {
		rc = 0;
	} else if (strcmp(cmd, "connect") == 0) {
		rc = cmd_connect(d, &d->msg, err, sizeof(err));
	} else if (strcmp(cmd, "disconnect") == 0) {
		rc = cmd_disconnect(d, err, sizeof(err));
	} else if (strcmp(cmd, "answer") == 0) {
		rc = cmd_answer(d, &d->msg, err, sizeof(err));
	} else if (strcmp(cmd, "attach") == 0) {
		rc = evd_attach(d, err, sizeof(err));
	} else {
		snprintf(err, sizeof(err),
		         _("unknown command \"%s\"; evc answers hello, status, subscribe, "
		           "connect, disconnect, answer and attach"),
		         cmd);
		rc = -EINVAL;
		cmd = "error";
	}
	ctlp_msg_wipe(&d->msg); /* a password may be in it */
	size_t n = reply(d, out, cap, cmd, rc, err);
	if (!rc && strcmp(cmd, "subscribe") == 0) {
		struct evc_client_status st;
		evd_status(d, &st);
		d->shown = st.state; /* the reply carries it */
	}
	if (!rc && (strcmp(cmd, "subscribe") == 0 || strcmp(cmd, "attach") == 0))
		n += evd_pending(d, out + n, cap - n);
	return n;
}

static size_t handle_json(struct evd *d, const char *line, char *out, size_t cap)
{
	char err[1024] = "", lang[CTLP_LANG_MAX] = "", stated[CTLP_LANG_MAX] = "";
	struct evd_lang saved;
	const char *l = NULL;
	int rc = ctlp_parse(&d->msg, line, strlen(line), err, sizeof(err));
	if (!rc && (l = ctlp_str(&d->msg, "lang")) != NULL && !ctlp_lang_ok(l)) {
		snprintf(err, sizeof(err), "%s",
		         _("\"lang\" names a language as LANGUAGE does (de, fr_FR, "
		           "de_DE.UTF-8, fr:es), in at most 63 letters, digits and _.@:-"));
		rc = -EINVAL;
	}
	if (rc) {
		ctlp_msg_wipe(&d->msg);
		return reply(d, out, cap, "error", rc, err);
	}
	/* the command's own language, else the one its session stated, else the daemon's */
	snprintf(stated, sizeof(stated), "%s", l ? l : "");
	l = l ? l : evd_lang_of(d, ctl_srv_peer_id(d->ctl));
	snprintf(lang, sizeof(lang), "%s", l ? l : "");
	d->call_version = CTLP_VERSION;
	bool hello = false;
	evd_lang_enter(&saved, lang);
	size_t n = json_cmd(d, stated, &hello, out, cap);
	evd_lang_leave(&saved);
	if (hello) /* the journal in the daemon's language */
		fprintf(stderr, _("evc: a session opened on the control socket (uid %ld)\n"),
		        ctl_srv_peer_uid(d->ctl));
	return n;
}

/* The one-line text commands of earlier versions (`evc status`, `evc disconnect|connect`). */
static size_t handle_text(struct evd *d, const char *cmd, char *out, size_t cap)
{
	struct evc_client_status st;
	char err[1024] = "";
	int k;
	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "status json") == 0) {
		evd_status(d, &st);
		return cmd[6] ? evc_client_status_json(&st, out, cap)
		              : evc_client_status_text(&st, out, cap);
	}
	if (strcmp(cmd, "disconnect") == 0) {
		int rc = cmd_disconnect(d, err, sizeof(err));
		k = snprintf(out, cap, "%s\n",
		             rc ? err
		             : d->a->profile
		                 ? _("disconnecting; `evc connect` sets the tunnel up again")
		                 : _("disconnecting"));
	} else if (strcmp(cmd, "connect") == 0) {
		if (!d->client)
			k = snprintf(
			    out, cap, "%s\n",
			    _("no profile to connect: name one in a connect command of the "
			      "control protocol (evc-gui)"));
		else if (evd_may_steer(d, false, err, sizeof(err)))
			k = snprintf(out, cap, "%s\n", err);
		else if (evc_client_reconnect_now(d->client) == 0)
			k = snprintf(out, cap, "%s\n", _("connecting"));
		else
			k = snprintf(out, cap, "%s\n", _("already connecting"));
	} else {
		k = snprintf(out, cap,
		             _("unknown command '%s'; evc answers 'status', 'status json', "
		               "'disconnect', 'connect' and the JSON lines of its control "
		               "protocol\n"),
		             cmd);
	}
	return k < 0 ? 0 : (size_t)k < cap ? (size_t)k : cap - 1;
}

static size_t handler(void *ctx, const char *cmd, char *out, size_t cap)
{
	struct evd *d = ctx;
	const char *p = cmd + strspn(cmd, " \t");
	char word[64], lang[CTLP_LANG_MAX];
	struct evd_lang saved;
	if (*p == '{')
		return handle_json(d, p, out, cap);
	/* "disconnect lang=de": the caller's language for this one answer */
	ctlp_text_cmd(cmd, word, sizeof(word), lang, sizeof(lang));
	evd_lang_enter(&saved, lang);
	size_t n = handle_text(d, word, out, cap);
	evd_lang_leave(&saved);
	return n;
}

/* ---- the loop ---- */

/* The client ended: what it said stays for status, and the sessions hear why. */
static void client_ended(struct evd *d, int rc)
{
	evc_client_status(d->client, &d->last);
	d->rc = rc;
	epoll_ctl(d->ep, EPOLL_CTL_DEL, evc_client_fd(d->client), NULL);
	evc_client_free(d->client);
	d->client = d->t.client = NULL;
	forget_connection(d);
	evd_own(d, 0, -1);
	if (rc)
		evd_error(d, d->last.last_error, true);
	evd_progress(d);
}

/* A connect that failed before its client ran (resolving the gateway, the TUN device). */
static void start_failed(struct evd *d, const char *err)
{
	fprintf(stderr, "evc: %s\n", err);
	d->last.state = EVC_STATE_FAILED;
	snprintf(d->last.last_error, sizeof(d->last.last_error), "%s", err);
	evd_error(d, err, true);
}

static int open_socket(struct evd *d, const char *path, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_CTL};
	int rc = ctl_srv_new(&d->ctl, path, handler, d, err, errlen);
	if (rc)
		return rc;
	const char *group = d->a->group ? d->a->group : "evc";
	rc = ctl_srv_allow_group(d->ctl, group, err, errlen);
	if (rc && d->a->group)
		return rc; /* named on the command line: it has to work */
	if (rc)
		fprintf(stderr,
		        _("evc: note: there is no group evc: the control socket %s is for root "
		          "only (create the group and add the users who may run evc-gui)\n"),
		        path);
	else
		fprintf(stderr, _("evc: the control socket %s is open to root and group %s\n"),
		        path, group);
	return epoll_ctl(d->ep, EPOLL_CTL_ADD, ctl_srv_fd(d->ctl), &ev) ? -errno : 0;
}

static int loop(struct evd *d, int sfd)
{
	for (;;) {
		struct epoll_event evs[4];
		int timeout = d->client ? COUNTERS_MS : -1;
		int n = epoll_wait(d->ep, evs, 4, timeout);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u32 == TAG_SIG) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) < 0 && errno != EAGAIN)
					return -errno;
				d->stopping = true;
				if (d->client)
					evc_client_stop(d->client);
			} else if (evs[i].data.u32 == TAG_CTL) {
				ctl_srv_dispatch(d->ctl);
			}
		}
		if (d->start_pending) {
			char err[1024];
			d->start_pending = false;
			if (start_client(d, &d->pending, err, sizeof(err)) != 0)
				start_failed(d, err);
		}
		if (d->client) {
			int rc = evc_client_step(d->client);
			if (rc != -EINPROGRESS) {
				client_ended(d, rc);
				if (d->a->profile)
					return rc;
			}
		}
		evd_orphans(d);
		evd_progress(d);
		if (d->stopping && !d->client)
			return d->a->profile ? d->rc : 0;
	}
}

int evc_daemon_run(const struct evc_daemon_args *a, struct evc_settings *set, const char *ctl_path,
                   char *err, size_t errlen)
{
	struct evd *d = calloc(1, sizeof(*d));
	int rc, sfd = -1;
	if (!d) {
		evc_settings_clear(set);
		snprintf(err, errlen, "%s", _("out of memory"));
		return -ENOMEM;
	}
	d->t = *a->t;
	d->a = a;
	evd_own(d, 0, -1);
	d->ep = epoll_create1(EPOLL_CLOEXEC);
	sfd = term_stop_signals(err, errlen);
	if (d->ep < 0 || sfd < 0) {
		rc = -errno;
		goto out;
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_SIG};
	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, sfd, &ev) != 0) {
		rc = -errno;
		snprintf(err, errlen, _("cannot watch signals: %s"), strerror(errno));
		goto out;
	}
	rc = open_socket(d, ctl_path, err, errlen);
	if (rc)
		goto out;
	if (a->profile) {
		snprintf(d->profile, sizeof(d->profile), "%s", a->profile);
		/* the system's connection: its questions go to nobody until root attaches */
		evd_own(d, 0, (long)geteuid());
		fprintf(stderr, _("evc: daemon for profile '%s' (pid %ld), control socket %s\n"),
		        a->profile, (long)getpid(), ctl_path);
		rc = start_client(d, set, err, errlen);
		if (rc)
			goto out;
	} else {
		/* what every future connection takes, and nothing more (platform/privs.h) */
		rc = plat_privs_keep_for_connecting(a->ov->run_as != NULL, err, errlen);
		if (rc == -EPERM)
			fprintf(stderr, _("evc: note: %s: this daemon cannot connect\n"), err);
		else if (rc)
			goto out;
		fprintf(stderr, _("evc: daemon (pid %ld) waiting for connect on %s\n"),
		        (long)getpid(), ctl_path);
	}
	rc = loop(d, sfd);
	if (rc && d->last.last_error[0])
		snprintf(err, errlen, "%s", d->last.last_error);
out:
	evc_settings_clear(set);
	evc_settings_clear(&d->pending);
	if (d->client)
		evc_client_free(d->client);
	ctl_srv_free(d->ctl);
	if (sfd >= 0)
		close(sfd);
	if (d->ep >= 0)
		close(d->ep);
	ctlp_msg_wipe(&d->msg);
	free(d);
	return rc;
}
