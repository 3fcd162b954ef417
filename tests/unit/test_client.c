/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * client/core/client: the handle `evc connect`, `evc daemon` and the control socket share.
 * Without privileges: what a client refuses, its status before and after it ran, answers
 * nobody asked for. Part "netns" (a network namespace of its own, so no gateway has a
 * route): an early setup failure fails over to the backup gateway, ends with the last
 * gateway's sentence, and closes no descriptor it did not open. An earlier session started
 * its control socket as fd 0 and closed standard input (and unlinked "") on exactly this path.
 * Part "root" (a TUN device in a namespace of its own): a whole connection to an in-process
 * gateway engine on loopback, with the password asked for by a prompt and answered later,
 * the banner holding back the host configuration until it is accepted, status while
 * connected, and a clean stop; a declined banner disconnects.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "client/core/client.h"
#include "ike/driver.h"
#include "lib/timer.h"
#include "unit_parts.h"

struct seen {
	int failovers, setup_done, steps, logs;
	char why[1024], next[EVC_HOST_MAX];
};

static void on_log(void *ctx, enum ike_log_level lvl, const char *msg)
{
	(void)lvl;
	(void)msg;
	((struct seen *)ctx)->logs++;
}

static void on_step(void *ctx, enum ike_step step, const char *msg)
{
	(void)step;
	(void)msg;
	((struct seen *)ctx)->steps++;
}

static void on_failover(void *ctx, const char *why, const char *next)
{
	struct seen *s = ctx;
	s->failovers++;
	snprintf(s->why, sizeof(s->why), "%s", why);
	snprintf(s->next, sizeof(s->next), "%s", next);
}

static int on_setup_done(void *ctx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	((struct seen *)ctx)->setup_done++;
	return 0;
}

static const struct evc_client_ops ops = {
    .log = on_log,
    .step = on_step,
    .failover = on_failover,
    .setup_done = on_setup_done,
};

static void settings(struct evc_settings *s, const char *const *gateways)
{
	struct evc_overrides o;
	char err[256];
	evc_overrides_init(&o);
	o.gateway = gateways[0];
	o.group = "quizware";
	o.user = "richard";
	assert_int_equal(evc_settings_build(s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	for (size_t i = 1; gateways[i]; i++)
		snprintf(s->gateways[s->n_gateways++], EVC_HOST_MAX, "%s", gateways[i]);
	assert_int_equal(evc_settings_set_secret(s, EVC_SECRET_GROUP_KEY, "group-key"), 0);
	assert_int_equal(evc_settings_set_secret(s, EVC_SECRET_PASSWORD, "password"), 0);
	/* nothing of the host's: a state file and socket under /tmp if it ever got that far */
	snprintf(s->state_path, sizeof(s->state_path), "/tmp/test_client.%d.state", (int)getpid());
	snprintf(s->control_path, sizeof(s->control_path), "/tmp/test_client.%d.sock",
	         (int)getpid());
}

static void test_refuses_incomplete_settings(void **state)
{
	(void)state;
	static const char *const gw[] = {"198.51.100.1", NULL};
	struct evc_settings s;
	char err[256] = "";
	settings(&s, gw);
	secret_clear(&s.group_key);
	assert_null(evc_client_new(&s, &ops, NULL, err, sizeof(err)));
	assert_string_equal(err, "no group key");
	s.n_gateways = 0;
	assert_null(evc_client_new(&s, &ops, NULL, err, sizeof(err)));
	assert_string_equal(err, "no gateway");
	evc_settings_clear(&s);
}

static void test_status_idle_and_stopped(void **state)
{
	(void)state;
	static const char *const gw[] = {"vpn.example.com", "198.51.100.7", NULL};
	struct evc_settings s;
	struct evc_client_status st;
	struct seen seen = {0};
	char err[256], text[2048];
	settings(&s, gw);
	struct evc_client *c = evc_client_new(&s, &ops, &seen, err, sizeof(err));
	assert_non_null(c);
	evc_settings_clear(&s); /* the client keeps its own copy */
	assert_true(evc_client_fd(c) >= 0);
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_IDLE);
	assert_string_equal(st.gateway, "vpn.example.com");
	assert_int_equal(st.gateway_index, 0);
	assert_string_equal(st.group, "quizware");
	assert_string_equal(st.user, "richard");
	assert_int_equal(st.n_sas, 0);
	evc_client_status_text(&st, text, sizeof(text));
	assert_non_null(strstr(text, "state: idle\ngateway: vpn.example.com\ngroup: quizware\n"
	                             "user: richard\ninterface: \naddress: -\nmode: client\n"
	                             "sas: 0\n"));
	assert_null(strstr(text, "last-error"));
	/* nobody asked */
	assert_int_equal(evc_client_answer(c, NULL, "pw"), -EALREADY);
	assert_int_equal(evc_client_answer_banner(c, true), -EALREADY);
	assert_int_equal(evc_client_step(c), -EINVAL); /* not started */
	/* stopped before it started: a clean end, nothing opened */
	evc_client_stop(c);
	assert_int_equal(evc_client_step(c), 0);
	assert_int_equal(evc_client_run(c, -1), 0);
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_DISCONNECTED);
	assert_int_equal(evc_client_start(c), -EALREADY);
	assert_int_equal(seen.setup_done + seen.failovers, 0);
	evc_client_free(c);
	evc_client_free(NULL);
}

