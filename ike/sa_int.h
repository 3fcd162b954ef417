/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's private view of an IKE SA, shared by the exchange modules (am, xauth, modecfg,
 * qm, info) and nothing else. Everything here is internal to ike/.
 */
#ifndef EVC_IKE_SA_INT_H
#define EVC_IKE_SA_INT_H

#include <stdarg.h>

#include "lib/crypto.h"
#include "ike/frag.h"
#include "ike/ike.h"
#include "ike/isakmp.h"
#include "ike/keys.h"
#include "lib/text.h"
#include "lib/x509.h"

/* The engine's buffer sizes, one constant per buffer. */
#define IKE_TXBUF 16384 /* sa->tx: the largest message the engine builds */
#define IKE_RXBUF 16384 /* sa->rxbuf: the largest body it decrypts; longer messages are dropped */
#define IKE_MAX_MSG (ISAKMP_HDR_LEN + IKE_RXBUF) /* the largest datagram it accepts */
#define IKE_MAX_NONCE 64
#define IKE_NONCE_LEN 20
#define IKE_MAX_DH 1024 /* bytes: up to MODP-8192 */
#define IKE_MAX_P1 64
#define IKE_MAX_P2 32
#define IKE_MAX_EXCH 4
/* ESP SA pairs per IKE SA: a rekey overlaps the old pair with the new, nothing more */
#define IKE_MAX_CHILDREN 8
/* bytes of a first message's SA payload a responder reads */
#define IKE_MAX_SA_PAYLOAD 4096
/* repeats of AM2 to a source nothing has verified yet */
#define IKE_UNAUTH_RETRANSMITS 2
/* responder: seconds beyond the XAUTH timeout to be connected */
#define IKE_SETUP_GRACE_S 60
/* informationals remembered against replays */
#define IKE_INFO_SEEN 32
/* a replaced ESP SA pair keeps taking packets this long before it is deleted */
#define IKE_REKEY_OVERLAP_MS 10000
/* a failed rekey is tried again after this long */
#define IKE_REKEY_RETRY_MS 30000
/* negotiated lifetimes shorter than this are raised to it */
#define IKE_MIN_LIFE_S 10

/* How many of the peer's taken messages are remembered to know their late copies. */
#define IKE_SEEN_RX 8

/* What an exchange handler made of a message: the engine acts on it in one place. */
enum ike_verdict {
	IKE_V_OK,      /* taken: the sequencer may start what comes next */
	IKE_V_DROP,    /* ignored (logged with its reason); the SA is unchanged, keeps waiting */
	IKE_V_FATAL,   /* the SA failed (sa_fail already said why) */
	IKE_V_REFUSED, /* the peer refused us with a notify (sa->refused_with): fall back or fail,
	                * or, over a working tunnel, give up the quick mode under way */
};

enum ike_state {
	IKE_S_IDLE,
	IKE_S_AM_SENT,     /* I: AM1 sent, waiting for AM2. R: AM2 sent, waiting for AM3 */
	IKE_S_MM_SA,       /* I: MM1 sent, waiting for MM2. R: MM2 sent, waiting for MM3 */
	IKE_S_MM_KE,       /* I: MM3 sent, waiting for MM4. R: MM4 sent, waiting for MM5 */
	IKE_S_MM_AUTH,     /* I: MM5 sent, waiting for MM6 */
	IKE_S_P1_DONE,     /* phase 1 authenticated; I waits for the first XAUTH REQUEST */
	IKE_S_XAUTH,       /* XAUTH transaction under way */
	IKE_S_MODECFG,     /* mode-config transaction under way */
	IKE_S_QUICK,       /* quick mode under way */
	IKE_S_ESTABLISHED, /* at least one ESP SA pair is up */
	IKE_S_DEAD,        /* closed or failed; only draining actions is left */
};

