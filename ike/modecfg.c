/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mode-config (draft-dukes-ike-mode-cfg-02 with the Cisco Unity attributes), step 5 of the
 * seed: the client pulls (REQUEST/REPLY) its address and the group policy; a pushed SET is
 * accepted and acknowledged too.
 *
 * Network extension: a hardware client in network-extension mode asks for it in its request
 * (CFG_EVC_NETWORK_EXTENSION, TV 1) and the gateway answers 1 when the group allows it
 * (`nem enable`) or 0, so that a refusal is known with its reason before any quick mode.
 * Cisco's hardware clients signal the mode in a way no public source documents (vpnc,
 * strongSwan, libreswan, ipsec-tools and Wireshark name the Unity attributes 28672-28682
 * and none for this), so the attribute is evc's own, from the private range (16384-32767)
 * outside the Unity block; a gateway that does not know it ignores it (modecfg-02 3.4), and
 * an answer without it leaves the decision to quick mode, as before.
 *
 * Cisco IPsec over UDP (the pre-NAT-T transparent tunnelling of the VPN 3000 and the ASA's
 * `ipsec-udp`): the client asks with an empty UDP_ENCAP_PORT (CFG_UNITY_NATT_PORT, as vpnc's
 * cisco-udp does), the gateway answers the port as a TV attribute (vpnc takes no other form)
 * when the group enables it, and the ESP SAs of that IKE SA then go in UDP between that port on
 * both ends: plain ESP in the datagram as RFC 3948 puts it, IKE stays on port 500 and quick mode
 * still names the tunnel mode (no NAT-T encapsulation mode). Only an asked-for port is used on
 * either side: a pushed SET never carries it, as a client that did not ask would not know.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike/sa_int.h"
#include "lib/ipv4.h"

static const uint16_t requested[] = {
    CFG_INTERNAL_IP4_ADDRESS,
    CFG_INTERNAL_IP4_NETMASK,
    CFG_INTERNAL_IP4_DNS,
    CFG_INTERNAL_IP4_NBNS,
    CFG_UNITY_DEF_DOMAIN,
    CFG_UNITY_SPLIT_INCLUDE,
    CFG_UNITY_SPLIT_DNS,
    CFG_UNITY_LOCAL_LAN,
    CFG_UNITY_BANNER,
    CFG_UNITY_SAVE_PASSWD,
    CFG_UNITY_PFS,
    CFG_UNITY_BACKUP_SERVERS,
};

static bool is_tv_attr(uint16_t t)
{
	return t == CFG_UNITY_SAVE_PASSWD || t == CFG_UNITY_PFS;
}

void modecfg_client_start(struct ike_sa *sa)
{
	uint8_t attrs[512];
	struct wr w = wr_init(attrs, sizeof(attrs));
	for (size_t i = 0; i < sizeof(requested) / sizeof(requested[0]); i++) {
		if (is_tv_attr(requested[i]))
			isakmp_attr_write_tv(&w, requested[i], 0);
		else
			isakmp_attr_write_tlv(&w, requested[i], NULL, 0);
	}
	isakmp_attr_write_tlv(&w, CFG_APPLICATION_VERSION, sa->app_version,
	                      strlen(sa->app_version));
	if (sa->hostname[0])
		isakmp_attr_write_tlv(&w, CFG_UNITY_DDNS_HOSTNAME, sa->hostname,
		                      strlen(sa->hostname));
	if (sa->cfg.n_lan)
		isakmp_attr_write_tv(&w, CFG_EVC_NETWORK_EXTENSION, 1);
	if (sa->cfg.cisco_udp)
		isakmp_attr_write_tlv(&w, CFG_UNITY_NATT_PORT, NULL, 0);
	if (sa->cfg.fw_vendor) {
		/* the host's firewall, for a group with `firewall are-u-there` */
		uint8_t fw[8];
		struct wr fw_w = wr_init(fw, sizeof(fw));
		wr_u32(&fw_w, sa->cfg.fw_vendor);
		wr_u32(&fw_w, sa->cfg.fw_product);
		isakmp_attr_write_tlv(&w, CFG_UNITY_FW_TYPE, fw, sizeof(fw));
	}
	if (sa->state == IKE_S_P1_DONE || sa->state == IKE_S_XAUTH)
		sa_set_state(sa, IKE_S_MODECFG);
	sa->facts |= F_MODECFG_ASKED;
	sa->cfg_msgid = sa_new_msgid(sa);
	sa_rand(sa, &sa->cfg_id, sizeof(sa->cfg_id));
	sa_status(sa, IKE_STEP_MODECFG, "asking the gateway for the group policy");
	txn_send(sa, sa->cfg_msgid, ISAKMP_CFG_REQUEST, sa->cfg_id, attrs, w.len, true, false,
	         IKE_STEP_MODECFG);
}