static void test_status_text_bounded(void **state)
{
	(void)state;
	struct evc_client_status st = {.state = EVC_STATE_CONNECTED,
	                               .n_sas = 1,
	                               .udp_encap = true,
	                               .gateway_addr = 0xc6336401u,
	                               .addr = 0x0a62000au,
	                               .spi_in = 0x87d14b3au,
	                               .packets_in = 3};
	char text[4096], small[40];
	snprintf(st.last_error, sizeof(st.last_error), "step 4 (XAUTH): rejected");
	size_t n = evc_client_status_text(&st, text, sizeof(text));
	assert_int_equal(n, strlen(text));
	assert_non_null(strstr(text, "state: connected\ngateway: 198.51.100.1\n"));
	assert_non_null(strstr(text, "address: 10.98.0.10\n"));
	assert_non_null(strstr(text, "esp: udp-4500\nspi-in: 87d14b3a\n"));
	assert_non_null(strstr(text, "packets-in: 3\n"));
	assert_non_null(strstr(text, "last-error: step 4 (XAUTH): rejected\n"));
	n = evc_client_status_text(&st, small, sizeof(small));
	assert_int_equal(n, sizeof(small) - 1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* The open descriptors, as a string of their numbers and targets. */
static void fd_table(char *out, size_t cap)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;
	assert_non_null(d);
	out[0] = '\0';
	while ((e = readdir(d))) {
		char path[300], target[256] = "";
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		ssize_t k = readlink(path, target, sizeof(target) - 1);
		target[k > 0 ? k : 0] = '\0';
		n += (size_t)snprintf(out + n, cap - n, "%s->%s ", e->d_name, target);
		assert_true(n < cap);
	}
	closedir(d);
}

static void test_no_route_fails_over_and_closes_only_its_own(void **state)
{
	(void)state;
	static const char *const gw[] = {"203.0.113.1", "203.0.113.2", NULL};
	struct evc_settings s;
	struct evc_client_status st;
	struct seen seen = {0};
	char err[256], before[4096], after[4096];
	int p[2];
	/* standard input is a descriptor the client did not open: make it a real one */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
	settings(&s, gw);
	struct evc_client *c = evc_client_new(&s, &ops, &seen, err, sizeof(err));
	assert_non_null(c);
	evc_settings_clear(&s);
	fd_table(before, sizeof(before));

	assert_int_equal(evc_client_start(c), -ENETUNREACH);
	assert_int_equal(evc_client_step(c), -ENETUNREACH); /* ended: the same result */
	assert_int_equal(evc_client_run(c, -1), -ENETUNREACH);
	assert_int_equal(seen.failovers, 1);
	assert_non_null(strstr(seen.why, "no route to the gateway 203.0.113.1"));
	assert_string_equal(seen.next, "203.0.113.2");
	assert_int_equal(seen.setup_done, 0); /* no session got as far as its sockets */
	assert_int_equal(seen.steps, 0);
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_FAILED);
	assert_int_equal(st.error, -ENETUNREACH);
	assert_int_equal(st.gateway_index, 1);
	assert_string_equal(st.gateway, "203.0.113.2");
	assert_non_null(strstr(st.last_error, "step 1 (initiating): no route to the gateway "
	                                      "203.0.113.2"));

	fd_table(after, sizeof(after));
	assert_string_equal(before, after);
	assert_true(fcntl(STDIN_FILENO, F_GETFD) >= 0);
	assert_int_equal(write(p[1], "x", 1), 1); /* its read end is still open */
	evc_client_free(c);
	close(p[1]);
}

