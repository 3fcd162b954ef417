/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * enc_GroupPwd decoding (prof_cisco_decode) against known answers from an independent
 * implementation, vpnc's cisco-decrypt (Debian vpnc 0.5.3):
 *  - two ciphertexts published with coldfix/cisco-encrypt (an independent encoder), whose
 *    plaintexts /usr/bin/cisco-decrypt confirms;
 *  - ciphertexts made for this test by an encoder written from the algorithm (random H1,
 *    plaintext with the Cisco client's trailing NUL, PKCS#5-style padding), each decoded by
 *    /usr/bin/cisco-decrypt when the test was written and hardcoded here with its output.
 * They cover one-byte and block-sized plaintexts, characters that matter in INI files, UTF-8,
 * a plaintext without the NUL, a long one, and H1 ending in 0xFD/0xFE/0xFF (the key
 * derivation adds 1 and 3 to that byte, so it must wrap). Malformed input must fail with a
 * message, including the cases vpnc gets wrong (padding byte 0 or > 8).
 *
 * The encoder below is the test helper that made the vectors; it is kept to check that
 * random plaintexts survive a round trip, and, when /usr/bin/cisco-decrypt is installed,
 * that the independent decoder agrees on fresh random vectors too: that comparison is the
 * part "cisco-decrypt", its own ctest entry, reported as skipped without the tool
 * (unit_parts.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_parts.h"

#include "lib/crypto.h"
#include "lib/secret.h"
#include "profiles/import.h"

static const struct {
	const char *hex;
	const char *plain;
} kat[] = {
    /* coldfix/cisco-encrypt README, confirmed with /usr/bin/cisco-decrypt */
    {"7F407242A6A26402FFAB80AE33EFB61988873B7DA8C930FE599AC158E5CE9B50653D081216BFFB587C38C29E02"
     "684BF5039E80D9807CC1D6",
     "mygroupsecret"},
    {"3822F82D77C7CD8B6B617B54B13183C00A1E4B998D66E3BDA25182A1C1D331EF99B22FCC57C4248688D5926A29"
     "FE18D21819FB55E2E35EEF",
     "myusersecret"},
    /* made for this test; plaintext as printed by /usr/bin/cisco-decrypt */
    {"E5604E675B861E689F97B886F03495CA518C3B7A78CDE65F15C0CF61CD6D4A93FD0FFAC4FDFE87E0320D925B25"
     "CA8585",
     "a"},
    {"385F43D205B8157B8CD2FC0F3E036150C642BD56300070265A1B6E03E64C3677BC390826CB1C7ECB35A0C94543"
     "E176D11CA695852308EA86",
     "1234567"},
    {"0F3533640FD21DF2BC3A2D779E30BAC3118CAFF79A1D13C9B3753FB8156DE0B3BF626A6C3B66F9EDC605A9CB3E"
     "BA6D6620EB89E8E71973F538D33C3BC666672C",
     "fifteen-chars!!"},
    {"E180CA93100A3E7EB93A25C83767A2D674D8705ABFFAE80E9F6F7EA98AF02089C9163B365CBC71D752D1A780D0"
     "F173E8F220155BA8E0CC94",
     "p@ss w0rd!#;="},
    {"5D33912AA6CE59C852B38811DB9AF88479A90F3FDBE9D06A2805F06AE228197AC869F3BF6B023FAFE413BF5A0E"
     "076427A2E14E9DA53837ED",
     "Gr\xc3\xbc\xc3\x9f"
     "e\xe2\x82\xac"},
    /* no trailing NUL in the plaintext */
    {"38FB1C3B09DFC57429E901EDF7BAFE7878F3D53E8CD574F622EE41906C935597E234957019E152447223339C42"
     "01FEE2",
     "abcdefg"},
    {"5CF1B27FC12FA4D5552887712973A1B862D4D2B3A5C86C80F4C6FA3E9D6AD0D1E2A610239A43106025C2CB22F9"
     "D7789E5B2CAFE2C8C06CD6CDBAC745DA459445EB6DDB696A906D139A7999EF28585758B02A34E6B747471B0869"
     "61F925CDFDC9332C397B0ABD074A70E9C263D495803175CEC9D6C6CBB0964841038296D661EC156668904DAB8A"
     "77EF0C52906E036354",
     "quizware-group-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ-"
     "0123456789-end"},
    /* H1 ends in 0xFF, 0xFE, 0xFD */
    {"A4472C91E6CA46A34182A93FEC89BAA99484BBFF94448864D609B2B025315A489527DCC2FD3A88B9016C6B4B8D"
     "9AF5BC",
     "wrap"},
    {"AF4BC92FEE0D62A762EEBE4FB93127C9C4E976FE62D3822F2CDF2D784519CF133F13ADFBE8446609F18DDFE5DC"
     "3964A4",
     "wrap2"},
    {"5D57A6E505ED070EEF2A98FC5647F394617714FDF7DFD461088F937F5086AB70D4E6F8F5399381654F9116393F"
     "1D99FE",
     "wrap3"},
    /* plaintext "ab\0cd" + padding: cut at the NUL, as cisco-decrypt prints "ab" */
    {"A3305F188CB610900F9E347FAE886DC6507795EC6290AA48004EFE895B01F867192217A057791AFAE7E48E5634"
     "958C08",
     "ab"},
};

static void test_known_answers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		struct secret out = {NULL, 0};
		char err[300] = "";
		int rc = prof_cisco_decode(kat[i].hex, &out, err, sizeof(err));
		if (rc)
			print_error("vector %zu: %s\n", i, err);
		assert_int_equal(rc, 0);
		assert_int_equal(out.len, strlen(kat[i].plain));
		assert_memory_equal(out.p, kat[i].plain, out.len);
		assert_int_equal(out.p[out.len], 0);
		secret_clear(&out);
	}
}

