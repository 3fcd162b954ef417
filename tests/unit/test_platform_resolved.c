// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * platform/resolved.h: split DNS through systemd-resolved. The plan (which servers, which
 * search and routing-only domains, default route or not) is a pure function; the D-Bus calls
 * go to a stand-in for resolved that this test serves on a private dbus-daemon (the machine's
 * own resolved is never touched, and need not be installed): it answers SetLinkDNS,
 * SetLinkDomains, SetLinkDefaultRoute and RevertLink under org.freedesktop.resolve1 as resolved
 * does and records what it got. Without dbus-daemon the bus part is skipped (exit 77 for the
 * part "bus").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <arpa/inet.h>
#ifdef EVC_HAVE_RESOLVED
#include <systemd/sd-bus.h>
#endif

#include "platform/resolved.h"
#include "unit_parts.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

struct notes {
	char text[4][300];
	size_t n;
};

static void take_note(void *arg, const char *msg)
{
	struct notes *n = arg;
	if (n->n < 4)
		snprintf(n->text[n->n++], sizeof(n->text[0]), "%s", msg);
}

static struct evc_policy split_policy(void)
{
	struct evc_policy p = {.have = EVC_HAVE_DOMAIN | EVC_HAVE_SPLIT_DNS};
	p.dns[0] = ip("10.99.0.53");
	p.dns[1] = ip("10.99.0.54");
	p.n_dns = 2;
	snprintf(p.domain, sizeof(p.domain), "quizware.com");
	snprintf(p.split_dns, sizeof(p.split_dns), "corp.quizware.com,lab.example.,bad!domain");
	p.split_include[0] = (struct evc_net){ip("10.99.0.0"), ip("255.255.255.0")};
	p.n_split_include = 1;
	return p;
}

static void test_plan_split(void **state)
{
	(void)state;
	struct evc_policy pol = split_policy();
	struct plat_resolved_plan p;
	struct notes n = {0};

	plat_resolved_plan(&pol, false, &p, take_note, &n);
	assert_int_equal(p.n_dns, 2);
	assert_int_equal(p.dns[1], ip("10.99.0.54"));
	assert_int_equal(p.n_domains, 3);
	assert_string_equal(p.domains[0].name, "quizware.com");
	assert_false(p.domains[0].route_only); /* the default domain: a search domain */
	assert_string_equal(p.domains[1].name, "corp.quizware.com");
	assert_true(p.domains[1].route_only); /* ~corp.quizware.com */
	assert_string_equal(p.domains[2].name, "lab.example");
	assert_true(p.domains[2].route_only);
	assert_false(p.default_route);
	assert_int_equal(n.n, 1);
	assert_non_null(strstr(n.text[0], "split-dns entry 'bad!domain' is not a domain name"));
}

