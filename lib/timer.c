/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <sys/timerfd.h>
#include <time.h>

#include "lib/timer.h"

uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int timerfd_arm_ms(int tfd, uint64_t at_ms)
{
	struct itimerspec its = {0};
	if (at_ms != UINT64_MAX) {
		/* an all-zero it_value would disarm: the earliest real time is 1 ns */
		its.it_value.tv_sec = (time_t)(at_ms / 1000);
		its.it_value.tv_nsec = (long)(at_ms % 1000) * 1000000 + 1;
	}
	return timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0 ? 0 : -errno;
}