static bool read_ip(const struct isakmp_attr *a, uint32_t *out)
{
	if (a->tv || a->len != 4)
		return false;
	*out = (uint32_t)a->data[0] << 24 | (uint32_t)a->data[1] << 16 | (uint32_t)a->data[2] << 8 |
	       a->data[3];
	return true;
}

/* Free text for people (banner, backup servers): whatever the gateway sends is shown, made
 * safe to print. */
static bool read_text(const struct isakmp_attr *a, char *out, size_t cap)
{
	if (a->tv)
		return false;
	text_clean(out, cap, a->data, a->len, true);
	return true;
}

static bool read_str(const struct isakmp_attr *a, char *out, size_t cap, bool multiline)
{
	if (a->tv || a->len >= cap)
		return false;
	for (size_t i = 0; i < a->len; i++) {
		uint8_t ch = a->data[i];
		if (ch == 0 && i + 1 == a->len)
			break; /* some servers NUL-terminate */
		if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\r' || ch == '\t'))) ||
		    ch == 0x7f)
			return false;
		out[i] = (char)ch;
		out[i + 1] = '\0';
	}
	if (a->len == 0)
		out[0] = '\0';
	return true;
}

/* Unity ACL entries: 14 bytes (addr, mask, proto, sport, dport); some servers send 8. */
static bool read_nets(const struct isakmp_attr *a, struct evc_net *nets, size_t *n, size_t max)
{
	size_t stride = a->len % 14 == 0 ? 14 : (a->len % 8 == 0 ? 8 : 0);
	if (a->tv || stride == 0)
		return false;
	struct rd r = rd_init(a->data, a->len);
	while (r.left) {
		struct evc_net net;
		if (!rd_u32(&r, &net.addr) || !rd_u32(&r, &net.mask) || !rd_skip(&r, stride - 8))
			return false;
		if (*n < max)
			nets[(*n)++] = net;
	}
	return true;
}