static void test_plan_full(void **state)
{
	(void)state;
	struct evc_policy pol = {.n_dns = 1};
	struct plat_resolved_plan p;
	pol.dns[0] = ip("10.99.0.53");
	/* a full tunnel: every name goes to the VPN's servers */
	plat_resolved_plan(&pol, true, &p, NULL, NULL);
	assert_int_equal(p.n_domains, 1);
	assert_string_equal(p.domains[0].name, ".");
	assert_true(p.domains[0].route_only); /* ~. */
	assert_true(p.default_route);
	/* a split-dns domain named twice, and the default domain again: once each */
	pol.have = EVC_HAVE_DOMAIN | EVC_HAVE_SPLIT_DNS;
	snprintf(pol.domain, sizeof(pol.domain), "Quizware.com");
	snprintf(pol.split_dns, sizeof(pol.split_dns), "quizware.com, a.example,a.example");
	plat_resolved_plan(&pol, false, &p, NULL, NULL);
	assert_int_equal(p.n_domains, 2);
	assert_false(p.domains[0].route_only);
	assert_string_equal(p.domains[1].name, "a.example");
	/* labels longer than 63, empty labels: not names */
	snprintf(pol.split_dns, sizeof(pol.split_dns), "a..example,%s.example",
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	plat_resolved_plan(&pol, false, &p, NULL, NULL);
	assert_int_equal(p.n_domains, 1);
}

#ifdef EVC_HAVE_RESOLVED
/* ---- a stand-in for resolved on a private bus ---- */

struct bus_fix {
	char dir[64], log[128], addr[256];
	pid_t daemon, fake;
};

static int log_line(sd_bus_message *m, void *userdata, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int log_line(sd_bus_message *m, void *userdata, const char *fmt, ...)
{
	FILE *f = fopen(userdata, "a");
	va_list ap;
	if (!f)
		return -errno;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	return sd_bus_reply_method_return(m, "");
}

static int m_dns(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	char text[256] = "";
	int32_t ifindex, family;
	int rc = sd_bus_message_read(m, "i", &ifindex);
	if (rc >= 0)
		rc = sd_bus_message_enter_container(m, 'a', "(iay)");
	while (rc >= 0 && (rc = sd_bus_message_enter_container(m, 'r', "iay")) > 0) {
		const void *a;
		size_t n;
		char ipt[64] = "?";
		rc = sd_bus_message_read(m, "i", &family);
		if (rc >= 0)
			rc = sd_bus_message_read_array(m, 'y', &a, &n);
		if (rc >= 0 && n == 4)
			inet_ntop(AF_INET, a, ipt, sizeof(ipt));
		size_t l = strlen(text);
		snprintf(text + l, sizeof(text) - l, " %d:%s", family, ipt);
		if (rc >= 0)
			rc = sd_bus_message_exit_container(m);
	}
	if (rc < 0)
		return rc;
	return log_line(m, userdata, "SetLinkDNS %d%s\n", ifindex, text);
}

static int m_domains(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	char text[512] = "";
	int32_t ifindex;
	const char *name;
	int route, rc = sd_bus_message_read(m, "i", &ifindex);
	if (rc >= 0)
		rc = sd_bus_message_enter_container(m, 'a', "(sb)");
	while (rc >= 0 && (rc = sd_bus_message_read(m, "(sb)", &name, &route)) > 0) {
		size_t l = strlen(text);
		snprintf(text + l, sizeof(text) - l, " %s%s", route ? "~" : "", name);
	}
	if (rc < 0)
		return rc;
	return log_line(m, userdata, "SetLinkDomains %d%s\n", ifindex, text);
}

static int m_default_route(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	int32_t ifindex;
	int b, rc = sd_bus_message_read(m, "ib", &ifindex, &b);
	if (rc < 0)
		return rc;
	return log_line(m, userdata, "SetLinkDefaultRoute %d %s\n", ifindex, b ? "yes" : "no");
}

static int m_revert(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	int32_t ifindex;
	int rc = sd_bus_message_read(m, "i", &ifindex);
	if (rc < 0)
		return rc;
	if (ifindex == 999) /* as resolved answers for a link it does not know */
		return sd_bus_error_setf(e, "org.freedesktop.resolve1.NoSuchLink",
		                         "Link %d not known", ifindex);
	return log_line(m, userdata, "RevertLink %d\n", ifindex);
}

static const sd_bus_vtable vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("SetLinkDNS", "ia(iay)", "", m_dns, 0),
    SD_BUS_METHOD("SetLinkDomains", "ia(sb)", "", m_domains, 0),
    SD_BUS_METHOD("SetLinkDefaultRoute", "ib", "", m_default_route, 0),
    SD_BUS_METHOD("RevertLink", "i", "", m_revert, 0),
    SD_BUS_VTABLE_END,
};

/* The stand-in, in a child: owns the name, then writes one byte to ready and serves. */
static void serve(const struct bus_fix *f, int ready)
{
	sd_bus *bus = NULL;
	if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, f->addr) < 0 ||
	    sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0 ||
	    sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/resolve1",
	                             "org.freedesktop.resolve1.Manager", vtable,
	                             (void *)f->log) < 0 ||
	    sd_bus_request_name(bus, "org.freedesktop.resolve1", 0) < 0)
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	for (;;) {
		int rc = sd_bus_process(bus, NULL);
		if (rc < 0)
			_exit(1);
		if (rc == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
			_exit(1);
	}
}

static bool find_prog(const char *name, char *out, size_t len)
{
	static const char *const dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(out, len, "%s/%s", dirs[i], name);
		if (access(out, X_OK) == 0)
			return true;
	}
	return false;
}

/* a line from fd within 5 s */
static bool read_within(int fd, char *buf, size_t len)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	size_t got = 0;
	while (got + 1 < len) {
		if (poll(&p, 1, 5000) <= 0)
			return false;
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			return false;
		got += (size_t)n;
		buf[got] = '\0';
		if (memchr(buf, '\n', got) || (got && buf[0] == 'r'))
			return true;
	}
	return false;
}

