/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sans-I/O IKEv1 engine, shared by evc (initiator) and evs (responder).
 *
 * One struct ike_sa is one IKE SA with one peer, plus the ESP SA pairs negotiated under it.
 * The caller feeds it datagrams (ike_input) and clock ticks (ike_tick) and drains actions
 * (ike_next_action): datagrams to send, prompts, the pushed policy, new ESP keys, failure.
 * It never opens a socket, reads the clock, prints or exits; the same handshake therefore
 * runs in a unit test with no sockets and no root.
 */
#ifndef EVC_IKE_IKE_H
#define EVC_IKE_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/policy.h"
#include "lib/secret.h"
#include "lib/x509.h"

#define IKE_PORT 500
#define IKE_NATT_PORT 4500

/* IPv4 address and UDP port, host byte order. */
struct ike_endpoint {
	uint32_t addr;
	uint16_t port;
};

enum ike_role {
	IKE_ROLE_INITIATOR,
	IKE_ROLE_RESPONDER,
};

/* One phase-1 proposal; values are the IKE attribute numbers. */
struct ike_p1_prop {
	uint8_t encr;      /* enum cipher_alg */
	uint16_t key_bits; /* AES: 128/192/256; 0 for 3DES */
	uint8_t hash;      /* enum hash_alg */
	uint16_t auth;     /* enum ike_auth_method */
	uint8_t group;     /* MODP group */
	uint32_t life_s;   /* 0: do not send / no limit */
};

/* One phase-2 (ESP) proposal. */
struct ike_p2_prop {
	uint8_t esp;       /* enum esp_encr_id */
	uint16_t key_bits; /* AES only */
	uint8_t auth;      /* enum esp_auth_id */
	uint8_t pfs_group; /* 0 = no PFS */
	uint32_t life_s;
	uint32_t life_kb;
};

/* An established ESP SA pair, as handed to the datapath. */
struct ike_child {
	uint32_t spi_in;  /* ours: the peer sends with it */
	uint32_t spi_out; /* the peer's: we send with it */
	uint8_t esp;      /* enum esp_encr_id */
	uint16_t key_bits;
	uint8_t auth;                      /* enum esp_auth_id */
	uint8_t enc_key_len;               /* AES-GCM: the key and its 4-byte salt */
	uint8_t auth_key_len;              /* 0 with AES-GCM */
	uint8_t enc_in[36], auth_in[32];   /* keys for inbound packets */
	uint8_t enc_out[36], auth_out[32]; /* keys for outbound packets */
	bool udp_encap;                    /* ESP in UDP (RFC 3948), else raw ESP */
	struct ike_endpoint peer;          /* where ESP goes */
	uint16_t local_port;
	struct evc_net local_ts;  /* our traffic selector */
	struct evc_net remote_ts; /* the peer's traffic selector */
	uint32_t life_s;
	uint32_t life_kb;
};

/* Progress of the seven steps of a remote-access connection (seed 002). */
enum ike_step {
	IKE_STEP_INIT = 1,        /* 1: initiating the connection */
	IKE_STEP_PROPOSALS = 2,   /* 2: phase-1 proposals sent */
	IKE_STEP_PHASE1 = 3,      /* 3: phase-1 policy accepted, peer authenticated */
	IKE_STEP_XAUTH = 4,       /* 4: user authentication */
	IKE_STEP_MODECFG = 5,     /* 5: mode-config policy */
	IKE_STEP_RRI = 6,         /* 6: routes (server side) */
	IKE_STEP_QUICK = 7,       /* 7: IPsec SAs */
	IKE_STEP_ESTABLISHED = 8, /* tunnel up */
	IKE_STEP_TEARDOWN = 9,
};
const char *ike_step_name(enum ike_step s);

enum ike_log_level {
	IKE_LOG_ERR,
	IKE_LOG_WARN,
	IKE_LOG_INFO,
	IKE_LOG_DEBUG,
};