/* ---- part "root": a gateway engine in this process, on 127.0.0.1:500 ---- */

#define GW_IP 0x7f000001u /* the client binds 127.0.0.1:501, the gateway :500 */
#define POOL_ADDR 0x0a62000au

struct gateway {
	int fd;
	struct ike_sa *sa;
	struct ike_server_ops ops;
	struct ike_p1_prop p1[1];
	struct ike_p2_prop p2[1];
	int verifies, closed;
};

static int gw_psk(void *ctx, const char *group, struct secret *psk)
{
	(void)ctx;
	if (strcmp(group, "quizware") != 0)
		return -ENOENT;
	return secret_set(psk, "group-key", strlen("group-key"));
}

static int gw_assign(void *ctx, const char *group, const char *user, struct evc_policy *pol)
{
	(void)ctx;
	(void)group;
	(void)user;
	memset(pol, 0, sizeof(*pol));
	pol->have = EVC_HAVE_ADDR | EVC_HAVE_BANNER;
	pol->addr = POOL_ADDR;
	snprintf(pol->banner, sizeof(pol->banner), "Authorized use only");
	pol->split_include[0] = (struct evc_net){0x0a630000u, 0xffffff00u};
	pol->n_split_include = 1;
	return 0;
}

static void gw_release(void *ctx, const char *group, const char *user, const struct evc_policy *pol)
{
	(void)ctx;
	(void)group;
	(void)user;
	(void)pol;
}

static void gw_send(void *ctx, const uint8_t *msg, size_t len, const struct ike_endpoint *to,
                    uint16_t from_port)
{
	struct gateway *g = ctx;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(to->port)};
	(void)from_port;
	a.sin_addr.s_addr = htonl(to->addr);
	assert_true(sendto(g->fd, msg, len, 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)len);
}

static void gw_verify(void *ctx, const char *group, const char *user, const char *password)
{
	struct gateway *g = ctx;
	(void)group;
	g->verifies++;
	ike_xauth_verdict(g->sa, mono_ms(),
	                  strcmp(user, "richard") == 0 && strcmp(password, "richard-pw") == 0);
}

static void gw_closed(void *ctx, const char *text)
{
	(void)text;
	((struct gateway *)ctx)->closed++;
}

static const struct ike_driver_ops gw_driver = {
    .send = gw_send, .xauth_verify = gw_verify, .closed = gw_closed};

static void gw_open(struct gateway *g)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(IKE_PORT)};
	memset(g, 0, sizeof(*g));
	a.sin_addr.s_addr = htonl(GW_IP);
	g->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(g->fd >= 0);
	assert_int_equal(bind(g->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	g->ops = (struct ike_server_ops){.ctx = g,
	                                 .group_psk = gw_psk,
	                                 .assign_policy = gw_assign,
	                                 .release_policy = gw_release};
	assert_int_equal(ike_default_p1(14, g->p1, 1), 1);
	assert_int_equal(ike_default_p2(0, g->p2, 1), 1);
}

static void gw_close(struct gateway *g)
{
	ike_sa_free(g->sa);
	close(g->fd);
}

/* The gateway's datagrams and timers. */
static void gw_serve(struct gateway *g)
{
	uint8_t buf[65536];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;
	while ((n = recvfrom(g->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl)) > 0) {
		struct ike_endpoint f = {ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)};
		struct ike_endpoint to = {GW_IP, IKE_PORT};
		if (!g->sa) {
			const char *why = NULL;
			struct ike_config cfg = {.role = IKE_ROLE_RESPONDER,
			                         .local = to,
			                         .peer = f,
			                         .srv_p1 = g->p1,
			                         .n_srv_p1 = 1,
			                         .srv_p2 = g->p2,
			                         .n_srv_p2 = 1,
			                         .ops = &g->ops,
			                         .srv_xauth = true,
			                         .natt = IKE_NATT_DISABLE};
			g->sa = ike_sa_new(&cfg, mono_ms(), &why);
			assert_non_null(g->sa);
		}
		ike_input(g->sa, mono_ms(), buf, (size_t)n, &f, &to);
		fl = sizeof(from);
	}
	if (g->sa) {
		ike_tick(g->sa, mono_ms());
		ike_drive(g->sa, &gw_driver, g);
	}
}

