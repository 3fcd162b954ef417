/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proposals: the permutations evc offers, the SA payload bodies for both phases, and the
 * responder's choice by its own policy priority (seed 002, steps 2, 3 and 7).
 */
#include <stdio.h>
#include <string.h>

#include "ike/sa_int.h"

/*
 * Everything evc supports, strongest first. Single DES, MD5 and DH group 1 are broken and come
 * only with IKE_PROP_WEAK (a profile or --weak asks for them), at the end of each list.
 */
static const struct {
	uint8_t encr;
	uint16_t bits;
	bool weak;
} p1_ciphers[] = {
    {CIPHER_AES_CBC, 256, false}, {CIPHER_AES_CBC, 192, false}, {CIPHER_AES_CBC, 128, false},
    {CIPHER_3DES, 0, false},      {CIPHER_DES, 0, true},
};
static const struct {
	uint8_t hash;
	bool weak;
} p1_hashes[] = {
    {HASH_SHA512, false}, {HASH_SHA384, false}, {HASH_SHA256, false},
    {HASH_SHA1, false},   {HASH_MD5, true},
};
/* XAUTH first: an EasyVPN server with users configured picks it; the plain method is offered
 * for gateways that authenticate the group (or the certificate) only. */
static const uint16_t p1_auths_psk[] = {IKE_AUTH_XAUTH_INIT_PSK, IKE_AUTH_PSK};
static const uint16_t p1_auths_rsa[] = {IKE_AUTH_XAUTH_INIT_RSA, IKE_AUTH_RSA_SIG};
/* hybrid has no plain variant: without XAUTH nothing would authenticate us */
static const uint16_t p1_auths_hybrid[] = {IKE_AUTH_HYBRID_INIT_RSA};

/* Aggressive mode carries one KE, so the groups are tried one after another in this order:
 * the ones gateways accept most often first. */
const unsigned ike_dh_auto_groups[] = {14, 2, 5, 15, 16, 19, 20, 0};

unsigned ike_dh_next_group(unsigned cur, unsigned flags)
{
	size_t i = 0;
	if (cur == 1)
		return 0;
	if (cur) {
		while (ike_dh_auto_groups[i] && ike_dh_auto_groups[i] != cur)
			i++;
		if (!ike_dh_auto_groups[i])
			return 0;
		i++;
	}
	if (ike_dh_auto_groups[i])
		return ike_dh_auto_groups[i];
	/* group 1 (768-bit) last, and only when asked for */
	return (flags & IKE_PROP_WEAK) ? 1 : 0;
}

size_t ike_default_p1(unsigned dh_group, struct ike_p1_prop *out, size_t max)
{
	return ike_proposals_p1(dh_group, 0, out, max);
}

size_t ike_default_p2(unsigned pfs_group, struct ike_p2_prop *out, size_t max)
{
	return ike_proposals_p2(pfs_group, 0, out, max);
}

size_t ike_proposals_p1(unsigned dh_group, unsigned flags, struct ike_p1_prop *out, size_t max)
{
	bool weak = (flags & IKE_PROP_WEAK) != 0;
	const uint16_t *auths = (flags & IKE_PROP_CERT)     ? p1_auths_rsa
	                        : (flags & IKE_PROP_HYBRID) ? p1_auths_hybrid
	                                                    : p1_auths_psk;
	size_t n_auths = (flags & IKE_PROP_HYBRID) && !(flags & IKE_PROP_CERT) ? 1 : 2;
	size_t n = 0;
	for (size_t c = 0; c < sizeof(p1_ciphers) / sizeof(p1_ciphers[0]); c++)
		for (size_t h = 0; h < sizeof(p1_hashes) / sizeof(p1_hashes[0]); h++)
			for (size_t a = 0; a < n_auths; a++) {
				if ((p1_ciphers[c].weak || p1_hashes[h].weak) && !weak)
					continue;
				if (n == max)
					return n;
				out[n++] = (struct ike_p1_prop){
				    .encr = p1_ciphers[c].encr,
				    .key_bits = p1_ciphers[c].bits,
				    .hash = p1_hashes[h].hash,
				    .auth = auths[a],
				    .group = (uint8_t)dh_group,
				};
			}
	return n;
}