enum ike_act_type {
	IKE_ACT_SEND,         /* .send */
	IKE_ACT_LOG,          /* .log */
	IKE_ACT_STATUS,       /* .status: a step began or completed */
	IKE_ACT_XAUTH_PROMPT, /* initiator: answer with ike_xauth_answer() */
	IKE_ACT_XAUTH_VERIFY, /* responder: judge with ike_xauth_verdict() */
	IKE_ACT_BANNER,       /* .text */
	IKE_ACT_POLICY,       /* .policy: pushed (initiator) or assigned (responder) */
	IKE_ACT_CHILD_UP,     /* .child */
	IKE_ACT_CHILD_DOWN,   /* .child (SPIs only) */
	IKE_ACT_PEER_MOVED,   /* .peer: an authenticated message came from a new address/port
	                       * (a NAT mapping changed); ESP must follow (dp_set_peer) */
	IKE_ACT_P1_REKEY,     /* initiator: the IKE SA is near its phase-1 lifetime; start a new
	                       * one (ike_config.p1_rekey) and hand over with ike_sa_take_over */
	IKE_ACT_FAILED,       /* .fail; the SA is dead, free it after draining */
	IKE_ACT_CLOSED,       /* clean end; free it after draining */
};

struct ike_action {
	enum ike_act_type type;
	union {
		struct {
			const uint8_t *data; /* ISAKMP message, without the non-ESP marker */
			size_t len;
			struct ike_endpoint to;
			uint16_t from_port; /* 500 or 4500; on 4500 prepend 4 zero bytes */
		} send;
		struct {
			enum ike_log_level level;
			const char *text;
		} log;
		struct {
			enum ike_step step;
			const char *text;
		} status;
		struct {
			const char *message; /* XAUTH-MESSAGE from the server, or "" */
			bool retry;          /* a previous answer was rejected */
			const char *group;   /* responder: who is asking */
			const char *user;
			const char *password;
		} xauth;
		const char *text;
		const struct evc_policy *policy;
		const struct ike_child *child;
		struct ike_endpoint peer;
		struct {
			enum ike_step step;
			const char *text; /* one sentence naming what failed and what to check */
		} fail;
	} u;
};

/* Group lookups for the responder; they must not block. */
struct ike_server_ops {
	void *ctx;
	/* 0 and *psk filled, or -ENOENT for an unknown group. */
	int (*group_psk)(void *ctx, const char *group, struct secret *psk);
	/* 0 and *pol filled (address from the group's pool), or -ENOSPC / -ENOENT. */
	int (*assign_policy)(void *ctx, const char *group, const char *user,
	                     struct evc_policy *pol);
	/* Main mode with certificates: 0 when group (a client certificate's OU) exists, or
	 * -ENOENT. NULL: group_psk decides. */
	int (*group_exists)(void *ctx, const char *group);
	/* Main mode with a pre-shared key (RFC 2409 5.4): 0 with *psk the key configured for the
	 * client's address and group the group its users belong to, or -ENOENT. The key must be
	 * known at the first message, before any identity arrives. NULL: main mode only with
	 * certificates. */
	int (*addr_psk)(void *ctx, uint32_t addr, char *group, size_t group_len,
	                struct secret *psk);
	/* Gives back what assign_policy took (the pool address). */
	void (*release_policy)(void *ctx, const char *group, const char *user,
	                       const struct evc_policy *pol);
	/* Network extension: 0 when the client may have an ESP SA pair for net, a LAN of its own
	 * its group allows, or nonzero with *why (another client's address or SA in it). Asked
	 * before the quick mode is answered, so a LAN the server will not carry is refused on
	 * the wire (INVALID-ID-INFORMATION) instead of left half up. NULL: every such LAN. */
	int (*lan_allowed)(void *ctx, const struct evc_net *net, const char **why);
};

enum ike_natt_mode {
	IKE_NATT_AUTO,    /* float to 4500 when NAT is detected */
	IKE_NATT_FORCE,   /* claim a NAT so that ESP goes in UDP 4500 */
	IKE_NATT_DISABLE, /* no NAT-T vendor IDs, no NAT-D */
};

#define IKE_MAX_LAN 4
#define IKE_MAX_LAN_STR "4"

#define IKE_FW_VENDOR_NFTABLES 0x6e667400u /* "nft\0": a Linux nftables input filter */

struct ike_config {
	enum ike_role role;
	struct ike_endpoint local; /* our address as the socket sees it */
	struct ike_endpoint peer;  /* initiator: the gateway; responder: the first sender */

