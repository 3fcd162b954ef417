/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One connection attempt, its system side: the IKE sockets (500, 4500), the raw ESP socket,
 * the TUN device, a timerfd for the engine's timers and NAT keepalives, and the control
 * socket, all in the client's epoll; the journal of host changes; status and teardown.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "client/core/session_int.h"
#include "lib/secret.h"
#include "lib/sock.h"
#include "lib/timer.h"
#include "platform/fwprobe.h"
#include "platform/script.h"
#include "lib/i18n.h"

/* The address the kernel would use towards the gateway. */
static int local_address(uint32_t gw, uint32_t *ip, char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(IKE_PORT)};
	socklen_t len = sizeof(a);
	a.sin_addr.s_addr = htonl(gw);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		int e = errno;
		snprintf(
		    err, errlen,
		    _("step 1 (initiating): no route to the gateway %u.%u.%u.%u: %s; check the "
		      "address and this host's network"),
		    gw >> 24, (gw >> 16) & 255, (gw >> 8) & 255, gw & 255, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	close(fd);
	*ip = ntohl(a.sin_addr.s_addr);
	return 0;
}

/* ---- the descriptors ---- */

static void dp_ike_input(void *ctx, int fd, const uint8_t *msg, size_t len,
                         const struct ike_endpoint *from, const struct ike_endpoint *to)
{
	struct evc_session *s = ctx;
	/* IKE is on 500 with IPsec over UDP: the marker there is vpnc's kind of keepalive */
	if (fd == s->sock_cudp)
		return;
	struct ike_endpoint local = {s->local_ip, to->port ? to->port : IKE_NATT_PORT};
	ike_input(evc_session_sa_for(s, msg, len), mono_ms(), msg, len, from, &local);
}

static void dp_log(void *ctx, enum ike_log_level level, const char *msg)
{
	evc_session_log(ctx, level, "%s", msg);
}

/* The datapath counted a pair's volume lifetime past a mark: the engine rekeys or ends it. */
static void dp_volume(void *ctx, uint32_t spi_in, bool hard)
{
	struct evc_session *s = ctx;
	ike_child_volume(s->sa, mono_ms(), spi_in, hard);
	evc_session_flush(s);
}

static void ike500_input(void *ctx, const uint8_t *msg, size_t len, uint32_t from_addr,
                         uint16_t from_port)
{
	struct evc_session *s = ctx;
	struct ike_endpoint f = {from_addr, from_port};
	struct ike_endpoint to = {s->local_ip, s->set->local_port ? s->set->local_port : IKE_PORT};
	ike_input(evc_session_sa_for(s, msg, len), mono_ms(), msg, len, &f, &to);
}

static void note_traffic(struct evc_session *s)
{
	struct dp_stats st;
	dp_stats(s->dp, &st);
	if (st.tun_tx != s->tun_tx_seen) {
		s->tun_tx_seen = st.tun_tx;
		ike_note_traffic(s->sa, mono_ms());
	}
}

