/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to config_*.c: the parsed configuration as plain records, and the parser state the
 * command handlers share. Line numbers are kept with every record so that the cross-reference
 * checks, which run after the whole file was read, can name the line at fault.
 */
#ifndef EVC_SERVER_CONFIG_INT_H
#define EVC_SERVER_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/core/config.h"

#define CFG_PASSWORD_MAX 128 /* also the fixed width of the constant-time comparison */
#define CFG_LINE_MAX 4096
#define CFG_NAME_MAX 64 /* group, user, list, pool, map and set names */
#define CFG_MAX_TOKENS 32
#define CFG_POOL_MAX_ADDRS 65536
#define CFG_MAX_SPLIT_DNS 10      /* IOS limit */
#define CFG_MAX_BACKUP 10         /* IOS limit */
#define CFG_IKE_ENCR_DES 1        /* RFC 2409 value, only to report it */
#define CFG_DEFAULT_P1_LIFE 86400 /* IOS defaults */
#define CFG_DEFAULT_P2_LIFE_S 3600
#define CFG_DEFAULT_P2_LIFE_KB 4608000
#define CFG_DEFAULT_XAUTH_TIMEOUT 60

struct cfg_strv {
	char **v;
	size_t n, cap;
};

struct cfg_user {
	char *name;
	uint8_t pw[CFG_PASSWORD_MAX];
	size_t pw_len;
	unsigned line;
};

enum cfg_aaa_kind {
	CFG_AAA_AUTHEN, /* aaa authentication login */
	CFG_AAA_AUTHOR, /* aaa authorization network */
};

enum cfg_aaa_method {
	CFG_M_LOCAL,      /* the `username` database */
	CFG_M_LOCAL_CASE, /* the same, user names case-sensitive */
	CFG_M_RADIUS,     /* `group radius`: every configured RADIUS server in order */
};
#define CFG_AAA_MAX_METHODS 4

struct cfg_aaa_list {
	char *name;
	enum cfg_aaa_kind kind;
	bool local_case;
	enum cfg_aaa_method m[CFG_AAA_MAX_METHODS]; /* tried in this order */
	size_t n_m;
	unsigned line;
};

/* `radius-server host` (name NULL) or a `radius server NAME` block. */
struct cfg_radius {
	char *name;
	bool have_addr;
	uint32_t addr;
	unsigned auth_port;
	char *key; /* NULL: the global `radius-server key`; wiped on free */
	size_t key_len;
	unsigned timeout, retransmit; /* 0 / UINT_MAX: the global value */
	unsigned line;
};

struct cfg_pool {
	char *name;
	uint32_t first, last;
	unsigned line;
};

struct cfg_ace {
	uint32_t seq;
	bool permit;
	struct evc_net src, dst;
	unsigned line;
};

struct cfg_acl {
	char *name; /* the number for numbered lists */
	bool standard;
	struct cfg_ace *v;
	size_t n, cap;
	unsigned line;
};

struct cfg_group {
	char *name;
	unsigned line;
	unsigned max_users, max_logins; /* 0: unlimited */
	char *key;                      /* pre-shared key, wiped on free */
	size_t key_len;
	char *pool;
	unsigned pool_line;
	char *domain;
	uint32_t dns[2], wins[2];
	size_t n_dns, n_wins;
	struct cfg_strv split_dns;
	unsigned split_dns_line;
	char *acl;
	unsigned acl_line;
	uint32_t netmask; /* 0: not configured */
	bool include_local_lan, fw_ayt, save_password, pfs, nem;
	unsigned fw_line; /* firewall are-u-there */
	unsigned pfs_line;
	char *banner;
	struct cfg_strv backup;
	unsigned backup_line;
	struct cfg_strv restrict_ifaces; /* access-restrict: the interfaces it may come through */
	unsigned restrict_line;
	uint16_t udp_port; /* ipsec-udp: Cisco IPsec over UDP on this port; 0: off */
};

