/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc, the command line: reads the options and the secrets (from a prompt or from files,
 * never from argv), prints each step as it happens, and runs one session until Ctrl-C or
 * SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "client/core/printable.h"
#include "client/core/session.h"
#include "client/profile_cmd.h"
#include "platform/privs.h"
#include "profiles/secrets.h"
#include "tun/control.h"
#include "ike/crypto.h"
#include "ike/secret.h"

#define SECRET_MAX 1024

struct cli {
	int verbose;
	bool quiet;
	bool backup_left;  /* another gateway may need new sockets */
	FILE *stdin_lines; /* shared when both secrets come from "-" */
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: evc connect --group NAME | --profile NAME [options]\n"
	    "       evc connect --gateway HOST --group NAME [options]\n"
	    "       evc status | disconnect [--ifname NAME | --control SOCKET]\n"
	    "       evc profile import FILE [--name NAME] [--replace]\n"
	    "       evc profile list | show NAME [--show-secrets] | remove NAME | export NAME\n"
	    "       evc proposals [--dh N]\n"
	    "       evc version\n"
	    "\n"
	    "connect options (given on the command line, they override the profile's):\n"
	    "  --profile NAME         use the profile NAME (evc profile list)\n"
	    "  --group NAME           alone: use the profile whose group is NAME;\n"
	    "                         with --gateway: the group name (sent as ID_KEY_ID)\n"
	    "  --gateway HOST         the EasyVPN server (name or IPv4 address)\n"
	    "  --user NAME            the XAUTH username (asked for when missing)\n"
	    "  --group-key-file FILE  read the group key from FILE (- for standard input);\n"
	    "                         without it the profile's secret, else a prompt\n"
	    "  --password-file FILE   read the XAUTH password from FILE (- for standard input)\n"
	    "  --dh N                 pin the phase-1 DH group: 2, 5, 14, 15 or 16 (default: 14,\n"
	    "                         then 2 and 5 when the gateway refuses)\n"
	    "  --natt MODE            auto (default), force or off\n"
	    "  --dpd SECONDS          dead peer detection after SECONDS idle (default 30, 0 off)\n"
	    "  --ifname NAME          TUN device name (default evc0, evc1, ...)\n"
	    "  --mtu N                TUN MTU (default 1400)\n"
	    "  --dns MODE             resolv-conf (default), replace-symlink or off\n"
	    "  --resolv-conf FILE     the resolver file to rewrite (default /etc/resolv.conf)\n"
	    "  --state-file FILE      journal of host changes (default /run/evc/IFNAME.state)\n"
	    "  --control SOCKET       control socket (default /run/evc/IFNAME.sock)\n"
	    "  --local-port N         local IKE port (default 500)\n"
	    "  --profile-dir DIR      profiles in DIR instead of ~/.config/evc and /etc/evc\n"
	    "  -v, --verbose          more detail (twice: protocol debugging)\n"
	    "  -q, --quiet            only errors\n"
	    "profile options: --system (/etc/evc, secrets in root-only files) or\n"
	    "  --profile-dir DIR (secrets in DIR/secrets); default ~/.config/evc with the keyring\n"
	    "Secrets are never taken from the command line.\n");
}

static const char *step_label(enum ike_step st)
{
	static const char *const labels[] = {
	    [IKE_STEP_INIT] = "1/7",  [IKE_STEP_PROPOSALS] = "2/7",  [IKE_STEP_PHASE1] = "3/7",
	    [IKE_STEP_XAUTH] = "4/7", [IKE_STEP_MODECFG] = "5/7",    [IKE_STEP_RRI] = "6/7",
	    [IKE_STEP_QUICK] = "7/7", [IKE_STEP_ESTABLISHED] = "up", [IKE_STEP_TEARDOWN] = "down",
	};
	if ((size_t)st < sizeof(labels) / sizeof(labels[0]) && labels[st])
		return labels[st];
	return "?";
}