bool modecfg_parse(const uint8_t *attrs, size_t len, struct evc_policy *pol, const char **why)
{
	struct rd r = rd_init(attrs, len);
	struct isakmp_attr a;
	int rc;
	memset(pol, 0, sizeof(*pol));
	while ((rc = isakmp_attr_next(&r, &a)) == 1) {
		if (!a.tv && a.len == 0)
			continue; /* empty values are for requests; tolerate them */
		uint32_t ip;
		switch (a.type) {
		case CFG_INTERNAL_IP4_ADDRESS:
			if (!read_ip(&a, &pol->addr))
				goto bad;
			pol->have |= EVC_HAVE_ADDR;
			break;
		case CFG_INTERNAL_IP4_NETMASK:
			if (!read_ip(&a, &pol->netmask))
				goto bad;
			pol->have |= EVC_HAVE_NETMASK;
			break;
		case CFG_INTERNAL_IP4_DNS:
			if (!read_ip(&a, &ip))
				goto bad;
			if (pol->n_dns < EVC_POLICY_MAX_DNS)
				pol->dns[pol->n_dns++] = ip;
			break;
		case CFG_INTERNAL_IP4_NBNS:
			if (!read_ip(&a, &ip))
				goto bad;
			if (pol->n_wins < EVC_POLICY_MAX_WINS)
				pol->wins[pol->n_wins++] = ip;
			break;
		case CFG_UNITY_DEF_DOMAIN:
			if (!read_str(&a, pol->domain, sizeof(pol->domain), false))
				goto bad;
			pol->have |= EVC_HAVE_DOMAIN;
			break;
		case CFG_UNITY_BANNER:
			if (!read_text(&a, pol->banner, sizeof(pol->banner)))
				goto bad;
			pol->have |= EVC_HAVE_BANNER;
			break;
		case CFG_UNITY_SPLIT_DNS:
			if (!read_str(&a, pol->split_dns, sizeof(pol->split_dns), false))
				goto bad;
			pol->have |= EVC_HAVE_SPLIT_DNS;
			break;
		case CFG_UNITY_BACKUP_SERVERS:
			if (!read_text(&a, pol->backup_servers, sizeof(pol->backup_servers)))
				goto bad;
			pol->have |= EVC_HAVE_BACKUP;
			break;
		case CFG_UNITY_SAVE_PASSWD:
			if (!a.value_ok)
				goto bad;
			pol->save_passwd = a.value != 0;
			pol->have |= EVC_HAVE_SAVE_PASSWD;
			break;
		case CFG_UNITY_PFS:
			if (!a.value_ok)
				goto bad;
			pol->pfs = a.value != 0;
			pol->have |= EVC_HAVE_PFS;
			break;
		case CFG_UNITY_FW_TYPE:
			/* the gateway's "are you there": its value is not looked at */
			pol->have |= EVC_HAVE_FW_TYPE;
			break;
		case CFG_EVC_NETWORK_EXTENSION:
			if (!a.value_ok || a.value > 1)
				goto bad;
			pol->network_extension = a.value == 1;
			pol->have |= EVC_HAVE_NETWORK_EXTENSION;
			break;
		case CFG_UNITY_NATT_PORT:
			/* TV as vpnc takes it; 0 is "not enabled" (vpnc then sends ESP as usual) */
			if (!a.value_ok || a.value > 65535 || a.value == IKE_PORT ||
			    a.value == IKE_NATT_PORT)
				goto bad;
			pol->udp_encap_port = (uint16_t)a.value;
			pol->have |= EVC_HAVE_UDP_ENCAP_PORT;
			break;
		case CFG_UNITY_SPLIT_INCLUDE:
			if (!read_nets(&a, pol->split_include, &pol->n_split_include,
			               EVC_POLICY_MAX_NETS))
				goto bad;
			break;
		case CFG_UNITY_LOCAL_LAN:
			if (!read_nets(&a, pol->local_lan, &pol->n_local_lan, EVC_POLICY_MAX_NETS))
				goto bad;
			break;
		default:
			break; /* unknown private attributes are ignored (modecfg-02 3.4) */
		}
		continue;
	bad:
		*why = isakmp_cfg_attr_name(a.type);
		return false;
	}
	if (rc < 0) {
		*why = "attribute list";
		return false;
	}
	return true;
}

static void took_policy(struct ike_sa *sa)
{
	char a[20], m[20];
	sa->facts |= F_MODECFG_DONE;
	ipv4_str(sa->policy.addr, a, sizeof(a));
	ipv4_str((sa->policy.have & EVC_HAVE_NETMASK) ? sa->policy.netmask : 0xffffffffu, m,
	         sizeof(m));
	if (sa->policy.have & EVC_HAVE_BANNER) {
		struct ike_act_node *n = sa_push(sa, IKE_ACT_BANNER);
		if (n && sa_own(n, sa->policy.banner, strlen(sa->policy.banner), false))
			n->act.u.text = (const char *)n->buf;
	}
	struct ike_act_node *n = sa_push(sa, IKE_ACT_POLICY);
	if (n)
		n->act.u.policy = &sa->policy;
	sa_status(sa, IKE_STEP_MODECFG,
	          "address %s netmask %s, %zu DNS server(s), %zu split-tunnel network(s)%s%s", a, m,
	          sa->policy.n_dns, sa->policy.n_split_include,
	          (sa->policy.have & EVC_HAVE_DOMAIN) ? ", domain " : "",
	          (sa->policy.have & EVC_HAVE_DOMAIN) ? sa->policy.domain : "");
}

