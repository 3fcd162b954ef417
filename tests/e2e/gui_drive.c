/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/e2e/gui.sh's client of the evc daemon: evc-gui's own code without its widgets
 * (gui/core: the control-protocol client and the model) driving a real daemon, as the window
 * does. It prints what the window would show, one "key: value" per line, for the script to
 * check.
 *
 * usage: gui_drive SOCKET connect PROFILE [--gateway H] [--group G] [--user U]
 *                   [--group-key-file F] [--password-file F] [--wrong-password-file F]
 *                   [--connect-password-file F (in the connect command, not a prompt's answer)]
 *                   [--banner accept|decline] [--banner-after-file F] [--disconnect]
 *                   [--timeout S]
 *        gui_drive SOCKET status | disconnect
 * Exit: 0 the expected end state was reached, 1 not (the reason on stderr), 3 refused by
 * the daemon or the socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gui/core/ctlclient.h"
#include "gui/core/model.h"
#include "lib/secret.h"
#include "lib/timer.h"

struct drive {
	struct gui_conn *c;
	struct gui_model m;
	struct ctlp_msg msg;
	char err[1024];
	const char *banner;       /* accept | decline */
	const char *banner_after; /* a file: answer the banner once it exists */
	char password[256], wrong[256];
	unsigned prompts;
};

static int read_secret(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (!f || !fgets(out, (int)cap, f)) {
		fprintf(stderr, "gui_drive: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/* Handles what arrives for up to ms; returns the GUI_CH_* bits seen, or -1 when the daemon
 * went away. Answers prompts and the banner as told. */
static int pump(struct drive *d, int ms)
{
	struct pollfd p = {gui_conn_fd(d->c), POLLIN, 0};
	unsigned seen = 0;
	if (poll(&p, 1, ms) < 0)
		return -1;
	for (;;) {
		int rc = gui_conn_read(d->c, &d->msg, d->err, sizeof(d->err));
		if (rc == 0)
			break;
		if (rc < 0) {
			fprintf(stderr, "gui_drive: %s\n", d->err);
			return -1;
		}
		unsigned ch = gui_model_apply(&d->m, &d->msg);
		ctlp_msg_wipe(&d->msg);
		seen |= ch;
		if (ch & GUI_CH_STEPS)
			printf("step %d: %s\n", d->m.step,
			       d->m.step <= GUI_STEPS ? d->m.step_text[d->m.step] : "");
		if (ch & GUI_CH_ERROR)
			printf("error: %s\n", d->m.error);
		if ((ch & GUI_CH_PROMPT) && d->m.prompt_waiting) {
			/* the wrong password first, when asked to: the retry must come back */
			const char *pw = d->wrong[0] && d->prompts == 0 ? d->wrong : d->password;
			printf("prompt: password for %s%s\n", d->m.prompt_user,
			       d->m.prompt_retry ? " (again)" : "");
			d->prompts++;
			d->m.prompt_waiting = false;
			if (gui_conn_answer_password(d->c, NULL, pw[0] ? pw : NULL, d->err,
			                             sizeof(d->err)))
				return -1;
		}
		if ((ch & GUI_CH_BANNER) && d->m.banner_waiting) {
			bool yes = !d->banner || strcmp(d->banner, "accept") == 0;
			printf("banner: %s\n", d->m.banner);
			fflush(stdout);
			/* another window (evc-gui under test) shows the banner meanwhile */
			uint64_t until = mono_ms() + 30000;
			while (d->banner_after && access(d->banner_after, F_OK) != 0 &&
			       mono_ms() < until)
				poll(NULL, 0, 20);
			d->m.banner_waiting = false;
			if (gui_conn_answer_banner(d->c, yes, d->err, sizeof(d->err)))
				return -1;
		}
		if (ch & GUI_CH_STATE)
			printf("state: %s\n", d->m.state);
	}
	fflush(stdout);
	return (int)seen;
}

/* Until the model is in one of the states (|-separated) or the time is up. */
static int wait_state(struct drive *d, const char *states, uint64_t ms)
{
	uint64_t end = mono_ms() + ms;
	char want[128];
	while (mono_ms() < end) {
		snprintf(want, sizeof(want), "|%s|", states);
		char have[40];
		snprintf(have, sizeof(have), "|%s|", d->m.state);
		if (strstr(want, have))
			return 0;
		if (pump(d, 100) < 0)
			return -1;
	}
	fprintf(stderr, "gui_drive: still %s after %llu ms, waiting for %s\n", d->m.state,
	        (unsigned long long)ms, states);
	return -1;
}

static void show(const struct drive *d)
{
	char s[128], in[32], out[32], up[32];
	gui_fmt_state(&d->m, s, sizeof(s));
	gui_fmt_bytes(d->m.bytes_in, in, sizeof(in));
	gui_fmt_bytes(d->m.bytes_out, out, sizeof(out));
	gui_fmt_duration(d->m.uptime_s, up, sizeof(up));
	printf("shown: %s\n", s);
	printf("profile: %s\ngateway: %s\naddress: %s\ninterface: %s\n", d->m.profile, d->m.gateway,
	       d->m.address, d->m.interface);
	for (size_t i = 0; i < d->m.n_nets; i++)
		printf("network: %s\n", d->m.nets[i]);
	for (size_t i = 1; i <= GUI_STEPS; i++)
		if (d->m.step_text[i][0])
			printf("steps-seen: %zu\n", i);
	printf("save-password: %s\n", !d->m.have_save_password ? "unknown"
	                              : d->m.save_password     ? "allowed"
	                                                       : "refused");
	printf("bytes-in: %llu (%s)\nbytes-out: %llu (%s)\nuptime: %s\n",
	       (unsigned long long)d->m.bytes_in, in, (unsigned long long)d->m.bytes_out, out, up);
	fflush(stdout);
}

static int refused(const struct drive *d)
{
	return strcmp(d->m.last_reply, "refused") == 0 ? 3 : 1;
}

int main(int argc, char **argv)
{
	static struct drive d;
	struct gui_connect a = {0};
	bool disconnect = false;
	unsigned timeout_s = 30;
	int rc = 1;

	if (argc < 3)
		return 2;
	gui_model_init(&d.m);
	d.c = gui_conn_open(argv[1], d.err, sizeof(d.err));
	if (!d.c) {
		fprintf(stderr, "gui_drive: %s\n", d.err);
		return 3;
	}
	/* hello and subscribe answered: the model knows the daemon's state */
	uint64_t end = mono_ms() + 5000;
	while (!(d.m.version && strcmp(d.m.last_reply, "subscribe") == 0) && mono_ms() < end)
		if (pump(&d, 100) < 0 || !d.m.last_ok)
			return refused(&d);
	if (strcmp(argv[2], "status") == 0) {
		show(&d);
		rc = 0;
		goto out;
	}
	if (strcmp(argv[2], "disconnect") == 0) {
		if (gui_conn_disconnect(d.c, d.err, sizeof(d.err)) ||
		    wait_state(&d, "disconnected|failed", 15000))
			goto out;
		printf("state: %s\n", d.m.state);
		rc = 0;
		goto out;
	}
	if (strcmp(argv[2], "connect") != 0 || argc < 4)
		return 2;
	char key[256] = "", cpw[256] = "";
	a.profile = argv[3];
	for (int i = 4; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : "";
		if (strcmp(argv[i], "--gateway") == 0)
			a.gateway = argv[++i];
		else if (strcmp(argv[i], "--group") == 0)
			a.group = argv[++i];
		else if (strcmp(argv[i], "--user") == 0)
			a.user = argv[++i];
		else if (strcmp(argv[i], "--group-key-file") == 0 && ++i)
			rc = read_secret(v, key, sizeof(key));
		else if (strcmp(argv[i], "--password-file") == 0 && ++i)
			rc = read_secret(v, d.password, sizeof(d.password));
		else if (strcmp(argv[i], "--connect-password-file") == 0 && ++i)
			rc = read_secret(v, cpw, sizeof(cpw));
		else if (strcmp(argv[i], "--wrong-password-file") == 0 && ++i)
			rc = read_secret(v, d.wrong, sizeof(d.wrong));
		else if (strcmp(argv[i], "--banner") == 0)
			d.banner = argv[++i];
		else if (strcmp(argv[i], "--banner-after-file") == 0)
			d.banner_after = argv[++i];
		else if (strcmp(argv[i], "--disconnect") == 0)
			disconnect = true;
		else if (strcmp(argv[i], "--timeout") == 0)
			timeout_s = (unsigned)atoi(argv[++i]);
		if (rc < 0)
			goto out;
	}
	a.group_key = key;
	a.password = cpw[0] ? cpw : NULL;
	rc = 1;
	if (gui_conn_connect(d.c, &a, d.err, sizeof(d.err))) {
		fprintf(stderr, "gui_drive: %s\n", d.err);
		goto out;
	}
	mem_wipe(key, sizeof(key));
	mem_wipe(cpw, sizeof(cpw));
	d.m.last_reply[0] = '\0';
	end = mono_ms() + 10000;
	while (strcmp(d.m.last_reply, "connect") != 0 && mono_ms() < end)
		if (pump(&d, 100) < 0)
			goto out;
	if (!d.m.last_ok) {
		fprintf(stderr, "gui_drive: connect refused: %s\n", d.m.error);
		goto out;
	}
	if (wait_state(&d, "connected|failed|disconnected", timeout_s * 1000ull))
		goto out;
	if (!gui_model_connected(&d.m)) {
		show(&d);
		fprintf(stderr, "gui_drive: the connection ended: %s\n", d.m.error);
		goto out;
	}
	/* a counters event: the live status moves */
	end = mono_ms() + 5000;
	while (d.m.uptime_s < 1 && mono_ms() < end)
		if (pump(&d, 200) < 0)
			goto out;
	show(&d);
	if (disconnect) {
		if (gui_conn_disconnect(d.c, d.err, sizeof(d.err)) ||
		    wait_state(&d, "disconnected|failed", 15000))
			goto out;
		printf("state: %s\n", d.m.state);
	}
	rc = 0;
out:
	mem_wipe(cpw, sizeof(cpw));
	mem_wipe(d.password, sizeof(d.password));
	mem_wipe(d.wrong, sizeof(d.wrong));
	gui_conn_free(d.c);
	return rc;
}
