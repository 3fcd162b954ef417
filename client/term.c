/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The terminal side of `evc connect`; see term.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "client/core/printable.h"
#include "client/profile_cmd.h"
#include "client/term.h"
#include "lib/secret.h"
#include "platform/privs.h"
#include "lib/ipv4.h"
#include "lib/signals.h"
#include "lib/i18n.h"

#define SECRET_MAX 1024

void term_error(const char *err)
{
	fputs("evc: ", stderr);
	evc_fput_printable(stderr, err, false);
	fputc('\n', stderr);
}

void term_note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, _("evc: note: %s\n"), msg);
}

static const char *step_label(enum ike_step st)
{
	static const char *const labels[] = {
	    [IKE_STEP_INIT] = "1/7",  [IKE_STEP_PROPOSALS] = "2/7",  [IKE_STEP_PHASE1] = "3/7",
	    [IKE_STEP_XAUTH] = "4/7", [IKE_STEP_MODECFG] = "5/7",    [IKE_STEP_RRI] = "6/7",
	    [IKE_STEP_QUICK] = "7/7", [IKE_STEP_ESTABLISHED] = "up", [IKE_STEP_TEARDOWN] = "down",
	};
	if ((size_t)st < sizeof(labels) / sizeof(labels[0]) && labels[st])
		return labels[st];
	return "?";
}

static void cb_log(void *ctx, enum ike_log_level lvl, const char *msg)
{
	struct term *t = ctx;
	int show = t->quiet ? IKE_LOG_ERR : IKE_LOG_WARN + t->verbose;
	if ((int)lvl > show)
		return;
	fprintf(stderr, "evc: %s",
	        lvl == IKE_LOG_ERR    ? "error: "
	        : lvl == IKE_LOG_WARN ? "warning: "
	                              : "");
	evc_fput_printable(stderr, msg, false); /* may quote the gateway */
	fputc('\n', stderr);
}

static void cb_step(void *ctx, enum ike_step st, const char *msg)
{
	struct term *t = ctx;
	if (t->quiet)
		return;
	printf("[%s] ", step_label(st));
	evc_fput_printable(stdout, msg, false);
	putchar('\n');
	fflush(stdout);
}

/* The CLI shows the banner and goes on: starting evc was the user's acceptance. */
static void cb_banner(void *ctx, const char *text)
{
	struct term *t = ctx;
	if (!t->quiet) {
		printf(_("---- message from the gateway ----\n"));
		evc_fput_printable(stdout, text, true);
		printf("\n----------------------------------\n");
		fflush(stdout);
	}
	evc_client_answer_banner(t->client, true);
}

static void cb_failover(void *ctx, const char *why, const char *next)
{
	(void)ctx;
	term_error(why);
	fprintf(stderr, _("evc: trying the backup gateway %s\n"), next);
}

/*
 * Sockets open: only CAP_NET_ADMIN from here on (platform/privs.h says why that suffices; the
 * client keeps these sockets for backup gateways and reconnections); with --run-as, as that
 * user from the first session on (the root helper, client/core/host.h, keeps root's files).
 */
static int cb_setup_done(void *ctx, char *err, size_t errlen)
{
	struct term *t = ctx;
	if (!t->run_as)
		return plat_privs_drop(err, errlen);
	return plat_privs_switch_user(t->run_as_uid, t->run_as_gid, err, errlen);
}

static void cb_reconnecting(void *ctx, const char *why, const char *gateway, unsigned delay_ms,
                            unsigned attempt)
{
	(void)ctx;
	term_error(why);
	fprintf(stderr, _("evc: reconnecting to %s in %u.%u s (attempt %u)\n"), gateway,
	        delay_ms / 1000, delay_ms % 1000 / 100, attempt);
}

static int prefix_len(uint32_t mask)
{
	int n = 0;
	while (mask & 0x80000000u) {
		n++;
		mask <<= 1;
	}
	return n;
}

static void cb_connected(void *ctx, const struct evc_policy *pol, const char *ifname)
{
	struct term *t = ctx;
	char a[20], routes[512] = "", dns[128] = "";
	if (t->prof)
		evc_profile_learn(t->prof, pol, t->quiet);
	if (t->quiet)
		return;
	ipv4_str(pol->addr, a, sizeof(a));
	for (size_t i = 0; i < pol->n_split_include; i++) {
		char n[20];
		size_t l = strlen(routes);
		ipv4_str(pol->split_include[i].addr, n, sizeof(n));
		snprintf(routes + l, sizeof(routes) - l, "%s%s/%d", i ? ", " : "", n,
		         prefix_len(pol->split_include[i].mask));
	}
	for (size_t i = 0; i < pol->n_dns; i++) {
		char n[20];
		size_t l = strlen(dns);
		ipv4_str(pol->dns[i], n, sizeof(n));
		snprintf(dns + l, sizeof(dns) - l, "%s%s", i ? ", " : "", n);
	}
	printf(_("connected: address %s on %s; routes: %s; DNS: %s\n"
	         "Press Ctrl-C to disconnect.\n"),
	       a, ifname, pol->n_split_include ? routes : "all traffic (full tunnel)",
	       pol->n_dns ? dns : "unchanged");
	fflush(stdout);
}

