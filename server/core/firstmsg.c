/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Structure of a first aggressive- or main-mode message, checked before evs makes an SA
 * for it. */
#include <string.h>

#include "lib/crypto.h"
#include "ike/isakmp.h"
#include "server/core/firstmsg.h"

/* RFC 2409 5: "the length of the nonce payload MUST be between 8 and 256 bytes" */
#define FIRSTMSG_NONCE_MIN 8
#define FIRSTMSG_NONCE_MAX 256

static bool ke_len_ok(size_t len)
{
	for (unsigned g = 1; g <= 32; g++)
		if (crypto_dh_len(g) && crypto_dh_len(g) == len)
			return true;
	return false;
}

/* MM1 carries the proposals alone (RFC 2409 5.1): exactly one SA, with a transform. */
static bool main_first(const struct isakmp_hdr *h, const uint8_t *msg, const char **why)
{
	struct isakmp_chain c;
	struct isakmp_sa sa;
	if (!isakmp_chain_parse(msg + ISAKMP_HDR_LEN, h->len - ISAKMP_HDR_LEN, h->np, &c, why))
		return false;
	*why = "a first main-mode message with other than exactly one SA payload, or with a KE, "
	       "nonce or ID";
	if (isakmp_chain_count(&c, ISAKMP_PL_SA) != 1 || isakmp_chain_count(&c, ISAKMP_PL_KE) ||
	    isakmp_chain_count(&c, ISAKMP_PL_NONCE) || isakmp_chain_count(&c, ISAKMP_PL_ID))
		return false;
	const struct isakmp_pl *psa = isakmp_chain_find(&c, ISAKMP_PL_SA, 0);
	if (!isakmp_sa_parse(psa->body, psa->len, &sa, why))
		return false;
	*why = "SA payload without a transform";
	if (sa.nt == 0)
		return false;
	*why = NULL;
	return true;
}

bool evs_first_msg_check(const uint8_t *msg, size_t len, const char **why)
{
	static const uint8_t zero[8];
	struct isakmp_hdr h;
	struct isakmp_chain c;
	struct isakmp_sa sa;
	struct isakmp_id id;
	const struct isakmp_pl *psa, *pke, *pn, *pid;

	if (!isakmp_hdr_parse(msg, len, &h, why))
		return false;
	*why = "not a first aggressive- or main-mode message (exchange, responder cookie or "
	       "message ID)";
	if ((h.exch != ISAKMP_EXCH_AGGRESSIVE && h.exch != ISAKMP_EXCH_MAIN) ||
	    memcmp(h.rcky, zero, 8) != 0 || h.msgid != 0)
		return false;
	*why = "a first message cannot be encrypted";
	if (h.flags & ISAKMP_FLAG_E)
		return false;
	/* the engine reassembles fragments only for an SA that exists: Cisco clients and
	 * strongSwan send their first message whole, before they know our vendor IDs */
	*why = "a first message in IKE fragments (evs takes fragments once an SA exists; send "
	       "the first message whole)";
	if (h.np == ISAKMP_PL_FRAG)
		return false;
	if (h.exch == ISAKMP_EXCH_MAIN)
		return main_first(&h, msg, why);
	if (!isakmp_chain_parse(msg + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c, why))
		return false;
	*why = "not exactly one SA, KE, nonce and ID payload";
	if (isakmp_chain_count(&c, ISAKMP_PL_SA) != 1 ||
	    isakmp_chain_count(&c, ISAKMP_PL_KE) != 1 ||
	    isakmp_chain_count(&c, ISAKMP_PL_NONCE) != 1 ||
	    isakmp_chain_count(&c, ISAKMP_PL_ID) != 1)
		return false;
	psa = isakmp_chain_find(&c, ISAKMP_PL_SA, 0);
	pke = isakmp_chain_find(&c, ISAKMP_PL_KE, 0);
	pn = isakmp_chain_find(&c, ISAKMP_PL_NONCE, 0);
	pid = isakmp_chain_find(&c, ISAKMP_PL_ID, 0);
	*why = "KE length is not that of a supported MODP group";
	if (!ke_len_ok(pke->len))
		return false;
	*why = "nonce shorter than 8 or longer than 256 bytes";
	if (pn->len < FIRSTMSG_NONCE_MIN || pn->len > FIRSTMSG_NONCE_MAX)
		return false;
	if (!isakmp_id_parse(pid->body, pid->len, &id, why))
		return false;
	if (!isakmp_sa_parse(psa->body, psa->len, &sa, why))
		return false;
	*why = "SA payload without a transform";
	if (sa.nt == 0)
		return false;
	*why = NULL;
	return true;
}