/* ESP: AES-GCM-16 (RFC 4106, its own integrity) first, then the CBC ciphers with each HMAC. */
static const struct {
	uint8_t esp;
	uint16_t bits;
	bool weak;
} p2_ciphers[] = {
    {ESP_ENCR_AES_GCM16, 256, false}, {ESP_ENCR_AES_GCM16, 192, false},
    {ESP_ENCR_AES_GCM16, 128, false}, {ESP_ENCR_AES_CBC, 256, false},
    {ESP_ENCR_AES_CBC, 192, false},   {ESP_ENCR_AES_CBC, 128, false},
    {ESP_ENCR_3DES, 0, false},        {ESP_ENCR_DES, 0, true},
};
static const struct {
	uint8_t auth;
	bool weak;
} p2_auths[] = {
    {ESP_AUTH_HMAC_SHA256, false},
    {ESP_AUTH_HMAC_SHA1, false},
    {ESP_AUTH_HMAC_MD5, true},
};

size_t ike_proposals_p2(unsigned pfs_group, unsigned flags, struct ike_p2_prop *out, size_t max)
{
	bool weak = (flags & IKE_PROP_WEAK) != 0;
	size_t n = 0;
	for (size_t c = 0; c < sizeof(p2_ciphers) / sizeof(p2_ciphers[0]); c++) {
		if (p2_ciphers[c].weak && !weak)
			continue;
		bool aead = p2_ciphers[c].esp == ESP_ENCR_AES_GCM16;
		for (size_t a = 0; a < sizeof(p2_auths) / sizeof(p2_auths[0]); a++) {
			if (p2_auths[a].weak && !weak)
				continue;
			if (n == max)
				return n;
			out[n++] = (struct ike_p2_prop){
			    .esp = p2_ciphers[c].esp,
			    .key_bits = p2_ciphers[c].bits,
			    .auth = aead ? ESP_AUTH_NONE : p2_auths[a].auth,
			    .pfs_group = (uint8_t)pfs_group,
			};
			if (aead)
				break;
		}
	}
	return n;
}

static void write_sa_head(struct wr *w)
{
	wr_u32(w, ISAKMP_DOI_IPSEC);
	wr_u32(w, ISAKMP_SIT_IDENTITY_ONLY);
}

/* Strict servers (Cisco IOS among them) read the key length only right after the encryption
 * algorithm it belongs to: keep that order. */
