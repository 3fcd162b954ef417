/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `evs show crypto session summary|group`, `evs show crypto ipsec sa`: one request to the
 * running daemon. */
#include <stdio.h>
#include <string.h>

#include "server/core/show_cmd.h"
#include "lib/control.h"

int evs_show_cmd(int argc, char **argv, const char *default_control)
{
	const char *path = default_control;
	char cmd[256] = "show";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
			path = argv[++i];
			continue;
		}
		size_t l = strlen(cmd);
		snprintf(cmd + l, sizeof(cmd) - l, " %s", argv[i]);
	}
	if (strcmp(cmd, "show crypto session summary") != 0 &&
	    strcmp(cmd, "show crypto session group") != 0 &&
	    strcmp(cmd, "show crypto ipsec sa") != 0) {
		fprintf(stderr,
		        "evs: '%s' is not a command evs answers; use 'evs show crypto "
		        "session summary', 'evs show crypto session group' or 'evs show crypto "
		        "ipsec sa'\n",
		        cmd);
		return 2;
	}
	char err[512];
	if (ctl_request(path, cmd, stdout, err, sizeof(err)) != 0) {
		fprintf(stderr, "evs: %s (is evs running? give --control)\n", err);
		return 1;
	}
	return 0;
}