void evc_session_dispatch(struct evc_session *s, uint32_t tag)
{
	if (s->done)
		return;
	switch (tag) {
	case EVC_TAG_IKE:
		sock_recv_ike(s->sock_ike, 32, ike500_input, s);
		break;
	case EVC_TAG_NATT:
		dp_on_udp_readable(s->dp, s->sock_natt);
		note_traffic(s);
		break;
	case EVC_TAG_CUDP:
		dp_on_udp_readable(s->dp, s->sock_cudp);
		note_traffic(s);
		break;
	case EVC_TAG_ESP:
		dp_on_esp_readable(s->dp);
		note_traffic(s);
		break;
	case EVC_TAG_TUN:
		dp_on_tun_readable(s->dp);
		break;
	case EVC_TAG_TIMER: {
		uint64_t exp;
		if (read(s->timer, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
			break;
		uint64_t now = mono_ms();
		if (s->keepalive_at && now >= s->keepalive_at) {
			dp_send_keepalive(s->sock_cudp >= 0 ? s->sock_cudp : s->sock_natt,
			                  &s->natt_peer);
			s->keepalive_at = now + NATT_KEEPALIVE_MS;
		}
		evc_session_tick(s, now);
		break;
	}
	}
}

/* ---- setup and teardown ---- */

/* The host side: a vpnc-script's pre-init, the TUN device, then (client/core/host.h) crash
 * recovery, the resolver file's checks and the journal. */
static int setup_host(struct evc_session *s)
{
	const struct evc_settings *set = s->set;
	int rc;

	/* before the device exists, as vpnc and OpenConnect run it: Debian's script makes
	 * /dev/net/tun and loads the tun module there */
	if (set->script[0] && (rc = plat_script_pre_init(set->script, s->gw_addr, (long)getpid(),
	                                                 s->err, sizeof(s->err))) != 0)
		return rc;
	s->tun = tun_open(set->ifname[0] ? set->ifname : "evc%d", s->ifname);
	if (s->tun < 0) {
		snprintf(s->err, sizeof(s->err), _("cannot create the TUN device: %s%s"),
		         strerror(-s->tun),
		         s->tun == -EPERM || s->tun == -EACCES
		             ? " (evc needs root or CAP_NET_ADMIN)"
		             : "");
		return s->tun;
	}
	return evc_host_open(&s->host, s->hostd, set, s->ifname, s->err, sizeof(s->err));
}

/* The shared sockets, opened by the first session: bound to every local address, so that they
 * outlive a change of the host's address (see struct evc_shared). */
static int open_shared(struct evc_session *s, struct evc_shared *io)
{
	const struct evc_settings *set = s->set;
	uint16_t port = set->local_port ? set->local_port : IKE_PORT;
	int rc;

	if (io->sock_ike < 0) {
		io->sock_ike = sock_udp_bind(0, port, s->err, sizeof(s->err));
		if (io->sock_ike < 0) {
			rc = io->sock_ike;
			io->sock_ike = -1;
			return rc;
		}
	}
	if (set->natt != IKE_NATT_DISABLE && io->sock_natt < 0) {
		io->sock_natt = sock_udp_bind(0, IKE_NATT_PORT, s->err, sizeof(s->err));
		if (io->sock_natt < 0) {
			rc = io->sock_natt;
			io->sock_natt = -1;
			return rc;
		}
	}
	/* with NAT-T forced every SA is ESP in UDP: no raw socket, no CAP_NET_RAW */
	if (set->natt != IKE_NATT_FORCE && io->sock_esp < 0) {
		io->sock_esp = sock_esp_raw(s->err, sizeof(s->err));
		if (io->sock_esp < 0) {
			rc = io->sock_esp;
			io->sock_esp = -1;
			return rc;
		}
	}
	if (!set->no_control && !io->ctl) {
		char path[EVC_CONTROL_PATH_MAX + 16];
		if (set->control_path[0])
			snprintf(path, sizeof(path), "%s", set->control_path);
		else
			snprintf(path, sizeof(path), "/run/evc/%s.sock", s->ifname);
		rc = ctl_srv_new(&io->ctl, path, s->hooks.control, s->hooks.ctx, s->err,
		                 sizeof(s->err));
		if (rc)
			return rc;
	}
	s->sock_ike = io->sock_ike;
	s->sock_natt = io->sock_natt;
	s->sock_esp = io->sock_esp;
	return 0;
}

void evc_shared_close(struct evc_shared *io)
{
	int fds[] = {io->sock_ike, io->sock_natt, io->sock_esp};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	io->sock_ike = io->sock_natt = io->sock_esp = -1;
	ctl_srv_free(io->ctl);
	io->ctl = NULL;
}

/* Sockets, timer, datapath, all registered in the client's epoll. */
static int setup_io(struct evc_session *s, struct evc_shared *io)
{
	int rc = open_shared(s, io);
	if (rc)
		return rc;
	tun_set_txqueuelen(s->ifname, TUN_TXQUEUELEN);
	tun_disable_ipv6(s->ifname);
	s->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->timer < 0) {
		snprintf(s->err, sizeof(s->err), _("cannot create the event loop: %s"),
		         strerror(errno));
		return -errno;
	}
	struct dp_config dc = {
	    .tun_fd = s->tun,
	    .udp_fd = s->sock_natt,
	    .esp_fd = s->sock_esp,
	    .ike_input = dp_ike_input,
	    .log = dp_log,
	    .volume = dp_volume,
	    .soft_permille = 850,
	    .ctx = s,
	};
	s->dp = dp_new(&dc);
	if (!s->dp) {
		snprintf(s->err, sizeof(s->err), _("cannot create the datapath: out of memory"));
		return -ENOMEM;
	}
	/* the shared sockets first, so that teardown knows what to take out of the epoll */
	s->watching = true;
	if (evc_session_watch(s, s->sock_ike, EVC_TAG_IKE) ||
	    (s->sock_natt >= 0 && evc_session_watch(s, s->sock_natt, EVC_TAG_NATT)) ||
	    (s->sock_esp >= 0 && evc_session_watch(s, s->sock_esp, EVC_TAG_ESP)) ||
	    evc_session_watch(s, s->tun, EVC_TAG_TUN) ||
	    evc_session_watch(s, s->timer, EVC_TAG_TIMER)) {
		rc = -errno;
		snprintf(s->err, sizeof(s->err), _("cannot watch the sockets: %s"),
		         strerror(errno));
		return rc;
	}
	return 0;
}

static int setup_engine(struct evc_session *s)
{
	const struct evc_settings *set = s->set;
	/* read at each connection: a renewed certificate is taken by the next one */
	if (set->cert_path[0] &&
	    (x509_cred_load(set->cert_path, set->key_path, &s->cred, s->err, sizeof(s->err)) ||
	     x509_trust_load(set->ca_path, &s->trust, s->err, sizeof(s->err))))
		return -EINVAL;
	/* hybrid: only the CAs, to check the gateway's certificate */
	if (set->hybrid && !set->cert_path[0] &&
	    x509_trust_load(set->ca_path, &s->trust, s->err, sizeof(s->err)))
		return -EINVAL;
	if (s->trust && set->crl_path[0] &&
	    x509_trust_load_crls(s->trust, set->crl_path, s->err, sizeof(s->err)))
		return -EINVAL;
	s->sa = evc_session_new_sa(s, false);
	return s->sa ? 0 : -EINVAL;
}

int evc_session_new(struct evc_session **out, const struct evc_settings *set, uint32_t gw_addr,
                    const char *gw_name, int ep, struct evc_hostd *hostd, struct evc_shared *io,
                    const struct evc_session_hooks *hooks, char *err, size_t errlen)
{
	int rc;
	struct evc_session *s = calloc(1, sizeof(*s));
	*out = NULL;
	err[0] = '\0';
	if (!s) {
		snprintf(err, errlen, _("out of memory"));
		return -ENOMEM;
	}
	/* every descriptor starts as "not ours": teardown after an early failure closes
	 * nothing it did not open (a zeroed field would be fd 0) */
	s->sock_ike = s->sock_natt = s->sock_esp = s->tun = s->timer = s->sock_cudp = -1;
	s->set = set;
	s->hooks = *hooks;
	s->gw_addr = gw_addr;
	snprintf(s->gw_name, sizeof(s->gw_name), "%s", gw_name);
	s->ep = ep;
	s->hostd = hostd;
	rc = local_address(gw_addr, &s->local_ip, s->err, sizeof(s->err));
	if (!rc)
		rc = evc_settings_check_path(set, s->local_ip, s->err, sizeof(s->err));
	if (!rc)
		rc = setup_host(s);
	if (!rc)
		rc = setup_io(s, io);
	if (!rc)
		rc = setup_engine(s);
	if (rc) {
		snprintf(err, errlen, "%s", s->err);
		evc_session_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

const char *evc_session_group(const struct evc_session *s)
{
	return s->sa ? ike_sa_group(s->sa) : "";
}

const char *evc_session_ifname(const struct evc_session *s)
{
	return s->ifname;
}

bool evc_session_done(const struct evc_session *s, int *rc, const char **err)
{
	if (!s->done)
		return false;
	*rc = s->rc;
	*err = s->err;
	return true;
}

void evc_session_status(const struct evc_session *s, struct evc_client_status *st)
{
	st->state = s->connected  ? EVC_STATE_CONNECTED
	            : s->stopping ? EVC_STATE_DISCONNECTING
	                          : EVC_STATE_CONNECTING;
	snprintf(st->ifname, sizeof(st->ifname), "%s", s->ifname);
	if (s->have_policy)
		st->addr = s->policy.addr;
	st->n_sas = (unsigned)dp_child_count(s->dp);
	st->packets_in = s->gone_packets_in;
	st->packets_out = s->gone_packets_out;
	st->bytes_in = s->gone_bytes_in;
	st->bytes_out = s->gone_bytes_out;
	if (s->have_child) {
		st->udp_encap = s->child.udp_encap;
		st->udp_port = s->sock_cudp >= 0 ? s->cudp_port : 0;
		st->spi_in = s->child.spi_in;
		st->spi_out = s->child.spi_out;
	}
	struct ike_child_status cs[EVC_STATUS_MAX_SAS];
	size_t n = s->sa ? ike_sa_child_status(s->sa, mono_ms(), cs, EVC_STATUS_MAX_SAS) : 0;
	for (size_t i = 0; i < n && i < EVC_STATUS_MAX_SAS; i++) {
		struct dp_child_stats ds = {0};
		dp_child_stats(s->dp, cs[i].spi_in, &ds);
		st->packets_in += ds.in.packets;
		st->packets_out += ds.out.packets;
		st->bytes_in += ds.in.bytes;
		st->bytes_out += ds.out.bytes;
		uint64_t used = ds.in.bytes > ds.out.bytes ? ds.in.bytes : ds.out.bytes;
		st->sa[st->n_sa_info++] = (struct evc_sa_info){
		    .spi_in = cs[i].spi_in,
		    .spi_out = cs[i].spi_out,
		    .life_s = cs[i].life_s,
		    .life_kb = cs[i].life_kb,
		    .remaining_s = cs[i].remaining_s,
		    .kb_used = used / 1024,
		    .replaced = cs[i].replaced,
		};
	}
	if (s->connected)
		st->uptime_s = (mono_ms() - s->up_since) / 1000;
}

void evc_session_free(struct evc_session *s)
{
	char e[1024] = "";
	if (!s)
		return;
	if (s->host && evc_host_close(s->host, e, sizeof(e)) != 0)
		evc_session_log(
		    s, IKE_LOG_ERR,
		    _("could not restore all network settings: %s (they are listed in the "
		      "state file and undone on the next start)"),
		    e);
	dp_free(s->dp);
	ike_sa_free(s->sa_next);
	ike_sa_free(s->sa);
	x509_cred_free(s->cred);
	x509_trust_free(s->trust);
	secret_clear(&s->typed_pw);
	mem_wipe(&s->child, sizeof(s->child));
	/* the client's sockets stay open for the next session, unwatched until then */
	int shared[] = {s->sock_ike, s->sock_natt, s->sock_esp};
	for (size_t i = 0; s->watching && i < sizeof(shared) / sizeof(shared[0]); i++)
		if (shared[i] >= 0)
			epoll_ctl(s->ep, EPOLL_CTL_DEL, shared[i], NULL);
	int fds[] = {s->tun, s->timer, s->sock_cudp};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]); /* closing also takes it out of the client's epoll */
	mem_wipe(&s->policy, sizeof(s->policy));
	free(s);
}