static void test_lower_case_hex(void **state)
{
	(void)state;
	char hex[200];
	struct secret out = {NULL, 0};
	char err[300];
	snprintf(hex, sizeof(hex), "%s", kat[2].hex);
	for (char *c = hex; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	assert_int_equal(prof_cisco_decode(hex, &out, err, sizeof(err)), 0);
	assert_string_equal((const char *)out.p, "a");
	secret_clear(&out);
}

static void expect_error(const char *hex, const char *fragment)
{
	struct secret out = {NULL, 0};
	char err[300] = "";
	assert_int_equal(prof_cisco_decode(hex, &out, err, sizeof(err)), -22 /* EINVAL */);
	if (!strstr(err, fragment))
		print_error("'%s' does not say '%s'\n", err, fragment);
	assert_non_null(strstr(err, fragment));
	assert_null(out.p);
}

static void test_malformed(void **state)
{
	(void)state;
	char buf[300];
	/* odd number of digits */
	snprintf(buf, sizeof(buf), "%s", kat[2].hex);
	buf[strlen(buf) - 1] = '\0';
	expect_error(buf, "odd number of hex digits (95)");
	/* not hex */
	snprintf(buf, sizeof(buf), "%s", kat[2].hex);
	buf[10] = 'g';
	expect_error(buf, "character 11 is not a hex digit");
	expect_error("", "too short (0 bytes");
	expect_error("E5604E67", "too short (4 bytes; at least 48)");
	/* 48 + 4 bytes: the encrypted part is not whole blocks */
	snprintf(buf, sizeof(buf), "%s00000000", kat[2].hex);
	expect_error(buf, "12 bytes, not a whole number of 8-byte blocks");
	/* one bit of the ciphertext flipped: the checksum catches it */
	snprintf(buf, sizeof(buf), "%s", kat[2].hex);
	buf[strlen(buf) - 1] = '4';
	expect_error(buf, "checksum does not match");
	/* one bit of the stored checksum flipped */
	snprintf(buf, sizeof(buf), "%s", kat[2].hex);
	buf[41] = buf[41] == '0' ? '1' : '0';
	expect_error(buf, "checksum does not match");
	/* valid checksums, but padding byte 0 and 9 (vpnc writes outside its buffer here) */
	expect_error("52F22665A60C12D289185D950EE8813609166F6B0314E789DBA3FB0D0E0703EAF608EBD4C78B"
	             "45D77AF329FA3DE10D18",
	             "padding is invalid (last byte 0)");
	expect_error("113D178D6C0FD3901FF239A1A095F20F9395650C488C9AF7E05437CAF452A5B8CC7C62EDD3E8"
	             "22073B780004FD1F2A32",
	             "padding is invalid (last byte 9)");
	/* decodes to nothing: plaintext "\0" + padding */
	expect_error("F9380B8EDB224A6B248A1E924E8FD0AE2E1A9492FCFE40490A56BBCE071E6A51BA5148BEC769"
	             "79FEAF539346299D211D",
	             "empty password");
}

/* ---- the encoder that made the vectors ---- */

static void encode(const uint8_t h1[20], const char *plain, char *hex, size_t hexlen)
{
	uint8_t ht[20], h2[20], h3[20], key[24], buf[256], out[300], h4[20];
	size_t n = strlen(plain) + 1, pad = 8 - n % 8;

	memcpy(ht, h1, 20);
	ht[19] = (uint8_t)(ht[19] + 1);
	struct crypto_iov v = {ht, 20};
	assert_int_equal(crypto_hash_v(HASH_SHA1, &v, 1, h2), 0);
	ht[19] = (uint8_t)(ht[19] + 2);
	assert_int_equal(crypto_hash_v(HASH_SHA1, &v, 1, h3), 0);
	memcpy(key, h2, 20);
	memcpy(key + 20, h3, 4);
	assert_true(n + pad <= sizeof(buf));
	memcpy(buf, plain, n);
	memset(buf + n, (int)pad, pad);
	n += pad;
	assert_int_equal(crypto_cbc(CIPHER_3DES, key, 24, h1, true, buf, buf, n), 0);
	struct crypto_iov c = {buf, n};
	assert_int_equal(crypto_hash_v(HASH_SHA1, &c, 1, h4), 0);
	memcpy(out, h1, 20);
	memcpy(out + 20, h4, 20);
	memcpy(out + 40, buf, n);
	assert_true(2 * (40 + n) < hexlen);
	for (size_t i = 0; i < 40 + n; i++)
		snprintf(hex + 2 * i, 3, "%02X", out[i]);
}

static void test_encoder_reproduces_vector(void **state)
{
	(void)state;
	/* H1 of the "a" vector: the encoder must give exactly the hardcoded ciphertext */
	uint8_t h1[20];
	char hex[300];
	for (size_t i = 0; i < 20; i++) {
		unsigned b;
		sscanf(kat[2].hex + 2 * i, "%2x", &b);
		h1[i] = (uint8_t)b;
	}
	encode(h1, "a", hex, sizeof(hex));
	assert_string_equal(hex, kat[2].hex);
}

static void random_plain(char *s, size_t n)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	                          "!#$%&()*+,-./:;<=>?@[]^_{|}~ ";
	uint8_t r[128];
	assert_int_equal(crypto_random(r, n), 0);
	for (size_t i = 0; i < n; i++)
		s[i] = set[r[i] % (sizeof(set) - 1)];
	s[n] = '\0';
	if (s[0] == ' ')
		s[0] = 'x'; /* the independent decoder's output is read back as a trimmed line */
	if (s[n - 1] == ' ')
		s[n - 1] = 'y';
}

