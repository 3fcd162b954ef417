/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What evc-gui shows, without a widget: the daemon's replies and events (lib/ctlproto.h)
 * applied to one struct, and the texts the window puts on screen. The GTK code only copies
 * these into widgets, so everything here is tested by cmocka without a display.
 */
#ifndef EVC_GUI_MODEL_H
#define EVC_GUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ctlproto.h"

#define GUI_STEPS 7
#define GUI_TEXT_MAX 1024
#define GUI_MAX_NETS 64
#define GUI_LOG_LINES 256

/* What an applied message changed: the window redraws those parts only. */
enum {
	GUI_CH_STATE = 1 << 0,
	GUI_CH_STEPS = 1 << 1,
	GUI_CH_COUNTERS = 1 << 2,
	GUI_CH_BANNER = 1 << 3,
	GUI_CH_PROMPT = 1 << 4,
	GUI_CH_ERROR = 1 << 5,
	GUI_CH_LOG = 1 << 6,
	GUI_CH_REPLY = 1 << 7, /* a command's answer (ok or error) */
};

struct gui_model {
	int version; /* of the daemon, after hello; 0 before */
	char state[32];
	char profile[64];
	char gateway[256], group[128], user[128], interface[16], address[16];
	int step;                                    /* the last step reported, 0..9 */
	char step_text[GUI_STEPS + 1][GUI_TEXT_MAX]; /* [1..7] */
	char nets[GUI_MAX_NETS][20];
	size_t n_nets;
	char dns[4][16];
	size_t n_dns;
	bool have_save_password, save_password; /* the gateway's save-password, once known */
	uint64_t bytes_in, bytes_out, packets_in, packets_out, uptime_s;
	unsigned sas;
	bool banner_waiting;
	char banner[2048];
	bool prompt_waiting, prompt_retry;
	char prompt_user[128];
	char error[GUI_TEXT_MAX]; /* the last error, as the CLI prints it; "" none */
	char last_reply[32];      /* the command the last reply answered */
	bool last_ok;
	/* the log view: a ring of the last GUI_LOG_LINES lines */
	char log[GUI_LOG_LINES][256];
	size_t log_next, log_count;
};

void gui_model_init(struct gui_model *m);
/* Applies one reply or event; returns the GUI_CH_* bits of what changed. */
unsigned gui_model_apply(struct gui_model *m, const struct ctlp_msg *msg);
/* A line for the log view, from the window itself (a connection error, ...). */
void gui_model_log(struct gui_model *m, const char *line);
/* The i-th log line, oldest first (i < log_count). */
const char *gui_model_log_line(const struct gui_model *m, size_t i);

bool gui_model_connected(const struct gui_model *m);
/* Whether a tunnel is being set up or up: connect is then not offered, disconnect is. */
bool gui_model_busy(const struct gui_model *m);

/* "1.5 MB", "830 B", "2.0 GB" (powers of 1000, as GNOME shows sizes). */
void gui_fmt_bytes(uint64_t n, char *out, size_t cap);
/* "0:00:07", "1:02:03", "2 d 3:04:05". */
void gui_fmt_duration(uint64_t s, char *out, size_t cap);
/* "Connected", "Connecting (step 3 of 7)", "Disconnected", ... for the status line. */
void gui_fmt_state(const struct gui_model *m, char *out, size_t cap);

#endif