/* Facts learned, kept as flags rather than multiplied states. */
enum ike_fact {
	F_PEER_XAUTH = 1u << 0,
	F_PEER_UNITY = 1u << 1,
	F_PEER_DPD = 1u << 2,
	F_PEER_NATT_RFC = 1u << 3,
	F_PEER_NATT_DRAFT = 1u << 4,
	F_NAT_LOCAL = 1u << 5, /* we are behind a NAT (or pretend, forced) */
	F_NAT_PEER = 1u << 6,
	F_FLOATED = 1u << 7, /* IKE moved to port 4500 */
	F_XAUTH_DONE = 1u << 8,
	F_MODECFG_DONE = 1u << 9,
	F_NEED_XAUTH = 1u << 10,   /* negotiated an XAUTH auth method */
	F_PROMPTING = 1u << 11,    /* I: waiting for the user's XAUTH answer */
	F_VERIFYING = 1u << 12,    /* R: waiting for the XAUTH verdict */
	F_POLICY_TAKEN = 1u << 13, /* R: assign_policy succeeded, release on free */
	F_AM3_ENCRYPTED = 1u << 14,
	F_MODECFG_ASKED = 1u << 15, /* I: the mode-config request is out */
	F_XAUTH_STARTED = 1u << 16, /* R: the XAUTH request is out */
	F_XAUTH_ACKED = 1u << 17,   /* R: the client acknowledged the XAUTH status */
	/* phase-1 rekey and INITIAL-CONTACT (high bits, clear of the exchanges' facts) */
	F_PEER_NATT_D03 = 1u << 27,        /* R: the client named draft-ietf-ipsec-nat-t-ike-03 */
	F_PEER_NATT_D02N = 1u << 28,       /* R: ... draft-02 with the newline (IOS, Windows) */
	F_PEER_FRAG = 1u << 29,            /* the peer takes IKE fragments (frag.h) */
	F_PEER_INITIAL_CONTACT = 1u << 30, /* R: the client sent INITIAL-CONTACT */
	F_REPLACED = 1u << 31,             /* a newer IKE SA took over the ESP SAs */
};

/* One IV chain per open message ID (RFC 2409 appendix B). */
struct ike_ivchain {
	uint32_t msgid;
	uint8_t iv[CIPHER_BLOCK_MAX];
	uint64_t used; /* for LRU replacement */
};

struct ike_act_node {
	struct ike_act_node *next;
	struct ike_action act;
	uint8_t *buf; /* owned copy of data the action points to */
	size_t buf_len;
	bool secret; /* buf holds key material or a password: wipe */
};

/* Retransmission of the last message that expects an answer. */
struct ike_rexmit {
	uint8_t *msg;
	size_t len;
	struct ike_endpoint to;
	uint16_t from_port;
	uint64_t next_at; /* 0: not armed */
	uint64_t deadline;
	unsigned tries;
	unsigned max;       /* retransmissions before the SA fails */
	enum ike_step step; /* reported if the peer never answers */
	bool patient;       /* keep repeating until another deadline fails the SA */
};

/* An ESP SA pair as the engine keeps it: no keys, only what DELETE and lifetimes need. */
struct ike_child_rec {
	struct ike_child ch;
	uint64_t up_at;
	uint64_t expires_at; /* hard time limit (0: none) */
	uint64_t rekey_at;   /* soft mark: start a rekey (0: none) */
	uint64_t delete_at;  /* replaced by our rekey: delete after the overlap (0: not yet) */
	bool rekey_due;      /* the datapath reported the volume soft mark */
	bool rekeying;       /* a quick mode to replace it is under way */
	bool replaced;       /* a newer pair with the same selectors is up */
};

struct ike_qm {
	uint32_t msgid;
	uint32_t spi_in;
	uint8_t ni[IKE_MAX_NONCE], nr[IKE_MAX_NONCE];
	size_t ni_len, nr_len;
	struct crypto_dh *dh;
	uint8_t gxr[IKE_MAX_DH]; /* peer KE (PFS) */
	size_t g_len;
	struct ike_p2_prop chosen;
	uint16_t encap;
	struct evc_net idci, idcr;
	uint32_t spi_out; /* responder: the initiator's SPI, until QM3 */
	bool active;
	bool we_started;   /* we sent QM1 (not necessarily the IKE initiator) */
	uint32_t rekey_of; /* the pair (inbound SPI) this quick mode replaces, 0: none */
};

