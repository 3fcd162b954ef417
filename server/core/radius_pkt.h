/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS Access-Request and its reply on the wire (RFC 2865, Message-Authenticator RFC 3579),
 * without I/O: radius.c sends and receives, this builds, verifies and reads. evs has its own
 * client because radcli 1.2.11 (Debian 12) accepts replies whose Response Authenticator does
 * not verify (rc_check_reply's verdict is overwritten), so anyone who can send a datagram to
 * evs's ephemeral port could log in as any user.
 *
 * Nothing of a reply is read before both its Response Authenticator and its
 * Message-Authenticator verify with the server's key.
 */
#ifndef EVC_SERVER_RADIUS_PKT_H
#define EVC_SERVER_RADIUS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/core/aaa.h"

#define RADIUS_HDR_LEN 20
#define RADIUS_AUTH_LEN 16
#define RADIUS_MAX_LEN 4096 /* RFC 2865 3 */

enum {
	RADIUS_ACCESS_REQUEST = 1,
	RADIUS_ACCESS_ACCEPT = 2,
	RADIUS_ACCESS_REJECT = 3,
	RADIUS_ACCESS_CHALLENGE = 11,
};

enum {
	RADIUS_A_USER_NAME = 1,
	RADIUS_A_USER_PASSWORD = 2,
	RADIUS_A_NAS_IP_ADDRESS = 4,
	RADIUS_A_SERVICE_TYPE = 6,
	RADIUS_A_VENDOR_SPECIFIC = 26,
	RADIUS_A_CALLING_STATION_ID = 31,
	RADIUS_A_NAS_PORT_TYPE = 61,
	RADIUS_A_MESSAGE_AUTHENTICATOR = 80,
};

/* What evs_radius_check makes of a datagram on the question's socket. */
enum evs_radius_verdict {
	EVS_RADIUS_V_ACCEPT,    /* verified Access-Accept */
	EVS_RADIUS_V_REJECT,    /* verified Access-Reject */
	EVS_RADIUS_V_CHALLENGE, /* verified Access-Challenge (evs asks no second question) */
	EVS_RADIUS_V_IGNORE,    /* not an answer to this question: short, other ID or code */
	EVS_RADIUS_V_BAD_AUTH,  /* Response Authenticator wrong: another key, or forged */
	EVS_RADIUS_V_BAD_MA,    /* Message-Authenticator missing (when required) or wrong */
};

/*
 * User-Password hidden as RFC 2865 5.2: padded with zeros to a multiple of 16 (at least 16),
 * each block XORed with MD5(secret | previous block), the first one's being the Request
 * Authenticator. pwlen at most EVS_AAA_PASSWORD_MAX; out holds pwlen rounded up to 16 (or 16).
 * Returns the hidden length, or a negative errno (-EINVAL: too long, -EIO: MD5).
 */
int evs_radius_hide_password(const uint8_t *pw, size_t pwlen, const uint8_t *secret, size_t slen,
                             const uint8_t req_auth[RADIUS_AUTH_LEN], uint8_t *out);

/*
 * An Access-Request for req with the given ID and Request Authenticator: Message-Authenticator
 * (first, as BlastRADIUS advice has it), User-Name, User-Password, Service-Type Login,
 * NAS-Port-Type Virtual, Calling-Station-Id (req->peer_addr), NAS-IP-Address nas (none when
 * 0). *len is the datagram's length. 0, or a negative errno with why filled.
 */
int evs_radius_build_request(uint8_t *buf, size_t cap, size_t *len, uint8_t id,
                             const uint8_t req_auth[RADIUS_AUTH_LEN], const uint8_t *secret,
                             size_t slen, const struct evs_aaa_req *req, uint32_t nas, char *why,
                             size_t whylen);

/*
 * Verifies a reply to the request with this ID and Request Authenticator: the length, the
 * code, the Response Authenticator (MD5 over code|id|length|request authenticator|attributes|
 * secret) and the Message-Authenticator (HMAC-MD5, RFC 3579 3.2), which must be there when
 * require_ma. Octets beyond the length field are ignored (RFC 2865 3).
 */
enum evs_radius_verdict evs_radius_check(const uint8_t *pkt, size_t len, uint8_t id,
                                         const uint8_t req_auth[RADIUS_AUTH_LEN],
                                         const uint8_t *secret, size_t slen, bool require_ma);

/*
 * The attributes of a reply that evs_radius_check verified, into out->pairs (appended, at most
 * EVS_AAA_MAX_PAIRS): integers and addresses (NAS-IP-Address, NAS-Port, Service-Type,
 * Framed-IP-Address/-Netmask, Session-Timeout, NAS-Port-Type) as numbers, Cisco-AVPair
 * (vendor 9, type 1) and every other standard attribute as text; the Message-Authenticator and
 * other vendors' attributes are left out. 0, or -EINVAL with why saying what is malformed.
 */
int evs_radius_reply_pairs(const uint8_t *pkt, size_t len, struct evs_aaa_result *out, char *why,
                           size_t whylen);

#endif