/* the ASA's default ipsec-udp-port */
#define EVS_IPSEC_UDP_PORT 10000

struct cfg_ikepol {
	unsigned prio;
	unsigned line;
	uint8_t encr; /* 0: not configured (IOS default des) */
	uint16_t key_bits;
	uint8_t hash;  /* 0: not configured (IOS default sha) */
	uint16_t auth; /* 0: not configured (IOS default rsa-sig) */
	uint8_t group; /* 0: not configured (IOS default 1) */
	uint32_t life; /* 0: not configured (IOS default 86400) */
};

struct cfg_tset {
	char *name;
	unsigned line;
	uint8_t esp;
	uint16_t key_bits;
	uint8_t auth;
};

struct cfg_dmap {
	char *name;
	unsigned seq;
	unsigned line;
	struct cfg_strv tsets;
	unsigned tsets_line;
	uint32_t life_s, life_kb; /* 0: the global value */
	uint8_t pfs_group;
	unsigned pfs_line;
	enum evs_rri rri;
};

struct cfg_cmap_entry {
	unsigned seq;
	char *dyn;
	unsigned line;
};

struct cfg_cmap {
	char *name;
	unsigned line;
	char *authen_list;
	unsigned authen_line;
	char *author_list;
	unsigned author_line;
	bool initiate, respond;
	unsigned address_line;
	struct cfg_cmap_entry *v;
	size_t n, cap;
};

struct cfg_iface {
	char *name;
	unsigned line;
	bool have_addr, shutdown;
	uint32_t addr, mask;
	char *cmap;
	unsigned cmap_line;
};

/* `crypto isakmp key KEY address A [MASK]`: main mode's key for clients from addr/mask. */
struct cfg_peerkey {
	char *key; /* wiped on free */
	size_t key_len;
	uint32_t addr, mask;
	size_t group; /* set by cfg_check_peerkeys: the group with the same key */
	unsigned line;
};

#define CFG_VEC(T)                                                                                 \
	struct {                                                                                   \
		T *v;                                                                              \
		size_t n, cap;                                                                     \
	}

struct evs_config {
	unsigned aaa_new_model_line;
	char *hostname;
	CFG_VEC(struct cfg_user) users;
	CFG_VEC(struct cfg_aaa_list) aaa;
	CFG_VEC(struct cfg_pool) pools;
	CFG_VEC(struct cfg_acl) acls;
	CFG_VEC(struct cfg_group) groups;
	CFG_VEC(struct cfg_ikepol) ikepols;
	CFG_VEC(struct cfg_tset) tsets;
	CFG_VEC(struct cfg_dmap) dmaps;
	CFG_VEC(struct cfg_cmap) cmaps;
	CFG_VEC(struct cfg_iface) ifaces;
	CFG_VEC(struct cfg_radius) radius;
	CFG_VEC(struct cfg_peerkey) peerkeys;
	char *radius_key; /* `radius-server key`; wiped on free */
	size_t radius_key_len;
	unsigned radius_timeout, radius_retransmit; /* 0 / UINT_MAX: IOS's 5 s and 3 */
	bool radius_ma_optional; /* `radius-server message-authenticator optional` */
	unsigned ka_secs, ka_retry;
	bool ka_periodic;
	unsigned xauth_timeout;
	unsigned nat_ka;
	unsigned frag_size; /* `crypto isakmp fragmentation mtu N` (evs's); 0: the engine's */
	bool natt_off;      /* `no crypto ipsec nat-transparency udp-encapsulation` */
	uint32_t ipsec_life_s, ipsec_life_kb;

	/* Derived by cfg_finalize once the checks passed. */
	const struct cfg_cmap *map;        /* the crypto map applied to the interfaces */
	const struct cfg_aaa_list *authen; /* its client authentication list */
	struct ike_p1_prop *p1;
	size_t n_p1;
	struct ike_p2_prop *p2;
	const struct cfg_dmap **p2_entry; /* the dynamic-map entry each p2 came from */
	size_t n_p2;
};