static void cb_log(void *ctx, enum ike_log_level lvl, const char *msg)
{
	struct cli *c = ctx;
	int show = c->quiet ? IKE_LOG_ERR : IKE_LOG_WARN + c->verbose;
	if ((int)lvl > show)
		return;
	fprintf(stderr, "evc: %s",
	        lvl == IKE_LOG_ERR    ? "error: "
	        : lvl == IKE_LOG_WARN ? "warning: "
	                              : "");
	evc_fput_printable(stderr, msg, false); /* may quote the gateway */
	fputc('\n', stderr);
}

static void cb_status(void *ctx, enum ike_step st, const char *msg)
{
	struct cli *c = ctx;
	if (!c->quiet) {
		printf("[%s] ", step_label(st));
		evc_fput_printable(stdout, msg, false);
		putchar('\n');
		fflush(stdout);
	}
}

static void cb_banner(void *ctx, const char *text)
{
	struct cli *c = ctx;
	if (c->quiet)
		return;
	printf("---- message from the gateway ----\n");
	evc_fput_printable(stdout, text, true);
	printf("\n----------------------------------\n");
	fflush(stdout);
}

/* An error sentence may quote the gateway (a notify, a rejection message). */
static void print_error(const char *err)
{
	fputs("evc: ", stderr);
	evc_fput_printable(stderr, err, false);
	fputc('\n', stderr);
}