struct ike_sa {
	enum ike_role role;
	enum ike_state state;
	uint32_t facts;
	uint64_t now;

	/* configuration (strings and arrays copied) */
	struct ike_config cfg;
	bool dh_auto;      /* initiator: the DH group falls back when the gateway refuses it */
	char dh_tried[40]; /* "14, 2" */
	/* initiator, automatic group: a silent gateway gets this long for the current group
	 * (0: no deadline of its own), and the whole fallback ends at p1_give_up_at, as long as
	 * one group's retransmissions would take */
	uint64_t p1_group_deadline;
	uint64_t p1_give_up_at;
	struct ike_p1_prop p1_offer[IKE_MAX_P1];
	size_t n_p1_offer;
	struct ike_p2_prop p2_offer[IKE_MAX_P2];
	size_t n_p2_offer;
	char group[128];
	char user[128];
	char app_version[128];
	char hostname[128];
	struct secret psk;
	/* main mode with RSA signatures: the peer's certificate once its chain verified, and
	 * (initiator) the name the gateway's certificate must carry */
	struct x509_peer *peer_cert;
	unsigned bad_sigs; /* MM5/MM6 whose signature did not verify (mm_auth.c) */
	char peer_name[256];
	uint64_t born_ms; /* now_ms of ike_sa_new: with cfg.wall_s, the date for certificates */

	struct ike_endpoint local; /* current local endpoint (port floats to 4500) */
	struct ike_endpoint peer;  /* current peer endpoint */

	uint8_t icky[8], rcky[8];

	/* phase 1 */
	struct ike_p1_prop p1; /* negotiated */
	uint16_t auth;         /* negotiated auth method */
	uint8_t *sai_b;        /* initiator's SA body, as offered */
	size_t sai_len;
	uint8_t idi_b[256], idr_b[256];
	size_t idi_len, idr_len;
	struct crypto_dh *dh;
	uint8_t gxi[IKE_MAX_DH], gxr[IKE_MAX_DH];
	size_t g_len;
	uint8_t ni[IKE_MAX_NONCE], nr[IKE_MAX_NONCE];
	size_t ni_len, nr_len;
	struct secret gxy, skeyid, skeyid_d, skeyid_a, skeyid_e, ka;
	size_t bs;
	size_t hlen;
	uint8_t iv[CIPHER_BLOCK_MAX];      /* phase-1 CBC chain */
	uint8_t p1_last[CIPHER_BLOCK_MAX]; /* P1L: base of every later IV */
	struct ike_ivchain chains[IKE_MAX_EXCH];
	uint64_t chain_clock;

	/* XAUTH */
	uint32_t xauth_msgid;
	uint16_t xauth_id;
	unsigned xauth_tries;
	bool xauth_type_requested;
	uint16_t xauth_type;
	char xauth_message[256];
	uint64_t xauth_deadline;

	/* mode-config */
	uint32_t cfg_msgid;
	uint16_t cfg_id;
	struct evc_policy policy;

	/* quick mode and the ESP SAs */
	struct ike_qm qm;
	uint8_t
	    qm_rx_iv[CIPHER_BLOCK_MAX]; /* chain value of the quick-mode message being handled */
	struct ike_child_rec children[IKE_MAX_CHILDREN];
	size_t n_children;

	/* DPD */
	uint32_t dpd_seq;
	uint32_t dpd_pending;   /* seq of the unanswered R-U-THERE, 0 = none */
	uint32_t dpd_seq_first; /* our first R-U-THERE's seq (dpd_seq != 0: we sent one) */
	uint32_t dpd_rx_seq;    /* the peer's last R-U-THERE taken (dpd_rx_any: one was) */
	bool dpd_rx_any;
	unsigned dpd_tries;
	uint64_t dpd_next;
	uint64_t last_rx;

