/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISAKMP (RFC 2408) codec: numbers, the header, the payload chain and each payload body.
 * Parsers validate lengths first and fill typed structs whose pointers alias the input
 * buffer (no copies, no allocation). Builders append to an wr.
 */
#ifndef EVC_IKE_ISAKMP_H
#define EVC_IKE_ISAKMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/bytes.h"

#define ISAKMP_HDR_LEN 28
#define ISAKMP_GEN_LEN 4
#define ISAKMP_VERSION 0x10
#define ISAKMP_MAX_MSG 65535

enum isakmp_exch {
	ISAKMP_EXCH_MAIN = 2,
	ISAKMP_EXCH_AGGRESSIVE = 4,
	ISAKMP_EXCH_INFO = 5,
	ISAKMP_EXCH_TRANSACTION = 6,
	ISAKMP_EXCH_QUICK = 32,
};

enum isakmp_flag {
	ISAKMP_FLAG_E = 0x01,
	ISAKMP_FLAG_C = 0x02,
	ISAKMP_FLAG_A = 0x04,
};

enum isakmp_pl_type {
	ISAKMP_PL_NONE = 0,
	ISAKMP_PL_SA = 1,
	ISAKMP_PL_P = 2,
	ISAKMP_PL_T = 3,
	ISAKMP_PL_KE = 4,
	ISAKMP_PL_ID = 5,
	ISAKMP_PL_CERT = 6,
	ISAKMP_PL_CR = 7,
	ISAKMP_PL_HASH = 8,
	ISAKMP_PL_SIG = 9,
	ISAKMP_PL_NONCE = 10,
	ISAKMP_PL_N = 11,
	ISAKMP_PL_D = 12,
	ISAKMP_PL_VID = 13,
	ISAKMP_PL_ATTR = 14,
	ISAKMP_PL_NATD = 20,
	ISAKMP_PL_NATOA = 21,
	ISAKMP_PL_NATD_DRAFT = 130,
	ISAKMP_PL_NATOA_DRAFT = 131,
	ISAKMP_PL_FRAG = 132,
};

enum isakmp_proto {
	ISAKMP_PROTO_ISAKMP = 1,
	ISAKMP_PROTO_AH = 2,
	ISAKMP_PROTO_ESP = 3,
};

#define ISAKMP_DOI_IPSEC 1
#define ISAKMP_SIT_IDENTITY_ONLY 1
#define ISAKMP_KEY_IKE 1

/* Phase-1 transform attributes (RFC 2409 appendix A). */
enum ike_attr {
	IKE_ATTR_ENCR = 1,
	IKE_ATTR_HASH = 2,
	IKE_ATTR_AUTH = 3,
	IKE_ATTR_GROUP = 4,
	IKE_ATTR_LIFE_TYPE = 11,
	IKE_ATTR_LIFE_DURATION = 12,
	IKE_ATTR_KEY_LENGTH = 14,
};

enum ike_auth_method {
	IKE_AUTH_PSK = 1,
	IKE_AUTH_RSA_SIG = 3,
	IKE_AUTH_XAUTH_INIT_PSK = 65001,
	IKE_AUTH_XAUTH_RESP_PSK = 65002,
	IKE_AUTH_XAUTH_INIT_RSA = 65005,
	IKE_AUTH_XAUTH_RESP_RSA = 65006,
	/* draft-ietf-ipsec-isakmp-hybrid-auth-05: the responder signs, the initiator is
	 * authenticated by XAUTH alone (vpnc's and strongSwan's HybridInitRSA) */
	IKE_AUTH_HYBRID_INIT_RSA = 64221,
};

#define IKE_LIFE_SECONDS 1
#define IKE_LIFE_KILOBYTES 2

/* IPsec (phase-2) SA attributes (RFC 2407 4.5, RFC 3947). */
enum ipsec_attr {
	IPSEC_ATTR_LIFE_TYPE = 1,
	IPSEC_ATTR_LIFE_DURATION = 2,
	IPSEC_ATTR_GROUP = 3,
	IPSEC_ATTR_ENCAP = 4,
	IPSEC_ATTR_AUTH = 5,
	IPSEC_ATTR_KEY_LENGTH = 6,
};