static void fmt_ip(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static int prefix_len(uint32_t mask)
{
	int n = 0;
	while (mask & 0x80000000u) {
		n++;
		mask <<= 1;
	}
	return n;
}

/* Sockets open: only CAP_NET_ADMIN from here on (platform/privs.h says why that suffices). */
static int cb_setup_done(void *ctx, char *err, size_t errlen)
{
	struct cli *c = ctx;
	char e[256];
	int rc = plat_privs_drop(c->backup_left, e, sizeof(e));
	if (rc)
		snprintf(err, errlen, "%s", e);
	return rc;
}

static void cb_connected(void *ctx, const struct evc_policy *pol, const struct ike_child *ch,
                         const char *ifname)
{
	struct cli *c = ctx;
	char a[20], routes[512] = "", dns[128] = "";
	(void)ch;
	if (c->backup_left && plat_privs_drop(false, a, sizeof(a)) == 0)
		c->backup_left = false; /* no other gateway will be tried */
	if (c->quiet)
		return;
	fmt_ip(pol->addr, a, sizeof(a));
	for (size_t i = 0; i < pol->n_split_include; i++) {
		char n[20];
		size_t l = strlen(routes);
		fmt_ip(pol->split_include[i].addr, n, sizeof(n));
		snprintf(routes + l, sizeof(routes) - l, "%s%s/%d", i ? ", " : "", n,
		         prefix_len(pol->split_include[i].mask));
	}
	for (size_t i = 0; i < pol->n_dns; i++) {
		char n[20];
		size_t l = strlen(dns);
		fmt_ip(pol->dns[i], n, sizeof(n));
		snprintf(dns + l, sizeof(dns) - l, "%s%s", i ? ", " : "", n);
	}
	printf("connected: address %s on %s; routes: %s; DNS: %s\n"
	       "Press Ctrl-C to disconnect.\n",
	       a, ifname, pol->n_split_include ? routes : "all traffic (full tunnel)",
	       pol->n_dns ? dns : "unchanged");
	fflush(stdout);
}

/* Reads one line without echo from the terminal. */
static int prompt_tty(const char *question, bool echo, struct ike_secret *out)
{
	char line[SECRET_MAX];
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -ENOTTY;
	FILE *f = fdopen(fd, "r+");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	struct termios old, quiet;
	bool restore = false;
	if (!echo && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	evc_fput_printable(f, question, true); /* a re-prompt quotes the gateway's message */
	fflush(f);
	char *got = fgets(line, sizeof(line), f);
	if (restore) {
		tcsetattr(fd, TCSAFLUSH, &old);
		fprintf(f, "\n");
	}
	fclose(f);
	int rc = -ECANCELED;
	if (got) {
		line[strcspn(line, "\r\n")] = '\0';
		rc = ike_secret_set(out, line, strlen(line) + 1);
	}
	ike_wipe(line, sizeof(line));
	return rc;
}

/* One line of FILE (or of standard input for "-"), NUL-terminated in out. */
static int read_secret(struct cli *c, const char *path, const char *what, struct ike_secret *out,
                       char *err, size_t errlen)
{
	char line[SECRET_MAX];
	FILE *f;
	int rc = 0;
	if (strcmp(path, "-") == 0) {
		f = c->stdin_lines ? c->stdin_lines : stdin;
		c->stdin_lines = f;
	} else {
		f = fopen(path, "re");
		if (!f) {
			snprintf(err, errlen, "cannot read the %s from %s: %s", what, path,
			         strerror(errno));
			return -errno;
		}
		struct stat st;
		if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
			fprintf(stderr,
			        "evc: warning: %s is readable by other users; chmod 600 it\n",
			        path);
	}
	if (!fgets(line, sizeof(line), f)) {
		snprintf(err, errlen, "the %s file %s is empty", what, path);
		rc = -EINVAL;
		goto out;
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (!line[0]) {
		snprintf(err, errlen, "the first line of %s holds no %s", path, what);
		rc = -EINVAL;
		goto out;
	}
	rc = ike_secret_set(out, line, strlen(line) + 1);
out:
	ike_wipe(line, sizeof(line));
	if (f != stdin)
		fclose(f);
	return rc;
}

static int cb_reprompt(void *ctx, const char *message, char *user, size_t cap,
                       struct ike_secret *pw)
{
	(void)ctx;
	char q[512];
	if (!isatty(STDIN_FILENO))
		return -ECANCELED;
	snprintf(q, sizeof(q), "%s%sPassword for %s: ", message && *message ? message : "",
	         message && *message ? "\n" : "", user);
	(void)cap;
	return prompt_tty(q, false, pw);
}

static int resolve(const char *host, uint32_t *addr, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res = NULL;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "cannot resolve the gateway %s: %s", host, gai_strerror(rc));
		return -EINVAL;
	}
	*addr = ntohl(((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr.s_addr);
	freeaddrinfo(res);
	return 0;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > max)
		return false;
	*out = v;
	return true;
}

enum {
	OPT_GATEWAY = 256,
	OPT_GROUP,
	OPT_USER,
	OPT_KEYFILE,
	OPT_PWFILE,
	OPT_DH,
	OPT_NATT,
	OPT_DPD,
	OPT_IFNAME,
	OPT_MTU,
	OPT_DNS,
	OPT_RESOLV,
	OPT_STATE,
	OPT_LPORT,
	OPT_PROFILE,
	OPT_PROFILE_DIR,
	OPT_CONTROL,
};

/* What the command line said; unset fields (NULL, -1) leave the profile's or the default. */
struct connect_opts {
	const char *gateway, *group, *user, *keyfile, *pwfile, *profile, *profile_dir;
	const char *ifname, *resolv_conf, *state_path, *control;
	bool gateway_from_cli;
	long dh, dpd, mtu, local_port;
	int natt, dns;
};

static int parse_connect(int argc, char **argv, struct connect_opts *o, struct cli *c)
{
	static const struct option opts[] = {
	    {"gateway", required_argument, NULL, OPT_GATEWAY},
	    {"group", required_argument, NULL, OPT_GROUP},
	    {"user", required_argument, NULL, OPT_USER},
	    {"group-key-file", required_argument, NULL, OPT_KEYFILE},
	    {"password-file", required_argument, NULL, OPT_PWFILE},
	    {"dh", required_argument, NULL, OPT_DH},
	    {"natt", required_argument, NULL, OPT_NATT},
	    {"dpd", required_argument, NULL, OPT_DPD},
	    {"ifname", required_argument, NULL, OPT_IFNAME},
	    {"mtu", required_argument, NULL, OPT_MTU},
	    {"dns", required_argument, NULL, OPT_DNS},
	    {"resolv-conf", required_argument, NULL, OPT_RESOLV},
	    {"state-file", required_argument, NULL, OPT_STATE},
	    {"local-port", required_argument, NULL, OPT_LPORT},
	    {"profile", required_argument, NULL, OPT_PROFILE},
	    {"profile-dir", required_argument, NULL, OPT_PROFILE_DIR},
	    {"control", required_argument, NULL, OPT_CONTROL},
	    {"verbose", no_argument, NULL, 'v'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned long v;
	int opt;
	while ((opt = getopt_long(argc, argv, "vqh", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_GATEWAY:
			o->gateway = optarg;
			o->gateway_from_cli = true;
			break;
		case OPT_GROUP:
			o->group = optarg;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_KEYFILE:
			o->keyfile = optarg;
			break;
		case OPT_PWFILE:
			o->pwfile = optarg;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_PROFILE_DIR:
			o->profile_dir = optarg;
			break;
		case OPT_CONTROL:
			o->control = optarg;
			break;
		case OPT_DH:
			if (!parse_uint(optarg, 255, &v) || !ike_dh_len((unsigned)v)) {
				fprintf(stderr,
				        "evc: --dh %s: evc supports DH groups 2, 5, 14, 15 and "
				        "16\n",
				        optarg);
				return 2;
			}
			o->dh = (long)v;
			break;
		case OPT_NATT:
			if (strcmp(optarg, "auto") == 0)
				o->natt = IKE_NATT_AUTO;
			else if (strcmp(optarg, "force") == 0)
				o->natt = IKE_NATT_FORCE;
			else if (strcmp(optarg, "off") == 0)
				o->natt = IKE_NATT_DISABLE;
			else {
				fprintf(stderr, "evc: --natt %s: use auto, force or off\n", optarg);
				return 2;
			}
			break;
		case OPT_DPD:
			if (!parse_uint(optarg, 86400, &v)) {
				fprintf(stderr, "evc: --dpd %s: give seconds (0 to 86400)\n",
				        optarg);
				return 2;
			}
			o->dpd = (long)v;
			break;
		case OPT_IFNAME:
			if (strlen(optarg) >= 16) {
				fprintf(stderr, "evc: --ifname %s: at most 15 characters\n",
				        optarg);
				return 2;
			}
			o->ifname = optarg;
			break;
		case OPT_MTU:
			if (!parse_uint(optarg, 9000, &v) || v < 576) {
				fprintf(stderr, "evc: --mtu %s: give 576 to 9000\n", optarg);
				return 2;
			}
			o->mtu = (long)v;
			break;
		case OPT_DNS:
			if (strcmp(optarg, "resolv-conf") == 0)
				o->dns = PLAT_DNS_RESOLV_CONF;
			else if (strcmp(optarg, "replace-symlink") == 0)
				o->dns = PLAT_DNS_REPLACE_SYMLINK;
			else if (strcmp(optarg, "off") == 0)
				o->dns = PLAT_DNS_OFF;
			else {
				fprintf(stderr,
				        "evc: --dns %s: use resolv-conf, replace-symlink or off\n",
				        optarg);
				return 2;
			}
			break;
		case OPT_RESOLV:
			o->resolv_conf = optarg;
			break;
		case OPT_STATE:
			o->state_path = optarg;
			break;
		case OPT_LPORT:
			if (!parse_uint(optarg, 65535, &v) || v == IKE_NATT_PORT) {
				fprintf(stderr,
				        "evc: --local-port %s: give a UDP port other than "
				        "4500\n",
				        optarg);
				return 2;
			}
			o->local_port = (long)v;
			break;
		case 'v':
			c->verbose++;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
		        "evc: unexpected argument '%s'; secrets are read from files or a "
		        "prompt, never from the command line\n",
		        argv[optind]);
		return 2;
	}
	return 0;
}

_Static_assert((int)PROF_DNS_RESOLV_CONF == (int)PLAT_DNS_RESOLV_CONF &&
                   (int)PROF_DNS_REPLACE_SYMLINK == (int)PLAT_DNS_REPLACE_SYMLINK &&
                   (int)PROF_DNS_OFF == (int)PLAT_DNS_OFF,
               "profile and platform DNS modes convert by value");

/* A profile's settings under the command line's; refuses what evc cannot do yet. */
static int apply_profile(const struct evc_profile *p, struct connect_opts *o,
                         struct evc_session_cfg *cfg, struct ike_p1_prop *p1,
                         struct ike_p2_prop *p2, char *err, size_t errlen)
{
	if (prof_auth(p) == PROF_AUTH_CERT) {
		snprintf(err, errlen,
		         "profile '%s' uses certificate authentication (main mode with RSA "
		         "signatures), which evc does not support yet",
		         prof_name(p));
		return -ENOTSUP;
	}
	if (prof_mode(p) == PROF_MODE_NETWORK_EXTENSION) {
		snprintf(err, errlen,
		         "profile '%s' asks for network-extension mode, which evc "
		         "does not support yet",
		         prof_name(p));
		return -ENOTSUP;
	}
	if (prof_script(p))
		fprintf(stderr,
		        "evc: note: profile '%s' names a script; evc configures the host "
		        "itself and does not run it\n",
		        prof_name(p));
	if (prof_pfs(p) == PROF_PFS_OFF)
		fprintf(stderr,
		        "evc: note: profile '%s' sets pfs = off; evc proposes no PFS, but uses "
		        "it when the gateway's policy asks for it\n",
		        prof_name(p));
	cfg->pfs_group = prof_pfs(p) > 0 ? (unsigned)prof_pfs(p) : 0;
	if (!o->gateway)
		o->gateway = prof_gateway(p);
	if (!o->group)
		o->group = prof_group(p);
	if (!o->user)
		o->user = prof_username(p);
	cfg->dh_group = o->dh >= 0 ? (unsigned)o->dh : prof_dh(p);
	cfg->natt = o->natt >= 0 ? (enum ike_natt_mode)o->natt : prof_natt(p);
	cfg->dpd_idle_s = o->dpd >= 0 ? (unsigned)o->dpd : prof_dpd(p);
	cfg->ifname = o->ifname ? o->ifname : prof_ifname(p);
	cfg->mtu = o->mtu >= 0 ? (unsigned)o->mtu : prof_mtu(p);
	cfg->dns = o->dns >= 0 ? (enum plat_dns_mode)o->dns : (enum plat_dns_mode)prof_dns(p);
	cfg->resolv_conf = o->resolv_conf ? o->resolv_conf : prof_resolv_conf(p);
	cfg->state_path = o->state_path ? o->state_path : prof_state_file(p);
	cfg->local_port = o->local_port >= 0 ? (uint16_t)o->local_port : prof_local_port(p);
	cfg->n_p1 = prof_ike_props(p, p1, 64);
	cfg->p1 = cfg->n_p1 ? p1 : NULL;
	cfg->n_p2 = prof_esp_props(p, p2, 32);
	cfg->p2 = cfg->n_p2 ? p2 : NULL;
	if (cfg->n_p1 > 64 || cfg->n_p2 > 32) {
		snprintf(err, errlen, "profile '%s' lists more proposals than evc can offer",
		         prof_name(p));
		return -E2BIG;
	}
	/* aggressive mode commits to one DH group: the profile's proposals follow --dh */
	for (size_t i = 0; i < cfg->n_p1; i++)
		p1[i].group = (uint8_t)cfg->dh_group;
	return 0;
}

static void apply_cli(const struct connect_opts *o, struct evc_session_cfg *cfg)
{
	cfg->dh_group = o->dh >= 0 ? (unsigned)o->dh : 0;
	cfg->natt = o->natt >= 0 ? (enum ike_natt_mode)o->natt : IKE_NATT_AUTO;
	cfg->dpd_idle_s = o->dpd >= 0 ? (unsigned)o->dpd : 30;
	cfg->ifname = o->ifname;
	cfg->mtu = o->mtu >= 0 ? (unsigned)o->mtu : 0;
	cfg->dns = o->dns >= 0 ? (enum plat_dns_mode)o->dns : PLAT_DNS_RESOLV_CONF;
	cfg->resolv_conf = o->resolv_conf;
	cfg->state_path = o->state_path;
	cfg->local_port = o->local_port >= 0 ? (uint16_t)o->local_port : 0;
}

/* The group key or password: a file named on the command line, the profile's reference, or
 * the terminal. */
static int get_secret(struct cli *c, const char *file, const struct evc_profile *p,
                      enum prof_secret_kind kind, const char *question, const char *what,
                      const char *flag, struct ike_secret *out, char *err, size_t errlen)
{
	if (file)
		return read_secret(c, file, what, out, err, errlen);
	if (p) {
		int rc = prof_secret_fetch(p, kind, out, err, errlen);
		if (rc != -EAGAIN)
			return rc;
	}
	int rc = prompt_tty(question, false, out);
	if (rc)
		snprintf(err, errlen, "no %s: give %s FILE, or run evc on a terminal to be asked",
		         what, flag);
	return rc;
}

static int cmd_connect(int argc, char **argv)
{
	struct cli c = {0};
	struct connect_opts o = {
	    .dh = -1, .dpd = -1, .mtu = -1, .local_port = -1, .natt = -1, .dns = -1};
	struct evc_session_cfg cfg = {0};
	struct ike_secret key = {NULL, 0}, pw = {NULL, 0};
	struct evc_profile *prof = NULL;
	struct ike_p1_prop p1[64];
	struct ike_p2_prop p2[32];
	char user[128] = "", err[1024] = "", q[200];
	int rc, sfd = -1;

	rc = parse_connect(argc, argv, &o, &c);
	if (rc)
		return rc == 1 ? 0 : rc;
	cfg.stop_fd = -1;
	if (o.profile || (o.group && !o.gateway) || (!o.group && !o.gateway)) {
		if (!o.profile && !o.group) {
			fprintf(stderr,
			        "evc: connect needs --profile NAME, --group NAME (to use the "
			        "profile of that group) or --gateway HOST --group NAME\n");
			return 2;
		}
		rc = evc_profile_find(o.profile, o.group, o.profile_dir, &prof, err, sizeof(err));
		if (rc)
			goto fail;
		rc = apply_profile(prof, &o, &cfg, p1, p2, err, sizeof(err));
		if (rc)
			goto fail;
	} else {
		apply_cli(&o, &cfg);
	}
	if (!o.group || !o.gateway) {
		snprintf(err, sizeof(err), "profile '%s' has no %s", prof ? prof_name(prof) : "?",
		         o.group ? "gateway" : "group");
		rc = -EINVAL;
		goto fail;
	}
	cfg.group = o.group;
	/* the gateway, then the profile's backup gateways when it does not answer */
	const char *gateways[1 + 16];
	size_t n_gw = 0;
	gateways[n_gw++] = o.gateway;
	for (size_t i = 0; prof && !o.gateway_from_cli && i < prof_backup_count(prof) && n_gw < 17;
	     i++)
		gateways[n_gw++] = prof_backup(prof, i);
	cfg.gateway.port = IKE_PORT;

	snprintf(q, sizeof(q), "Group key for %s: ", cfg.group);
	rc = get_secret(&c, o.keyfile, prof, PROF_SECRET_GROUP_KEY, q, "group key",
	                "--group-key-file", &key, err, sizeof(err));
	if (rc)
		goto fail;
	if (o.user) {
		snprintf(user, sizeof(user), "%s", o.user);
	} else {
		struct ike_secret u = {NULL, 0};
		if (prompt_tty("Username: ", true, &u) != 0 || !u.p || !u.p[0]) {
			ike_secret_clear(&u);
			snprintf(err, sizeof(err), "no username: give --user NAME");
			rc = -EINVAL;
			goto fail;
		}
		snprintf(user, sizeof(user), "%s", (const char *)u.p);
		ike_secret_clear(&u);
	}
	snprintf(q, sizeof(q), "Password for %s: ", user);
	rc = get_secret(&c, o.pwfile, prof, PROF_SECRET_PASSWORD, q, "password", "--password-file",
	                &pw, err, sizeof(err));
	if (rc)
		goto fail;

	/* Ctrl-C and SIGTERM become a readable descriptor: the loop disconnects cleanly */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		snprintf(err, sizeof(err), "cannot watch for signals: %s", strerror(errno));
		rc = -errno;
		goto fail;
	}
	cfg.stop_fd = sfd;
	cfg.control_path = o.control;
	cfg.user = user;
	cfg.group_key = &key;
	cfg.password = &pw;
	/* the secrets are NUL-terminated for convenience; the NUL is not part of the key */
	key.len = strlen((const char *)key.p);
	cfg.cbs = (struct evc_session_cbs){
	    .ctx = &c,
	    .log = cb_log,
	    .status = cb_status,
	    .banner = cb_banner,
	    .reprompt = cb_reprompt,
	    .connected = cb_connected,
	    .setup_done = cb_setup_done,
	};
	for (size_t g = 0; g < n_gw; g++) {
		c.backup_left = g + 1 < n_gw;
		if (g > 0 && plat_privs_raise_setup(err, sizeof(err)) != 0)
			break;
		bool resolved = resolve(gateways[g], &cfg.gateway.addr, err, sizeof(err)) == 0;
		rc = resolved ? evc_session_run(&cfg, err, sizeof(err)) : -EHOSTUNREACH;
		if (rc == -EHOSTUNREACH && g + 1 < n_gw) {
			print_error(err);
			fprintf(stderr, "evc: trying the backup gateway %s\n", gateways[g + 1]);
			continue;
		}
		break;
	}
	key.len = key.p ? strlen((const char *)key.p) + 1 : 0;
	close(sfd);
	if (rc == 0) {
		if (!c.quiet)
			printf("disconnected; network settings restored\n");
		ike_secret_clear(&key);
		ike_secret_clear(&pw);
		prof_free(prof);
		return 0;
	}
fail:
	ike_secret_clear(&key);
	ike_secret_clear(&pw);
	prof_free(prof);
	print_error(err);
	return 1;
}

/* `evc status` and `evc disconnect`: ask a running evc over its control socket. */
static int cmd_control(int argc, char **argv, const char *what)
{
	const char *path = NULL, *ifname = "evc0";
	char buf[128], err[512];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--control") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--ifname") == 0 && i + 1 < argc)
			ifname = argv[++i];
		else {
			fprintf(stderr, "usage: evc %s [--ifname NAME | --control SOCKET]\n", what);
			return 2;
		}
	}
	if (!path) {
		snprintf(buf, sizeof(buf), "/run/evc/%s.sock", ifname);
		path = buf;
	}
	if (ctl_request(path, what, stdout, err, sizeof(err)) != 0) {
		fprintf(stderr, "evc: %s (is evc connected? give --ifname or --control)\n", err);
		return 1;
	}
	return 0;
}

static int cmd_proposals(int argc, char **argv)
{
	unsigned long dh = ike_dh_auto_groups[0];
	if (argc == 3 && strcmp(argv[1], "--dh") == 0 && parse_uint(argv[2], 255, &dh) &&
	    ike_dh_len((unsigned)dh))
		;
	else if (argc != 1) {
		fprintf(stderr, "usage: evc proposals [--dh N]\n");
		return 2;
	}
	struct ike_p1_prop p1[64];
	struct ike_p2_prop p2[32];
	size_t n1 = ike_default_p1((unsigned)dh, p1, 64), n2 = ike_default_p2(0, p2, 32);
	printf("phase 1 (aggressive mode, DH group %lu%s): %zu proposals\n", dh,
	       argc == 1 ? "; then 2 and 5 if the gateway refuses it" : "", n1);
	for (size_t i = 0; i < n1; i++)
		printf("  %2zu  %s-%u %s group %u auth %u\n", i + 1, ike_encr_name(p1[i].encr),
		       p1[i].key_bits ? p1[i].key_bits : 192, ike_hash_name(p1[i].hash),
		       p1[i].group, p1[i].auth);
	printf("phase 2 (ESP): %zu transforms\n", n2);
	for (size_t i = 0; i < n2; i++)
		printf("  %2zu  ESP id %u key %u bits, auth %u\n", i + 1, p2[i].esp,
		       p2[i].key_bits ? p2[i].key_bits : 192, p2[i].auth);
	return 0;
}

int main(int argc, char **argv)
{
	char err[256];
	/* before any secret is read: no core dump, no ptrace by other users' processes */
	if (plat_no_core_dumps(err, sizeof(err)) != 0)
		fprintf(stderr, "evc: warning: %s\n", err);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "connect") == 0)
		return cmd_connect(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0 || strcmp(argv[1], "disconnect") == 0)
		return cmd_control(argc - 1, argv + 1, argv[1]);
	if (strcmp(argv[1], "profile") == 0)
		return evc_profile_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "proposals") == 0)
		return cmd_proposals(argc - 1, argv + 1);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("evc %s\n", EVC_VERSION_STRING);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "evc: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