	/* duplicates: the last message we answered and our answer */
	uint8_t last_rx_hash[20];
	bool have_last_rx;
	uint8_t cur_rx_hash[20];              /* of the message being processed */
	uint8_t pending_rx_hash[20];          /* of the request a prompt answers */
	struct ike_endpoint cur_from, cur_to; /* of the message being processed */
	bool cur_rx_valid;
	uint8_t *last_reply;
	size_t last_reply_len;
	uint16_t last_reply_port;
	/* the peer's last messages that were taken (engine.c): a late copy of one is a
	 * retransmission the exchange has moved past, dropped quietly */
	uint8_t seen_rx_hash[IKE_SEEN_RX][20];
	unsigned seen_rx_next;

	struct ike_rexmit rx;

	/* responder: the whole connection must be up by then (0: up, or initiator) */
	uint64_t setup_deadline;
	uint64_t p1_expires_at; /* the negotiated phase-1 lifetime (0: none) */
	uint64_t p1_rekey_at;   /* I: the soft mark to start a phase-1 rekey (0: none, or asked) */
	struct ike_frag_rx *frag_rx; /* IKE fragments of a message being reassembled (frag.h) */
	uint16_t frag_id;            /* of the last message we sent in fragments */
	/* the informationals already taken or sent, by the first bytes of their HASH(1) (replay
	 * protection): not by message ID, which vpnc draws from one byte for its DELETEs, nor
	 * by the datagram's bytes, some of which HASH(1) does not cover (info.c) */
	uint8_t info_seen[IKE_INFO_SEEN][8];
	size_t info_seen_next, info_seen_n;

	uint16_t refused_with; /* the notify of an IKE_V_REFUSED verdict */
	char last_drop[512];   /* sa_explain: why the answers were dropped, for a timeout */
	enum ike_step last_drop_step;

	/* action queue */
	struct ike_act_node *q_head, *q_tail, *q_cur;

	uint8_t tx[IKE_TXBUF];
	uint8_t rxbuf[IKE_RXBUF]; /* decrypted body of the message being handled */
};

