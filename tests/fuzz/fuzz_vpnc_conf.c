/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the vpnc .conf importer: any bytes as a vpnc configuration file (in
 * any encoding the importer sniffs), as is and behind a gateway and a group line so that the
 * mapping of the other directives runs even when those two were mutated away. Seeds:
 * mkcorpus.py kind "vpnc". The checks are in fuzz_import.h.
 */
#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	fuzz_import_twice(data, size, PROF_FMT_VPNC, "fuzz.conf",
	                  "IPSec gateway vpn.example.com\nIPSec ID g\n");
	return 0;
}
