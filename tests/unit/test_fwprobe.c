/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What evc reports for `firewall are-u-there`: the host's nftables ruleset read as a firewall
 * or not (platform/fwprobe.c), on the text `nft list ruleset` prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "platform/fwprobe.h"

static void scan(const char *text, bool found, const char *what)
{
	struct plat_fw fw;
	plat_fw_scan(text, &fw);
	if (fw.found != found)
		fail_msg("%s for:\n%s", found ? "no firewall found" : "a firewall found", text);
	if (what)
		assert_string_equal(fw.what, what);
}

static void input_policy_drop(void **state)
{
	(void)state;
	scan("table inet filter {\n"
	     "\tchain input {\n"
	     "\t\ttype filter hook input priority filter; policy drop;\n"
	     "\t\tct state established,related accept\n"
	     "\t\tudp dport { 500, 4500 } accept\n"
	     "\t}\n"
	     "}\n",
	     true, "table inet filter, chain input: policy drop");
}

static void input_rule_that_rejects(void **state)
{
	(void)state;
	scan("table ip fw {\n"
	     "\tchain in {\n"
	     "\t\ttype filter hook input priority 0; policy accept;\n"
	     "\t\ttcp dport 22 accept\n"
	     "\t\treject with icmp port-unreachable\n"
	     "\t}\n"
	     "}\n",
	     true, "table ip fw, chain in: a rule that drops");
}

static void not_a_firewall(void **state)
{
	(void)state;
	scan("", false, NULL);
	/* accepting input, and drops elsewhere (forward, output, a NAT table) do not count */
	scan("table inet filter {\n"
	     "\tchain input {\n"
	     "\t\ttype filter hook input priority filter; policy accept;\n"
	     "\t\tct state established accept\n"
	     "\t}\n"
	     "\tchain forward {\n"
	     "\t\ttype filter hook forward priority filter; policy drop;\n"
	     "\t}\n"
	     "\tchain output {\n"
	     "\t\ttype filter hook output priority filter; policy accept;\n"
	     "\t\tip daddr 192.0.2.1 drop\n"
	     "\t}\n"
	     "}\n"
	     "table ip evc_pat_x {\n"
	     "\tchain postrouting {\n"
	     "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	     "\t\tmasquerade\n"
	     "\t}\n"
	     "}\n",
	     false, NULL);
	/* a regular chain that drops but that no hook reaches */
	scan("table inet t {\n\tchain helper {\n\t\tip saddr 10.0.0.1 drop\n\t}\n}\n", false, NULL);
	/* "drop" inside a word or a comment-like name is not a verdict */
	scan("table inet t {\n\tchain input {\n\t\ttype filter hook input priority 0; policy "
	     "accept;\n\t\tmeta mark 0x1 counter name \"dropped\"\n\t}\n}\n",
	     false, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(input_policy_drop),
	    cmocka_unit_test(input_rule_that_rejects),
	    cmocka_unit_test(not_a_firewall),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