/* ---- sa.c: shared machinery ---- */
void sa_set_state(struct ike_sa *sa, enum ike_state st);
const char *sa_state_name(enum ike_state st);
void sa_log(struct ike_sa *sa, enum ike_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sa_status(struct ike_sa *sa, enum ike_step step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fails the SA: one sentence of what to check, after the step's name (added here). */
void sa_fail(struct ike_sa *sa, enum ike_step step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sa_closed(struct ike_sa *sa, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sa_rand(struct ike_sa *sa, void *buf, size_t n);
uint32_t sa_new_msgid(struct ike_sa *sa);

/* Header for a message of this SA. */
void sa_hdr(const struct ike_sa *sa, struct isakmp_hdr *h, uint8_t exch, uint8_t flags,
            uint32_t msgid);
/*
 * Sends msg[0..len). expect_reply arms retransmission (the peer must answer, else the SA
 * fails reporting step); as_reply records it as the answer to the last received message so a
 * retransmitted request gets it again verbatim.
 */
void sa_send(struct ike_sa *sa, const uint8_t *msg, size_t len, bool expect_reply, bool as_reply,
             enum ike_step step);
void sa_rexmit_stop(struct ike_sa *sa);
void sa_emit_send(struct ike_sa *sa, const uint8_t *msg, size_t len, struct ike_endpoint to,
                  uint16_t from_port);
/* Logs why a message is ignored and returns IKE_V_DROP: the SA is unchanged. */
enum ike_verdict sa_drop(struct ike_sa *sa, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* What to say if the peer's answers keep being dropped until the retransmissions run out
 * (e.g. a HASH_R that never verifies: the group key is wrong). */
void sa_explain(struct ike_sa *sa, enum ike_step step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- actions.c: the action queue ---- */
struct ike_act_node *sa_push(struct ike_sa *sa, enum ike_act_type t);
/* Copies into a node-owned buffer; returns the copy. */
uint8_t *sa_own(struct ike_act_node *n, const void *p, size_t len, bool secret);
void sa_actions_free(struct ike_sa *sa);
/*
 * The message being processed was authenticated: if it came from another address or port
 * than the peer's (a NAT rebinding), follow it and report IKE_ACT_PEER_MOVED. Only messages
 * that passed their HASH move the peer, so a forged datagram cannot redirect the SA.
 */
void sa_peer_seen(struct ike_sa *sa);

/*
 * Encrypts the body of a built message in place (b->w.buf, header already written) with the
 * IV for msgid and pads to the block size; returns the final length or 0. Updates the IV
 * chain (phase 1 or per exchange; informational messages never update one).
 */
size_t sa_encrypt(struct ike_sa *sa, uint8_t *msg, size_t len, size_t cap, uint8_t exch,
                  uint32_t msgid);
/*
 * Decrypts a received message body into out (at most cap bytes), and returns through new_iv
 * the chain value to commit once the message is authenticated. -EMSGSIZE when the body does
 * not fit in cap, -EINVAL when it cannot be decrypted.
 */
int sa_decrypt(struct ike_sa *sa, const uint8_t *msg, size_t len, const struct isakmp_hdr *h,
               uint8_t *out, size_t cap, uint8_t new_iv[CIPHER_BLOCK_MAX]);
/*
 * The same with the IV of a new exchange, hash(P1L | M-ID), whatever sa_iv_for says: for an
 * informational with message ID 0, which vpnc encrypts so where we continue the phase-1
 * chain (RFC 2409 appendix B names no rule for ID 0). -EINVAL before phase 1 is done.
 */
int sa_decrypt_derived(struct ike_sa *sa, const uint8_t *msg, size_t len,
                       const struct isakmp_hdr *h, uint8_t *out, size_t cap,
                       uint8_t new_iv[CIPHER_BLOCK_MAX]);
/* Informationals taken or sent, by the first bytes of their HASH(1): replay and reflection. */
bool sa_info_seen(const struct ike_sa *sa, const uint8_t *hash1);
void sa_info_remember(struct ike_sa *sa, const uint8_t *hash1);
void sa_commit_iv(struct ike_sa *sa, uint8_t exch, uint32_t msgid,
                  const uint8_t iv[CIPHER_BLOCK_MAX]);
/* The IV the next message of exchange msgid is encrypted or decrypted with; no state change. */
int sa_iv_for(const struct ike_sa *sa, uint8_t exch, uint32_t msgid, uint8_t iv[CIPHER_BLOCK_MAX]);

/*
 * Builds HDR*, HASH(1)-style message: HASH = prf(SKEYID_a, M-ID | rest) with the payloads
 * written by the callback, encrypts and sends it. nonce_i, if given, is mixed in as for
 * quick-mode HASH(2).
 */
typedef void (*sa_body_fn)(struct ike_sa *sa, struct isakmp_builder *b, void *arg);
size_t sa_build_hashed(struct ike_sa *sa, uint8_t exch, uint32_t msgid, const uint8_t *ni,
                       size_t ni_len, sa_body_fn fn, void *arg, uint8_t *out, size_t cap);
/* Verifies the HASH payload (first payload) of a decrypted phase-2-type message. */
bool sa_check_hash(struct ike_sa *sa, const struct isakmp_chain *c, uint32_t msgid,
                   const uint8_t *ni, size_t ni_len, const uint8_t *body, size_t body_len);

/* ---- child.c: the ESP SA pairs of this IKE SA ---- */
/* Records a new pair (keys are not kept), marking the pairs with the same selectors
 * replaced (the one with inbound SPI `replaces` to be deleted after the overlap); false when
 * the IKE SA holds IKE_MAX_CHILDREN. */
bool sa_child_add(struct ike_sa *sa, const struct ike_child *ch, uint32_t replaces);
struct ike_child_rec *sa_child_find(struct ike_sa *sa, uint32_t spi_in);
/* A pair past its soft mark that nobody is rekeying yet, or NULL. */
struct ike_child_rec *sa_child_rekey_due(struct ike_sa *sa);
/* Its rekey failed: try again later, if that can still finish before its hard limit. */
void sa_child_retry_later(struct ike_sa *sa, struct ike_child_rec *r);
/* Reports pair i down (IKE_ACT_CHILD_DOWN) and forgets it. */
void sa_child_drop(struct ike_sa *sa, size_t i);
/* Every pair down: the IKE SA ends. */
void sa_children_end(struct ike_sa *sa);
/* The earliest lifetime end, delete or rekey mark of a pair, or UINT64_MAX. */
uint64_t sa_children_next(const struct ike_sa *sa);
/* Phase 1 completed: its lifetime starts (with, for the initiator, the rekey soft mark). */
void sa_p1_life_start(struct ike_sa *sa);
/* Tick: past the soft mark, an established initiator asks for a phase-1 rekey (once). */
void sa_p1_rekey_tick(struct ike_sa *sa);

/* ---- proposals.c ---- */
/* Writes the SA payload body offering p[0..n) for phase 1 (one proposal, n transforms). */
void prop_write_p1(struct wr *w, const struct ike_p1_prop *p, size_t n);
/* Phase-1 transform attributes -> prop; false if it uses something we do not support. */
bool prop_read_p1(const struct isakmp_transform *t, struct ike_p1_prop *p);
/* Responder: picks by server priority; returns the index of the chosen transform or -1. */
int prop_choose_p1(const struct isakmp_sa *sa, const struct ike_p1_prop *srv, size_t n_srv,
                   unsigned ke_group, bool xauth, struct ike_p1_prop *chosen);
/* Writes the chosen transform back as a one-proposal, one-transform SA body. */
void prop_write_p1_choice(struct wr *w, const struct isakmp_sa *sa, int t_index);
void prop_write_p2(struct wr *w, const struct ike_p2_prop *p, size_t n, uint32_t spi,
                   uint16_t encap);
bool prop_read_p2(const struct isakmp_transform *t, uint8_t esp_id, struct ike_p2_prop *p,
                  uint16_t *encap);
int prop_choose_p2(const struct isakmp_sa *sa, const struct ike_p2_prop *srv, size_t n_srv,
                   size_t ke_len, struct ike_p2_prop *chosen, uint16_t *encap, uint32_t *peer_spi,
                   size_t *prop_index);
void prop_write_p2_choice(struct wr *w, const struct isakmp_sa *sa, size_t prop_index,
                          size_t t_index, uint32_t spi);

/* ---- natt.c: vendor IDs and NAT-D ---- */
void natt_write_vids(struct ike_sa *sa, struct isakmp_builder *b);
void natt_read_vids(struct ike_sa *sa, const struct isakmp_chain *c);
/* Writes NAT-D(peer), NAT-D(local) for a message to `to` from `from`. */
void natt_write_natd(struct ike_sa *sa, struct isakmp_builder *b, const struct ike_endpoint *to,
                     const struct ike_endpoint *from);
/* Compares the received NAT-D payloads with what we see; sets F_NAT_LOCAL / F_NAT_PEER. */
void natt_check_natd(struct ike_sa *sa, const struct isakmp_chain *c,
                     const struct ike_endpoint *from, const struct ike_endpoint *to);
bool natt_enabled(const struct ike_sa *sa);
bool natt_use_udp(const struct ike_sa *sa);
uint16_t natt_encap_mode(const struct ike_sa *sa);

/* ---- p1keys.c: phase-1 keys shared by aggressive and main mode ---- */
/* Phase-1 keys computed from one candidate message, committed only once it is accepted. */
struct p1_keys {
	struct secret gxy, skeyid, skeyid_d, skeyid_a, skeyid_e, ka;
	uint8_t iv[CIPHER_BLOCK_MAX];
	size_t hlen, bs;
};
void p1_keys_clear(struct p1_keys *k);
/* g^xy, SKEYID (by p's auth method: group key or signatures) and its children, Ka and the
 * first phase-1 IV, for proposal p with nonces ni/nr and responder cookie rcky; nothing in
 * the SA changes. */
int p1_keys_derive(const struct ike_sa *sa, const struct ike_p1_prop *p, const uint8_t *peer_ke,
                   const uint8_t *gxi, const uint8_t *gxr, const uint8_t *ni, size_t ni_len,
                   const uint8_t *nr, size_t nr_len, const uint8_t rcky[8], struct p1_keys *k);
/* Moves the keys into the SA (whose phase-1 secrets are still empty). */
void p1_keys_commit(struct ike_sa *sa, struct p1_keys *k);
/* Whether the initiator offered p (its lifetime aside). */
bool p1_offered(const struct ike_sa *sa, const struct ike_p1_prop *p);
bool p1_auth_is_rsa(uint16_t auth);
/* Phase 1 is under way (aggressive or main mode), nothing authenticated yet. */
bool p1_pending(const struct ike_sa *sa);

/* ---- mm.c: main mode with RSA signatures ---- */
void mm_start(struct ike_sa *sa);
enum ike_verdict mm_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                          size_t len, const struct ike_endpoint *from,
                          const struct ike_endpoint *to);
/* ---- mm_auth.c: what main mode's last two messages carry ---- */
/* Writes CERTREQ payloads naming the CAs we trust. */
void mm_write_certreqs(struct ike_sa *sa, struct isakmp_builder *b);
/* Logs what the peer's CERTREQ payloads ask for when we cannot give it (another
 * certificate type), so that a refusal that follows can be understood. */
void mm_note_certreqs(struct ike_sa *sa, const struct isakmp_chain *c);
/* Writes our ID into buf: our subject (ID_DER_ASN1_DN) when we sign, the group (ID_KEY_ID)
 * as a hybrid initiator, else our address (ID_IPV4_ADDR); its length or 0. */
size_t mm_id_body(const struct ike_sa *sa, uint8_t *buf, size_t cap);
/* Writes ID, CERT and SIG over hash (HASH_I or HASH_R) when we sign, else ID and the hash,
 * with ask (MM5) INITIAL-CONTACT (and CERTREQ when signing) before the SIG or HASH, which goes
 * last; false if it cannot sign. */
bool mm_write_auth(struct ike_sa *sa, struct isakmp_builder *b, const uint8_t *id, size_t id_len,
                   const uint8_t *hash, bool ask);
/* Why the peer's authentication was refused, and the notify that tells it (0: none). */
struct mm_err {
	uint16_t notify;
	char text[640];
};
/*
 * Checks the ID, CERT and SIG of MM5 (responder) or MM6 (initiator): first the signature
 * over HASH_I or HASH_R with the certificate's key, then the ID against the certificate's
 * subject and the chain against cfg.trust at the date. When the peer does not sign (a
 * pre-shared key, or a hybrid initiator), the ID and HASH_I or HASH_R instead (*out stays
 * NULL). 0 with *out the verified certificate
 * (and idi_b/idr_b recorded); -EINVAL or -EBADMSG for a message that may be damaged or forged,
 * nothing proven yet (drop it, e->text says what); another negative errno when the signed
 * message's certificate or identity is refused (e->notify set).
 */
int mm_check_auth(struct ike_sa *sa, const struct isakmp_chain *c, struct x509_peer **out,
                  struct mm_err *e);
/* The date for certificate validity, seconds since the epoch. */
int64_t mm_wall(const struct ike_sa *sa);

/* ---- p1group.c ---- */
/* Initiator with an automatic DH group, at each (re)start of phase 1 (aggressive or main
 * mode): the deadline of the group tried now, an even share of what is left of the usual
 * timeout, so that a gateway that drops a group in silence gets the next one in time. */
void p1_group_timing(struct ike_sa *sa);

/* ---- am.c ---- */
void am_start(struct ike_sa *sa);
/* Initiator refused with notify in AM_SENT: start again with the next DH group if the
 * group is automatic and one is left; false when not (the caller fails the SA). */
bool am_fallback(struct ike_sa *sa, uint16_t notify);
/* Tick: the gateway did not answer the current automatic group within its share of the
 * timeout: start again with the next group, or fail naming every group tried. */
void am_tick(struct ike_sa *sa);
/* How long retransmissions wait in all for an answer that never comes (ms). */
uint64_t sa_rexmit_budget(const struct ike_sa *sa);
enum ike_verdict am_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                          size_t len, const struct ike_endpoint *from,
                          const struct ike_endpoint *to);

/* ---- txn.c: sending in the transaction exchange (XAUTH and mode-config) ---- */
/* Builds, encrypts and sends one transaction message; false if it could not be built. */
bool txn_send(struct ike_sa *sa, uint32_t msgid, uint8_t type, uint16_t id, const uint8_t *attrs,
              size_t len, bool expect_reply, bool as_reply, enum ike_step step);

/* ---- xauth.c ---- */
bool xauth_has_attrs(const struct isakmp_cfg *cfg);
void xauth_server_start(struct ike_sa *sa);
enum ike_verdict xauth_client_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                    const struct isakmp_cfg *cfg);
enum ike_verdict xauth_server_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                    const struct isakmp_cfg *cfg);
void xauth_answer(struct ike_sa *sa, const char *user, const char *password);
void xauth_verdict(struct ike_sa *sa, bool ok);

/* ---- modecfg.c ---- */
void modecfg_client_start(struct ike_sa *sa);
enum ike_verdict modecfg_client_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                      const struct isakmp_cfg *cfg);
/* Server, `initiate`: SET the policy after XAUTH; the client's ACK stops the repeats. */
void modecfg_server_push(struct ike_sa *sa);
enum ike_verdict modecfg_server_ack(struct ike_sa *sa, const struct isakmp_hdr *h);
enum ike_verdict modecfg_server_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                      const struct isakmp_cfg *cfg);
/* Parses mode-config attributes into a policy (client). Returns false with *why on bad data. */
bool modecfg_parse(const uint8_t *attrs, size_t len, struct evc_policy *pol, const char **why);
/* Writes the attributes of pol that the client asked for (server). */
void modecfg_write(struct wr *w, const struct evc_policy *pol, const uint8_t *req, size_t req_len);
/* Cisco IPsec over UDP: an ESP SA pair of an SA whose policy has the port goes in UDP on it. */
void modecfg_child_encap(const struct ike_sa *sa, struct ike_child *ch);

