/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LD_PRELOAD shim for Debian's vpnc in the interop rig: makes the message IDs of its DELETEs
 * the ones a test names, so that what vpnc does now and then happens on every run.
 *
 * vpnc draws the message ID of each DELETE it sends at teardown (the IPsec SA's, then the
 * ISAKMP SA's) from a one-byte nonce (send_delete_ipsec, send_delete_isakmp_cookie: a uint8_t
 * del_msgid), so the ID is 0 in 1 run of 256 and both DELETEs share one ID in another 1 of
 * 256. No other call of vpnc asks gcry_create_nonce for one byte. VPNC_SHIM_DELETE_MSGIDS
 * holds the bytes to give, in order, e.g. "5,0"; once they are used up, or without the
 * variable, the real libgcrypt answers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void gcry_create_nonce(void *buffer, size_t length);

void gcry_create_nonce(void *buffer, size_t length)
{
	/* vpnc is single-threaded: a plain counter of the one-byte nonces handed out */
	static unsigned taken;
	const char *list = getenv("VPNC_SHIM_DELETE_MSGIDS");
	if (length == 1 && list) {
		unsigned i = 0;
		for (const char *p = list; *p; i++) {
			char *end;
			unsigned long v = strtoul(p, &end, 10);
			if (end == p || v > 255)
				break;
			if (i == taken) {
				taken++;
				*(unsigned char *)buffer = (unsigned char)v;
				return;
			}
			p = *end == ',' ? end + 1 : end;
		}
	}
	void (*real)(void *, size_t) =
	    (void (*)(void *, size_t))dlsym(RTLD_NEXT, "gcry_create_nonce");
	if (!real)
		abort(); /* no libgcrypt behind us: nothing sensible to hand out */
	real(buffer, length);
}
