/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The clock and the timer descriptor of the evc and evs event loops: the engine takes times
 * as milliseconds of CLOCK_MONOTONIC and never reads a clock itself. The datapath's lifetimes
 * count bytes, not time; it reads a clock (CLOCK_MONOTONIC_COARSE, datapath.c) only for the
 * rate limit of its drop messages.
 */
#ifndef EVC_LIB_TIMER_H
#define EVC_LIB_TIMER_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t mono_ms(void);
/* Arms a CLOCK_MONOTONIC timerfd for the absolute time at_ms; UINT64_MAX disarms it. */
int timerfd_arm_ms(int tfd, uint64_t at_ms);

#endif
