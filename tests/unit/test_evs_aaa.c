/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs AAA beyond local users: the RADIUS configuration (servers, method lists), the RADIUS
 * reply attributes onto a policy (aaa_attrs.h), and, in the part "freeradius", radius.c
 * against a real FreeRADIUS on loopback: accept with attributes, reject, a wrong key, a
 * server that never answers, the next server after a silent one, and a slow server that
 * does not hold up a question to a live one.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/core/aaa_attrs.h"
#include "server/core/config.h"
#include "server/core/config_aaa.h"
#include "server/core/radius.h"
#include "unit_parts.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const char base_conf[] = "aaa new-model\n"
                                "%s"
                                "username richard secret richard-pw-1\n"
                                "ip local pool quizware-pool 10.98.0.10 10.98.0.100\n"
                                "ip local pool vip-pool 10.97.0.10 10.97.0.20\n"
                                "access-list 101 permit ip 10.99.0.0 0.0.0.255 any\n"
                                "access-list 150 permit ip 10.50.0.0 0.0.255.255 any\n"
                                "access-list 150 permit ip 10.60.0.0 0.0.255.255 any\n"
                                "crypto isakmp client configuration group quizware\n"
                                " key groupsecret\n"
                                " pool quizware-pool\n"
                                " dns 10.99.0.53\n"
                                " domain quizware.com\n"
                                " acl 101\n"
                                "crypto isakmp policy 10\n"
                                " encryption aes 256\n"
                                " authentication pre-share\n"
                                " group 2\n"
                                "crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
                                "crypto dynamic-map D 10\n"
                                " set transform-set T\n"
                                "crypto map M client authentication list vpn-users\n"
                                "crypto map M isakmp authorization list quizware\n"
                                "crypto map M client configuration address respond\n"
                                "crypto map M 10 ipsec-isakmp dynamic D\n"
                                "interface eth0\n"
                                " ip address 198.51.100.1 255.255.255.0\n"
                                " crypto map M\n";

static struct evs_config *parse(const char *aaa)
{
	char text[4096];
	int n = snprintf(text, sizeof(text), base_conf, aaa);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	return evs_config_parse("t.conf", text, (size_t)n, NULL, NULL);
}

static void warn_collect(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	struct {
		unsigned n_warn;
		char last[512];
	} *w = ctx;
	(void)line;
	if (sev == EVS_CONFIG_WARNING) {
		w->n_warn++;
		snprintf(w->last, sizeof(w->last), "%s", msg);
	}
}

