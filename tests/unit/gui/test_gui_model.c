/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc-gui's model without a display (gui/core/model.c): the daemon's replies and events of a
 * whole connection, in the order the daemon sends them, and what the window would show after
 * each; the texts for sizes, durations and states; the log ring.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gui/core/model.h"

static struct ctlp_msg msg;

static unsigned feed(struct gui_model *m, const char *line)
{
	char err[256];
	if (ctlp_parse(&msg, line, strlen(line), err, sizeof(err)) != 0)
		fail_msg("%s: %s", line, err);
	unsigned ch = gui_model_apply(m, &msg);
	ctlp_msg_wipe(&msg);
	return ch;
}

static void test_connection(void **state)
{
	struct gui_model m;
	char s[128];
	(void)state;
	gui_model_init(&m);
	gui_fmt_state(&m, s, sizeof(s));
	assert_string_equal(s, "Not connected to the evc daemon");
	assert_true(feed(&m, "{\"reply\":\"hello\",\"ok\":true,\"version\":1,\"profile\":\"\"}") &
	            GUI_CH_REPLY);
	assert_int_equal(m.version, 1);
	feed(&m, "{\"reply\":\"subscribe\",\"ok\":true,\"state\":\"idle\",\"step\":0,"
	         "\"gateway\":\"\",\"profile\":\"\"}");
	gui_fmt_state(&m, s, sizeof(s));
	assert_string_equal(s, "Disconnected");
	assert_false(gui_model_busy(&m));
	/* connect accepted: connecting at once, before the daemon's state event */
	unsigned ch = feed(&m, "{\"reply\":\"connect\",\"ok\":true}");
	assert_true(ch & GUI_CH_STATE);
	assert_true(gui_model_busy(&m));
	feed(&m, "{\"event\":\"state\",\"state\":\"connecting\",\"step\":0,\"gateway\":"
	         "\"198.51.100.1\",\"user\":\"richard\",\"profile\":\"office\"}");
	assert_true(feed(&m, "{\"event\":\"step\",\"step\":1,\"of\":7,\"text\":\"connecting to "
	                     "198.51.100.1\"}") &
	            GUI_CH_STEPS);
	feed(&m, "{\"event\":\"step\",\"step\":3,\"of\":7,\"text\":\"phase 1 established\"}");
	gui_fmt_state(&m, s, sizeof(s));
	assert_string_equal(s, "Connecting (step 3 of 7)");
	assert_string_equal(m.step_text[1], "connecting to 198.51.100.1");
	assert_string_equal(m.step_text[2], "");
	/* the password asked for, then again */
	assert_true(feed(&m, "{\"event\":\"prompt\",\"kind\":\"password\",\"user\":\"richard\","
	                     "\"retry\":false}") &
	            GUI_CH_PROMPT);
	assert_true(m.prompt_waiting);
	assert_false(m.prompt_retry);
	assert_true(feed(&m, "{\"reply\":\"answer\",\"ok\":true}") & GUI_CH_PROMPT);
	assert_false(m.prompt_waiting);
	feed(&m,
	     "{\"event\":\"prompt\",\"kind\":\"password\",\"user\":\"richard\",\"retry\":true}");
	assert_true(m.prompt_retry);
	/* the banner */
	assert_true(feed(&m, "{\"event\":\"banner\",\"text\":\"Welcome\\nto quizware\"}") &
	            GUI_CH_BANNER);
	assert_true(m.banner_waiting);
	assert_string_equal(m.banner, "Welcome\nto quizware");
	/* up, with the gateway's policy */
	feed(&m, "{\"event\":\"state\",\"state\":\"connected\",\"step\":8,\"gateway\":"
	         "\"198.51.100.1\",\"address\":\"10.98.0.10\",\"interface\":\"evc0\","
	         "\"sas\":1,\"bytes_in\":0,\"uptime_s\":0,\"profile\":\"office\","
	         "\"networks\":[\"10.99.0.0/24\",\"10.100.0.0/16\"],\"dns\":[\"10.99.0.53\"],"
	         "\"save_password\":true}");
	assert_true(gui_model_connected(&m));
	assert_false(m.banner_waiting); /* an answered banner does not come back */
	assert_string_equal(m.address, "10.98.0.10");
	assert_int_equal(m.n_nets, 2);
	assert_string_equal(m.nets[1], "10.100.0.0/16");
	assert_true(m.have_save_password && m.save_password);
	assert_true(feed(&m, "{\"event\":\"counters\",\"bytes_in\":1234567,\"bytes_out\":999,"
	                     "\"uptime_s\":3725,\"sas\":2}") &
	            GUI_CH_COUNTERS);
	assert_int_equal(m.bytes_in, 1234567);
	assert_int_equal(m.sas, 2);
	/* the gateway goes away: the sentence the CLI prints */
	const char *why = "step 8 (established): the gateway stopped answering dead peer "
	                  "detection after 5 probes";
	char line[400];
	snprintf(line, sizeof(line), "{\"event\":\"error\",\"text\":\"%s\",\"final\":false}", why);
	assert_true(feed(&m, line) & GUI_CH_ERROR);
	assert_string_equal(m.error, why);
	feed(&m, "{\"event\":\"state\",\"state\":\"reconnecting\",\"step\":8}");
	gui_fmt_state(&m, s, sizeof(s));
	assert_string_equal(s, "Reconnecting");
	/* a reconnection keeps the steps of the attempt before visible until its step 1 */
	feed(&m, "{\"event\":\"state\",\"state\":\"connecting\",\"step\":1}");
	assert_string_equal(m.step_text[3], "phase 1 established");
	feed(&m, "{\"event\":\"step\",\"step\":1,\"of\":7,\"text\":\"again\"}");
	assert_string_equal(m.step_text[1], "again");
	assert_string_equal(m.step_text[3], "");
	/* steps that came before the state event of their attempt stay */
	feed(&m, "{\"event\":\"state\",\"state\":\"disconnected\"}");
	feed(&m, "{\"event\":\"step\",\"step\":1,\"text\":\"first\"}");
	feed(&m, "{\"event\":\"state\",\"state\":\"connecting\",\"step\":1}");
	assert_string_equal(m.step_text[1], "first");
	feed(&m, "{\"event\":\"state\",\"state\":\"disconnected\"}");
	assert_false(gui_model_busy(&m));
	/* a new connect starts clean */
	feed(&m, "{\"reply\":\"connect\",\"ok\":true}");
	assert_string_equal(m.step_text[1], "");
	assert_string_equal(m.error, "");
	assert_false(m.have_save_password);
}

