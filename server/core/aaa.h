/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A RADIUS question and its answer as the daemon and the RADIUS worker (radius.h) pass
 * them: plain values, no library types, so that the daemon stays free of I/O and a unit test
 * can answer in memory.
 */
#ifndef EVC_SERVER_AAA_H
#define EVC_SERVER_AAA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/core/config_aaa.h"

#define EVS_AAA_NAME_MAX 64
#define EVS_AAA_PASSWORD_MAX 128 /* RFC 2865: User-Password is at most 128 octets */
#define EVS_AAA_MAX_PAIRS 32
#define EVS_AAA_VALUE_MAX 253 /* one RADIUS attribute's value */
#define EVS_AAA_VENDOR_CISCO 9
#define EVS_AAA_CISCO_AVPAIR 1

struct evs_aaa_req {
	uint64_t ticket; /* the daemon's handle on the waiting client */
	struct evs_radius_server servers[EVS_RADIUS_MAX_SERVERS];
	size_t n_servers;
	char user[EVS_AAA_NAME_MAX + 1];
	char password[EVS_AAA_PASSWORD_MAX + 1]; /* wiped by whoever drops a copy */
	uint32_t nas_addr;                       /* the address the client came to */
	uint32_t peer_addr;                      /* the client's, as Calling-Station-Id */
};

enum evs_aaa_outcome {
	EVS_AAA_ACCEPT,     /* Access-Accept */
	EVS_AAA_REJECT,     /* Access-Reject: final, no other method is tried */
	EVS_AAA_NO_ANSWER,  /* no server answered in time */
	EVS_AAA_BAD_ANSWER, /* answers came but did not verify with the key */
	EVS_AAA_FAILED,     /* the question could not be asked (resources, library) */
};

struct evs_aaa_pair {
	uint32_t vendor; /* 0 for a standard attribute */
	uint32_t type;
	bool is_num;  /* integer and address attributes */
	uint32_t num; /* host byte order */
	char text[EVS_AAA_VALUE_MAX + 1];
};

struct evs_aaa_result {
	uint64_t ticket;
	enum evs_aaa_outcome outcome;
	char why[512]; /* for the log: which server said or did what */
	struct evs_aaa_pair pairs[EVS_AAA_MAX_PAIRS];
	size_t n_pairs;
};

/* "accepted", "rejected", ... for messages. */
const char *evs_aaa_outcome_str(enum evs_aaa_outcome o);

#endif
