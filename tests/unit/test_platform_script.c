// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * platform/script.h: the environment a vpnc-script gets (every name vpnc's and OpenConnect's
 * scripts read, from a known policy), the checks on the script file, and the journal: connect
 * at apply, disconnect with connect's environment at undo and at crash recovery. The script
 * here records what it was given; nothing touches the host's network.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "lib/ipv4.h"
#include "platform/apply.h"
#include "platform/netcfg.h"
#include "platform/script.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

static struct evc_policy policy(void)
{
	struct evc_policy p = {0};
	p.have = EVC_HAVE_ADDR | EVC_HAVE_NETMASK | EVC_HAVE_DOMAIN | EVC_HAVE_BANNER |
	         EVC_HAVE_SPLIT_DNS;
	p.addr = ip("10.98.0.10");
	p.netmask = ip("255.255.255.0");
	p.dns[0] = ip("10.99.0.53");
	p.dns[1] = ip("10.99.0.54");
	p.n_dns = 2;
	p.wins[0] = ip("10.99.0.137");
	p.n_wins = 1;
	snprintf(p.domain, sizeof(p.domain), "quizware.com");
	snprintf(p.banner, sizeof(p.banner), "Welcome\r\nto \x1b[31mquizware");
	snprintf(p.split_dns, sizeof(p.split_dns), "corp.quizware.com,lab.quizware.com");
	p.split_include[0] = (struct evc_net){ip("10.99.0.0"), ip("255.255.255.0")};
	p.split_include[1] = (struct evc_net){ip("172.16.0.0"), ip("255.240.0.0")};
	p.n_split_include = 2;
	p.local_lan[0] = (struct evc_net){ip("192.168.1.0"), ip("255.255.255.0")};
	p.n_local_lan = 1;
	return p;
}