/* Reads one line from the terminal, without echo unless echo. */
static int prompt_tty(const char *question, bool echo, char *line, size_t cap)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -ENOTTY;
	FILE *f = fdopen(fd, "r+");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	struct termios old, quiet;
	bool restore = false;
	if (!echo && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	evc_fput_printable(f, question, true); /* a re-prompt quotes the gateway's message */
	fflush(f);
	char *got = fgets(line, (int)cap, f);
	if (restore) {
		tcsetattr(fd, TCSAFLUSH, &old);
		fprintf(f, "\n");
	}
	fclose(f);
	if (!got)
		return -ECANCELED;
	line[strcspn(line, "\r\n")] = '\0';
	return 0;
}

/* The gateway asks (again): on a terminal ask the user, otherwise give up. */
static void cb_prompt(void *ctx, const struct evc_prompt *p)
{
	struct term *t = ctx;
	char q[512], line[SECRET_MAX];
	bool asked = isatty(STDIN_FILENO) && p->user[0];
	if (asked) {
		snprintf(q, sizeof(q), _("%s%sPassword for %s: "), p->message,
		         *p->message ? "\n" : "", p->user);
		asked = prompt_tty(q, false, line, sizeof(line)) == 0;
	}
	evc_client_answer(t->client, NULL, asked ? line : NULL);
	mem_wipe(line, sizeof(line));
}

const struct evc_client_ops term_ops = {
    .log = cb_log,
    .step = cb_step,
    .banner = cb_banner,
    .prompt = cb_prompt,
    .failover = cb_failover,
    .reconnecting = cb_reconnecting,
    .setup_done = cb_setup_done,
    .connected = cb_connected,
};

/* One line of FILE (or of standard input for "-"). */
static int read_secret(struct term *t, const char *path, const char *what, char *line, size_t cap,
                       char *err, size_t errlen)
{
	FILE *f;
	int rc = 0;
	if (strcmp(path, "-") == 0) {
		f = t->stdin_lines ? t->stdin_lines : stdin;
		t->stdin_lines = f;
	} else {
		f = fopen(path, "re");
		if (!f) {
			snprintf(err, errlen, _("cannot read the %s from %s: %s"), what, path,
			         strerror(errno));
			return -errno;
		}
		struct stat st;
		if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
			fprintf(stderr,
			        _("evc: warning: %s is readable by other users; chmod 600 it\n"),
			        path);
	}
	if (!fgets(line, (int)cap, f)) {
		snprintf(err, errlen, _("the %s file %s is empty"), what, path);
		rc = -EINVAL;
	} else {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0]) {
			snprintf(err, errlen, _("the first line of %s holds no %s"), path, what);
			rc = -EINVAL;
		}
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

int term_secret(struct term *t, struct evc_settings *set, enum evc_secret_kind kind,
                const char *file, const struct evc_profile *prof, const char *question, char *err,
                size_t errlen)
{
	const char *what = kind == EVC_SECRET_GROUP_KEY ? _("group key") : _("password");
	const char *flag = kind == EVC_SECRET_GROUP_KEY ? "--group-key-file" : "--password-file";
	char line[SECRET_MAX];
	int rc;
	if (file) {
		rc = read_secret(t, file, what, line, sizeof(line), err, errlen);
	} else {
		rc = prof ? evc_settings_fetch_secret(set, prof, kind, err, errlen) : -EAGAIN;
		if (rc != -EAGAIN)
			return rc;
		rc = prompt_tty(question, false, line, sizeof(line));
		if (rc)
			snprintf(err, errlen,
			         _("no %s: give %s FILE, or run evc on a terminal to be asked"),
			         what, flag);
	}
	if (!rc)
		rc = evc_settings_set_secret(set, kind, line);
	mem_wipe(line, sizeof(line));
	return rc;
}

int term_check_privileges(struct term *t, const struct evc_settings *set, char *err, size_t errlen)
{
	t->run_as = set->run_as_user[0] != '\0';
	t->run_as_uid = set->run_as_uid;
	t->run_as_gid = set->run_as_gid;
	return plat_privs_check_connect(set->local_port ? set->local_port : IKE_PORT,
	                                set->natt != IKE_NATT_FORCE, t->run_as, err, errlen);
}

int term_username(struct evc_settings *set, char *err, size_t errlen)
{
	char line[EVC_NAME_MAX];
	if (set->user[0])
		return 0;
	if (prompt_tty("Username: ", true, line, sizeof(line)) != 0 || !line[0]) {
		snprintf(err, errlen, _("no username: give --user NAME"));
		return -EINVAL;
	}
	snprintf(set->user, sizeof(set->user), "%s", line);
	return 0;
}

/* Ctrl-C, SIGTERM and SIGHUP become a readable descriptor: the client disconnects cleanly. */
int term_stop_signals(char *err, size_t errlen)
{
	int fd = signals_stop_fd();
	if (fd < 0)
		snprintf(err, errlen, _("cannot watch for signals: %s"), strerror(-fd));
	return fd;
}
