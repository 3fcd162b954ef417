/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The terminal side of `evc connect`; see term.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "client/core/printable.h"
#include "client/profile_cmd.h"
#include "client/term.h"
#include "lib/secret.h"
#include "lib/secret_line.h"
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

/*
 * A question on the terminal (/dev/tty, non-blocking): the answer is read as it is typed, into
 * a secret line. Without echo, Ctrl-Z and Ctrl-\ are off until it ends: a stopped or dumped
 * process would leave the terminal without echo. Ctrl-C stays: it reaches a signalfd (the
 * client's, or prompt_tty's), never the default action, so the terminal is restored first.
 */
struct term_ask {
	FILE *f;
	struct termios old;
	bool restore;
	struct secret_line line;
};

static void ask_restore(struct term_ask *a)
{
	if (!a->restore)
		return;
	tcsetattr(fileno(a->f), TCSAFLUSH, &a->old);
	fputc('\n', a->f); /* the Enter that was not echoed */
	fflush(a->f);
	a->restore = false;
}

static void ask_close(struct term_ask *a)
{
	if (!a)
		return;
	ask_restore(a);
	fclose(a->f);
	secret_line_clear(&a->line);
	free(a);
}

static int ask_open(struct term_ask **out, const char *question, bool echo)
{
	struct term_ask *a = calloc(1, sizeof(*a));
	int fd = -1, rc;
	*out = NULL;
	if (!a)
		return -ENOMEM;
	rc = secret_line_init(&a->line, SECRET_MAX - 1);
	if (rc)
		goto fail;
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -ENOTTY;
		goto fail;
	}
	a->f = fdopen(fd, "r+");
	if (!a->f) {
		rc = -ENOMEM;
		close(fd);
		goto fail;
	}
	if (!echo && tcgetattr(fd, &a->old) == 0) {
		struct termios quiet = a->old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_cc[VSUSP] = _POSIX_VDISABLE;
		quiet.c_cc[VQUIT] = _POSIX_VDISABLE;
		a->restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	evc_fput_printable(a->f, question, true); /* a re-prompt quotes the gateway's message */
	fflush(a->f);
	*out = a;
	return 0;
fail:
	if (a->f)
		fclose(a->f);
	secret_line_clear(&a->line);
	free(a);
	return rc;
}

/* What was typed so far: 1 the line is complete, 0 more to come, else why not (-ECANCELED:
 * end of input). */
static int ask_read(struct term_ask *a)
{
	char buf[256];
	ssize_t n = read(fileno(a->f), buf, sizeof(buf));
	int rc;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	rc = n == 0 ? -ECANCELED : secret_line_feed(&a->line, buf, (size_t)n);
	mem_wipe(buf, sizeof(buf));
	return rc;
}

/*
 * Reads one line from the terminal, without echo unless echo, blocking: the questions before
 * the client runs (group key, username, password), when there is nothing else to keep going.
 * Ctrl-C, SIGTERM and SIGHUP are held while it waits; one that came ends the wait, and is
 * delivered when they are released, after the terminal has its echo back.
 */
static int prompt_tty(const char *question, bool echo, char *line, size_t cap)
{
	struct term_ask *a = NULL;
	sigset_t stop, old;
	int sfd, rc;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &stop, &old) != 0)
		return -errno;
	sfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
	rc = ask_open(&a, question, echo);
	while (rc == 0) {
		struct pollfd pf[2] = {{.fd = fileno(a->f), .events = POLLIN},
		                       {.fd = sfd, .events = POLLIN}};
		if (poll(pf, 2, -1) < 0) {
			rc = errno == EINTR ? 0 : -errno;
			continue;
		}
		if (pf[1].revents) {
			rc = -EINTR;
			break;
		}
		rc = ask_read(a);
	}
	if (rc == 1) {
		const char *got = secret_line_str(&a->line);
		rc = strlen(got) < cap ? 0 : -EMSGSIZE;
		if (!rc)
			memcpy(line, got, strlen(got) + 1);
	}
	ask_close(a);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/*
 * The gateway asks (again): on a terminal ask the user, otherwise give up. While the client
 * runs the answer is read from its event loop (term_prompt_fd), not here: a phase-1 rekey asks
 * while the tunnel is up, and the tunnel (ESP, DPD, ESP rekeys) must keep running while the
 * user has not answered.
 */
static void cb_prompt(void *ctx, const struct evc_prompt *p)
{
	struct term *t = ctx;
	char q[768];
	int rc;
	if (!isatty(STDIN_FILENO) || !p->user[0]) {
		evc_client_answer(t->client, NULL, NULL);
		return;
	}
	if (t->ask) {
		/* the client asks one question at a time; a second one is refused, not mixed up */
		term_error(_("the gateway asks for a password while the previous question is still "
		             "open on the terminal: declined; answer the open question"));
		evc_client_answer(t->client, NULL, NULL);
		return;
	}
	snprintf(q, sizeof(q), _("%s%sPassword for %s: "), p->message, *p->message ? "\n" : "",
	         p->user);
	rc = ask_open(&t->ask, q, false);
	if (rc) {
		char e[160];
		snprintf(e, sizeof(e), _("cannot ask for the password on the terminal: %s"),
		         strerror(-rc));
		term_error(e);
		evc_client_answer(t->client, NULL, NULL);
	}
}

int term_prompt_fd(const struct term *t)
{
	return t->ask ? fileno(t->ask->f) : -1;
}

void term_prompt_input(struct term *t)
{
	int rc = t->ask ? ask_read(t->ask) : 0;
	char e[200];
	if (rc == 0)
		return;
	/* detached first: the answer may ask again at once, and that question is a new one */
	struct term_ask *a = t->ask;
	t->ask = NULL;
	ask_restore(a);
	if (rc == 1) {
		if (evc_client_answer(t->client, NULL, secret_line_str(&a->line)) == -EALREADY)
			term_error(_("the question is no longer open (what it was for has ended): "
			             "the password was not used"));
	} else {
		if (rc == -ECANCELED)
			snprintf(e, sizeof(e), "%s",
			         _("no password typed (end of input): the gateway's question is "
			           "declined"));
		else if (rc == -EMSGSIZE)
			snprintf(e, sizeof(e),
			         _("the password typed is longer than %d bytes: the gateway's "
			           "question is declined"),
			         SECRET_MAX - 1);
		else
			snprintf(e, sizeof(e),
			         _("cannot read the terminal (%s): the gateway's question is "
			           "declined"),
			         strerror(-rc));
		term_error(e);
		evc_client_answer(t->client, NULL, NULL);
	}
	ask_close(a);
}

void term_prompt_close(struct term *t)
{
	ask_close(t->ask);
	t->ask = NULL;
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
		if (rc == -ECANCELED)
			snprintf(err, errlen, _("no %s typed (end of input)"), what);
		else if (rc == -EMSGSIZE)
			snprintf(err, errlen, _("the %s typed is longer than %d bytes"), what,
			         SECRET_MAX - 1);
		else if (rc)
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