static void radius_servers_and_defaults(void **state)
{
	(void)state;
	struct evs_radius_server s[4];
	enum evs_aaa_method m[4];
	struct evs_config *c =
	    parse("aaa authentication login vpn-users group radius local\n"
	          "aaa authorization network quizware group radius\n"
	          "radius-server host 127.0.0.1 key one\n"
	          "radius-server host 127.0.0.2 auth-port 18120 timeout 2 retransmit 0 key two\n"
	          "radius server third\n"
	          " address ipv4 127.0.0.3 auth-port 1812\n");
	assert_null(c); /* the block has no key and there is no global key */

	c = parse("aaa authentication login vpn-users group radius local\n"
	          "aaa authorization network quizware group radius\n"
	          "radius-server host 127.0.0.1 key one\n"
	          "radius-server host 127.0.0.2 auth-port 18120 timeout 2 retransmit 0 key two\n"
	          "radius-server key global:key\n"
	          "radius-server timeout 7\n"
	          "radius-server retransmit 1\n"
	          "radius server third\n"
	          " address ipv4 127.0.0.3 auth-port 1812\n");
	assert_non_null(c);
	assert_int_equal(evs_config_radius(c, s, 4), 3);
	assert_int_equal(s[0].addr, IP(127, 0, 0, 1));
	assert_int_equal(s[0].port, 1645); /* IOS's default */
	assert_string_equal(s[0].key, "one");
	assert_int_equal(s[0].timeout_s, 7);
	assert_int_equal(s[0].retries, 1);
	assert_int_equal(s[1].port, 18120);
	assert_int_equal(s[1].timeout_s, 2);
	assert_int_equal(s[1].retries, 0);
	assert_string_equal(s[2].name, "third");
	assert_string_equal(s[2].key, "global:key");
	assert_int_equal(s[2].port, 1812);
	assert_int_equal(evs_config_authen_methods(c, m, 4), 2);
	assert_int_equal(m[0], EVS_AAA_M_RADIUS);
	assert_int_equal(m[1], EVS_AAA_M_LOCAL);
	assert_true(evs_config_author_radius(c));
	evs_config_free(c);

	c = parse("aaa authentication login vpn-users local\n"
	          "aaa authorization network quizware local\n");
	assert_non_null(c);
	assert_int_equal(evs_config_radius(c, s, 4), 0);
	assert_int_equal(evs_config_authen_methods(c, m, 4), 1);
	assert_int_equal(m[0], EVS_AAA_M_LOCAL);
	assert_false(evs_config_author_radius(c));
	evs_config_free(c);

	/* two silent servers at IOS's defaults (2 x 20 s) outlast the XAUTH timeout of 30 s */
	{
		char text[4096];
		struct {
			unsigned n_warn;
			char last[512];
		} w = {0};
		int len = snprintf(text, sizeof(text), base_conf,
		                   "aaa authentication login vpn-users group radius local\n"
		                   "aaa authorization network quizware local\n"
		                   "crypto isakmp xauth timeout 30\n"
		                   "radius-server host 127.0.0.1 key k\n"
		                   "radius-server host 127.0.0.2 key k\n");
		c = evs_config_parse("t.conf", text, (size_t)len, warn_collect, &w);
		assert_non_null(c);
		assert_int_equal(w.n_warn, 1);
		assert_non_null(strstr(w.last,
		                       "t.conf:5: warning: RADIUS servers that do not answer "
		                       "take 40 s in all"));
		evs_config_free(c);
	}

	/* defaults without any global setting: 5 s, 3 retransmissions */
	c = parse("aaa authentication login vpn-users group radius\n"
	          "aaa authorization network quizware local\n"
	          "radius-server host 127.0.0.1 key k\n");
	assert_non_null(c);
	assert_int_equal(evs_config_radius(c, s, 4), 1);
	assert_int_equal(s[0].timeout_s, 5);
	assert_int_equal(s[0].retries, 3);
	assert_false(s[0].ma_optional); /* replies must carry a Message-Authenticator */
	evs_config_free(c);

	/* unsigned replies taken only when said so, and then with a warning */
	{
		char text[4096];
		struct {
			unsigned n_warn;
			char last[512];
		} w = {0};
		int len = snprintf(text, sizeof(text), base_conf,
		                   "aaa authentication login vpn-users group radius\n"
		                   "aaa authorization network quizware local\n"
		                   "radius-server host 127.0.0.1 key k\n"
		                   "radius-server message-authenticator optional\n");
		c = evs_config_parse("t.conf", text, (size_t)len, warn_collect, &w);
		assert_non_null(c);
		assert_int_equal(w.n_warn, 1);
		assert_non_null(strstr(w.last, "t.conf:5: warning: RADIUS replies without a "
		                               "Message-Authenticator are taken"));
		assert_int_equal(evs_config_radius(c, s, 4), 1);
		assert_true(s[0].ma_optional);
		evs_config_free(c);
	}
}

static struct evs_aaa_pair avp(const char *text)
{
	struct evs_aaa_pair p = {.vendor = EVS_AAA_VENDOR_CISCO, .type = EVS_AAA_CISCO_AVPAIR};
	snprintf(p.text, sizeof(p.text), "%s", text);
	return p;
}

static struct evs_aaa_pair num(uint32_t type, uint32_t v)
{
	struct evs_aaa_pair p = {.type = type, .is_num = true, .num = v};
	return p;
}

