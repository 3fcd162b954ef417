/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test support: a client engine and a server engine wired back to back in memory, with no
 * sockets, no clock and no root. Every datagram between them passes a tampering hook after
 * encryption, which may change, truncate, drop, duplicate, hold back (reorder) or replace it.
 * Unit tests, the tampering table and the keyed fuzzer all drive the engine through this rig.
 *
 * It uses no test framework: functions report through return values and the recorded facts
 * in struct rig_side, so a fuzzer can link it too.
 */
#ifndef EVC_TESTS_ENGINE_RIG_H
#define EVC_TESTS_ENGINE_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "ike/isakmp.h"

#define RIG_CLIENT_IP 0xc6336402u /* 198.51.100.2 */
#define RIG_SERVER_IP 0xc6336401u /* 198.51.100.1 */
#define RIG_POOL_ADDR 0x0a62000au /* 10.98.0.10, what the server assigns */
#define RIG_MAX_MSG 65536
#define RIG_MAX_HELD 8
#define RIG_MAX_CHILDREN 16

struct rig;

/* What the group lookups of the server saw and did. */
struct rig_srv {
	const char *group;
	const char *psk;
	bool pfs;
	const char *banner; /* NULL: a two-line welcome */
	int assigned;
	int released;
	int psk_lookups;
	/* main mode with a pre-shared key: the client address a key is set for (0: none), and
	 * that key (NULL: psk) */
	uint32_t psk_addr;
	const char *addr_key;
};

/* Everything one side reported through its actions. */
struct rig_side {
	struct ike_sa *sa;
	bool failed, closed, prompted_retry;
	int banners;
	enum ike_step fail_step;
	char fail_text[1024];
	char banner[1024];
	char xauth_message[512];
	int children_up;        /* IKE_ACT_CHILD_UP count */
	int children_down;      /* IKE_ACT_CHILD_DOWN count */
	struct ike_child child; /* the last one that came up */
	uint32_t up_spi_in[RIG_MAX_CHILDREN];
	struct evc_policy policy;
	int policies;
	int prompts;  /* XAUTH prompts (client) */
	int answers;  /* XAUTH answers given (client): a password went out */
	int verifies; /* XAUTH verifications asked (server) */
	int sends;
	int moved;
	struct ike_endpoint moved_to;
	char log[65536]; /* every log line, status and failure, newline-separated */
	size_t log_len;
};

enum rig_dir {
	RIG_C2S,
	RIG_S2C,
};

enum rig_verdict {
	RIG_PASS, /* deliver (possibly changed) */
	RIG_DROP, /* lose it */
	RIG_DUP,  /* deliver twice */
	RIG_HOLD, /* keep it back; delivered after the next datagram in the same direction */
};

/*
 * Sees every datagram after encryption. buf holds len bytes and may be changed in place up to
 * cap; *len may shrink or grow. index counts the datagrams of that direction from 0.
 */
typedef enum rig_verdict (*rig_tamper_fn)(struct rig *r, enum rig_dir dir, unsigned index,
                                          uint8_t *buf, size_t *len, size_t cap, void *arg);

struct rig {
	struct rig_srv srv;
	struct ike_server_ops ops;
	struct ike_p1_prop srv_p1[16];
	size_t n_srv_p1;
	struct ike_p2_prop srv_p2[16];
	size_t n_srv_p2;
	struct ike_p1_prop cli_p1[64]; /* n_cli_p1 == 0: the engine's defaults */
	size_t n_cli_p1;
	struct rig_side c, s;
	const char *passwords[4];
	int n_passwords;
	int next_password;
	enum ike_natt_mode natt;
	bool no_server;
	uint64_t now;
	const char *psk;
	const char *group;
	const char *user;
	unsigned dh;         /* 0: automatic */
	unsigned prop_flags; /* the client's IKE_PROP_* */
	unsigned pfs_group;  /* the client proposes PFS by itself */
	unsigned dpd_retry;
	unsigned dpd_idle; /* client; 0: 10 s */
	unsigned srv_dpd_idle;
	unsigned frag_size; /* both sides' ike_config.frag_size (0: the engine's default) */
	bool push;
	uint16_t client_nat_port; /* non-zero: the client's datagrams arrive from this port */
	uint32_t client_src_ip;   /* non-zero: ... and from this address */
	struct ike_endpoint last_to_client;
	/* main mode with certificates: set cli_cert to make the client use it; the server takes
	 * main mode when srv_cert is set. gw_name is what the client's --gateway named, wall the
	 * date both sides check certificates at (0: the real one). */
	const struct x509_cred *cli_cert, *srv_cert;
	const struct x509_trust *cli_trust, *srv_trust;
	const char *gw_name;
	int64_t wall;
	bool psk_main; /* the client does main mode with the group key (or hybrid) */
	bool hybrid;   /* the client does hybrid (no cli_cert; cli_trust checks the gateway) */
	bool no_xauth; /* the server has no XAUTH users (no `client authentication list`) */
	rig_tamper_fn tamper;
	void *tamper_arg;
	unsigned sent[2]; /* datagrams seen per direction */
	struct {
		enum rig_dir dir;
		uint8_t *data;
		size_t len;
	} held[RIG_MAX_HELD];
	size_t n_held;
	bool settled; /* the last pump settled */
};

/* Defaults: group quizware, key groupsecret, user richard, AES-256/SHA1/group 2 and
 * 3DES/MD5/group 5 as isakmp policies, ESP AES-128/SHA2-256 as the transform set. */
void rig_init(struct rig *r);
/* Creates the client SA (with r's settings); false if the engine refused the configuration. */
bool rig_new_client(struct rig *r);
/* The server SA, as the first datagram from `from` creates it. */
bool rig_new_server(struct rig *r, const struct ike_endpoint *from);
/* Client + ike_start + pump. */
bool rig_start(struct rig *r);
/* Drains both sides until nothing moves (bounded); false if it did not settle. */
bool rig_pump(struct rig *r);
/* Advances the clock through every timer up to `until`, pumping after each tick. */
void rig_run_timers(struct rig *r, uint64_t until);
/* Delivers a datagram to one side as if it came from the other (no tamper hook). */
void rig_inject(struct rig *r, enum rig_dir dir, const uint8_t *data, size_t len);
/* Delivers every held datagram now, in the order held. */
void rig_release_held(struct rig *r);
void rig_free(struct rig *r);

/* Whether one side logged (or reported as status or failure) a line containing needle. */
bool rig_logged(const struct rig_side *side, const char *needle);

/* Both sides up with mirrored keys. */
bool rig_mirrored(const struct rig *r);

#endif
