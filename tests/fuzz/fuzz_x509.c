/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for lib/x509's certificate parser and chain check (a peer's CERT payload in
 * main mode). Each input is tried as one DER certificate, and, when it parses as a payload
 * chain (the decrypted main-mode messages of s3 in the seed corpus carry the real client and
 * server certificates), as each of its CERT payloads. A certificate that verifies against the
 * s3 CA has its OU, names, subject and a signature check exercised too; the CERT payloads
 * after the first are taken as intermediates, as main mode takes them. Aborts when a promise
 * breaks: a verified certificate always has a subject line, and an OU that is printable.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/isakmp.h"
#include "lib/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

/* tests/vectors/s3-strongswan-main-rsa-xauth/pki/ca.pem */
static const char ca_pem[] = "-----BEGIN CERTIFICATE-----\n"
                             "MIIDbTCCAlWgAwIBAgIUEQkjn0OQYYy9464i3zv39L9zRkMwDQYJKoZIhvcNAQEL\n"
                             "BQAwPjELMAkGA1UEBhMCWFgxFTATBgNVBAoMDEVhc3lWUE4gVGVzdDEYMBYGA1UE\n"
                             "AwwPRWFzeVZQTiBUZXN0IENBMB4XDTI2MTEyNTEyMjMyMFoXDTM2MTEyMjEyMjMy\n"
                             "MFowPjELMAkGA1UEBhMCWFgxFTATBgNVBAoMDEVhc3lWUE4gVGVzdDEYMBYGA1UE\n"
                             "AwwPRWFzeVZQTiBUZXN0IENBMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC\n"
                             "AQEAlI5cBkmIpEYOqgXk8IDPFHfWEpeScc7NRQ9JPRvtTzvUc5CzGJ6Yu4ahJcOw\n"
                             "sW7YhPAnTVbnoSm5GEKALyy3PhQevbtjMSqK26U5B66hQ40c9zjMvCb211CIUv30\n"
                             "/eHGk/o1wm/VCVhf2dQm5piNRXJp38Y6TxuWZUv8AfqP5sKF0oFW258774qokvKk\n"
                             "DmS+3GuCBvRDI3q6IxnrwaFH5X1geroSdX4p/e3KV8XCtju+061TDz3TmFEDpm/X\n"
                             "HrCWB9aYVV8BKRYe8julW/I10fKeTyDGWNie3oAa7LeDON4oRsD/f485gcwy/4u0\n"
                             "gDl3xfS2fqV6giFvK1BFAdmFPwIDAQABo2MwYTAfBgNVHSMEGDAWgBQGwkt/u9gp\n"
                             "taw8fsrUT6H9mGf6vjAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAd\n"
                             "BgNVHQ4EFgQUBsJLf7vYKbWsPH7K1E+h/Zhn+r4wDQYJKoZIhvcNAQELBQADggEB\n"
                             "AA/mLbE9xjtHTTL4MbrDHMl1/e7fjqDP7kaZLp4hpzKsr6ABI+j9ur/zLbaxZb1z\n"
                             "RsIl6XqDHwtx1pVpgCl4CwegWRM94kjs0JGweqHGTlA6EvZ+zBK52IfbHkmmFxfI\n"
                             "8rJnEv4b03CxFChEATJS5Ks4/EUeRd74sxjItoTSoCT5LrWSpwJ88J1R8uIXSC6t\n"
                             "aQfdrWXTtSyLvDvdE1u6Gq2UxbYI4fxwE2QFG3EJQqV5pO2tI1P2zwajiaKfE9TF\n"
                             "eomjSnra0WwYKPcIdm+CQ6YdhooVjHrHxS3E+jk/i1Gd3FXcpVwI86xdtUGJZa7E\n"
                             "IQiHvgoxSbo8LVuXwhWc7F0=\n"
                             "-----END CERTIFICATE-----\n";

static struct x509_trust *trust(void)
{
	static struct x509_trust *t;
	if (!t) {
		char path[] = "/tmp/evc-fuzz-x509-XXXXXX";
		char err[256];
		int fd = mkstemp(path);
		CHECK(fd >= 0);
		CHECK(write(fd, ca_pem, sizeof(ca_pem) - 1) == (ssize_t)(sizeof(ca_pem) - 1));
		close(fd);
		CHECK(x509_trust_load(path, &t, err, sizeof(err)) == 0);
		unlink(path);
	}
	return t;
}

static void one(const uint8_t *der, size_t len)
{
	struct x509_peer *p = NULL;
	char err[512];
	/* the day after the s3 certificates were made */
	if (x509_peer_verify(trust(), der, len, 1795651200, &p, err, sizeof(err)) != 0) {
		CHECK(!p && err[0]);
		return;
	}
	const char *ou = x509_peer_ou(p);
	for (const char *c = ou; *c; c++)
		CHECK(*c >= 0x20 && *c < 0x7f);
	CHECK(x509_peer_subject(p)[0]);
	(void)x509_peer_names(p, "198.51.100.1");
	(void)x509_peer_subject_is(p, der, len);
	uint8_t hash[32] = {0};
	CHECK(x509_peer_check_sig(p, hash, sizeof(hash), der, len < 512 ? len : 512) != 0);
	x509_peer_free(p);
}

/* The first CERT payload as the peer's own, the others as the intermediates it sent (as
 * mm_auth.c takes them), then the chain: x509_peer_add_ca must bound and refuse cleanly. */
static void with_cas(const struct isakmp_chain *c)
{
	struct x509_peer *p = NULL;
	char err[512];
	size_t i = 0, added = 0;
	while (i < c->n && !(c->pl[i].type == ISAKMP_PL_CERT && c->pl[i].len > 1))
		i++;
	if (i == c->n ||
	    x509_peer_parse(c->pl[i].body + 1, c->pl[i].len - 1, &p, err, sizeof(err)) != 0)
		return;
	for (i++; i < c->n; i++) {
		if (c->pl[i].type != ISAKMP_PL_CERT || c->pl[i].len < 2)
			continue;
		int rc = x509_peer_add_ca(p, c->pl[i].body + 1, c->pl[i].len - 1, err, sizeof(err));
		CHECK(rc == 0 || err[0]);
		added += rc == 0;
		CHECK(added <= 4);
	}
	err[0] = '\0';
	if (x509_peer_chain(trust(), p, 1795651200, err, sizeof(err)) != 0)
		CHECK(err[0]);
	x509_peer_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isakmp_chain c;
	const char *why;
	one(data, size);
	if (isakmp_chain_parse(data, size, ISAKMP_PL_ID, &c, &why)) {
		for (size_t i = 0; i < c.n; i++)
			if (c.pl[i].type == ISAKMP_PL_CERT && c.pl[i].len > 1)
				one(c.pl[i].body + 1, c.pl[i].len - 1);
		with_cas(&c);
	}
	return 0;
}