static void test_env_connect(void **state)
{
	(void)state;
	struct evc_policy p = policy();
	char **env =
	    plat_script_env("connect", &p, "evc0", ip("198.51.100.1"), 1300, 4242, NULL, NULL);
	static const char *const want[] = {
	    "reason=connect",
	    "VPNGATEWAY=198.51.100.1",
	    "VPNPID=4242",
	    "TUNDEV=evc0",
	    "INTERNAL_IP4_ADDRESS=10.98.0.10",
	    "INTERNAL_IP4_MTU=1300",
	    "INTERNAL_IP4_NETMASK=255.255.255.0",
	    "INTERNAL_IP4_NETMASKLEN=24",
	    "INTERNAL_IP4_NETADDR=10.98.0.0",
	    "INTERNAL_IP4_DNS=10.99.0.53 10.99.0.54",
	    "INTERNAL_IP4_NBNS=10.99.0.137",
	    "CISCO_DEF_DOMAIN=quizware.com",
	    "CISCO_BANNER=Welcome\nto ?[31mquizware",
	    "CISCO_SPLIT_DNS=corp.quizware.com,lab.quizware.com",
	    "CISCO_SPLIT_INC=2",
	    "CISCO_SPLIT_INC_0_ADDR=10.99.0.0",
	    "CISCO_SPLIT_INC_0_MASK=255.255.255.0",
	    "CISCO_SPLIT_INC_0_MASKLEN=24",
	    "CISCO_SPLIT_INC_0_PROTOCOL=0",
	    "CISCO_SPLIT_INC_0_SPORT=0",
	    "CISCO_SPLIT_INC_0_DPORT=0",
	    "CISCO_SPLIT_INC_1_ADDR=172.16.0.0",
	    "CISCO_SPLIT_INC_1_MASK=255.240.0.0",
	    "CISCO_SPLIT_INC_1_MASKLEN=12",
	    "CISCO_SPLIT_INC_1_PROTOCOL=0",
	    "CISCO_SPLIT_INC_1_SPORT=0",
	    "CISCO_SPLIT_INC_1_DPORT=0",
	    "CISCO_SPLIT_EXC=1",
	    "CISCO_SPLIT_EXC_0_ADDR=192.168.1.0",
	    "CISCO_SPLIT_EXC_0_MASK=255.255.255.0",
	    "CISCO_SPLIT_EXC_0_MASKLEN=24",
	    "CISCO_SPLIT_EXC_0_PROTOCOL=0",
	    "CISCO_SPLIT_EXC_0_SPORT=0",
	    "CISCO_SPLIT_EXC_0_DPORT=0",
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	};
	size_t n = 0;
	assert_non_null(env);
	while (env[n])
		n++;
	for (size_t i = 0; i < n && i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(env[i], want[i]);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	plat_script_env_free(env);
}

/* A domain or split-dns list that is not names (a line break would be a line of resolv.conf
 * written by the script) is left out. */
static void test_env_injection(void **state)
{
	(void)state;
	struct evc_policy p = policy();
	snprintf(p.domain, sizeof(p.domain), "quizware.com\nnameserver 203.0.113.66");
	snprintf(p.split_dns, sizeof(p.split_dns), "corp.quizware.com,\roptions x");
	char **env =
	    plat_script_env("connect", &p, "evc0", ip("198.51.100.1"), 1300, 1, NULL, NULL);
	assert_non_null(env);
	for (char **e = env; *e; e++) {
		assert_null(strstr(*e, "CISCO_DEF_DOMAIN="));
		assert_null(strstr(*e, "CISCO_SPLIT_DNS="));
	}
	plat_script_env_free(env);
}

struct notes {
	char text[4][512];
	size_t n;
};

static void note(void *arg, const char *msg)
{
	struct notes *n = arg;
	if (n->n < 4)
		snprintf(n->text[n->n], sizeof(n->text[0]), "%s", msg);
	n->n++;
}

static const char *env_get(char **env, const char *name)
{
	size_t len = strlen(name);
	for (char **e = env; *e; e++)
		if (!strncmp(*e, name, len) && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

/* Shell syntax in a pushed domain: that entry is left out and named, the others stay. */
static void test_env_domain_entries(void **state)
{
	(void)state;
	struct evc_policy p = policy();
	struct notes n = {0};
	snprintf(p.domain, sizeof(p.domain), "quizware.com $(reboot),corp.quizware.com");
	snprintf(p.split_dns, sizeof(p.split_dns),
	         "corp.quizware.com,`id`.quizware.com, -rf,lab.quizware.com;rm,x_y.com");
	char **env = plat_script_env("connect", &p, "evc0", ip("198.51.100.1"), 1300, 1, note, &n);
	assert_non_null(env);
	assert_string_equal(env_get(env, "CISCO_DEF_DOMAIN"), "quizware.com corp.quizware.com");
	assert_string_equal(env_get(env, "CISCO_SPLIT_DNS"), "corp.quizware.com");
	plat_script_env_free(env);
	assert_int_equal(n.n, 5);
	assert_non_null(strstr(n.text[0], "CISCO_DEF_DOMAIN entry \"$(reboot)\" is not a domain"));
	assert_non_null(strstr(n.text[1], "CISCO_SPLIT_DNS entry \"`id`.quizware.com\""));
	assert_non_null(strstr(n.text[2], "CISCO_SPLIT_DNS entry \"-rf\""));
	assert_non_null(strstr(n.text[3], "CISCO_SPLIT_DNS entry \"lab.quizware.com;rm\""));

	/* nothing left: no variable at all */
	n.n = 0;
	snprintf(p.domain, sizeof(p.domain), "a|b");
	snprintf(p.split_dns, sizeof(p.split_dns), "'x',\"y\"");
	env = plat_script_env("connect", &p, "evc0", ip("198.51.100.1"), 1300, 1, note, &n);
	assert_non_null(env);
	assert_null(env_get(env, "CISCO_DEF_DOMAIN"));
	assert_null(env_get(env, "CISCO_SPLIT_DNS"));
	assert_int_equal(n.n, 3);
	plat_script_env_free(env);
}

/* A full tunnel without netmask, DNS or domain: only what there is; disconnect: no banner. */
static void test_env_minimal(void **state)
{
	(void)state;
	struct evc_policy p = {.have = EVC_HAVE_ADDR | EVC_HAVE_BANNER, .addr = ip("10.98.0.11")};
	snprintf(p.banner, sizeof(p.banner), "hello");
	char **env = plat_script_env("disconnect", &p, "evc1", ip("203.0.113.5"), 0, 1, NULL, NULL);
	static const char *const want[] = {
	    "reason=disconnect",
	    "VPNGATEWAY=203.0.113.5",
	    "VPNPID=1",
	    "TUNDEV=evc1",
	    "INTERNAL_IP4_ADDRESS=10.98.0.11",
	    "INTERNAL_IP4_MTU=1400",
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	};
	size_t n = 0;
	assert_non_null(env);
	while (env[n])
		n++;
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(env[i], want[i]);
	plat_script_env_free(env);
}

struct fix {
	char dir[64], script[128], log[128], state[128];
};

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char text[512];
	snprintf(f->dir, sizeof(f->dir), "/tmp/evc-test-script-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->script, sizeof(f->script), "%s/vpnc-script", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/calls", f->dir);
	snprintf(f->state, sizeof(f->state), "%s/evc.state", f->dir);
	/* one line per call: the reason and what the disconnect needs to find its state again */
	snprintf(text, sizeof(text),
	         "#!/bin/sh\necho \"$reason $TUNDEV $VPNPID $INTERNAL_IP4_ADDRESS "
	         "${CISCO_SPLIT_INC:-} ${CISCO_BANNER:+banner}\" >>%s\n"
	         "[ \"$reason\" != connect ] || [ ! -e %s/fail ]\n",
	         f->log, f->dir);
	write_file(f->script, text, 0755);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static char *calls(const struct fix *f)
{
	static char buf[1024];
	FILE *in = fopen(f->log, "r");
	size_t n = in ? fread(buf, 1, sizeof(buf) - 1, in) : 0;
	buf[n] = '\0';
	if (in)
		fclose(in);
	unlink(f->log);
	return buf;
}

static void test_check(void **state)
{
	struct fix *f = *state;
	char err[512], path[160];

	assert_int_equal(plat_script_check(f->script, err, sizeof(err)), 0);
	assert_int_equal(plat_script_check("vpnc-script", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "must be an absolute path"));
	snprintf(path, sizeof(path), "%s/missing", f->dir);
	assert_int_equal(plat_script_check(path, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "does not exist"));
	snprintf(path, sizeof(path), "%s/plain", f->dir);
	write_file(path, "#!/bin/sh\n", 0644);
	assert_int_equal(plat_script_check(path, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "is not executable (mode 0644); chmod +x it"));
	write_file(path, "#!/bin/sh\n", 0757);
	assert_int_equal(plat_script_check(path, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "writable by group or others"));
	assert_int_equal(plat_script_check(f->dir, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is not a regular file"));
}

static void test_run_status(void **state)
{
	struct fix *f = *state;
	char err[512], path[160];
	char *env[] = {"reason=connect", NULL};

	snprintf(path, sizeof(path), "%s/exit3", f->dir);
	write_file(path, "#!/bin/sh\nexit 3\n", 0755);
	assert_int_equal(plat_script_run(path, env, err, sizeof(err)), -ECHILD);
	assert_non_null(strstr(err, "(reason connect) failed with exit status 3"));
	snprintf(path, sizeof(path), "%s/env", f->dir);
	/* nothing of evc's environment reaches the script */
	setenv("EVC_TEST_SECRET", "x", 1);
	snprintf(err, sizeof(err), "#!/bin/sh\n[ -z \"${EVC_TEST_SECRET:-}\" ]\n");
	write_file(path, err, 0755);
	assert_int_equal(plat_script_run(path, env, err, sizeof(err)), 0);
}

/* pre-init: before the TUN device, with what vpnc and OpenConnect give it then (no TUNDEV,
 * no policy); a script that may not run as root is refused before it runs. */
static void test_pre_init(void **state)
{
	struct fix *f = *state;
	char err[512], want[128], path[160];
	long pid = (long)getpid();

	assert_int_equal(plat_script_pre_init(f->script, ip("198.51.100.1"), pid, err, sizeof(err)),
	                 0);
	snprintf(want, sizeof(want), "pre-init  %ld   \n", pid);
	assert_string_equal(calls(f), want);
	snprintf(path, sizeof(path), "%s/gw", f->dir);
	snprintf(
	    err, sizeof(err),
	    "#!/bin/sh\n[ \"$reason $VPNGATEWAY $VPNPID\" = \"pre-init 198.51.100.1 %ld\" ] && "
	    "[ -z \"${TUNDEV+x}${INTERNAL_IP4_ADDRESS+x}\" ] && [ -n \"$PATH\" ]\n",
	    pid);
	write_file(path, err, 0755);
	assert_int_equal(plat_script_pre_init(path, ip("198.51.100.1"), pid, err, sizeof(err)), 0);
	write_file(path, "#!/bin/sh\nexit 0\n", 0757);
	assert_int_equal(plat_script_pre_init(path, ip("198.51.100.1"), pid, err, sizeof(err)),
	                 -EPERM);
	assert_non_null(strstr(err, "writable by group or others"));
	write_file(path, "#!/bin/sh\nexit 4\n", 0755);
	assert_int_equal(plat_script_pre_init(path, 0, pid, err, sizeof(err)), -ECHILD);
	assert_non_null(strstr(err, "(reason pre-init) failed with exit status 4"));
}

/* plat_apply_client_policy runs connect (pre-init ran before the TUN device); undo and
 * recovery run disconnect. */
static void test_journal(void **state)
{
	struct fix *f = *state;
	struct evc_policy p = policy();
	struct plat_journal *j = NULL;
	struct plat_nl *nl = NULL;
	char err[512], want[256], fail[160];
	struct plat_client_opts o = {
	    .ifname = "evtun9", .gateway = ip("198.51.100.1"), .script = f->script};
	long pid = (long)getpid();

	assert_int_equal(plat_nl_new(&nl, err, sizeof(err)), 0);
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_apply_client_policy(j, nl, &p, &o, err, sizeof(err)), 0);
	assert_int_equal(plat_journal_count(j), 1);
	snprintf(want, sizeof(want), "connect evtun9 %ld 10.98.0.10 2 banner\n", pid);
	assert_string_equal(calls(f), want);
	assert_int_equal(plat_journal_undo(j, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "disconnect evtun9 %ld 10.98.0.10 2 \n", pid);
	assert_string_equal(calls(f), want);
	plat_journal_free(j);

	/* a crash: the next evc's recovery disconnects with what connect had */
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_apply_client_policy(j, nl, &p, &o, err, sizeof(err)), 0);
	calls(f);
	plat_journal_free(j); /* the state file stays, as after SIGKILL */
	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), 0);
	assert_string_equal(calls(f), want);
	assert_int_equal(access(f->state, F_OK), -1);

	/* connect fails: what it may have done half is taken back at once */
	snprintf(fail, sizeof(fail), "%s/fail", f->dir);
	write_file(fail, "", 0600);
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_apply_client_policy(j, nl, &p, &o, err, sizeof(err)), -ECHILD);
	assert_non_null(strstr(err, "(reason connect) failed with exit status 1"));
	assert_int_equal(plat_journal_count(j), 0);
	snprintf(want, sizeof(want),
	         "connect evtun9 %ld 10.98.0.10 2 banner\ndisconnect evtun9 %ld 10.98.0.10 2 \n",
	         pid, pid);
	assert_string_equal(calls(f), want);
	plat_journal_free(j);

	/* a policy no client could apply never reaches the script */
	p.addr = ip("127.0.0.1");
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_apply_client_policy(j, nl, &p, &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(calls(f), "");
	plat_journal_free(j);
	plat_nl_free(nl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_env_connect),
	    cmocka_unit_test(test_env_minimal),
	    cmocka_unit_test(test_env_injection),
	    cmocka_unit_test(test_env_domain_entries),
	    cmocka_unit_test_setup_teardown(test_check, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pre_init, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_journal, setup, teardown),
	};
	return cmocka_run_group_tests_name("vpnc-script", tests, NULL, NULL);
}