/* An IPsec over UDP port counts only as the answer to our own request for it. */
static void client_udp_port(struct ike_sa *sa, struct evc_policy *pol, bool reply)
{
	bool got = (pol->have & EVC_HAVE_UDP_ENCAP_PORT) && pol->udp_encap_port;
	if (!sa->cfg.cisco_udp || !reply || !got) {
		if (sa->cfg.cisco_udp)
			sa_log(sa, IKE_LOG_WARN,
			       "asked for Cisco IPsec over UDP and the gateway gave no port (group "
			       "%s has it off, or pushed its policy): ESP goes as IP protocol 50",
			       sa->group);
		pol->have &= ~(uint32_t)EVC_HAVE_UDP_ENCAP_PORT;
		pol->udp_encap_port = 0;
		return;
	}
	sa_log(sa, IKE_LOG_INFO, "Cisco IPsec over UDP: ESP goes in UDP port %u",
	       pol->udp_encap_port);
}

enum ike_verdict modecfg_client_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                      const struct isakmp_cfg *cfg)
{
	const char *why = NULL;
	struct evc_policy pol;
	if (sa->facts & F_MODECFG_DONE)
		return IKE_V_DROP;
	if ((sa->facts & F_NEED_XAUTH) && !(sa->facts & F_XAUTH_DONE))
		return sa_drop(sa, "dropped mode-config message before XAUTH completed");
	if (!modecfg_parse(cfg->attrs, cfg->attrs_len, &pol, &why)) {
		sa_fail(sa, IKE_STEP_MODECFG, "the gateway sent a malformed %s attribute", why);
		return IKE_V_FATAL;
	}
	if ((pol.have & EVC_HAVE_FW_TYPE) && !sa->cfg.fw_vendor) {
		sa_fail(sa, IKE_STEP_MODECFG,
		        "the gateway requires a firewall on this host ('firewall are-u-there' in "
		        "group %s) and this host has none to report",
		        sa->group);
		return IKE_V_FATAL;
	}
	if (cfg->type == ISAKMP_CFG_SET) {
		/* push: acknowledge what we took, like the Cisco client */
		if (!txn_send(sa, h->msgid, ISAKMP_CFG_ACK, cfg->id, NULL, 0, false, true,
		              IKE_STEP_MODECFG))
			return IKE_V_FATAL;
		if (sa->state == IKE_S_P1_DONE || sa->state == IKE_S_XAUTH)
			sa_set_state(sa, IKE_S_MODECFG);
	}
	sa_rexmit_stop(sa);
	if (!(pol.have & EVC_HAVE_ADDR)) {
		sa_fail(sa, IKE_STEP_MODECFG,
		        "the gateway assigned no address (check the pool of group %s)", sa->group);
		return IKE_V_FATAL;
	}
	client_udp_port(sa, &pol, cfg->type == ISAKMP_CFG_REPLY);
	sa->policy = pol;
	took_policy(sa);
	return IKE_V_OK;
}

/* ---- server ---- */

static void write_nets(struct wr *w, uint16_t type, const struct evc_net *nets, size_t n)
{
	if (n == 0)
		return;
	wr_u16(w, type);
	wr_u16(w, (uint16_t)(n * 14));
	for (size_t i = 0; i < n; i++) {
		wr_u32(w, nets[i].addr);
		wr_u32(w, nets[i].mask);
		wr_zero(w, 6); /* protocol and ports: zero, as the Cisco client expects */
	}
}

static void write_str(struct wr *w, uint16_t type, const char *s)
{
	isakmp_attr_write_tlv(w, type, s, strlen(s));
}