enum ipsec_encap {
	IPSEC_ENCAP_TUNNEL = 1,
	IPSEC_ENCAP_TRANSPORT = 2,
	IPSEC_ENCAP_UDP_TUNNEL = 3,
	IPSEC_ENCAP_UDP_TUNNEL_DRAFT = 61443,
};

enum isakmp_id_type {
	ISAKMP_ID_IPV4_ADDR = 1,
	ISAKMP_ID_FQDN = 2,
	ISAKMP_ID_USER_FQDN = 3,
	ISAKMP_ID_IPV4_ADDR_SUBNET = 4,
	ISAKMP_ID_DER_ASN1_DN = 9,
	ISAKMP_ID_KEY_ID = 11,
};

enum isakmp_notify_type {
	ISAKMP_N_INVALID_PAYLOAD_TYPE = 1,
	ISAKMP_N_INVALID_EXCHANGE_TYPE = 7,
	ISAKMP_N_INVALID_FLAGS = 8,
	ISAKMP_N_INVALID_MESSAGE_ID = 9,
	ISAKMP_N_NO_PROPOSAL_CHOSEN = 14,
	ISAKMP_N_BAD_PROPOSAL_SYNTAX = 15,
	ISAKMP_N_PAYLOAD_MALFORMED = 16,
	ISAKMP_N_INVALID_KEY_INFORMATION = 17,
	ISAKMP_N_INVALID_ID_INFORMATION = 18,
	ISAKMP_N_INVALID_CERTIFICATE = 20,
	ISAKMP_N_INVALID_CERT_AUTHORITY = 22,
	ISAKMP_N_INVALID_HASH_INFORMATION = 23,
	ISAKMP_N_AUTHENTICATION_FAILED = 24,
	ISAKMP_N_CONNECTED = 16384,
	ISAKMP_N_RESPONDER_LIFETIME = 24576,
	ISAKMP_N_REPLAY_STATUS = 24577,
	ISAKMP_N_INITIAL_CONTACT = 24578,
	ISAKMP_N_CISCO_PSK_HASH = 40503, /* Cisco PRESHARED_KEY_HASH (hybrid; vpnc's name) */
	ISAKMP_N_R_U_THERE = 36136,
	ISAKMP_N_R_U_THERE_ACK = 36137,
	ISAKMP_N_UNITY_LOAD_BALANCE = 40501,
};

/* Mode-config message types and attributes (draft-dukes-ike-mode-cfg-02, xauth-02, Unity). */
enum isakmp_cfg_type {
	ISAKMP_CFG_REQUEST = 1,
	ISAKMP_CFG_REPLY = 2,
	ISAKMP_CFG_SET = 3,
	ISAKMP_CFG_ACK = 4,
};

enum isakmp_cfg_attr {
	CFG_INTERNAL_IP4_ADDRESS = 1,
	CFG_INTERNAL_IP4_NETMASK = 2,
	CFG_INTERNAL_IP4_DNS = 3,
	CFG_INTERNAL_IP4_NBNS = 4,
	CFG_INTERNAL_ADDRESS_EXPIRY = 5,
	CFG_APPLICATION_VERSION = 7,
	CFG_INTERNAL_IP4_SUBNET = 13,
	CFG_SUPPORTED_ATTRIBUTES = 14,
	CFG_XAUTH_TYPE = 16520,
	CFG_XAUTH_USER_NAME = 16521,
	CFG_XAUTH_USER_PASSWORD = 16522,
	CFG_XAUTH_PASSCODE = 16523,
	CFG_XAUTH_MESSAGE = 16524,
	CFG_XAUTH_CHALLENGE = 16525,
	CFG_XAUTH_DOMAIN = 16526,
	CFG_XAUTH_STATUS = 16527,
	CFG_XAUTH_NEXT_PIN = 16528,
	CFG_XAUTH_ANSWER = 16529,
	CFG_UNITY_BANNER = 28672,
	CFG_UNITY_SAVE_PASSWD = 28673,
	CFG_UNITY_DEF_DOMAIN = 28674,
	CFG_UNITY_SPLIT_DNS = 28675,
	CFG_UNITY_SPLIT_INCLUDE = 28676,
	CFG_UNITY_NATT_PORT = 28677,
	CFG_UNITY_LOCAL_LAN = 28678,
	CFG_UNITY_PFS = 28679,
	CFG_UNITY_FW_TYPE = 28680,
	CFG_UNITY_BACKUP_SERVERS = 28681,
	CFG_UNITY_DDNS_HOSTNAME = 28682,
	/* evc's and evs's own (no public source gives Cisco's, see ike/modecfg.c): TV, the
	 * client asks with 1 in network-extension mode, the gateway answers 1 or 0 */
	CFG_EVC_NETWORK_EXTENSION = 32736,
};