static void attrs_map_as_ios(void **state)
{
	(void)state;
	struct evs_aaa_pair p[] = {
	    num(8, IP(10, 97, 0, 15)),
	    avp("ipsec:dns-servers=10.1.1.1 10.1.1.2"),
	    avp("ipsec:wins-servers=10.1.1.3"),
	    avp("ipsec:default-domain=radius.example"),
	    avp("ipsec:split-dns=a.example, b.example"),
	    avp("ipsec:inacl=150"),
	    avp("ipsec:include-local-lan=1"),
	    avp("ipsec:save-password=1"),
	    avp("ipsec:pfs*0"),
	    avp("ipsec:banner=Hello from RADIUS"),
	    avp("ipsec:ipsec-backup-gateway=203.0.113.7"),
	    avp("ipsec:ipsec-backup-gateway=203.0.113.8"),
	    avp("ipsec:user-vpn-group=quizware"),
	    avp("ipsec:key-exchange=ike"),
	    avp("shell:priv-lvl=15"),
	    num(27, 3600),
	};
	struct evs_aaa_attrs a;
	struct evc_policy pol;
	char why[256] = "";
	int pool = 0;
	struct evs_config *c = parse("aaa authentication login vpn-users group radius\n"
	                             "aaa authorization network quizware group radius\n"
	                             "radius-server host 127.0.0.1 key k\n");
	assert_non_null(c);
	assert_int_equal(evs_aaa_attrs_parse(p, sizeof(p) / sizeof(p[0]), &a, why, sizeof(why)), 0);
	assert_int_equal(a.n_dns, 2);
	assert_string_equal(a.split_dns, "a.example,b.example");
	assert_string_equal(a.backup, "203.0.113.7,203.0.113.8");
	assert_string_equal(a.vpn_group, "quizware");
	assert_string_equal(a.ignored, "ipsec:key-exchange, shell:priv-lvl, attribute 27");

	evs_config_group_policy(c, 0, &pol);
	assert_int_equal(pol.n_split_include, 1);
	assert_int_equal(evs_aaa_attrs_apply(&a, c, &pol, &pool, why, sizeof(why)), 0);
	assert_int_equal(pool, 1); /* 10.97.0.15 lies in vip-pool */
	assert_int_equal(pol.addr, IP(10, 97, 0, 15));
	assert_true(pol.have & EVC_HAVE_ADDR);
	assert_int_equal(pol.n_dns, 2);
	assert_int_equal(pol.dns[1], IP(10, 1, 1, 2));
	assert_int_equal(pol.n_wins, 1);
	assert_string_equal(pol.domain, "radius.example");
	assert_string_equal(pol.split_dns, "a.example,b.example");
	assert_int_equal(pol.n_split_include, 2); /* ACL 150 replaced 101 */
	assert_int_equal(pol.split_include[1].addr, IP(10, 60, 0, 0));
	assert_int_equal(pol.n_local_lan, 1);
	assert_true(pol.save_passwd);
	assert_false(pol.pfs);
	assert_string_equal(pol.banner, "Hello from RADIUS");
	assert_string_equal(pol.backup_servers, "203.0.113.7,203.0.113.8");

	/* an address outside every pool is the user's own: no pool */
	struct evs_aaa_pair q[] = {num(8, IP(192, 0, 2, 9)), num(9, IP(255, 255, 255, 0))};
	assert_int_equal(evs_aaa_attrs_parse(q, 2, &a, why, sizeof(why)), 0);
	evs_config_group_policy(c, 0, &pol);
	pool = 0;
	assert_int_equal(evs_aaa_attrs_apply(&a, c, &pol, &pool, why, sizeof(why)), 0);
	assert_int_equal(pool, -1);
	assert_int_equal(pol.netmask, IP(255, 255, 255, 0));

	/* a pool by name; the NAS-chooses address leaves the choice to it */
	struct evs_aaa_pair r[] = {num(8, 0xfffffffeu), avp("ipsec:addr-pool=vip-pool")};
	assert_int_equal(evs_aaa_attrs_parse(r, 2, &a, why, sizeof(why)), 0);
	assert_false(a.have & EVS_ATTR_ADDR);
	pool = 0;
	assert_int_equal(evs_aaa_attrs_apply(&a, c, &pol, &pool, why, sizeof(why)), 0);
	assert_int_equal(pool, 1);
	evs_config_free(c);
}

