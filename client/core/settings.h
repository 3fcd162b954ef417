/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What one evc client connects with: a profile's keys under the command line's (or a control
 * client's) overrides, over evc's defaults, resolved once into a flat struct evc_settings
 * that owns all of its text and its two secrets. evc connect, evc daemon and the control
 * socket all build their settings here, so precedence and the error sentences are the same
 * everywhere.
 */
#ifndef EVC_CLIENT_SETTINGS_H
#define EVC_CLIENT_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "lib/secret.h"
#include "platform/apply.h"
#include "profiles/profile.h"

#define EVC_MAX_GATEWAYS (1 + 2 * PROF_MAX_BACKUPS) /* gateway, own and pushed backups */
#define EVC_HOST_MAX 256                            /* a DNS name or dotted quad, with its NUL */
#define EVC_NAME_MAX 128                            /* group and user names */
#define EVC_PATH_MAX 256
#define EVC_CONTROL_PATH_MAX 108 /* sizeof(sun_path) */
#define EVC_IFNAME_MAX 16        /* IFNAMSIZ */
#define EVC_MAX_P1 64
#define EVC_MAX_P2 32

enum evc_mode {
	EVC_MODE_CLIENT,            /* the host itself, with the one assigned address */
	EVC_MODE_NETWORK_EXTENSION, /* the LANs behind this host, by their own addresses */
};

struct evc_settings {
	char gateways[EVC_MAX_GATEWAYS][EVC_HOST_MAX]; /* tried in this order */
	size_t n_gateways;
	char group[EVC_NAME_MAX];
	char user[EVC_NAME_MAX]; /* "": the caller asks before connecting */
	/* NUL-terminated text in wiped memory (len counts the NUL); empty until the caller sets
	 * them (evc_settings_set_secret). A missing password is asked for by a prompt event. */
	struct secret group_key;
	struct secret password;
	/* main mode with RSA signatures (--cert, --key, --ca-file, or a profile's certificate):
	 * the files, read at each connection; no group key then, the gateway takes the group
	 * from the certificate's OU. cert_path "": aggressive mode with the group key. */
	char cert_path[EVC_PATH_MAX], key_path[EVC_PATH_MAX], ca_path[EVC_PATH_MAX];
	/* --crl-file: PEM CRLs every CA of the gateway's chain is checked against ("": none) */
	char crl_path[EVC_PATH_MAX];
	/* hybrid (--ca-file without --cert and --key, or auth = hybrid): ca_path checks the
	 * gateway's certificate, XAUTH authenticates us; the group is named, the group key is
	 * optional (only its hash is sent, for Cisco's mutual group authentication) */
	bool hybrid;
	uint16_t local_port; /* 0: 500 */
	unsigned dh_group;   /* 0: automatic (14, 2, 5, 15, 16, 19, 20 when refused or silent) */
	unsigned prop_flags; /* IKE_PROP_WEAK: --weak (single DES, MD5, DH group 1 too) */
	unsigned pfs_group;  /* propose PFS with this group (0: when the gateway asks) */
	struct ike_p1_prop p1[EVC_MAX_P1];
	size_t n_p1; /* 0: every supported permutation */
	struct ike_p2_prop p2[EVC_MAX_P2];
	size_t n_p2; /* 0: every supported ESP transform */
	/* --exchange main: main mode with the group key instead of aggressive mode, for a
	 * gateway that refuses aggressive mode and keys its clients by address (ike_config) */
	bool psk_main;
	enum ike_natt_mode natt;
	bool cisco_udp; /* --natt cisco-udp: ask for Cisco IPsec over UDP (ike_config) */
	enum evc_mode mode;
	/* the networks behind this host, no two overlapping, none holding a gateway's address:
	 * network extension, one ESP SA pair each; client mode, translated to the assigned
	 * address (PAT) */
	struct evc_net lan[IKE_MAX_LAN];
	size_t n_lan;
	unsigned dpd_idle_s;
	unsigned frag_size; /* IKE fragments at most this many bytes (0: the engine's 1252) */
	char ifname[EVC_IFNAME_MAX]; /* TUN name or pattern; "": "evc%d" */
	unsigned mtu;                /* 0: platform default */
	enum plat_dns_mode dns;
	char script[EVC_PATH_MAX];               /* "": none; else a vpnc-script does the host */
	char resolv_conf[EVC_PATH_MAX];          /* "": /etc/resolv.conf */
	char state_path[EVC_PATH_MAX];           /* "": /run/evc/<ifname>.state */
	char control_path[EVC_CONTROL_PATH_MAX]; /* "": /run/evc/<ifname>.sock */
	bool no_control;                         /* the embedder serves its own socket */
	unsigned retransmit_ms;                  /* 0: the engine's default */
	/*
	 * --run-as: root's evc runs as this user once the TUN device and the sockets are open,
	 * and a helper process that stays root (client/core/host.h) keeps the journal and the
	 * resolver file. run_as_user "": none.
	 */
	char run_as_user[EVC_NAME_MAX];
	unsigned run_as_uid, run_as_gid;
	/*
	 * Once the tunnel has been up, a tunnel that goes down by itself (the gateway dead, its
	 * DELETE, the host's path to it changed) is set up again with back-off; false: the
	 * client ends (--no-reconnect).
	 */
	bool reconnect;
	/*
	 * evc daemon: gateways that do not answer are retried also before the first tunnel, and
	 * `disconnect` on the control socket only takes the tunnel down (`connect` brings it
	 * back); the client ends only by evc_client_stop.
	 */
	bool daemon;
};

/*
 * Overrides as a command line gives them: NULL or -1 leaves the profile's value, or the
 * default. The strings are borrowed until evc_settings_build returns.
 */
struct evc_overrides {
	const char *gateway, *group, *user, *ifname, *resolv_conf, *state_path, *control_path;
	const char *run_as;               /* a user name or uid */
	const char *cert, *key, *ca_file; /* file paths, never the keys themselves */
	const char *crl_file;
	long dh, dpd, mtu, local_port, frag_size;
	int natt, dns;
	int reconnect; /* 0: --no-reconnect */
	int weak;      /* 1: --weak */
	int mode;      /* enum evc_mode */
	int exchange;  /* --exchange: 1 main (with the group key), 0 aggressive */
	/* --lan, repeatable: replaces the profile's networks */
	struct evc_net lan[IKE_MAX_LAN];
	size_t n_lan;
	/* --script: a vpnc-script instead of evc's own host configuration */
	const char *script;
};

void evc_overrides_init(struct evc_overrides *o);

/*
 * One override by its option name ("gateway", "dh", "natt", "dpd", "ifname", "mtu", "dns",
 * "resolv-conf", "state-file", "local-port", "ike-frag-size", "control", "group", "user",
 * "run-as", "cert",
 * "key", "ca-file",
 * "reconnect" or "weak" with yes or no, "mode" with client or network-extension, "lan" with
 * a network a.b.c.d/len, each one added to the others) and its text.
 * 0; -ENOENT when name is not one of them; -EINVAL with err saying which values are
 * allowed, e.g. "--dh 7: evc supports DH groups 2, 5, 14, 15 and 16".
 */
int evc_overrides_set(struct evc_overrides *o, const char *name, const char *value, char *err,
                      size_t errlen);

/* Something worth telling the user that is not an error (a profile key evc ignores). */
typedef void (*evc_note_fn)(void *ctx, const char *msg);

/*
 * Fills out from prof (NULL: none) under o, over the defaults. The gateway given in o
 * replaces the profile's and its backups. 0, or a negative errno with err naming what is
 * wrong (a certificate without its key or CA file, no gateway, a name too long, a --run-as user
 * that does not exist or is root, network-extension mode without a LAN, LANs that overlap or hold a
 * gateway's address, ...).
 * out holds no secrets afterwards; on failure it is cleared.
 */
int evc_settings_build(struct evc_settings *out, const struct evc_profile *prof,
                       const struct evc_overrides *o, evc_note_fn note, void *ctx, char *err,
                       size_t errlen);

/*
 * Network extension, once the gateway's policy and address are known: no LAN may overlap a
 * network the gateway pushes (split include), the address it assigned, or the gateway
 * (gw, host order; a name in the settings is only resolved by then). 0, or -EINVAL with err
 * naming the LAN and what it overlaps. In client mode the LANs are those translated (PAT).
 * -EPERM in network-extension mode when the gateway answered that the group does not allow
 * it (err says so; retrying does not help, a person must change the mode or the gateway).
 */
int evc_settings_check_policy(const struct evc_settings *s, const struct evc_policy *pol,
                              uint32_t gw, char *err, size_t errlen);

/* The LANs against this host's own address towards the gateway (local, host order): a LAN
 * holding it would have the gateway route the tunnel's own packets for this host into the
 * tunnel. Checked before anything is sent or set up. 0, or -EINVAL with err naming both. */
int evc_settings_check_path(const struct evc_settings *s, uint32_t local, char *err, size_t errlen);

enum evc_secret_kind {
	EVC_SECRET_GROUP_KEY,
	EVC_SECRET_PASSWORD,
};

/* Copies text into the secret of that kind (replacing and wiping any earlier one). */
int evc_settings_set_secret(struct evc_settings *s, enum evc_secret_kind kind, const char *text);
/*
 * The secret of that kind from the profile's store (keyring or root-only file); -EAGAIN when
 * the profile says to ask, 0 when found, another negative errno with err otherwise.
 */
int evc_settings_fetch_secret(struct evc_settings *s, const struct evc_profile *prof,
                              enum evc_secret_kind kind, char *err, size_t errlen);

/* A deep copy (secrets too); 0 or -ENOMEM (dst is then cleared). */
int evc_settings_copy(struct evc_settings *dst, const struct evc_settings *src);
/* Wipes and frees the secrets; the rest stays readable. */
void evc_settings_clear(struct evc_settings *s);

#endif