	/* initiator */
	const char *group;
	const uint8_t *psk; /* copied into the SA */
	size_t psk_len;
	const char *username; /* NULL: ask with IKE_ACT_XAUTH_PROMPT */
	/* main mode with the group key (RFC 2409 5.4, identity our IPv4 address) instead of
	 * aggressive mode, for gateways that refuse aggressive mode; the group name is then not
	 * sent (the gateway keys the client by address) */
	bool psk_main;
	/* hybrid authentication (draft-ietf-ipsec-isakmp-hybrid-auth-05): no certificate of our
	 * own, the gateway signs and its certificate is checked as with cert (trust, peer_name,
	 * wall_s); we are authenticated by XAUTH alone, which becomes mandatory. Aggressive mode
	 * (the group named as with a group key, which is optional and unused), or main mode with
	 * psk_main. */
	bool hybrid;
	/* 0: automatic, in the order of ike_dh_next_group (14, 2, 5, 15, 16, 19, 20) with a
	 * fallback to the next when the gateway answers NO-PROPOSAL-CHOSEN or
	 * INVALID-KEY-INFORMATION, or does not answer within its share of the usual timeout; a
	 * group number pins that group */
	unsigned dh_group;
	/* IKE_PROP_WEAK: also offer single DES, MD5 and DH group 1 (with a warning) */
	unsigned prop_flags;
	/* NULL: every default permutation for the DH group; with dh_group 0 the groups of
	 * these proposals are set by the engine */
	const struct ike_p1_prop *p1;
	size_t n_p1;
	const struct ike_p2_prop *p2; /* NULL: every supported ESP transform */
	size_t n_p2;
	/* propose PFS with this group in quick mode even when the gateway does not ask for it
	 * (0: only when it asks, with the phase-1 group) */
	unsigned pfs_group;
	const char *app_version; /* APPLICATION_VERSION; NULL: "evc <version>" */
	const char *hostname;    /* UNITY_DDNS_HOSTNAME; NULL: not sent */
	/* the host's firewall, reported in the mode-config request (Unity FW_TYPE) for a
	 * gateway's `firewall are-u-there`: vendor 0 reports none. Cisco's own codes are in no
	 * public source; evc reports IKE_FW_VENDOR_NFTABLES, product 1 */
	uint32_t fw_vendor, fw_product;
	/* network extension: the networks behind this host, each the local identity (IDci) of
	 * its own quick mode, one ESP SA pair per network, instead of the assigned address;
	 * n_lan 0: client mode. Pairs and their rekeys share the SA's IKE_MAX_CHILDREN. */
	struct evc_net lan[IKE_MAX_LAN];
	size_t n_lan;
	/* phase-1 rekey: this SA replaces an established one of the same connection. It sends no
	 * INITIAL-CONTACT and, once phase 1 and XAUTH are done (ike_sa_handover_ready), starts
	 * no mode-config or quick mode: ike_sa_take_over gives it the old SA's ESP SAs. */
	bool p1_rekey;

	/* responder: proposals in server priority order (lowest policy number first) */
	const struct ike_p1_prop *srv_p1;
	size_t n_srv_p1;
	const struct ike_p2_prop *srv_p2;
	size_t n_srv_p2;
	const struct ike_server_ops *ops;
	bool srv_xauth; /* XAUTH users (`crypto map M client authentication list L`) */
	/* Push the policy (SET) after XAUTH instead of waiting for the client to ask
	 * (`crypto map M client configuration address initiate` without `respond`). */
	bool srv_push;
	unsigned xauth_timeout_s; /* 0: 60 */
	unsigned xauth_tries;     /* 0: 3 */

	/* both: main mode with RSA signatures (RFC 2409 5.1). Our certificate and key and the
	 * CAs the peer's certificate must chain to; borrowed, they must outlive the SA. An
	 * initiator given cert uses main mode with the RSA proposals and needs no group or
	 * group key (the gateway takes the group from the certificate's OU); a responder
	 * without them refuses main mode. */
	const struct x509_cred *cert;
	const struct x509_trust *trust;
	/* initiator: the name (DNS name or dotted IPv4, as given with --gateway) the gateway's
	 * certificate must carry in its subjectAltName or CN */
	const char *peer_name;
	/* the date at now_ms of ike_sa_new, seconds since the epoch: the engine reads no clock
	 * but certificates have validity dates */
	int64_t wall_s;