static void write_one(struct wr *w, const struct evc_policy *pol, uint16_t t)
{
	uint8_t ip[4];
	switch (t) {
	case CFG_INTERNAL_IP4_ADDRESS:
		break; /* always written first */
	case CFG_INTERNAL_IP4_NETMASK:
		if (pol->have & EVC_HAVE_NETMASK) {
			struct wr iw = wr_init(ip, sizeof(ip));
			wr_u32(&iw, pol->netmask);
			isakmp_attr_write_tlv(w, t, ip, 4);
		}
		break;
	case CFG_INTERNAL_IP4_DNS:
	case CFG_INTERNAL_IP4_NBNS: {
		const uint32_t *v = t == CFG_INTERNAL_IP4_DNS ? pol->dns : pol->wins;
		size_t n = t == CFG_INTERNAL_IP4_DNS ? pol->n_dns : pol->n_wins;
		for (size_t i = 0; i < n; i++) {
			struct wr iw = wr_init(ip, sizeof(ip));
			wr_u32(&iw, v[i]);
			isakmp_attr_write_tlv(w, t, ip, 4);
		}
		break;
	}
	case CFG_UNITY_DEF_DOMAIN:
		if (pol->have & EVC_HAVE_DOMAIN)
			write_str(w, t, pol->domain);
		break;
	case CFG_UNITY_BANNER:
		if (pol->have & EVC_HAVE_BANNER)
			write_str(w, t, pol->banner);
		break;
	case CFG_UNITY_SPLIT_DNS:
		if (pol->have & EVC_HAVE_SPLIT_DNS)
			write_str(w, t, pol->split_dns);
		break;
	case CFG_UNITY_BACKUP_SERVERS:
		if (pol->have & EVC_HAVE_BACKUP)
			write_str(w, t, pol->backup_servers);
		break;
	case CFG_UNITY_SAVE_PASSWD:
		if (pol->have & EVC_HAVE_SAVE_PASSWD)
			isakmp_attr_write_tv(w, t, pol->save_passwd ? 1 : 0);
		break;
	case CFG_UNITY_PFS:
		if (pol->have & EVC_HAVE_PFS)
			isakmp_attr_write_tv(w, t, pol->pfs ? 1 : 0);
		break;
	case CFG_EVC_NETWORK_EXTENSION:
		/* asked for: the group's word, yes or no */
		isakmp_attr_write_tv(w, t, pol->network_extension ? 1 : 0);
		break;
	case CFG_UNITY_NATT_PORT:
		if ((pol->have & EVC_HAVE_UDP_ENCAP_PORT) && pol->udp_encap_port)
			isakmp_attr_write_tv(w, t, pol->udp_encap_port);
		break;
	case CFG_UNITY_SPLIT_INCLUDE:
		write_nets(w, t, pol->split_include, pol->n_split_include);
		break;
	case CFG_UNITY_LOCAL_LAN:
		write_nets(w, t, pol->local_lan, pol->n_local_lan);
		break;
	case CFG_APPLICATION_VERSION:
		write_str(w, t, "evs " EVC_VERSION_STRING);
		break;
	default:
		break;
	}
}

/* The gateway's FW_TYPE: "a firewall is required" (a value, as empty ones are requests). */
static void write_fw_required(struct wr *w)
{
	uint8_t v[4];
	struct wr vw = wr_init(v, sizeof(v));
	wr_u32(&vw, 1);
	isakmp_attr_write_tlv(w, CFG_UNITY_FW_TYPE, v, sizeof(v));
}

void modecfg_write(struct wr *w, const struct evc_policy *pol, const uint8_t *req, size_t req_len)
{
	uint8_t ip[4];
	struct wr iw = wr_init(ip, sizeof(ip));
	wr_u32(&iw, pol->addr);
	isakmp_attr_write_tlv(w, CFG_INTERNAL_IP4_ADDRESS, ip, 4);
	/* each requested type once, in the order asked */
	uint16_t seen[64];
	size_t n_seen = 0;
	struct rd r = rd_init(req, req_len);
	struct isakmp_attr a;
	while (isakmp_attr_next(&r, &a) == 1) {
		bool dup = false;
		for (size_t i = 0; i < n_seen; i++)
			dup |= seen[i] == a.type;
		if (dup || n_seen == sizeof(seen) / sizeof(seen[0]))
			continue;
		seen[n_seen++] = a.type;
		write_one(w, pol, a.type);
	}
	/* asked or not: `firewall are-u-there` asks the client for its firewall */
	if (pol->have & EVC_HAVE_FW_TYPE)
		write_fw_required(w);
}