static void test_round_trip(void **state)
{
	(void)state;
	for (size_t len = 1; len <= 100; len++) {
		uint8_t h1[20];
		char plain[128], hex[600], err[300];
		struct secret out = {NULL, 0};
		assert_int_equal(crypto_random(h1, sizeof(h1)), 0);
		random_plain(plain, len);
		encode(h1, plain, hex, sizeof(hex));
		assert_int_equal(prof_cisco_decode(hex, &out, err, sizeof(err)), 0);
		assert_string_equal((const char *)out.p, plain);
		secret_clear(&out);
	}
}

/* Runs /usr/bin/cisco-decrypt HEX and returns its first output line. */
static int independent_decode(const char *hex, char *out, size_t len)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl("/usr/bin/cisco-decrypt", "cisco-decrypt", hex, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	size_t got = 0;
	ssize_t n;
	while (got + 1 < len && (n = read(fd[0], out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd[0]);
	int st;
	waitpid(pid, &st, 0);
	out[strcspn(out, "\n")] = '\0';
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* The part "cisco-decrypt" (unit_parts.h): main() has checked that the tool is there. */
static void test_against_cisco_decrypt(void **state)
{
	(void)state;
	for (size_t len = 1; len <= 40; len += 3) {
		uint8_t h1[20];
		char plain[64], hex[400], theirs[256], err[300];
		struct secret ours = {NULL, 0};
		assert_int_equal(crypto_random(h1, sizeof(h1)), 0);
		random_plain(plain, len);
		encode(h1, plain, hex, sizeof(hex));
		assert_int_equal(independent_decode(hex, theirs, sizeof(theirs)), 0);
		assert_string_equal(theirs, plain);
		assert_int_equal(prof_cisco_decode(hex, &ours, err, sizeof(err)), 0);
		assert_string_equal((const char *)ours.p, theirs);
		secret_clear(&ours);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_answers), cmocka_unit_test(test_lower_case_hex),
	    cmocka_unit_test(test_malformed),     cmocka_unit_test(test_encoder_reproduces_vector),
	    cmocka_unit_test(test_round_trip),
	};
	const struct CMUnitTest tool[] = {
	    cmocka_unit_test(test_against_cisco_decrypt),
	};
	if (!unit_part(argc, argv, "cisco-decrypt"))
		return unit_result(cmocka_run_group_tests_name("cisco", tests, NULL, NULL));
	if (access("/usr/bin/cisco-decrypt", X_OK) != 0)
		return unit_skip("/usr/bin/cisco-decrypt (Debian package vpnc) is not installed");
	return unit_result(cmocka_run_group_tests_name("cisco-decrypt", tool, NULL, NULL));
}
