/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the Cisco .pcf importer: any bytes as a .pcf file (any encoding the
 * importer sniffs: UTF-16 with or without BOM, UTF-8, Windows-1252), as is and behind a
 * "[main]" header so that mutated keys reach the key mapping even when the header was mutated
 * away. The input is also fed to the enc_GroupPwd decoder as a hex string. Seeds:
 * mkcorpus.py kind "pcf". The importer checks are in fuzz_import.h.
 */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	fuzz_import_twice(data, size, PROF_FMT_PCF, "fuzz.pcf", "[main]\r\n");
	char *hex = malloc(size + 1);
	if (hex) {
		char err[300];
		struct secret s = {NULL, 0};
		memcpy(hex, data, size);
		hex[size] = '\0';
		if (prof_cisco_decode(hex, &s, err, sizeof(err)) == 0)
			CHECK(s.len && s.len <= 1024 && s.p[s.len] == 0 && !memchr(s.p, 0, s.len));
		else
			CHECK(!s.p && err[0]);
		secret_clear(&s);
		free(hex);
	}
	return 0;
}