/* The firewall the client reported in its request (Unity FW_TYPE: vendor, product). */
static bool fw_reported(const uint8_t *req, size_t len, uint32_t *vendor, uint32_t *product)
{
	struct rd r = rd_init(req, len);
	struct isakmp_attr a;
	while (isakmp_attr_next(&r, &a) == 1) {
		if (a.type != CFG_UNITY_FW_TYPE || a.len < 8)
			continue;
		struct rd v = rd_init(a.data, a.len);
		return rd_u32(&v, vendor) && rd_u32(&v, product) && *vendor != 0;
	}
	return false;
}

/* `firewall are-u-there` and no firewall reported: the client is told (FW_TYPE) and refused. */
static bool firewall_ok(struct ike_sa *sa, const struct isakmp_hdr *h, const struct isakmp_cfg *cfg)
{
	uint32_t vendor = 0, product = 0;
	if (!(sa->policy.have & EVC_HAVE_FW_TYPE))
		return true;
	if (fw_reported(cfg->attrs, cfg->attrs_len, &vendor, &product)) {
		sa_log(sa, IKE_LOG_INFO,
		       "user %s of group %s reports firewall vendor %u product %u", sa->user,
		       sa->group, vendor, product);
		return true;
	}
	uint8_t attrs[16];
	struct wr w = wr_init(attrs, sizeof(attrs));
	write_fw_required(&w);
	if (txn_send(sa, h->msgid, ISAKMP_CFG_REPLY, cfg->id, attrs, w.len, false, true,
	             IKE_STEP_MODECFG))
		info_send_delete_ike(sa);
	if (sa->state != IKE_S_DEAD)
		sa_fail(
		    sa, IKE_STEP_MODECFG,
		    "user %s of group %s reported no firewall (Unity FW_TYPE): refused, the group "
		    "requires one (firewall are-u-there)",
		    sa->user, sa->group);
	return false;
}

/* The group's IPsec over UDP port stays with the SA only when its client asked for it. */
static void keep_udp_port(struct ike_sa *sa, bool asked)
{
	struct evc_policy *pol = &sa->policy;
	if (!(pol->have & EVC_HAVE_UDP_ENCAP_PORT) || !pol->udp_encap_port)
		return;
	if (asked) {
		sa_log(sa, IKE_LOG_INFO,
		       "user %s of group %s: IPsec over UDP, ESP in UDP port %u (ipsec-udp)",
		       sa->user, sa->group, pol->udp_encap_port);
		return;
	}
	pol->have &= ~(uint32_t)EVC_HAVE_UDP_ENCAP_PORT;
	pol->udp_encap_port = 0;
}

/* The group policy for this user, once per SA; false when the SA failed. */
static bool take_policy(struct ike_sa *sa)
{
	if (sa->facts & F_POLICY_TAKEN)
		return true;
	int rc = sa->cfg.ops->assign_policy(sa->cfg.ops->ctx, sa->group, sa->user, &sa->policy);
	if (rc != 0) {
		info_send_delete_ike(sa);
		sa_fail(sa, IKE_STEP_MODECFG, "no policy for user %s of group %s: %s", sa->user,
		        sa->group,
		        rc == -ENOSPC ? "the address pool is exhausted" : "group not configured");
		return false;
	}
	sa->facts |= F_POLICY_TAKEN;
	return true;
}

