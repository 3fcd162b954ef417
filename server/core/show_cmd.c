/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `evs show ...` and `evs clear crypto session ...`: one request to the running daemon. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "server/core/show_cmd.h"
#include "lib/control.h"

#define USAGE                                                                                      \
	"'evs show crypto dynamic-map [tag NAME]', 'evs show crypto isakmp sa [detail]', 'evs "    \
	"show "                                                                                    \
	"crypto ipsec sa', 'evs show crypto session [detail|summary|group]' (each with "           \
	"--json) or 'evs clear crypto session [username USER]'"

/* The forms evs answers; "*" is one word of the user's choice. */
static const char *const forms[][7] = {
    {"show", "crypto", "dynamic-map", NULL},
    {"show", "crypto", "dynamic-map", "tag", "*", NULL},
    {"show", "crypto", "isakmp", "sa", NULL},
    {"show", "crypto", "isakmp", "sa", "detail", NULL},
    {"show", "crypto", "ipsec", "sa", NULL},
    {"show", "crypto", "session", NULL},
    {"show", "crypto", "session", "detail", NULL},
    {"show", "crypto", "session", "summary", NULL},
    {"show", "crypto", "session", "group", NULL},
    {"clear", "crypto", "session", NULL},
    {"clear", "crypto", "session", "username", "*", NULL},
};

static bool known(char **w, int n, bool json)
{
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		int i = 0;
		while (forms[f][i] && i < n &&
		       (strcmp(forms[f][i], "*") == 0 || strcmp(forms[f][i], w[i]) == 0))
			i++;
		if (!forms[f][i] && i == n)
			return !(json && strcmp(w[0], "clear") == 0);
	}
	return false;
}

int evs_show_cmd(int argc, char **argv, const char *default_control)
{
	const char *path = default_control;
	char cmd[512] = "";
	char *words[8];
	int n = 0;
	bool json = false, bad = false;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
			path = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
			continue;
		}
		if (n == 8 || strchr(argv[i], ' ') || !argv[i][0]) {
			bad = true;
			continue;
		}
		words[n++] = argv[i];
		size_t l = strlen(cmd);
		snprintf(cmd + l, sizeof(cmd) - l, "%s%s", l ? " " : "", argv[i]);
	}
	if (bad || !known(words, n, json)) {
		fprintf(stderr, "evs: '%s%s' is not a command evs answers; use " USAGE "\n", cmd,
		        json ? " --json" : "");
		return 2;
	}
	if (json) {
		size_t l = strlen(cmd);
		snprintf(cmd + l, sizeof(cmd) - l, " --json");
	}
	char err[512];
	if (ctl_request(path, cmd, stdout, err, sizeof(err)) != 0) {
		fprintf(stderr, "evs: %s (is evs running? give --control)\n", err);
		return 1;
	}
	return 0;
}