/* Sub-modes, each opened by a global command and holding the indented lines below it. */
enum cfg_mode {
	CFG_MODE_NONE,
	CFG_MODE_GROUP,
	CFG_MODE_ISAKMP,
	CFG_MODE_TSET,
	CFG_MODE_DMAP,
	CFG_MODE_IFACE,
	CFG_MODE_ACL,
	CFG_MODE_RADIUS, /* radius server NAME */
	CFG_MODE_SKIP,   /* below a rejected command: its indented lines are not looked at */
};

struct cfg_parser {
	struct evs_config *cfg;
	const char *name;
	evs_config_report_fn report;
	void *ctx;
	unsigned errors;
	bool oom;

	char **lines; /* every line of the file (for quoting), index = line number - 1 */
	size_t n_lines;
	unsigned lineno; /* the line being parsed */

	enum cfg_mode mode;
	size_t mode_idx; /* index into the vector of the open sub-mode's record */
	unsigned mode_line;
	enum cfg_mode closed_mode; /* the last sub-mode closed by an unindented line */
	unsigned closed_line;

	bool in_banner; /* collecting a multi-line group banner */
	char delim[3];
	size_t banner_group;
	unsigned banner_line;
	char *banner;
	size_t banner_len;

	bool ended; /* `end` seen */
};

/* Tokens of one line: keyword matching is case-insensitive. */
struct cfg_toks {
	char *t[CFG_MAX_TOKENS];
	size_t n;
	const char *raw;  /* the line without its indentation; tokens are cut from a copy */
	const char *base; /* that copy */
};

/* The blanks that separate words; a line break never reaches the parser. */
static inline bool cfg_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* Diagnostics (config_diag.c, which calls no other config_*.c); line 0 gives a file-level
 * message. */