static int bus_setup(void **state)
{
	struct bus_fix *f = calloc(1, sizeof(*f));
	char prog[128], conf[128];
	int out[2], ready[2];

	snprintf(f->dir, sizeof(f->dir), "/tmp/evc-test-resolved-XXXXXX");
	if (!f || !mkdtemp(f->dir) || !find_prog("dbus-daemon", prog, sizeof(prog)))
		return -1;
	snprintf(f->log, sizeof(f->log), "%s/calls", f->dir);
	snprintf(conf, sizeof(conf), "--config-file=/usr/share/dbus-1/session.conf");
	if (pipe2(out, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		return -1;
	f->daemon = fork();
	if (f->daemon == 0) {
		dup2(out[1], STDOUT_FILENO);
		execl(prog, "dbus-daemon", conf, "--nofork", "--nopidfile", "--print-address",
		      (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	if (f->daemon < 0 || !read_within(out[0], f->addr, sizeof(f->addr)))
		return -1;
	close(out[0]);
	f->addr[strcspn(f->addr, "\n")] = '\0';
	f->fake = fork();
	if (f->fake == 0)
		serve(f, ready[1]);
	close(ready[1]);
	char r[8];
	if (f->fake < 0 || !read_within(ready[0], r, sizeof(r)))
		return -1;
	close(ready[0]);
	*state = f;
	return 0;
}

static void stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

static int bus_teardown(void **state)
{
	struct bus_fix *f = *state;
	char cmd[128];
	stop(&f->fake);
	stop(&f->daemon);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static char *calls(const struct bus_fix *f)
{
	static char buf[2048];
	FILE *in = fopen(f->log, "r");
	size_t n = in ? fread(buf, 1, sizeof(buf) - 1, in) : 0;
	buf[n] = '\0';
	if (in)
		fclose(in);
	unlink(f->log);
	return buf;
}

static void test_bus_calls(void **state)
{
	struct bus_fix *f = *state;
	struct evc_policy pol = split_policy();
	struct plat_resolved_plan p;
	char err[512];

	plat_resolved_plan(&pol, false, &p, NULL, NULL);
	assert_int_equal(plat_resolved_set(f->addr, 7, &p, err, sizeof(err)), 0);
	assert_string_equal(calls(f),
	                    "SetLinkDNS 7 2:10.99.0.53 2:10.99.0.54\n"
	                    "SetLinkDomains 7 quizware.com ~corp.quizware.com ~lab.example\n"
	                    "SetLinkDefaultRoute 7 no\n");
	plat_resolved_plan(&pol, true, &p, NULL, NULL);
	assert_int_equal(plat_resolved_set(f->addr, 8, &p, err, sizeof(err)), 0);
	assert_string_equal(calls(f),
	                    "SetLinkDNS 8 2:10.99.0.53 2:10.99.0.54\n"
	                    "SetLinkDomains 8 quizware.com ~corp.quizware.com ~lab.example ~.\n"
	                    "SetLinkDefaultRoute 8 yes\n");
	assert_int_equal(plat_resolved_revert(f->addr, 7, err, sizeof(err)), 0);
	assert_string_equal(calls(f), "RevertLink 7\n");
	/* a link resolved no longer knows (the TUN device is gone): nothing to revert */
	assert_int_equal(plat_resolved_revert(f->addr, 999, err, sizeof(err)), 0);
	assert_string_equal(calls(f), "");

	/* resolved stops: evc falls back to resolv.conf (-ENOENT) and undo has nothing to do */
	stop(&f->fake);
	assert_int_equal(plat_resolved_set(f->addr, 7, &p, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "systemd-resolved does not run"));
	assert_int_equal(plat_resolved_revert(f->addr, 7, err, sizeof(err)), 0);
	/* no bus at all */
	char nobus[160];
	snprintf(nobus, sizeof(nobus), "unix:path=%s/no-such-bus", f->dir);
	assert_int_equal(plat_resolved_set(nobus, 7, &p, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no D-Bus system bus"));
	assert_string_equal(calls(f), "");
}

#endif

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plan_split),
	    cmocka_unit_test(test_plan_full),
	};
	const char *part = unit_part(argc, argv, "bus");
	if (!part)
		return unit_result(cmocka_run_group_tests_name("resolved plan", tests, NULL, NULL));
#ifndef EVC_HAVE_RESOLVED
	return unit_skip("this build has no systemd-resolved support (libsystemd, EVC_RESOLVED)");
#else
	const struct CMUnitTest bus[] = {
	    cmocka_unit_test(test_bus_calls),
	};
	char prog[128];
	if (!find_prog("dbus-daemon", prog, sizeof(prog)))
		return unit_skip("dbus-daemon is not installed (Debian package dbus-daemon)");
	return unit_result(
	    cmocka_run_group_tests_name("resolved over D-Bus", bus, bus_setup, bus_teardown));
#endif
}