struct user {
	struct evc_client *c;
	int prompts, banners, connected;
	bool prompt_retry;
	char ifname[EVC_IFNAME_MAX];
};

static void u_prompt(void *ctx, const struct evc_prompt *p)
{
	struct user *u = ctx;
	u->prompts++;
	u->prompt_retry = p->retry;
	assert_string_equal(p->user, "richard");
}

static void u_banner(void *ctx, const char *text)
{
	struct user *u = ctx;
	u->banners++;
	assert_string_equal(text, "Authorized use only");
}

static void u_connected(void *ctx, const struct evc_policy *pol, const char *ifname)
{
	struct user *u = ctx;
	u->connected++;
	assert_int_equal(pol->addr, POOL_ADDR);
	snprintf(u->ifname, sizeof(u->ifname), "%s", ifname);
}

static const struct evc_client_ops user_ops = {
    .prompt = u_prompt, .banner = u_banner, .connected = u_connected};

/* Runs client and gateway until cond holds (or the client ends), at most 5 s. */
static int run_until(struct evc_client *c, struct gateway *g, bool (*cond)(void *), void *arg)
{
	uint64_t until = mono_ms() + 5000;
	int rc = -EINPROGRESS;
	while (mono_ms() < until && !(cond && cond(arg))) {
		struct pollfd p[2] = {{evc_client_fd(c), POLLIN, 0}, {g->fd, POLLIN, 0}};
		poll(p, 2, 20);
		gw_serve(g);
		rc = evc_client_step(c);
		if (rc != -EINPROGRESS)
			break;
	}
	return rc;
}

static bool prompted(void *arg)
{
	return ((struct user *)arg)->prompts > 0;
}

static bool sa_up(void *arg)
{
	struct evc_client_status st;
	evc_client_status(((struct user *)arg)->c, &st);
	return st.n_sas > 0;
}

static struct evc_client *root_client(struct user *u)
{
	static const char *const gw[] = {"127.0.0.1", NULL};
	struct evc_settings s;
	char err[256];
	settings(&s, gw);
	secret_clear(&s.password); /* asked for by a prompt */
	s.local_port = 501;
	s.natt = IKE_NATT_DISABLE;
	s.dns = PLAT_DNS_OFF;
	s.dh_group = 14;
	s.no_control = true;
	snprintf(s.ifname, sizeof(s.ifname), "evctest%%d");
	u->c = evc_client_new(&s, &user_ops, u, err, sizeof(err));
	evc_settings_clear(&s);
	assert_non_null(u->c);
	assert_int_equal(evc_client_start(u->c), 0);
	return u->c;
}

static void test_prompt_banner_status_stop(void **state)
{
	(void)state;
	struct gateway g;
	struct user u = {0};
	struct evc_client_status st;
	gw_open(&g);
	struct evc_client *c = root_client(&u);

	assert_int_equal(run_until(c, &g, prompted, &u), -EINPROGRESS);
	assert_int_equal(u.prompts, 1);
	assert_false(u.prompt_retry);
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_CONNECTING);
	assert_int_equal(st.step, IKE_STEP_XAUTH);
	/* answered later, from the loop, not from the callback */
	assert_int_equal(evc_client_answer(c, NULL, "richard-pw"), 0);
	assert_int_equal(evc_client_answer(c, NULL, "richard-pw"), -EALREADY);

	assert_int_equal(run_until(c, &g, sa_up, &u), -EINPROGRESS);
	assert_int_equal(g.verifies, 1);
	assert_int_equal(u.banners, 1);
	/* the ESP SA is up, but until the banner is accepted the host is left alone */
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_CONNECTING);
	assert_int_equal(st.n_sas, 1);
	assert_int_equal(u.connected, 0);
	assert_int_equal(evc_client_answer_banner(c, true), 0);
	assert_int_equal(u.connected, 1);
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_CONNECTED);
	assert_int_equal(st.addr, POOL_ADDR);
	assert_int_equal(st.gateway_addr, GW_IP);
	assert_string_equal(st.ifname, u.ifname);
	assert_true(if_nametoindex(u.ifname) > 0);

	evc_client_stop(c);
	assert_int_equal(run_until(c, &g, NULL, NULL), 0);
	gw_serve(&g);
	assert_int_equal(g.closed, 1); /* the gateway got the DELETEs */
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_DISCONNECTED);
	assert_string_equal(st.last_error, "");
	assert_int_equal(if_nametoindex(u.ifname), 0); /* the TUN device is gone */
	evc_client_free(c);
	gw_close(&g);
}

