/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stateless check evs makes before it gives a datagram an IKE SA: is it the first message
 * of an aggressive-mode exchange at all? Anything else (random bytes behind a plausible
 * header, truncated or encrypted messages, a first message without its SA, KE, nonce or ID)
 * is dropped here, so that it never costs an SA slot, a DH computation or an answer.
 *
 * It checks structure only; the engine still decides on groups, proposals and keys.
 */
#ifndef EVC_SERVER_FIRSTMSG_H
#define EVC_SERVER_FIRSTMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * True when msg (one datagram, non-ESP marker removed) is a well-formed first aggressive-mode
 * message: ISAKMP header with responder cookie 0, message ID 0, not encrypted; a payload chain
 * that parses to its end; exactly one SA (DOI IPsec, at least one transform), one KE whose
 * length is that of a supported MODP group, one nonce of 8..256 bytes and one ID.
 * Otherwise false and *why names what is wrong (a static string).
 */
bool evs_first_msg_check(const uint8_t *msg, size_t len, const char **why);

#endif