void modecfg_server_push(struct ike_sa *sa)
{
	/* every attribute the policy may hold, as if the client had asked for all of them */
	uint8_t req[64], attrs[8192];
	struct wr rw = wr_init(req, sizeof(req));
	for (size_t i = 0; i < sizeof(requested) / sizeof(requested[0]); i++)
		isakmp_attr_write_tlv(&rw, requested[i], NULL, 0);
	if (!take_policy(sa))
		return;
	keep_udp_port(sa, false);
	struct wr w = wr_init(attrs, sizeof(attrs));
	modecfg_write(&w, &sa->policy, req, rw.len);
	if (w.err || rw.err) {
		sa_fail(sa, IKE_STEP_MODECFG, "the group policy does not fit in one message");
		return;
	}
	if (sa->state != IKE_S_MODECFG)
		sa_set_state(sa, IKE_S_MODECFG);
	sa->cfg_msgid = sa_new_msgid(sa);
	sa_rand(sa, &sa->cfg_id, sizeof(sa->cfg_id));
	if (!txn_send(sa, sa->cfg_msgid, ISAKMP_CFG_SET, sa->cfg_id, attrs, w.len, true, false,
	              IKE_STEP_MODECFG))
		return;
	took_policy(sa);
}

enum ike_verdict modecfg_server_ack(struct ike_sa *sa, const struct isakmp_hdr *h)
{
	if (h->msgid != sa->cfg_msgid)
		return IKE_V_DROP;
	sa_rexmit_stop(sa);
	return IKE_V_OK;
}

static bool asks_for(const uint8_t *req, size_t len, uint16_t type)
{
	struct rd r = rd_init(req, len);
	struct isakmp_attr a;
	while (isakmp_attr_next(&r, &a) == 1)
		if (a.type == type)
			return true;
	return false;
}

void modecfg_child_encap(const struct ike_sa *sa, struct ike_child *ch)
{
	const struct evc_policy *pol = &sa->policy;
	if (!(pol->have & EVC_HAVE_UDP_ENCAP_PORT) || !pol->udp_encap_port)
		return;
	if (sa->role == IKE_ROLE_INITIATOR && !sa->cfg.cisco_udp)
		return;
	ch->udp_encap = true;
	ch->local_port = pol->udp_encap_port;
	ch->peer.port = pol->udp_encap_port;
}

enum ike_verdict modecfg_server_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                      const struct isakmp_cfg *cfg)
{
	if ((sa->facts & F_NEED_XAUTH) && !(sa->facts & F_XAUTH_DONE))
		return sa_drop(sa, "dropped mode-config request before XAUTH completed");
	if (sa->state != IKE_S_P1_DONE && sa->state != IKE_S_XAUTH && sa->state != IKE_S_MODECFG)
		return IKE_V_DROP;
	if (sa->cfg.srv_push) {
		sa_log(sa, IKE_LOG_INFO,
		       "ignored a mode-config request: this gateway pushes the "
		       "policy (client configuration address initiate)");
		return IKE_V_DROP;
	}
	sa_rexmit_stop(sa); /* the request also acknowledges our XAUTH SET */
	if (!take_policy(sa) || !firewall_ok(sa, h, cfg))
		return IKE_V_FATAL;
	keep_udp_port(sa, asks_for(cfg->attrs, cfg->attrs_len, CFG_UNITY_NATT_PORT));
	if (asks_for(cfg->attrs, cfg->attrs_len, CFG_EVC_NETWORK_EXTENSION) &&
	    !sa->policy.network_extension)
		sa_log(sa, IKE_LOG_WARN,
		       "user %s of group %s asked for network extension: refused, the group does "
		       "not allow network extension ('nem enable')",
		       sa->user, sa->group);
	uint8_t attrs[8192];
	struct wr w = wr_init(attrs, sizeof(attrs));
	modecfg_write(&w, &sa->policy, cfg->attrs, cfg->attrs_len);
	if (w.err) {
		sa_fail(sa, IKE_STEP_MODECFG, "the group policy does not fit in one message");
		return IKE_V_FATAL;
	}
	if (sa->state != IKE_S_MODECFG)
		sa_set_state(sa, IKE_S_MODECFG);
	if (!txn_send(sa, h->msgid, ISAKMP_CFG_REPLY, cfg->id, attrs, w.len, false, true,
	              IKE_STEP_MODECFG))
		return IKE_V_FATAL;
	if (!(sa->facts & F_MODECFG_DONE))
		took_policy(sa);
	return IKE_V_OK;
}