static void test_banner_declined(void **state)
{
	(void)state;
	struct gateway g;
	struct user u = {0};
	struct evc_client_status st;
	gw_open(&g);
	struct evc_client *c = root_client(&u);
	assert_int_equal(run_until(c, &g, prompted, &u), -EINPROGRESS);
	assert_int_equal(evc_client_answer(c, "richard", "richard-pw"), 0);
	assert_int_equal(run_until(c, &g, sa_up, &u), -EINPROGRESS);
	assert_int_equal(evc_client_answer_banner(c, false), 0);
	assert_int_equal(run_until(c, &g, NULL, NULL), -ECANCELED);
	gw_serve(&g);
	assert_int_equal(g.closed, 1);
	assert_int_equal(u.connected, 0);
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_FAILED);
	assert_non_null(strstr(st.last_error, "banner was declined"));
	evc_client_free(c);
	gw_close(&g);
}

static void test_wrong_password_then_give_up(void **state)
{
	(void)state;
	struct gateway g;
	struct user u = {0};
	struct evc_client_status st;
	gw_open(&g);
	struct evc_client *c = root_client(&u);
	assert_int_equal(run_until(c, &g, prompted, &u), -EINPROGRESS);
	assert_int_equal(evc_client_answer(c, NULL, "wrong"), 0);
	u.prompts = 0;
	assert_int_equal(run_until(c, &g, prompted, &u), -EINPROGRESS);
	assert_true(u.prompt_retry); /* the gateway asks again */
	assert_int_equal(evc_client_answer(c, NULL, NULL), 0);
	assert_int_equal(run_until(c, &g, NULL, NULL), -EACCES);
	evc_client_status(c, &st);
	assert_non_null(strstr(st.last_error, "step 4 (XAUTH): the gateway rejected the username "
	                                      "or password of user richard"));
	evc_client_free(c);
	gw_close(&g);
}

/* A namespace whose loopback is up: the gateway engine listens there. */
static int root_netns(void)
{
	struct ifreq ifr = {0};
	int fd;
	if (unshare(CLONE_NEWNET) != 0)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	int rc = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest plain[] = {
	    cmocka_unit_test(test_refuses_incomplete_settings),
	    cmocka_unit_test(test_status_idle_and_stopped),
	    cmocka_unit_test(test_status_text_bounded),
	};
	const struct CMUnitTest netns[] = {
	    cmocka_unit_test(test_no_route_fails_over_and_closes_only_its_own),
	};
	const struct CMUnitTest root[] = {
	    cmocka_unit_test(test_prompt_banner_status_stop),
	    cmocka_unit_test(test_banner_declined),
	    cmocka_unit_test(test_wrong_password_then_give_up),
	};
	const char *part = unit_part(argc, argv, "netns root");
	if (!part)
		return unit_result(cmocka_run_group_tests(plain, NULL, NULL));
	if (strcmp(part, "root") == 0) {
		if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0)
			return unit_skip("needs root and /dev/net/tun");
		/* qemu-user has no NETLINK_NETFILTER, and libnftables exits without it */
		if (getenv("EVC_TEST_EMULATED"))
			return unit_skip(
			    "a whole connection needs nftables' netlink, which qemu-user "
			    "does not emulate");
		if (root_netns() != 0)
			return unit_skip("cannot create a network namespace");
		return unit_result(cmocka_run_group_tests(root, NULL, NULL));
	}
	/* a namespace with only a loopback that is down: every gateway lacks a route */
	if (unshare(CLONE_NEWNET) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
		return unit_skip(
		    "cannot create a network namespace (needs root or user namespaces)");
	return unit_result(cmocka_run_group_tests(netns, NULL, NULL));
}
