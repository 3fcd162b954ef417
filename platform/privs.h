/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process hardening for evc (and evs): no core dumps of a process that holds keys.
 * Functions return 0 or a negative errno with err holding one sentence.
 */
#ifndef EVC_PLATFORM_PRIVS_H
#define EVC_PLATFORM_PRIVS_H

#include <stddef.h>

/*
 * PR_SET_DUMPABLE 0: no core file, and processes of other users (even of the same uid after
 * evc drops privileges) cannot ptrace it or read its /proc/PID/mem. Call first thing in main.
 */
int plat_no_core_dumps(char *err, size_t errlen);

#endif