	/* both */
	enum ike_natt_mode natt;
	/* initiator: ask the gateway for Cisco IPsec over UDP (the Unity UDP_ENCAP_PORT in the
	 * mode-config request, as vpnc's cisco-udp); with the port answered, ESP goes in UDP
	 * between that port on both ends (ike_child.local_port and peer.port). Meant with natt
	 * IKE_NATT_DISABLE, as vpnc: the two are alternatives. */
	bool cisco_udp;
	/* Cisco IKE fragmentation: both sides announce it (vendor ID FRAGMENTATION) and take
	 * fragments; a message longer than this many bytes goes in fragments when the peer
	 * announced it too (0: 1252, an IP packet of 1280 bytes as strongSwan sends; at least
	 * 128) */
	unsigned frag_size;
	unsigned dpd_idle_s;     /* 0: no DPD probes of our own (we always answer) */
	unsigned dpd_retry_s;    /* between unanswered probes (IOS keepalive RETRY); 0: 1 s */
	unsigned retransmit_ms;  /* 0: 1000, doubling up to 8000 */
	unsigned retransmit_max; /* 0: 5 */
	/* Randomness for cookies, nonces, SPIs and message IDs; NULL: crypto_random. Tests plug a
	 * deterministic source here. */
	void (*rand)(void *rctx, void *buf, size_t n);
	void *rctx;
};

struct ike_sa;

/* Copies what it needs from cfg. NULL on a bad configuration (*why says what). */
struct ike_sa *ike_sa_new(const struct ike_config *cfg, uint64_t now_ms, const char **why);
void ike_sa_free(struct ike_sa *sa);

/* Initiator: queue the first message. */
void ike_start(struct ike_sa *sa, uint64_t now_ms);
/*
 * A datagram from the peer, non-ESP marker already removed. from is the sender as seen by
 * the socket, to is our address/port it arrived on. Malformed or unexpected input is dropped
 * (and logged through an IKE_ACT_LOG action), never fatal to the caller.
 */
void ike_input(struct ike_sa *sa, uint64_t now_ms, const uint8_t *pkt, size_t len,
               const struct ike_endpoint *from, const struct ike_endpoint *to);
/* Retransmissions, timeouts, DPD, lifetimes. */
void ike_tick(struct ike_sa *sa, uint64_t now_ms);
/* When ike_tick wants to run next; UINT64_MAX for never. */
uint64_t ike_next_timeout(const struct ike_sa *sa);
/* Sends DELETEs for every ESP SA and the IKE SA, then reports IKE_ACT_CLOSED. */
void ike_close(struct ike_sa *sa, uint64_t now_ms);
/* Datapath saw inbound ESP on this SA: postpones DPD probes. */
void ike_note_traffic(struct ike_sa *sa, uint64_t now_ms);

/*
 * The datapath counted the volume lifetime (life_kb) of the ESP SA pair with inbound SPI
 * spi_in past its soft mark (hard false: the engine rekeys it) or used it up (hard true: the
 * pair ends with a DELETE). The datapath checks its counters once per batch.
 */
void ike_child_volume(struct ike_sa *sa, uint64_t now_ms, uint32_t spi_in, bool hard);

/* One ESP SA pair, for `evc status` and `show crypto ipsec sa`. */
struct ike_child_status {
	uint32_t spi_in, spi_out;
	uint32_t life_s, life_kb; /* negotiated lifetimes, 0: none */
	uint64_t age_s;
	int64_t remaining_s; /* until the time lifetime ends, -1: no time limit */
	bool replaced;       /* a rekey replaced it; it takes packets until deleted */
	bool rekeying;       /* a quick mode to replace it is under way */
	uint8_t esp;         /* the transform: enum esp_encr_id, key bits, enum esp_auth_id */
	uint16_t key_bits;
	uint8_t auth;
	bool udp_encap; /* ESP in UDP (NAT-T) */
};
/* Fills out with up to max pairs; returns how many there are. */
size_t ike_sa_child_status(const struct ike_sa *sa, uint64_t now_ms, struct ike_child_status *out,
                           size_t max);

/* Answers to prompts. Strings are copied (the password into a wiped secret). */
void ike_xauth_answer(struct ike_sa *sa, uint64_t now_ms, const char *user, const char *password);
void ike_xauth_verdict(struct ike_sa *sa, uint64_t now_ms, bool ok);

/*
 * The next action, or false when there is none. The action and what it points to stay valid
 * until the next call of ike_next_action or ike_sa_free on this SA.
 */
bool ike_next_action(struct ike_sa *sa, struct ike_action *out);

