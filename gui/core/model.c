/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evc-gui's model; see model.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gui/core/model.h"
#include "lib/i18n.h"

void gui_model_init(struct gui_model *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->state, sizeof(m->state), "unknown");
}

/* src into dst, cut at cap - 1 bytes: the daemon's texts may be longer than a field */
static void copy(char *dst, size_t cap, const char *src)
{
	if (!src || !cap)
		return;
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void u64(const struct ctlp_msg *msg, const char *key, uint64_t *v)
{
	int64_t x;
	if (ctlp_int(msg, key, &x) && x >= 0)
		*v = (uint64_t)x;
}

static unsigned counters(struct gui_model *m, const struct ctlp_msg *msg)
{
	uint64_t sas = m->sas;
	u64(msg, "bytes_in", &m->bytes_in);
	u64(msg, "bytes_out", &m->bytes_out);
	u64(msg, "packets_in", &m->packets_in);
	u64(msg, "packets_out", &m->packets_out);
	u64(msg, "uptime_s", &m->uptime_s);
	u64(msg, "sas", &sas);
	m->sas = (unsigned)sas;
	return GUI_CH_COUNTERS;
}

/* The status fields a state event, a status or subscribe reply carry. */
static unsigned status(struct gui_model *m, const struct ctlp_msg *msg)
{
	const char *st = ctlp_str(msg, "state");
	const char *const *v;
	size_t n;
	int64_t step;
	bool b;
	unsigned ch = 0;

	if (!st)
		return 0;
	if (strcmp(st, m->state) != 0) {
		ch |= GUI_CH_STATE;
		if (strcmp(st, "connected") == 0 || strcmp(st, "connecting") == 0)
			m->error[0] = '\0';
	}
	copy(m->state, sizeof(m->state), st);
	copy(m->profile, sizeof(m->profile), ctlp_str(msg, "profile"));
	copy(m->gateway, sizeof(m->gateway), ctlp_str(msg, "gateway"));
	copy(m->group, sizeof(m->group), ctlp_str(msg, "group"));
	copy(m->user, sizeof(m->user), ctlp_str(msg, "user"));
	copy(m->interface, sizeof(m->interface), ctlp_str(msg, "interface"));
	copy(m->address, sizeof(m->address), ctlp_str(msg, "address"));
	if (ctlp_int(msg, "step", &step) && step >= 0 && step <= 9)
		m->step = (int)step;
	if ((v = ctlp_strs(msg, "networks", &n))) {
		m->n_nets = 0;
		for (size_t i = 0; i < n && i < GUI_MAX_NETS; i++)
			copy(m->nets[m->n_nets++], sizeof(m->nets[0]), v[i]);
	}
	if ((v = ctlp_strs(msg, "dns", &n))) {
		m->n_dns = 0;
		for (size_t i = 0; i < n && i < 4; i++)
			copy(m->dns[m->n_dns++], sizeof(m->dns[0]), v[i]);
	}
	if (ctlp_bool(msg, "save_password", &b)) {
		m->have_save_password = true;
		m->save_password = b;
	}
	/* up means every question was answered; ended means none is left to answer */
	if (!gui_model_busy(m) || gui_model_connected(m))
		m->banner_waiting = m->prompt_waiting = false;
	return ch | counters(m, msg);
}

static unsigned event(struct gui_model *m, const char *ev, const struct ctlp_msg *msg)
{
	const char *text = ctlp_str(msg, "text");
	int64_t step;
	bool b;

	if (strcmp(ev, "state") == 0)
		return status(m, msg) | GUI_CH_STATE;
	if (strcmp(ev, "counters") == 0)
		return counters(m, msg);
	if (strcmp(ev, "step") == 0) {
		if (!ctlp_int(msg, "step", &step) || step < 1 || step > 9)
			return 0;
		/* every attempt starts at step 1: the steps of the one before would mislead (the
		 * state event may come before or after the first steps) */
		if (step == 1)
			memset(m->step_text, 0, sizeof(m->step_text));
		m->step = (int)step;
		if (step <= GUI_STEPS)
			copy(m->step_text[step], sizeof(m->step_text[0]), text);
		if (text)
			gui_model_log(m, text);
		return GUI_CH_STEPS | GUI_CH_LOG;
	}
	if (strcmp(ev, "banner") == 0) {
		copy(m->banner, sizeof(m->banner), text ? text : "");
		m->banner_waiting = true;
		return GUI_CH_BANNER;
	}
	if (strcmp(ev, "prompt") == 0) {
		copy(m->prompt_user, sizeof(m->prompt_user), ctlp_str(msg, "user"));
		m->prompt_retry = ctlp_bool(msg, "retry", &b) && b;
		m->prompt_waiting = true;
		return GUI_CH_PROMPT;
	}
	if (strcmp(ev, "error") == 0 && text) {
		copy(m->error, sizeof(m->error), text);
		gui_model_log(m, text);
		return GUI_CH_ERROR | GUI_CH_LOG;
	}
	if (strcmp(ev, "log") == 0 && text) {
		gui_model_log(m, text);
		return GUI_CH_LOG;
	}
	return 0;
}

unsigned gui_model_apply(struct gui_model *m, const struct ctlp_msg *msg)
{
	const char *ev = ctlp_str(msg, "event"), *rep = ctlp_str(msg, "reply");
	int64_t v;
	bool ok = false;

	if (ev)
		return event(m, ev, msg);
	if (!rep)
		return 0;
	copy(m->last_reply, sizeof(m->last_reply), rep);
	m->last_ok = ctlp_bool(msg, "ok", &ok) && ok;
	unsigned ch = GUI_CH_REPLY;
	if (!m->last_ok) {
		const char *e = ctlp_str(msg, "error");
		copy(m->error, sizeof(m->error), e ? e : _("the evc daemon refused the command"));
		gui_model_log(m, m->error);
		ch |= GUI_CH_ERROR | GUI_CH_LOG;
	}
	if (strcmp(rep, "hello") == 0 && ctlp_int(msg, "version", &v))
		m->version = (int)v;
	if (strcmp(rep, "connect") == 0 && m->last_ok && !gui_model_busy(m)) {
		/* the daemon's state event follows; the window shows the attempt at once, and
		 * nothing of the one before */
		snprintf(m->state, sizeof(m->state), "connecting");
		memset(m->step_text, 0, sizeof(m->step_text));
		m->step = 0;
		m->error[0] = '\0';
		m->have_save_password = false;
		ch |= GUI_CH_STATE | GUI_CH_STEPS;
	}
	if (strcmp(rep, "answer") == 0 && m->last_ok) {
		m->banner_waiting = m->prompt_waiting = false;
		ch |= GUI_CH_BANNER | GUI_CH_PROMPT;
	}
	return ch | status(m, msg);
}

void gui_model_log(struct gui_model *m, const char *line)
{
	copy(m->log[m->log_next], sizeof(m->log[0]), line);
	m->log_next = (m->log_next + 1) % GUI_LOG_LINES;
	if (m->log_count < GUI_LOG_LINES)
		m->log_count++;
}

const char *gui_model_log_line(const struct gui_model *m, size_t i)
{
	size_t first = (m->log_next + GUI_LOG_LINES - m->log_count) % GUI_LOG_LINES;
	return i < m->log_count ? m->log[(first + i) % GUI_LOG_LINES] : "";
}

bool gui_model_connected(const struct gui_model *m)
{
	return strcmp(m->state, "connected") == 0;
}

bool gui_model_busy(const struct gui_model *m)
{
	return strcmp(m->state, "connecting") == 0 || strcmp(m->state, "connected") == 0 ||
	       strcmp(m->state, "reconnecting") == 0 || strcmp(m->state, "disconnecting") == 0;
}

void gui_fmt_bytes(uint64_t n, char *out, size_t cap)
{
	static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB"};
	if (n < 1000) {
		snprintf(out, cap, "%" PRIu64 " B", n);
		return;
	}
	/* tenths, in integers: no floating point to round differently per machine */
	uint64_t tenths = n / 100;
	size_t u = 0;
	while (tenths >= 10000 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		tenths /= 1000;
		u++;
	}
	snprintf(out, cap, "%" PRIu64 ".%" PRIu64 " %s", tenths / 10, tenths % 10, unit[u]);
}

void gui_fmt_duration(uint64_t s, char *out, size_t cap)
{
	uint64_t d = s / 86400, h = s / 3600 % 24, mi = s / 60 % 60, se = s % 60;
	if (d)
		snprintf(out, cap, "%" PRIu64 " d %" PRIu64 ":%02" PRIu64 ":%02" PRIu64, d, h, mi,
		         se);
	else
		snprintf(out, cap, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, h, mi, se);
}

void gui_fmt_state(const struct gui_model *m, char *out, size_t cap)
{
	if (strcmp(m->state, "connecting") == 0 && m->step >= 1 && m->step <= GUI_STEPS)
		snprintf(out, cap, _("Connecting (step %d of %d)"), m->step, GUI_STEPS);
	else if (strcmp(m->state, "connecting") == 0)
		snprintf(out, cap, "%s", _("Connecting"));
	else if (strcmp(m->state, "connected") == 0)
		snprintf(out, cap, "%s", _("Connected"));
	else if (strcmp(m->state, "disconnecting") == 0)
		snprintf(out, cap, "%s", _("Disconnecting"));
	else if (strcmp(m->state, "reconnecting") == 0)
		snprintf(out, cap, "%s", _("Reconnecting"));
	else if (strcmp(m->state, "failed") == 0)
		snprintf(out, cap, "%s", _("Connection failed"));
	else if (strcmp(m->state, "unknown") == 0)
		snprintf(out, cap, "%s", _("Not connected to the evc daemon"));
	else
		snprintf(out, cap, "%s", _("Disconnected"));
}
