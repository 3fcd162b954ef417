/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CERT and CERTREQ payload bodies (RFC 2408 3.9 and 3.10), through the bounded reader:
 *
 *   CERT:    | Cert Encoding (1) | Certificate Data (variable)       |
 *   CERTREQ: | Cert Type (1)     | Certificate Authority (variable)  |
 */
#include "ike/isakmp.h"

static bool parse(const uint8_t *body, size_t len, struct isakmp_cert *c, bool allow_empty,
                  const char **why)
{
	struct rd r = rd_init(body, len);
	if (!rd_u8(&r, &c->enc)) {
		*why = "certificate payload without its encoding byte";
		return false;
	}
	c->len = r.left;
	if (!rd_ptr(&r, c->len, &c->data)) {
		*why = "certificate payload shorter than declared";
		return false;
	}
	if (!allow_empty && c->len == 0) {
		*why = "empty certificate payload";
		return false;
	}
	return true;
}

bool isakmp_cert_parse(const uint8_t *body, size_t len, struct isakmp_cert *c, const char **why)
{
	return parse(body, len, c, false, why);
}

bool isakmp_certreq_parse(const uint8_t *body, size_t len, struct isakmp_cert *c, const char **why)
{
	return parse(body, len, c, true, why);
}