static void test_refusals(void **state)
{
	struct gui_model m;
	(void)state;
	gui_model_init(&m);
	unsigned ch = feed(&m, "{\"reply\":\"refused\",\"ok\":false,\"error\":\"uid 1000 is not "
	                       "allowed on this control socket: only root and members of group "
	                       "evc are\"}");
	assert_true(ch & GUI_CH_ERROR);
	assert_false(m.last_ok);
	assert_string_equal(m.last_reply, "refused");
	assert_non_null(strstr(m.error, "members of group evc"));
	ch = feed(&m, "{\"reply\":\"connect\",\"ok\":false,\"error\":\"profile 'office' is in use; "
	              "disconnect it first\"}");
	assert_true(ch & GUI_CH_ERROR);
	assert_false(gui_model_busy(&m)); /* a refused connect is no attempt */
	assert_string_equal(m.error, "profile 'office' is in use; disconnect it first");
	/* unknown events and keys are ignored, not misread */
	assert_int_equal(feed(&m, "{\"event\":\"future\",\"text\":\"x\"}"), 0);
	assert_int_equal(feed(&m, "{\"something\":1}"), 0);
	/* steps out of range change nothing */
	assert_int_equal(feed(&m, "{\"event\":\"step\",\"step\":99,\"text\":\"x\"}"), 0);
	assert_int_equal(feed(&m, "{\"event\":\"step\",\"step\":\"3\"}"), 0);
}

static void test_formats(void **state)
{
	char s[64];
	(void)state;
	static const struct {
		uint64_t n;
		const char *want;
	} b[] = {{0, "0 B"},
	         {999, "999 B"},
	         {1000, "1.0 kB"},
	         {1234567, "1.2 MB"},
	         {999999999, "999.9 MB"},
	         {1000000000, "1.0 GB"},
	         {UINT64_MAX, "18446.7 PB"}};
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		gui_fmt_bytes(b[i].n, s, sizeof(s));
		assert_string_equal(s, b[i].want);
	}
	gui_fmt_duration(0, s, sizeof(s));
	assert_string_equal(s, "0:00:00");
	gui_fmt_duration(3725, s, sizeof(s));
	assert_string_equal(s, "1:02:05");
	gui_fmt_duration(2 * 86400 + 3 * 3600 + 4 * 60 + 5, s, sizeof(s));
	assert_string_equal(s, "2 d 3:04:05");
}

static void test_log_ring(void **state)
{
	struct gui_model m;
	char line[32];
	(void)state;
	gui_model_init(&m);
	for (int i = 0; i < GUI_LOG_LINES + 10; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		gui_model_log(&m, line);
	}
	assert_int_equal(m.log_count, GUI_LOG_LINES);
	assert_string_equal(gui_model_log_line(&m, 0), "line 10");
	snprintf(line, sizeof(line), "line %d", GUI_LOG_LINES + 9);
	assert_string_equal(gui_model_log_line(&m, GUI_LOG_LINES - 1), line);
	assert_string_equal(gui_model_log_line(&m, GUI_LOG_LINES), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_connection),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_formats),
	    cmocka_unit_test(test_log_ring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
