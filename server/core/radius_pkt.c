/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RADIUS Access-Request and reply on the wire: see radius_pkt.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/ipv4.h"
#include "lib/secret.h"
#include "server/core/radius_pkt.h"

#define MD5_LEN 16
#define MA_ATTR_LEN (2 + MD5_LEN)
#define SERVICE_TYPE_LOGIN 1
#define NAS_PORT_TYPE_VIRTUAL 5

static void say(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

int evs_radius_hide_password(const uint8_t *pw, size_t pwlen, const uint8_t *secret, size_t slen,
                             const uint8_t req_auth[RADIUS_AUTH_LEN], uint8_t *out)
{
	size_t n = pwlen ? (pwlen + 15) / 16 * 16 : 16;
	const uint8_t *prev = req_auth;
	uint8_t b[MD5_LEN];
	int rc = 0;

	if (pwlen > EVS_AAA_PASSWORD_MAX)
		return -EINVAL;
	memset(out, 0, n);
	if (pwlen)
		memcpy(out, pw, pwlen);
	for (size_t off = 0; off < n; off += 16) {
		struct crypto_iov v[2] = {{secret, slen}, {prev, MD5_LEN}};
		if (crypto_hash_v(HASH_MD5, v, 2, b) != 0) {
			rc = -EIO;
			goto out;
		}
		for (size_t i = 0; i < 16; i++)
			out[off + i] ^= b[i];
		prev = out + off;
	}
	rc = (int)n;
out:
	mem_wipe(b, sizeof(b));
	if (rc < 0)
		mem_wipe(out, n);
	return rc;
}

static void put_attr(struct wr *w, uint8_t type, const void *v, size_t len)
{
	if (len > 253) {
		w->err = true;
		return;
	}
	wr_u8(w, type);
	wr_u8(w, (uint8_t)(len + 2));
	wr_bytes(w, v, len);
}

static void put_u32_attr(struct wr *w, uint8_t type, uint32_t v)
{
	wr_u8(w, type);
	wr_u8(w, 6);
	wr_u32(w, v);
}

/* HMAC-MD5 over the packet as it is (Message-Authenticator value zero) into out. */
static int msg_auth(const uint8_t *pkt, size_t len, const uint8_t *secret, size_t slen,
                    uint8_t out[MD5_LEN])
{
	struct crypto_iov v = {pkt, len};

	return crypto_prf_v(HASH_MD5, secret, slen, &v, 1, out) == 0 ? 0 : -EIO;
}

int evs_radius_build_request(uint8_t *buf, size_t cap, size_t *len, uint8_t id,
                             const uint8_t req_auth[RADIUS_AUTH_LEN], const uint8_t *secret,
                             size_t slen, const struct evs_aaa_req *req, uint32_t nas, char *why,
                             size_t whylen)
{
	uint8_t hidden[EVS_AAA_PASSWORD_MAX];
	size_t ulen = strnlen(req->user, sizeof(req->user));
	size_t plen = strnlen(req->password, sizeof(req->password));
	struct wr w = wr_init(buf, cap);
	char calling[20];
	int hl, rc = -EINVAL;

	if (!ulen || ulen > EVS_AAA_NAME_MAX) {
		say(why, whylen, "the user name is empty or longer than %d bytes",
		    EVS_AAA_NAME_MAX);
		return -EINVAL;
	}
	if (plen > EVS_AAA_PASSWORD_MAX) {
		say(why, whylen, "the password is longer than %d bytes (RFC 2865 5.2)",
		    EVS_AAA_PASSWORD_MAX);
		return -EINVAL;
	}
	hl = evs_radius_hide_password((const uint8_t *)req->password, plen, secret, slen, req_auth,
	                              hidden);
	if (hl < 0) {
		say(why, whylen, "MD5 failed while hiding the password");
		return hl;
	}
	ipv4_str(req->peer_addr, calling, sizeof(calling));
	wr_u8(&w, RADIUS_ACCESS_REQUEST);
	wr_u8(&w, id);
	wr_u16(&w, 0); /* length, below */
	wr_bytes(&w, req_auth, RADIUS_AUTH_LEN);
	size_t ma_off = w.len + 2;
	wr_u8(&w, RADIUS_A_MESSAGE_AUTHENTICATOR);
	wr_u8(&w, MA_ATTR_LEN);
	wr_zero(&w, MD5_LEN);
	put_attr(&w, RADIUS_A_USER_NAME, req->user, ulen);
	put_attr(&w, RADIUS_A_USER_PASSWORD, hidden, (size_t)hl);
	put_u32_attr(&w, RADIUS_A_SERVICE_TYPE, SERVICE_TYPE_LOGIN);
	put_u32_attr(&w, RADIUS_A_NAS_PORT_TYPE, NAS_PORT_TYPE_VIRTUAL);
	put_attr(&w, RADIUS_A_CALLING_STATION_ID, calling, strlen(calling));
	if (nas)
		put_u32_attr(&w, RADIUS_A_NAS_IP_ADDRESS, nas);
	if (w.err || w.len > RADIUS_MAX_LEN) {
		say(why, whylen, "the Access-Request does not fit in %zu bytes", cap);
		goto out;
	}
	wr_put_u16(&w, 2, (uint16_t)w.len);
	if (msg_auth(buf, w.len, secret, slen, buf + ma_off) != 0) {
		say(why, whylen, "HMAC-MD5 failed for the Message-Authenticator");
		rc = -EIO;
		goto out;
	}
	*len = w.len;
	rc = 0;
out:
	mem_wipe(hidden, sizeof(hidden));
	if (rc)
		mem_wipe(buf, cap);
	return rc;
}

/*
 * The offset of the one Message-Authenticator among the attributes: 0 when there is none, -1
 * when the attributes do not add up or it is there twice or with a wrong length.
 */
static long find_ma(const uint8_t *pkt, size_t len)
{
	struct rd r = rd_init(pkt + RADIUS_HDR_LEN, len - RADIUS_HDR_LEN);
	long at = 0;

	while (r.left) {
		size_t off = len - r.left;
		uint8_t type, alen;
		if (!rd_u8(&r, &type) || !rd_u8(&r, &alen) || alen < 2 || !rd_skip(&r, alen - 2u))
			return -1;
		if (type != RADIUS_A_MESSAGE_AUTHENTICATOR)
			continue;
		if (at || alen != MA_ATTR_LEN)
			return -1;
		at = (long)off;
	}
	return at;
}

enum evs_radius_verdict evs_radius_check(const uint8_t *pkt, size_t len, uint8_t id,
                                         const uint8_t req_auth[RADIUS_AUTH_LEN],
                                         const uint8_t *secret, size_t slen, bool require_ma)
{
	uint8_t copy[RADIUS_MAX_LEN], want[MD5_LEN];
	struct rd r = rd_init(pkt, len);
	enum evs_radius_verdict v = EVS_RADIUS_V_BAD_AUTH;
	uint8_t code, rid;
	uint16_t plen;
	long ma;

	if (!rd_u8(&r, &code) || !rd_u8(&r, &rid) || !rd_u16(&r, &plen) || plen < RADIUS_HDR_LEN ||
	    plen > RADIUS_MAX_LEN || plen > len || rid != id)
		return EVS_RADIUS_V_IGNORE;
	if (code != RADIUS_ACCESS_ACCEPT && code != RADIUS_ACCESS_REJECT &&
	    code != RADIUS_ACCESS_CHALLENGE)
		return EVS_RADIUS_V_IGNORE;
	len = plen;
	{
		struct crypto_iov iov[4] = {{pkt, 4},
		                            {req_auth, RADIUS_AUTH_LEN},
		                            {pkt + RADIUS_HDR_LEN, len - RADIUS_HDR_LEN},
		                            {secret, slen}};
		if (crypto_hash_v(HASH_MD5, iov, 4, want) != 0 ||
		    !crypto_ct_equal(want, pkt + 4, RADIUS_AUTH_LEN))
			return EVS_RADIUS_V_BAD_AUTH;
	}
	ma = find_ma(pkt, len);
	if (ma < 0 || (ma == 0 && require_ma))
		return EVS_RADIUS_V_BAD_MA;
	if (ma > 0) {
		/* RFC 3579 3.2: over the reply with the Request Authenticator in its place */
		memcpy(copy, pkt, len);
		memcpy(copy + 4, req_auth, RADIUS_AUTH_LEN);
		memset(copy + ma + 2, 0, MD5_LEN);
		if (msg_auth(copy, len, secret, slen, want) != 0 ||
		    !crypto_ct_equal(want, pkt + ma + 2, MD5_LEN)) {
			v = EVS_RADIUS_V_BAD_MA;
			goto out;
		}
	}
	v = code == RADIUS_ACCESS_ACCEPT   ? EVS_RADIUS_V_ACCEPT
	    : code == RADIUS_ACCESS_REJECT ? EVS_RADIUS_V_REJECT
	                                   : EVS_RADIUS_V_CHALLENGE;
out:
	if (ma > 0)
		mem_wipe(copy, len);
	return v;
}

/* Integer and address attributes of RFC 2865 that evs reads as numbers. */
static bool is_number(uint8_t type)
{
	switch (type) {
	case 4:  /* NAS-IP-Address */
	case 5:  /* NAS-Port */
	case 6:  /* Service-Type */
	case 8:  /* Framed-IP-Address */
	case 9:  /* Framed-IP-Netmask */
	case 27: /* Session-Timeout */
	case 61: /* NAS-Port-Type */
		return true;
	}
	return false;
}

static struct evs_aaa_pair *next_pair(struct evs_aaa_result *out)
{
	struct evs_aaa_pair *p;

	if (out->n_pairs >= EVS_AAA_MAX_PAIRS)
		return NULL; /* the daemon reads at most this many, as with radcli */
	p = &out->pairs[out->n_pairs++];
	memset(p, 0, sizeof(*p));
	return p;
}

static void set_text(struct evs_aaa_pair *p, const uint8_t *v, size_t n)
{
	memcpy(p->text, v, n); /* n <= 253 = EVS_AAA_VALUE_MAX */
	p->text[n] = '\0';
}

/* Cisco's sub-attributes (RFC 2865 5.26's suggested format), each [type, length, value]. */
static int cisco_vsa(struct rd *r, struct evs_aaa_result *out, char *why, size_t whylen)
{
	while (r->left) {
		uint8_t type, alen;
		const uint8_t *v;
		struct evs_aaa_pair *p;
		if (!rd_u8(r, &type) || !rd_u8(r, &alen) || alen < 2 || !rd_ptr(r, alen - 2u, &v)) {
			say(why, whylen, "a Cisco vendor attribute's length does not add up");
			return -EINVAL;
		}
		if (type == EVS_AAA_CISCO_AVPAIR && memchr(v, 0, alen - 2u)) {
			say(why, whylen, "a Cisco-AVPair holds a NUL byte");
			return -EINVAL;
		}
		p = next_pair(out);
		if (!p)
			return 0;
		p->vendor = EVS_AAA_VENDOR_CISCO;
		p->type = type;
		set_text(p, v, alen - 2u);
	}
	return 0;
}

int evs_radius_reply_pairs(const uint8_t *pkt, size_t len, struct evs_aaa_result *out, char *why,
                           size_t whylen)
{
	struct rd r = rd_init(pkt, len), attrs;
	uint16_t plen;

	if (!rd_skip(&r, 2) || !rd_u16(&r, &plen) || plen < RADIUS_HDR_LEN || plen > len ||
	    !rd_skip(&r, RADIUS_AUTH_LEN)) {
		say(why, whylen, "the reply is shorter than its header says");
		return -EINVAL;
	}
	if (!rd_sub(&r, plen - RADIUS_HDR_LEN, &attrs))
		return -EINVAL; /* not reached: plen <= len */
	while (attrs.left) {
		uint8_t type, alen;
		struct rd v;
		struct evs_aaa_pair *p;
		if (!rd_u8(&attrs, &type) || !rd_u8(&attrs, &alen) || alen < 2 ||
		    !rd_sub(&attrs, alen - 2u, &v)) {
			say(why, whylen, "the reply's attribute lengths do not add up");
			return -EINVAL;
		}
		if (type == RADIUS_A_MESSAGE_AUTHENTICATOR)
			continue;
		if (type == RADIUS_A_VENDOR_SPECIFIC) {
			uint32_t vendor;
			if (!rd_u32(&v, &vendor)) {
				say(why, whylen, "a Vendor-Specific attribute has no vendor");
				return -EINVAL;
			}
			if (vendor == EVS_AAA_VENDOR_CISCO && cisco_vsa(&v, out, why, whylen) != 0)
				return -EINVAL;
			continue;
		}
		if (is_number(type) && v.left != 4) {
			say(why, whylen, "attribute %u has %zu bytes where a number has 4", type,
			    v.left);
			return -EINVAL;
		}
		p = next_pair(out);
		if (!p)
			continue;
		p->type = type;
		if (is_number(type)) {
			p->is_num = true;
			rd_u32(&v, &p->num);
		} else {
			set_text(p, v.p, v.left);
		}
	}
	return 0;
}