/* Introspection for session tables and `show crypto session`. */
void ike_sa_cookies(const struct ike_sa *sa, uint8_t icky[8], uint8_t rcky[8]);
const char *ike_sa_group(const struct ike_sa *sa); /* "" until known */
const char *ike_sa_user(const struct ike_sa *sa);  /* "" until XAUTH succeeded */
bool ike_sa_established(const struct ike_sa *sa);
/* Phase 1 completed and the SA is alive (not half-open, not dead). */
bool ike_sa_authenticated(const struct ike_sa *sa);
struct ike_endpoint ike_sa_peer(const struct ike_sa *sa);

/*
 * Phase-1 rekey. A new IKE SA (initiator: ike_config.p1_rekey; responder: a second IKE SA of
 * the same user from the same address) takes over the ESP SA pairs, the policy and DPD of the
 * established one, which keeps nothing but its own DELETE (ike_close then deletes only the
 * IKE SA). The ESP SAs stay installed throughout: no CHILD_DOWN, no CHILD_UP. 0, or -EINVAL
 * with *why when the two do not belong together or sa is not ready.
 */
bool ike_sa_handover_ready(const struct ike_sa *sa);
int ike_sa_take_over(struct ike_sa *sa, struct ike_sa *old, uint64_t now_ms, const char **why);
/* Initiator: the new IKE SA started for IKE_ACT_P1_REKEY failed before it was authenticated
 * (the gateway did not answer): IKE_ACT_P1_REKEY comes again in 10 s, when that still leaves
 * time before this IKE SA ends; false when it does not. */
bool ike_sa_p1_rekey_retry(struct ike_sa *sa, uint64_t now_ms);
/* Responder: the peer sent INITIAL-CONTACT (RFC 2407 4.6.3.3) with or after phase 1: the
 * older sessions of this identity from this address are stale. */
bool ike_sa_initial_contact(const struct ike_sa *sa);

/* What the default proposals include. */
enum ike_prop_flags {
	IKE_PROP_WEAK = 1u << 0,   /* single DES, MD5 and DH group 1: broken, only when asked */
	IKE_PROP_CERT = 1u << 1,   /* RSA signatures (XAUTH-RSA, RSA-SIG) instead of a group key */
	IKE_PROP_HYBRID = 1u << 2, /* hybrid: the gateway signs, we do XAUTH (HYBRID-RSA) */
};
/* The DH groups tried in turn when none is pinned, in this order, 0-terminated: 14, 2, 5, 15,
 * 16, 19, 20 (with IKE_PROP_WEAK group 1 after them). */
extern const unsigned ike_dh_auto_groups[];
/* The DH group tried after cur when none is pinned (cur 0: the first), 0 after the last. */
unsigned ike_dh_next_group(unsigned cur, unsigned flags);
/* The proposals evc offers (every supported permutation, strongest first), for `evc
 * proposals`; the default ones are those without flags. */
size_t ike_proposals_p1(unsigned dh_group, unsigned flags, struct ike_p1_prop *out, size_t max);
size_t ike_proposals_p2(unsigned pfs_group, unsigned flags, struct ike_p2_prop *out, size_t max);
size_t ike_default_p1(unsigned dh_group, struct ike_p1_prop *out, size_t max);
size_t ike_default_p2(unsigned pfs_group, struct ike_p2_prop *out, size_t max);
/* One line naming a proposal ("AES-256/SHA2-256/modp2048/XAUTH-PSK"); returns buf. */
const char *ike_p1_str(const struct ike_p1_prop *p, char *buf, size_t len);
const char *ike_p2_str(const struct ike_p2_prop *p, char *buf, size_t len);
/* The negotiated phase-1 proposal and the seconds left of its lifetime (-1: none), for `show
 * crypto isakmp sa detail`; false before phase 1 completed. */
bool ike_sa_p1_chosen(const struct ike_sa *sa, uint64_t now_ms, struct ike_p1_prop *p,
                      int64_t *remaining_s);
/* Whether the peer negotiated DPD, NAT-T, XAUTH and mode-config (IOS's Cap. column). */
unsigned ike_sa_caps(const struct ike_sa *sa);
#define IKE_CAP_MODECFG 1u
#define IKE_CAP_DPD 2u
#define IKE_CAP_NATT 4u
#define IKE_CAP_XAUTH 8u

#endif