static void write_p1_attrs(struct wr *w, const struct ike_p1_prop *p)
{
	isakmp_attr_write_tv(w, IKE_ATTR_ENCR, p->encr);
	if (p->key_bits && p->encr == CIPHER_AES_CBC)
		isakmp_attr_write_tv(w, IKE_ATTR_KEY_LENGTH, p->key_bits);
	isakmp_attr_write_tv(w, IKE_ATTR_HASH, p->hash);
	isakmp_attr_write_tv(w, IKE_ATTR_AUTH, p->auth);
	isakmp_attr_write_tv(w, IKE_ATTR_GROUP, p->group);
	if (p->life_s) {
		isakmp_attr_write_tv(w, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		isakmp_attr_write_int(w, IKE_ATTR_LIFE_DURATION, p->life_s);
	}
}

void prop_write_p1(struct wr *w, const struct ike_p1_prop *p, size_t n)
{
	write_sa_head(w);
	size_t prop_at = w->len;
	wr_u8(w, ISAKMP_PL_NONE);
	wr_u8(w, 0);
	wr_u16(w, 0);
	wr_u8(w, 1);
	wr_u8(w, ISAKMP_PROTO_ISAKMP);
	wr_u8(w, 0);
	wr_u8(w, (uint8_t)n);
	for (size_t i = 0; i < n; i++) {
		size_t t_at = w->len;
		wr_u8(w, i + 1 < n ? ISAKMP_PL_T : ISAKMP_PL_NONE);
		wr_u8(w, 0);
		wr_u16(w, 0);
		wr_u8(w, (uint8_t)(i + 1));
		wr_u8(w, ISAKMP_KEY_IKE);
		wr_u16(w, 0);
		write_p1_attrs(w, &p[i]);
		wr_put_u16(w, t_at + 2, (uint16_t)(w->len - t_at));
	}
	wr_put_u16(w, prop_at + 2, (uint16_t)(w->len - prop_at));
}

bool prop_read_p1(const struct isakmp_transform *t, struct ike_p1_prop *p)
{
	struct rd r = rd_init(t->attrs, t->attrs_len);
	struct isakmp_attr a;
	int rc;
	unsigned life_type = 0;
	memset(p, 0, sizeof(*p));
	if (t->id != ISAKMP_KEY_IKE)
		return false;
	while ((rc = isakmp_attr_next(&r, &a)) == 1) {
		if (!a.value_ok)
			return false;
		switch (a.type) {
		case IKE_ATTR_ENCR:
			p->encr = (uint8_t)a.value;
			break;
		case IKE_ATTR_KEY_LENGTH:
			p->key_bits = (uint16_t)a.value;
			break;
		case IKE_ATTR_HASH:
			p->hash = (uint8_t)a.value;
			break;
		case IKE_ATTR_AUTH:
			p->auth = (uint16_t)a.value;
			break;
		case IKE_ATTR_GROUP:
			p->group = (uint8_t)a.value;
			break;
		case IKE_ATTR_LIFE_TYPE:
			life_type = a.value;
			break;
		case IKE_ATTR_LIFE_DURATION:
			if (life_type == IKE_LIFE_SECONDS)
				p->life_s = a.value;
			break;
		default:
			/* group type/prime/generator and the like: not EasyVPN */
			return false;
		}
	}
	if (rc < 0 || !p->hash || !p->auth || !p->group)
		return false;
	if (!crypto_cipher_block(p->encr) || !crypto_hash_len(p->hash))
		return false;
	if (p->encr == CIPHER_AES_CBC && !crypto_cipher_keylen_ok(p->encr, p->key_bits))
		return false;
	if (p->encr == CIPHER_3DES || p->encr == CIPHER_DES)
		p->key_bits = 0;
	return crypto_dh_len(p->group) != 0;
}

static bool auth_matches(uint16_t srv, uint16_t cli, bool xauth)
{
	if (srv == IKE_AUTH_PSK || srv == IKE_AUTH_XAUTH_INIT_PSK)
		return cli == (xauth ? IKE_AUTH_XAUTH_INIT_PSK : IKE_AUTH_PSK);
	if (srv == IKE_AUTH_RSA_SIG || srv == IKE_AUTH_XAUTH_INIT_RSA)
		return cli == (xauth ? IKE_AUTH_XAUTH_INIT_RSA : IKE_AUTH_RSA_SIG);
	/* a server without XAUTH users would have nothing to authenticate the client with */
	if (srv == IKE_AUTH_HYBRID_INIT_RSA)
		return xauth && cli == IKE_AUTH_HYBRID_INIT_RSA;
	return false;
}

int prop_choose_p1(const struct isakmp_sa *sa, const struct ike_p1_prop *srv, size_t n_srv,
                   unsigned ke_group, bool xauth, struct ike_p1_prop *chosen)
{
	for (size_t s = 0; s < n_srv; s++) {
		for (size_t pi = 0; pi < sa->np; pi++) {
			const struct isakmp_proposal *pr = &sa->p[pi];
			if (pr->proto != ISAKMP_PROTO_ISAKMP)
				continue;
			for (size_t ti = pr->first; ti < pr->first + pr->count; ti++) {
				struct ike_p1_prop c;
				if (!prop_read_p1(&sa->t[ti], &c))
					continue;
				if (c.encr != srv[s].encr || c.key_bits != srv[s].key_bits ||
				    c.hash != srv[s].hash || c.group != srv[s].group ||
				    (ke_group && c.group != ke_group) ||
				    !auth_matches(srv[s].auth, c.auth, xauth))
					continue;
				*chosen = c;
				/* The server's lifetime applies when the client proposes none or a
				 * longer one (seed 000, Task 3). */
				if (srv[s].life_s && (!c.life_s || c.life_s > srv[s].life_s))
					chosen->life_s = srv[s].life_s;
				return (int)ti;
			}
		}
	}
	return -1;
}

/* The chosen transform, echoed as offered: SA head, one proposal (proto, SPI) holding it. */
static void write_choice(struct wr *w, const struct isakmp_proposal *pr, uint8_t proto,
                         const uint8_t *spi, uint8_t spi_len, const struct isakmp_transform *t)
{
	write_sa_head(w);
	size_t prop_at = w->len;
	wr_u8(w, ISAKMP_PL_NONE);
	wr_u8(w, 0);
	wr_u16(w, 0);
	wr_u8(w, pr->num);
	wr_u8(w, proto);
	wr_u8(w, spi_len);
	wr_u8(w, 1);
	if (spi_len)
		wr_bytes(w, spi, spi_len);
	size_t t_at = w->len;
	wr_u8(w, ISAKMP_PL_NONE);
	wr_u8(w, 0);
	wr_u16(w, 0);
	wr_u8(w, t->num);
	wr_u8(w, t->id);
	wr_u16(w, 0);
	wr_bytes(w, t->attrs, t->attrs_len);
	wr_put_u16(w, t_at + 2, (uint16_t)(w->len - t_at));
	wr_put_u16(w, prop_at + 2, (uint16_t)(w->len - prop_at));
}

void prop_write_p1_choice(struct wr *w, const struct isakmp_sa *sa, int t_index)
{
	const struct isakmp_transform *t = &sa->t[t_index];
	const struct isakmp_proposal *pr = &sa->p[0];
	for (size_t pi = 0; pi < sa->np; pi++)
		if ((size_t)t_index >= sa->p[pi].first &&
		    (size_t)t_index < sa->p[pi].first + sa->p[pi].count)
			pr = &sa->p[pi];
	write_choice(w, pr, ISAKMP_PROTO_ISAKMP, NULL, 0, t);
}

static void write_p2_attrs(struct wr *w, const struct ike_p2_prop *p, uint16_t encap)
{
	if (p->life_s) {
		isakmp_attr_write_tv(w, IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		isakmp_attr_write_int(w, IPSEC_ATTR_LIFE_DURATION, p->life_s);
	}
	if (p->life_kb) {
		isakmp_attr_write_tv(w, IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_KILOBYTES);
		isakmp_attr_write_int(w, IPSEC_ATTR_LIFE_DURATION, p->life_kb);
	}
	isakmp_attr_write_tv(w, IPSEC_ATTR_ENCAP, encap);
	/* AES-GCM authenticates itself: no auth attribute (RFC 4106 8.4) */
	if (p->auth != ESP_AUTH_NONE)
		isakmp_attr_write_tv(w, IPSEC_ATTR_AUTH, p->auth);
	if (p->esp == ESP_ENCR_AES_CBC || p->esp == ESP_ENCR_AES_GCM16)
		isakmp_attr_write_tv(w, IPSEC_ATTR_KEY_LENGTH, p->key_bits);
	if (p->pfs_group)
		isakmp_attr_write_tv(w, IPSEC_ATTR_GROUP, p->pfs_group);
}

void prop_write_p2(struct wr *w, const struct ike_p2_prop *p, size_t n, uint32_t spi,
                   uint16_t encap)
{
	write_sa_head(w);
	for (size_t i = 0; i < n; i++) {
		size_t prop_at = w->len;
		wr_u8(w, i + 1 < n ? ISAKMP_PL_P : ISAKMP_PL_NONE);
		wr_u8(w, 0);
		wr_u16(w, 0);
		wr_u8(w, (uint8_t)(i + 1));
		wr_u8(w, ISAKMP_PROTO_ESP);
		wr_u8(w, 4);
		wr_u8(w, 1);
		wr_u32(w, spi);
		size_t t_at = w->len;
		wr_u8(w, ISAKMP_PL_NONE);
		wr_u8(w, 0);
		wr_u16(w, 0);
		wr_u8(w, 1);
		wr_u8(w, p[i].esp);
		wr_u16(w, 0);
		write_p2_attrs(w, &p[i], encap);
		wr_put_u16(w, t_at + 2, (uint16_t)(w->len - t_at));
		wr_put_u16(w, prop_at + 2, (uint16_t)(w->len - prop_at));
	}
}

bool prop_read_p2(const struct isakmp_transform *t, uint8_t esp_id, struct ike_p2_prop *p,
                  uint16_t *encap)
{
	struct rd r = rd_init(t->attrs, t->attrs_len);
	struct isakmp_attr a;
	int rc;
	unsigned life_type = 0;
	memset(p, 0, sizeof(*p));
	*encap = 0;
	p->esp = esp_id;
	while ((rc = isakmp_attr_next(&r, &a)) == 1) {
		if (!a.value_ok)
			return false;
		switch (a.type) {
		case IPSEC_ATTR_LIFE_TYPE:
			life_type = a.value;
			break;
		case IPSEC_ATTR_LIFE_DURATION:
			if (life_type == IKE_LIFE_SECONDS)
				p->life_s = a.value;
			else if (life_type == IKE_LIFE_KILOBYTES)
				p->life_kb = a.value;
			break;
		case IPSEC_ATTR_GROUP:
			p->pfs_group = (uint8_t)a.value;
			break;
		case IPSEC_ATTR_ENCAP:
			*encap = (uint16_t)a.value;
			break;
		case IPSEC_ATTR_AUTH:
			p->auth = (uint8_t)a.value;
			break;
		case IPSEC_ATTR_KEY_LENGTH:
			p->key_bits = (uint16_t)a.value;
			break;
		default:
			return false;
		}
	}
	if (rc < 0)
		return false;
	/* an AEAD carries no HMAC; everything else needs one */
	if (p->esp == ESP_ENCR_AES_GCM16 ? p->auth != ESP_AUTH_NONE
	                                 : (!p->auth || !esp_auth_keylen(p->auth)))
		return false;
	if (p->esp == ESP_ENCR_3DES || p->esp == ESP_ENCR_DES)
		p->key_bits = 0;
	else if ((p->esp != ESP_ENCR_AES_CBC && p->esp != ESP_ENCR_AES_GCM16) ||
	         !esp_encr_keylen(p->esp, p->key_bits))
		return false;
	return true;
}

int prop_choose_p2(const struct isakmp_sa *sa, const struct ike_p2_prop *srv, size_t n_srv,
                   size_t ke_len, struct ike_p2_prop *chosen, uint16_t *encap, uint32_t *peer_spi,
                   size_t *prop_index)
{
	for (size_t s = 0; s < n_srv; s++) {
		for (size_t pi = 0; pi < sa->np; pi++) {
			const struct isakmp_proposal *pr = &sa->p[pi];
			if (pr->proto != ISAKMP_PROTO_ESP || pr->spi_size != 4)
				continue;
			/* proposals sharing a number are a bundle (ESP+AH): not offered to EasyVPN
			 */
			if ((pi > 0 && sa->p[pi - 1].num == pr->num) ||
			    (pi + 1 < sa->np && sa->p[pi + 1].num == pr->num))
				continue;
			for (size_t ti = pr->first; ti < pr->first + pr->count; ti++) {
				struct ike_p2_prop c;
				uint16_t e;
				if (!prop_read_p2(&sa->t[ti], sa->t[ti].id, &c, &e))
					continue;
				/* PFS: a group we require must be the one offered; a group offered
				 * though we do not require one is taken (as IOS does, and as a
				 * gateway's rekey asks for) if its KE came and we support it */
				if (c.esp != srv[s].esp || c.key_bits != srv[s].key_bits ||
				    c.auth != srv[s].auth ||
				    (srv[s].pfs_group && c.pfs_group != srv[s].pfs_group) ||
				    (c.pfs_group &&
				     (!ke_len || crypto_dh_len(c.pfs_group) != ke_len)))
					continue;
				*chosen = c;
				if (srv[s].life_s && (!c.life_s || c.life_s > srv[s].life_s))
					chosen->life_s = srv[s].life_s;
				if (srv[s].life_kb && (!c.life_kb || c.life_kb > srv[s].life_kb))
					chosen->life_kb = srv[s].life_kb;
				*encap = e;
				*peer_spi = (uint32_t)pr->spi[0] << 24 |
				            (uint32_t)pr->spi[1] << 16 | (uint32_t)pr->spi[2] << 8 |
				            pr->spi[3];
				*prop_index = pi;
				return (int)ti;
			}
		}
	}
	return -1;
}

void prop_write_p2_choice(struct wr *w, const struct isakmp_sa *sa, size_t prop_index,
                          size_t t_index, uint32_t spi)
{
	uint8_t b[4] = {(uint8_t)(spi >> 24), (uint8_t)(spi >> 16), (uint8_t)(spi >> 8),
	                (uint8_t)spi};
	write_choice(w, &sa->p[prop_index], ISAKMP_PROTO_ESP, b, 4, &sa->t[t_index]);
}

static const char *auth_name(uint16_t a)
{
	switch (a) {
	case IKE_AUTH_PSK:
		return "PSK";
	case IKE_AUTH_RSA_SIG:
		return "RSA-SIG";
	case IKE_AUTH_XAUTH_INIT_PSK:
		return "XAUTH-PSK";
	case IKE_AUTH_XAUTH_INIT_RSA:
		return "XAUTH-RSA";
	case IKE_AUTH_HYBRID_INIT_RSA:
		return "HYBRID-RSA";
	default:
		return "AUTH?";
	}
}

const char *ike_p1_str(const struct ike_p1_prop *p, char *buf, size_t len)
{
	if (p->encr == CIPHER_AES_CBC)
		snprintf(buf, len, "AES-%u/%s/%s/%s", p->key_bits, crypto_hash_name(p->hash),
		         crypto_dh_name(p->group), auth_name(p->auth));
	else
		snprintf(buf, len, "%s/%s/%s/%s", crypto_cipher_name(p->encr),
		         crypto_hash_name(p->hash), crypto_dh_name(p->group), auth_name(p->auth));
	return buf;
}

static const char *esp_auth_name(uint8_t a)
{
	switch (a) {
	case ESP_AUTH_HMAC_MD5:
		return "HMAC-MD5-96";
	case ESP_AUTH_HMAC_SHA1:
		return "HMAC-SHA1-96";
	case ESP_AUTH_HMAC_SHA256:
		return "HMAC-SHA256-128";
	default:
		return "HMAC?";
	}
}

const char *ike_p2_str(const struct ike_p2_prop *p, char *buf, size_t len)
{
	char pfs[32] = "";
	if (p->pfs_group)
		snprintf(pfs, sizeof(pfs), "/PFS-%s", crypto_dh_name(p->pfs_group));
	if (p->esp == ESP_ENCR_AES_GCM16)
		snprintf(buf, len, "ESP-AES-GCM-%u%s", p->key_bits, pfs);
	else if (p->esp == ESP_ENCR_AES_CBC)
		snprintf(buf, len, "ESP-AES-%u/%s%s", p->key_bits, esp_auth_name(p->auth), pfs);
	else
		snprintf(buf, len, "ESP-%s/%s%s", p->esp == ESP_ENCR_DES ? "DES" : "3DES",
		         esp_auth_name(p->auth), pfs);
	return buf;
}