void cfg_error(struct cfg_parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cfg_warn(struct cfg_parser *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Marks an allocation failure (reported once) and returns NULL for chaining. */
void *cfg_nomem(struct cfg_parser *p);

/* Helpers (config_util.c). */
bool cfg_kw(const char *tok, const char *kw);
void *cfg_vec_push(void *vecp, size_t *n, size_t *cap, size_t elem);
#define CFG_PUSH(vec) cfg_vec_push(&(vec).v, &(vec).n, &(vec).cap, sizeof(*(vec).v))
char *cfg_strdup(struct cfg_parser *p, const char *s);
/* Replaces *dst with a copy of s (freeing the old one); false on allocation failure. */
bool cfg_set_str(struct cfg_parser *p, char **dst, const char *s);
bool cfg_strv_push(struct cfg_parser *p, struct cfg_strv *sv, const char *s);
void cfg_strv_free(struct cfg_strv *sv);
bool cfg_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
bool cfg_parse_ipv4(const char *s, uint32_t *addr);
/* A contiguous netmask such as 255.255.255.0. */
bool cfg_parse_netmask(const char *s, uint32_t *mask);
/* An IOS wildcard such as 0.0.0.255 and its netmask; false when not contiguous. */
bool cfg_wildcard_to_mask(uint32_t wildcard, uint32_t *mask);
void cfg_fmt_ipv4(uint32_t a, char out[16]);
/* Reports and returns false when name is too long to be a group, user or list name. */
bool cfg_name_ok(struct cfg_parser *p, const char *what, const char *name);
/* Reports "malformed command; the syntax is 'syntax'". */
void cfg_usage(struct cfg_parser *p, const char *syntax);
/* The text of the line from token i to its end, original spacing kept, trailing blanks cut
 * (for passwords and free text); written to out (size outlen), false when it does not fit. */
bool cfg_rest(const struct cfg_toks *tk, size_t i, char *out, size_t outlen);

/* Address keys (config_peerkey.c). */
void cfg_cmd_isakmp_key(struct cfg_parser *p, const struct cfg_toks *tk);
void cfg_check_peerkeys(struct cfg_parser *p);
void cfg_free_peerkeys(struct evs_config *c);

/* Sub-modes (config_mode.c, which calls no command handler). */
/* An unrecognised global command: "not supported by evs", an "indent it" hint, or unknown. */
void cfg_unknown_global(struct cfg_parser *p, const struct cfg_toks *tk);
void cfg_open_mode(struct cfg_parser *p, enum cfg_mode m, size_t idx);
/* Whether kw is a command of the sub-mode m (for "indent it" hints). */
bool cfg_mode_has(enum cfg_mode m, const char *kw);
const char *cfg_mode_opener(enum cfg_mode m);

/* Command handlers (config_cmd.c, config_crypto.c, config_group.c, config_acl.c). */
void cfg_cmd_global(struct cfg_parser *p, struct cfg_toks *tk);
void cfg_cmd_crypto(struct cfg_parser *p, const struct cfg_toks *tk);
/* `[no] crypto ipsec nat-transparency ...`: tk is the command without its "no" (on false). */
void cfg_cmd_nat_transparency(struct cfg_parser *p, const struct cfg_toks *tk, size_t at, bool on);
void cfg_cmd_isakmp_policy(struct cfg_parser *p, struct cfg_toks *tk);
void cfg_cmd_tset(struct cfg_parser *p, struct cfg_toks *tk);
void cfg_cmd_dmap(struct cfg_parser *p, struct cfg_toks *tk);
void cfg_cmd_iface(struct cfg_parser *p, struct cfg_toks *tk);
void cfg_cmd_group_open(struct cfg_parser *p, const struct cfg_toks *tk);
void cfg_cmd_group(struct cfg_parser *p, struct cfg_toks *tk, const char *raw);
/*
 * IOS delimiter banners: text starts at the delimiter (its first non-blank character, or
 * the two characters "^C" as `show running-config` prints Ctrl-C); the banner ends at the
 * next delimiter, possibly lines later. group SIZE_MAX discards the text.
 */
void cfg_banner_start(struct cfg_parser *p, const char *text, size_t group);
void cfg_banner_line(struct cfg_parser *p, const char *raw);
void cfg_banner_eof(struct cfg_parser *p);
void cfg_cmd_access_list(struct cfg_parser *p, struct cfg_toks *tk);
void cfg_cmd_ip_access_list(struct cfg_parser *p, struct cfg_toks *tk);
void cfg_cmd_acl(struct cfg_parser *p, struct cfg_toks *tk);
/* RADIUS servers (config_radius.c): `radius-server ...`, `radius server NAME` and its lines. */
void cfg_cmd_radius_server(struct cfg_parser *p, const struct cfg_toks *tk);
void cfg_cmd_radius_open(struct cfg_parser *p, const struct cfg_toks *tk);
void cfg_cmd_radius(struct cfg_parser *p, const struct cfg_toks *tk);
void cfg_radius_free(struct evs_config *c);
void cfg_check_radius(struct cfg_parser *p);
/* Whether a list uses a method (config_radius.c). */
bool cfg_aaa_has(const struct cfg_aaa_list *l, enum cfg_aaa_method m);

/* Cross-reference checks and derived data (config_check.c). */
void cfg_check(struct cfg_parser *p);
bool cfg_finalize(struct cfg_parser *p);

/* Lookups (config_util.c). */
struct cfg_group *cfg_find_group(const struct evs_config *c, const char *name);
struct cfg_pool *cfg_find_pool(const struct evs_config *c, const char *name);
struct cfg_acl *cfg_find_acl(const struct evs_config *c, const char *name);
struct cfg_tset *cfg_find_tset(const struct evs_config *c, const char *name);
struct cfg_aaa_list *cfg_find_aaa(const struct evs_config *c, enum cfg_aaa_kind k,
                                  const char *name);
struct cfg_cmap *cfg_find_cmap(const struct evs_config *c, const char *name);
bool cfg_dmap_exists(const struct evs_config *c, const char *name);

#endif
