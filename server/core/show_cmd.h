/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `evs show ...` command line: asks the running evs over its control socket. */
#ifndef EVC_SERVER_SHOW_CMD_H
#define EVC_SERVER_SHOW_CMD_H

/*
 * argv[0] is "show" or "clear"; the rest one of the forms of show.h and, anywhere,
 * "--json" and "--control PATH" (default default_control). Prints the answer on stdout.
 * Returns the exit status: 0, 1 when evs cannot be asked, 2 for a command evs does not answer.
 */
int evs_show_cmd(int argc, char **argv, const char *default_control);

#endif
