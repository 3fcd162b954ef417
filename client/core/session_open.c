/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a session opens while it runs, for session.c (the protocol side) and session_io.c (the
 * descriptors) alike: a descriptor watched in its epoll, an IKE SA from its settings (the
 * first, and each phase-1 rekey), the socket of Cisco IPsec over UDP when a child asks for it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "client/core/session_int.h"
#include "lib/i18n.h"
#include "lib/sock.h"
#include "lib/timer.h"
#include "platform/fwprobe.h"

int evc_session_watch(struct evc_session *s, int fd, enum evc_tag tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};
	return epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
}

int evc_session_cudp(struct evc_session *s, uint16_t port, char *err, size_t errlen)
{
	if (s->sock_cudp >= 0) {
		if (s->cudp_port == port)
			return s->sock_cudp;
		snprintf(err, errlen, _("the gateway moved IPsec over UDP from port %u to %u"),
		         s->cudp_port, port);
		return -EINVAL;
	}
	int fd = sock_udp_bind(0, port, err, errlen);
	if (fd < 0)
		return fd;
	if (evc_session_watch(s, fd, EVC_TAG_CUDP)) {
		int e = errno;
		snprintf(err, errlen, _("cannot watch UDP port %u: %s"), port, strerror(e));
		close(fd);
		return -e;
	}
	s->sock_cudp = fd;
	s->cudp_port = port;
	return fd;
}

struct ike_sa *evc_session_new_sa(struct evc_session *s, bool p1_rekey)
{
	const struct evc_settings *set = s->set;
	const char *why = NULL;
	struct ike_config ic = {
	    .role = IKE_ROLE_INITIATOR,
	    .local = {s->local_ip, set->local_port ? set->local_port : IKE_PORT},
	    .peer = {s->gw_addr, IKE_PORT},
	    .group = set->group,
	    .psk = set->group_key.p,
	    .psk_len = set->group_key.len,
	    .username = set->user[0] ? set->user : NULL,
	    .psk_main = set->psk_main,
	    .hybrid = set->hybrid,
	    .dh_group = set->dh_group,
	    .prop_flags = set->prop_flags,
	    .pfs_group = set->pfs_group,
	    .p1 = set->n_p1 ? set->p1 : NULL,
	    .n_p1 = set->n_p1,
	    .p2 = set->n_p2 ? set->p2 : NULL,
	    .n_p2 = set->n_p2,
	    .natt = set->natt,
	    .cisco_udp = set->cisco_udp,
	    .dpd_idle_s = set->dpd_idle_s,
	    .frag_size = set->frag_size,
	    .retransmit_ms = set->retransmit_ms,
	    .n_lan = set->mode == EVC_MODE_NETWORK_EXTENSION ? set->n_lan : 0,
	    .p1_rekey = p1_rekey,
	    .cert = s->cred,
	    .trust = s->trust,
	    .peer_name = s->gw_name,
	    .wall_s = (int64_t)time(NULL),
	};
	memcpy(ic.lan, set->lan, sizeof(ic.lan));
	/* for a gateway's `firewall are-u-there`: read at each connection */
	struct plat_fw fw;
	char fw_err[160];
	if (plat_fw_probe(&fw, fw_err, sizeof(fw_err)) == 0 && fw.found) {
		ic.fw_vendor = IKE_FW_VENDOR_NFTABLES;
		ic.fw_product = 1;
	}
	struct ike_p1_prop chosen;
	int64_t left;
	/* the group the gateway took last time: no fallback to search for it again */
	if (p1_rekey && s->sa && ike_sa_p1_chosen(s->sa, mono_ms(), &chosen, &left))
		ic.dh_group = chosen.group;
	struct ike_sa *sa = ike_sa_new(&ic, mono_ms(), &why);
	if (!sa)
		snprintf(s->err, sizeof(s->err), _("cannot start: %s"), why);
	return sa;
}