/* ---- qm.c ---- */
/* Starts a quick mode: the first one, or a rekey of the pair with inbound SPI rekey_of. */
void qm_start(struct ike_sa *sa, uint32_t rekey_of);
/* Network extension: the index of the first network of cfg.lan without an ESP SA pair. */
size_t qm_next_lan(const struct ike_sa *sa);
/* Gives up the quick mode under way (no answer, refused): the tunnel stays. */
void qm_abandon(struct ike_sa *sa, const char *why);
/* A quick mode failed: abandoned under a working tunnel, else the SA fails. */
void qm_failed(struct ike_sa *sa, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum ike_verdict qm_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *body,
                          size_t len, const struct isakmp_chain *c);

/* ---- info.c ---- */
enum ike_verdict info_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *body,
                            size_t body_len, const struct isakmp_chain *c, bool encrypted);
/* Fails the SA for the refusal in sa->refused_with, with advice on what to check. */
void info_fail_refused(struct ike_sa *sa);
/* Unencrypted notify (before phase-1 keys exist), e.g. NO-PROPOSAL-CHOSEN. */
void info_send_plain_notify(struct ike_sa *sa, uint16_t type);
void info_send_delete_child(struct ike_sa *sa, const struct ike_child *ch);
void info_send_delete_ike(struct ike_sa *sa);
void info_send_initial_contact(struct ike_sa *sa, struct isakmp_builder *b);
/* Responder, AM2/MM: RESPONDER-LIFETIME (RFC 2407 4.6.3.1) when the chosen phase-1 lifetime
 * is shorter than the one offered in transform t (or none was offered). */
void info_write_p1_lifetime(struct ike_sa *sa, struct isakmp_builder *b,
                            const struct isakmp_transform *t);
/* Initiator: a RESPONDER-LIFETIME for the ISAKMP SA in c shortens p->life_s. */
void info_read_p1_lifetime(struct ike_sa *sa, const struct isakmp_chain *c, struct ike_p1_prop *p);
/* Responder: notes an INITIAL-CONTACT among the payloads of c. */
void info_read_initial_contact(struct ike_sa *sa, const struct isakmp_chain *c);
void dpd_tick(struct ike_sa *sa);

/* ---- seq.c: the one place that decides what comes next ---- */
/* After every accepted message, answer, verdict and tick: starts the next exchange that
 * what is known calls for (mode-config, XAUTH, the push, quick mode). */
void seq_advance(struct ike_sa *sa);

#endif