/* ---- header ---- */
struct isakmp_hdr {
	uint8_t icky[8];
	uint8_t rcky[8];
	uint8_t np;
	uint8_t version;
	uint8_t exch;
	uint8_t flags;
	uint32_t msgid;
	uint32_t len;
};

/*
 * Parses the 28-byte header. Checks that len >= 28, version major is 1 and that the declared
 * length is between 28 and the datagram size (trailing bytes beyond it are ignored, as old
 * Cisco clients append some). Returns false with *why set to a static string on failure.
 */
bool isakmp_hdr_parse(const uint8_t *pkt, size_t len, struct isakmp_hdr *h, const char **why);
void isakmp_hdr_write(struct wr *w, const struct isakmp_hdr *h);

/* ---- payload chain ---- */
#define ISAKMP_MAX_PAYLOADS 48

struct isakmp_pl {
	uint8_t type;
	const uint8_t *raw; /* generic header included */
	size_t raw_len;
	const uint8_t *body; /* after the 4-byte generic header */
	size_t len;
};

struct isakmp_chain {
	struct isakmp_pl pl[ISAKMP_MAX_PAYLOADS];
	size_t n;
};

/*
 * Walks the next-payload chain of a (decrypted) body starting with type first_np. Stops at
 * next payload 0 and ignores whatever trails (IKE encryption padding). Fails on a generic
 * length < 4 or beyond the bytes left, a non-zero reserved byte is tolerated, and more than
 * ISAKMP_MAX_PAYLOADS payloads is an error.
 */
bool isakmp_chain_parse(const uint8_t *body, size_t len, uint8_t first_np, struct isakmp_chain *c,
                        const char **why);
/* First payload of type t at index >= from, or NULL. */
const struct isakmp_pl *isakmp_chain_find(const struct isakmp_chain *c, uint8_t t, size_t from);
size_t isakmp_chain_count(const struct isakmp_chain *c, uint8_t t);

/* ---- data attributes (shared by SA transforms and mode-config) ---- */
struct isakmp_attr {
	uint16_t type; /* AF bit removed */
	bool tv;
	uint32_t value;      /* TV value, or a TLV value of 1..4 bytes as an integer */
	bool value_ok;       /* value is meaningful (TV, or TLV of at most 4 bytes) */
	const uint8_t *data; /* TLV data (NULL for TV) */
	size_t len;          /* TLV length (0 for TV) */
};

/*
 * Reads the next attribute. Returns 1 with *a filled, 0 at the clean end, -1 on a malformed
 * attribute (truncated header or TLV length beyond the bytes left).
 */
int isakmp_attr_next(struct rd *r, struct isakmp_attr *a);
void isakmp_attr_write_tv(struct wr *w, uint16_t type, uint16_t value);
void isakmp_attr_write_tlv(struct wr *w, uint16_t type, const void *data, size_t len);
/* TV when value fits 16 bits, else TLV with 4 bytes (life durations). */
void isakmp_attr_write_int(struct wr *w, uint16_t type, uint32_t value);