/* Each malformed or dangling value refuses the user with the attribute's name. */
static void attrs_bad_values(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
	    {"ipsec:dns-servers=10.1.1.1 10.1.1.2 10.1.1.3", "ipsec:dns-servers has a value"},
	    {"ipsec:dns-servers=dns.example", "ipsec:dns-servers has a value"},
	    {"ipsec:wins-servers=", "ipsec:wins-servers has a value"},
	    {"ipsec:include-local-lan=maybe", "ipsec:include-local-lan has a value"},
	    {"ipsec:addr-pool=two words", "ipsec:addr-pool has a value"},
	    {"ipsec:banner=line\x01", "ipsec:banner has a value"},
	    {"ipsec:ipsec-backup-gateway=gw.example", "ipsec:ipsec-backup-gateway has a value"},
	};
	struct evs_aaa_attrs a;
	char why[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct evs_aaa_pair p = avp(bad[i].text);
		why[0] = 0;
		if (evs_aaa_attrs_parse(&p, 1, &a, why, sizeof(why)) != -EINVAL)
			fail_msg("%s: taken", bad[i].text);
		if (!strstr(why, bad[i].why))
			fail_msg("%s: got \"%s\"", bad[i].text, why);
	}
	struct evs_aaa_pair z[] = {num(8, 0)}, m[] = {num(9, IP(255, 0, 255, 0))};
	assert_int_equal(evs_aaa_attrs_parse(z, 1, &a, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "Framed-IP-Address is 0.0.0.0"));
	assert_int_equal(evs_aaa_attrs_parse(m, 1, &a, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "Framed-IP-Netmask is not a netmask"));

	struct evs_config *c = parse("aaa authentication login vpn-users group radius\n"
	                             "aaa authorization network quizware group radius\n"
	                             "radius-server host 127.0.0.1 key k\n");
	struct evc_policy pol;
	int pool = 0;
	struct evs_aaa_pair np = avp("ipsec:addr-pool=nosuch");
	assert_int_equal(evs_aaa_attrs_parse(&np, 1, &a, why, sizeof(why)), 0);
	evs_config_group_policy(c, 0, &pol);
	assert_int_equal(evs_aaa_attrs_apply(&a, c, &pol, &pool, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "pool nosuch (ipsec:addr-pool)"));
	struct evs_aaa_pair na = avp("ipsec:inacl=199");
	assert_int_equal(evs_aaa_attrs_parse(&na, 1, &a, why, sizeof(why)), 0);
	assert_int_equal(evs_aaa_attrs_apply(&a, c, &pol, &pool, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "access list 199 (ipsec:inacl)"));
	evs_config_free(c);
}

/* ---- part "freeradius": a real server on loopback ---- */

/* per process, so that two runs at once do not collide */
#define FR_PORT ((uint16_t)(20000 + getpid() % 20000))

static pid_t fr_pid;
static char fr_dir[64];
static int silent_fd = -1; /* a UDP port that takes requests and never answers */
static uint16_t silent_port;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* FreeRADIUS's -X output up to "Ready to process requests", at most 20 s. */
static bool wait_ready(int fd)
{
	char buf[8192];
	size_t n = 0;
	uint64_t end = now_ms() + 20000;
	while (now_ms() < end) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			return false;
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0)
			return false;
		n += (size_t)r;
		buf[n] = 0;
		if (strstr(buf, "Ready to process requests"))
			return true;
		if (n > sizeof(buf) / 2) { /* keep the tail */
			memmove(buf, buf + n - 64, 64);
			n = 64;
		}
	}
	return false;
}

