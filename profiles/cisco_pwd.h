/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef EVC_PROFILES_CISCO_PWD_H
#define EVC_PROFILES_CISCO_PWD_H

#include <stddef.h>

#include "lib/secret.h"

/*
 * Decodes the Cisco client's obfuscation of GroupPwd/UserPassword (enc_GroupPwd, vpnc's
 * "obfuscated secret"), as vpnc's cisco-decrypt does: hex of 20 bytes H1 | 20 bytes SHA-1 of
 * the ciphertext | 3DES-CBC ciphertext, key SHA1(H1 with last byte +1) | first 4 bytes of
 * SHA1(H1 with last byte +3), IV the first 8 bytes of H1; the plaintext ends in a pad-length
 * byte and is cut at its first NUL. Errors (odd length, a non-hex character, too short, not
 * whole blocks, checksum mismatch, bad padding, empty result) return -EINVAL with err saying
 * which. out is NUL-terminated, len without the NUL.
 */
int prof_cisco_decode(const char *hex, struct secret *out, char *err, size_t errlen);

#endif