/* ---- SA / proposal / transform ---- */
#define ISAKMP_MAX_PROPOSALS 32
#define ISAKMP_MAX_TRANSFORMS 128

struct isakmp_transform {
	uint8_t num;
	uint8_t id;
	const uint8_t *attrs;
	size_t attrs_len;
};

struct isakmp_proposal {
	uint8_t num;
	uint8_t proto;
	uint8_t spi_size;
	uint8_t spi[16];
	size_t first; /* index into isakmp_sa.t */
	size_t count;
};

struct isakmp_sa {
	uint32_t doi;
	uint32_t situation;
	struct isakmp_proposal p[ISAKMP_MAX_PROPOSALS];
	size_t np;
	struct isakmp_transform t[ISAKMP_MAX_TRANSFORMS];
	size_t nt;
};

/*
 * Parses an SA body (after the generic header). Checks DOI 1, situation 1, proposal and
 * transform generic headers and counts, SPI size <= 16, and that every transform's attribute
 * list is well formed. Accepts any proposal/transform numbering.
 */
bool isakmp_sa_parse(const uint8_t *body, size_t len, struct isakmp_sa *sa, const char **why);

/* ---- simple bodies ---- */
struct isakmp_id {
	uint8_t type;
	uint8_t proto;
	uint16_t port;
	const uint8_t *data;
	size_t len;
};
bool isakmp_id_parse(const uint8_t *body, size_t len, struct isakmp_id *id, const char **why);

struct isakmp_notify {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
};
bool isakmp_notify_parse(const uint8_t *body, size_t len, struct isakmp_notify *n,
                         const char **why);

struct isakmp_delete {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_size;
	uint16_t nspi;
	const uint8_t *spis; /* nspi * spi_size bytes */
};
bool isakmp_delete_parse(const uint8_t *body, size_t len, struct isakmp_delete *d,
                         const char **why);

struct isakmp_cfg {
	uint8_t type; /* enum isakmp_cfg_type */
	uint16_t id;
	const uint8_t *attrs;
	size_t attrs_len;
};
/* Also validates that the attribute list is well formed. */
bool isakmp_cfg_parse(const uint8_t *body, size_t len, struct isakmp_cfg *c, const char **why);

/* CERT and CERTREQ (RFC 2408 3.9, 3.10): an encoding byte, then the certificate or the
 * name of a CA (may be empty in a CERTREQ). Parsed in isakmp_cert.c. */
#define ISAKMP_CERT_X509_SIG 4
struct isakmp_cert {
	uint8_t enc;
	const uint8_t *data;
	size_t len;
};
bool isakmp_cert_parse(const uint8_t *body, size_t len, struct isakmp_cert *c, const char **why);
bool isakmp_certreq_parse(const uint8_t *body, size_t len, struct isakmp_cert *c, const char **why);

/* ---- message builder ---- */
struct isakmp_builder {
	struct wr w;
	size_t np_off; /* where the next-payload byte of the previous payload lives */
	size_t pl_off; /* start of the open payload, or SIZE_MAX */
};

/* Writes the header (np and len are patched later). */
void isakmp_build_start(struct isakmp_builder *b, void *buf, size_t cap,
                        const struct isakmp_hdr *h);
/* Opens a payload of type t: patches the previous next-payload, writes a generic header. */
void isakmp_build_open(struct isakmp_builder *b, uint8_t t);
/* Closes the open payload and patches its length. */
void isakmp_build_close(struct isakmp_builder *b);
/* open + bytes + close. */
void isakmp_build_payload(struct isakmp_builder *b, uint8_t t, const void *body, size_t len);
/* Patches the header length; returns the message length or 0 when the buffer overflowed. */
size_t isakmp_build_finish(struct isakmp_builder *b);

/* Names for logs ("AGGRESSIVE", "NO-PROPOSAL-CHOSEN", ...); never NULL. */
const char *isakmp_exch_name(unsigned e);
const char *isakmp_pl_name(unsigned t);
const char *isakmp_notify_name(unsigned n);
const char *isakmp_cfg_attr_name(unsigned a);

#endif