static int fr_start(void **state)
{
	(void)state;
	char conf[3072], users[512], longpw[EVS_AAA_PASSWORD_MAX + 1];
	int pipefd[2];
	memset(longpw, 'p', EVS_AAA_PASSWORD_MAX);
	longpw[EVS_AAA_PASSWORD_MAX] = '\0';
	snprintf(users, sizeof(users),
	         "long Cleartext-Password := \"%s\"\n"
	         "alice Cleartext-Password := \"alice-pw\"\n"
	         "\tFramed-IP-Address = 10.98.0.77,\n"
	         "\tCisco-AVPair = \"ipsec:dns-servers=10.99.0.54 10.99.0.55\",\n"
	         "\tCisco-AVPair += \"ipsec:default-domain=radius.example\"\n",
	         longpw);
	snprintf(fr_dir, sizeof(fr_dir), "/tmp/evs-aaa-fr.XXXXXX");
	if (!mkdtemp(fr_dir))
		return -1;
	snprintf(conf, sizeof(conf),
	         "prefix = /usr\nexec_prefix = /usr\nsysconfdir = /etc\nlocalstatedir = /var\n"
	         "sbindir = /usr/sbin\nlogdir = %s\nraddbdir = %s\nradacctdir = %s\n"
	         "name = freeradius\nconfdir = %s\nrun_dir = %s\ndb_dir = %s\n"
	         "libdir = /usr/lib/freeradius\ndictdir = /usr/share/freeradius\n"
	         "pidfile = %s/radiusd.pid\nmax_request_time = 30\ncleanup_delay = 5\n"
	         "max_requests = 1024\nhostname_lookups = no\n"
	         "log {\n destination = stdout\n}\nsecurity {\n allow_core_dumps = no\n}\n"
	         "client lo {\n ipaddr = 127.0.0.1\n secret = s3cret\n}\n"
	         "modules {\n files {\n  filename = %s/users\n }\n pap {\n }\n}\n"
	         /* FreeRADIUS 3.2.1 signs a reply only when told to (no BlastRADIUS fix yet) */
	         "server default {\n listen {\n  type = auth\n  ipaddr = 127.0.0.1\n"
	         "  port = %d\n }\n authorize {\n  files\n  pap\n }\n"
	         " authenticate {\n  Auth-Type PAP {\n   pap\n  }\n }\n"
	         " post-auth {\n  update reply {\n   &Message-Authenticator := 0x00\n  }\n"
	         "  Post-Auth-Type REJECT {\n   update reply {\n"
	         "    &Message-Authenticator := 0x00\n   }\n  }\n }\n}\n"
	         /* and on the next port as it comes: without one */
	         "server unsigned {\n listen {\n  type = auth\n  ipaddr = 127.0.0.1\n"
	         "  port = %d\n }\n authorize {\n  files\n  pap\n }\n"
	         " authenticate {\n  Auth-Type PAP {\n   pap\n  }\n }\n}\n",
	         fr_dir, fr_dir, fr_dir, fr_dir, fr_dir, fr_dir, fr_dir, fr_dir, FR_PORT,
	         FR_PORT + 1);
	if (write_file(fr_dir, "radiusd.conf", conf) || write_file(fr_dir, "users", users))
		return -1;
	if (pipe(pipefd) != 0)
		return -1;
	fr_pid = fork();
	if (fr_pid < 0)
		return -1;
	if (fr_pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execlp("freeradius", "freeradius", "-X", "-d", fr_dir, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	bool ready = wait_ready(pipefd[0]);
	close(pipefd[0]); /* -X keeps writing: it gets EPIPE, which it ignores */
	if (!ready) {
		fprintf(stderr, "freeradius did not come up (config in %s)\n", fr_dir);
		return -1;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(IP(127, 0, 0, 1))};
	socklen_t sl = sizeof(sa);
	silent_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (silent_fd < 0 || bind(silent_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(silent_fd, (struct sockaddr *)&sa, &sl) != 0)
		return -1;
	silent_port = ntohs(sa.sin_port);
	return 0;
}

static int fr_stop(void **state)
{
	(void)state;
	char cmd[128];
	if (fr_pid > 0) {
		kill(fr_pid, SIGTERM);
		waitpid(fr_pid, NULL, 0);
	}
	if (silent_fd >= 0)
		close(silent_fd);
	if (fr_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fr_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", fr_dir);
	}
	return 0;
}

static struct evs_radius_server server(uint16_t port, const char *key, unsigned timeout,
                                       unsigned retries)
{
	struct evs_radius_server s = {.addr = IP(127, 0, 0, 1), .port = port};
	snprintf(s.key, sizeof(s.key), "%s", key);
	s.timeout_s = timeout;
	s.retries = retries;
	return s;
}

static struct evs_aaa_req request(const char *user, const char *pw)
{
	struct evs_aaa_req q = {
	    .ticket = 7, .nas_addr = IP(127, 0, 0, 1), .peer_addr = IP(198, 51, 100, 20)};
	snprintf(q.user, sizeof(q.user), "%s", user);
	snprintf(q.password, sizeof(q.password), "%s", pw);
	return q;
}

static void fr_accept_reject_key(void **state)
{
	(void)state;
	struct evs_aaa_result res;
	struct evs_aaa_attrs a;
	char why[256];
	struct evs_aaa_req q = request("alice", "alice-pw");
	q.servers[0] = server(FR_PORT, "s3cret", 2, 1);
	q.n_servers = 1;
	evs_radius_query(&q, &res);
	if (res.outcome != EVS_AAA_ACCEPT)
		fail_msg("%s: %s", evs_aaa_outcome_str(res.outcome), res.why);
	assert_int_equal(res.ticket, 7);
	assert_int_equal(evs_aaa_attrs_parse(res.pairs, res.n_pairs, &a, why, sizeof(why)), 0);
	assert_true(a.have & EVS_ATTR_ADDR);
	assert_int_equal(a.addr, IP(10, 98, 0, 77));
	assert_int_equal(a.n_dns, 2);
	assert_int_equal(a.dns[1], IP(10, 99, 0, 55));
	assert_string_equal(a.domain, "radius.example");

	q = request("alice", "wrong");
	q.servers[0] = server(FR_PORT, "s3cret", 2, 1);
	q.n_servers = 1;
	evs_radius_query(&q, &res);
	assert_int_equal(res.outcome, EVS_AAA_REJECT);
	assert_non_null(strstr(res.why, "rejected the user"));

	/*
	 * A wrong key. The request's Message-Authenticator does not verify with FreeRADIUS's
	 * key, so it drops the request: no answer, which says the key may not match; never a
	 * rejection (radcli 1.2.11, which sent none, took FreeRADIUS's reject of the garbled
	 * password without checking its Response Authenticator).
	 */
	q = request("alice", "alice-pw");
	q.servers[0] = server(FR_PORT, "not-the-key", 1, 0);
	q.n_servers = 1;
	evs_radius_query(&q, &res);
	if (res.outcome != EVS_AAA_NO_ANSWER)
		fail_msg("wrong key: %s: %s", evs_aaa_outcome_str(res.outcome), res.why);
	assert_non_null(strstr(res.why, "the RADIUS key does not match"));

	/* a password of 128 bytes, the most RFC 2865 allows: hidden over 8 blocks */
	q = request("long", "");
	memset(q.password, 'p', EVS_AAA_PASSWORD_MAX);
	q.password[EVS_AAA_PASSWORD_MAX] = '\0';
	q.servers[0] = server(FR_PORT, "s3cret", 2, 0);
	q.n_servers = 1;
	evs_radius_query(&q, &res);
	if (res.outcome != EVS_AAA_ACCEPT)
		fail_msg("128-byte password: %s: %s", evs_aaa_outcome_str(res.outcome), res.why);
}

/* A server that sends no Message-Authenticator: refused, unless the configuration says so. */
static void fr_unsigned_replies(void **state)
{
	(void)state;
	struct evs_aaa_result res;
	struct evs_aaa_req q = request("alice", "alice-pw");
	q.servers[0] = server(FR_PORT + 1, "s3cret", 1, 0);
	q.n_servers = 1;
	evs_radius_query(&q, &res);
	if (res.outcome != EVS_AAA_BAD_ANSWER)
		fail_msg("unsigned: %s: %s", evs_aaa_outcome_str(res.outcome), res.why);
	assert_non_null(strstr(res.why, "0 replies failed the Response Authenticator check, 1 the "
	                                "Message-Authenticator check"));
	q.servers[0].ma_optional = true;
	evs_radius_query(&q, &res);
	if (res.outcome != EVS_AAA_ACCEPT)
		fail_msg("unsigned, optional: %s: %s", evs_aaa_outcome_str(res.outcome), res.why);
	q = request("alice", "wrong");
	q.servers[0] = server(FR_PORT + 1, "s3cret", 1, 0);
	q.servers[0].ma_optional = true;
	q.n_servers = 1;
	evs_radius_query(&q, &res);
	assert_int_equal(res.outcome, EVS_AAA_REJECT);
}

static void fr_silent_then_next(void **state)
{
	(void)state;
	struct evs_aaa_result res;
	struct evs_aaa_req q = request("alice", "alice-pw");
	q.servers[0] = server(silent_port, "s3cret", 1, 0);
	q.n_servers = 1;
	uint64_t t0 = now_ms();
	evs_radius_query(&q, &res);
	assert_int_equal(res.outcome, EVS_AAA_NO_ANSWER);
	assert_non_null(strstr(res.why, "did not answer (1 tries, 1 s each)"));
	assert_true(now_ms() - t0 >= 900);

	/* the next server after a silent one, as IOS does */
	q.servers[1] = server(FR_PORT, "s3cret", 2, 0);
	q.n_servers = 2;
	evs_radius_query(&q, &res);
	assert_int_equal(res.outcome, EVS_AAA_ACCEPT);
}

/* A question to a server that never answers does not hold up one to a live server. */
static void fr_slow_does_not_block(void **state)
{
	(void)state;
	struct evs_radius *r;
	char err[128];
	struct evs_aaa_result res;
	assert_int_equal(evs_radius_new(&r, err, sizeof(err)), 0);
	struct evs_aaa_req slow = request("alice", "alice-pw");
	slow.ticket = 1;
	slow.servers[0] = server(silent_port, "s3cret", 3, 0);
	slow.n_servers = 1;
	struct evs_aaa_req fast = request("alice", "alice-pw");
	fast.ticket = 2;
	fast.servers[0] = server(FR_PORT, "s3cret", 2, 0);
	fast.n_servers = 1;
	uint64_t t0 = now_ms();
	assert_int_equal(evs_radius_ask(r, &slow), 0);
	assert_int_equal(evs_radius_ask(r, &fast), 0);
	uint64_t got[3] = {0};
	for (int seen = 0; seen < 2;) {
		struct pollfd p = {evs_radius_fd(r), POLLIN, 0};
		assert_true(poll(&p, 1, 10000) == 1);
		while (evs_radius_next(r, &res)) {
			assert_true(res.ticket == 1 || res.ticket == 2);
			got[res.ticket] = now_ms() - t0;
			assert_int_equal(res.outcome,
			                 res.ticket == 1 ? EVS_AAA_NO_ANSWER : EVS_AAA_ACCEPT);
			seen++;
		}
	}
	printf("live server answered after %llu ms, the silent one gave up after %llu ms\n",
	       (unsigned long long)got[2], (unsigned long long)got[1]);
	assert_true(got[2] < 1000);
	assert_true(got[1] >= 2900);
	/* freed with a question running: its thread finishes and drops the answer */
	assert_int_equal(evs_radius_ask(r, &slow), 0);
	evs_radius_free(r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest plain[] = {
	    cmocka_unit_test(radius_servers_and_defaults),
	    cmocka_unit_test(attrs_map_as_ios),
	    cmocka_unit_test(attrs_bad_values),
	};
	const struct CMUnitTest live[] = {
	    cmocka_unit_test(fr_accept_reject_key),
	    cmocka_unit_test(fr_unsigned_replies),
	    cmocka_unit_test(fr_silent_then_next),
	    cmocka_unit_test(fr_slow_does_not_block),
	};
	const char *part = unit_part(argc, argv, "freeradius");
	if (!part)
		return unit_result(cmocka_run_group_tests(plain, NULL, NULL));
	if (access("/usr/sbin/freeradius", X_OK) != 0)
		return unit_skip("needs freeradius (Debian package freeradius)");
	signal(SIGPIPE, SIG_IGN);
	return unit_result(cmocka_run_group_tests(live, fr_start, fr_stop));
}
