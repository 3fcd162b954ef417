/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc, the command line: reads the options, builds the settings (client/core/settings.h),
 * gets the secrets (from files or the terminal, never from argv) and runs one client
 * (client/core/client.h) with the terminal's callbacks (term.c) until Ctrl-C or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/core/client.h"
#include "client/core/settings.h"
#include "client/daemon.h"
#include "client/lock.h"
#include "client/profile_cmd.h"
#include "client/term.h"
#include "lib/crypto.h"
#include "lib/i18n.h"
#include "platform/privs.h"
#include "profiles/store.h"
#include "lib/control.h"
#include "lib/ctlproto.h"

#define EVC_STR_(x) #x
#define EVC_STR(x) EVC_STR_(x)

static void usage(FILE *f)
{
	fputs(
	    _("usage: evc connect --group NAME | --profile NAME [options]\n"
	      "       evc connect --gateway HOST --group NAME [options]\n"
	      "       evc connect --gateway HOST --cert FILE --key FILE --ca-file FILE [options]\n"
	      "       evc daemon [--profile NAME] [--control-group GROUP] [options]\n"
	      "       evc status [--json] | disconnect | connect  --daemon PROFILE | --ifname NAME "
	      "|\n"
	      "                                                   --control SOCKET\n"
	      "       evc profile import FILE [--name NAME] [--replace]\n"
	      "       evc profile list | show NAME [--show-secrets] | remove NAME | export NAME\n"
	      "       evc proposals [connect options]\n"
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
	      "  --cert FILE            main mode with RSA signatures: our certificate (PEM), its\n"
	      "  --key FILE             unencrypted private key (PEM) and the CA file that issued\n"
	      "  --ca-file FILE         the gateway's; no group key, the group is the "
	      "certificate's\n"
	      "                         OU, and the gateway's certificate must name --gateway\n"
	      "  --crl-file FILE        PEM CRLs: every CA of the gateway's chain is checked\n"
	      "                         against its issuer's CRL (with --ca-file; no OCSP)\n"
	      "  --dh N                 pin the phase-1 DH group: 2, 5, 14, 15, 16, 19 or 20\n"
	      "                         (default: 14, then 2, 5, 15, 16, 19, 20 when the gateway\n"
	      "                         refuses one or does not answer)\n"
	      "  --weak                 also offer single DES, MD5 and DH group 1 (broken; only\n"
	      "                         for a gateway that has nothing else)\n"
	      "  --mode MODE            client (default: this host, with the assigned address) or\n"
	      "                         network-extension (the --lan network behind this host by\n"
	      "                         its own addresses, when the group allows it)\n"
	      "  --lan CIDR             a network behind this host: in client mode (repeatable, "
	      "at\n"
	      "                         most 4) translated to the assigned address (PAT); one in\n"
	      "                         network-extension mode\n"
	      "  --exchange MODE        aggressive (default) or main: main mode with the group\n"
	      "                         key, for a gateway that refuses aggressive mode (with\n"
	      "                         --cert always main mode)\n"
	      "  --natt MODE            auto (default), force, off or cisco-udp\n"
	      "  --dpd SECONDS          dead peer detection after SECONDS idle (default 30, 0 "
	      "off)\n"
	      "  --ifname NAME          TUN device name (default evc0, evc1, ...)\n"
	      "  --mtu N                TUN MTU (default 1400)\n"
	      "  --dns MODE             resolv-conf (default), replace-symlink or off\n"
	      "  --resolv-conf FILE     the resolver file to rewrite (default /etc/resolv.conf)\n"
	      "  --script PATH          run this vpnc-script (reason, TUNDEV, INTERNAL_IP4_*,\n"
	      "                         CISCO_*) to configure the host instead of evc\n"
	      "  --state-file FILE      journal of host changes (default /run/evc/IFNAME.state)\n"
	      "  --control SOCKET       control socket (default /run/evc/IFNAME.sock)\n"
	      "  --local-port N         local IKE port (default 500)\n"
	      "  --ike-frag-size BYTES  IKE messages longer than this go in fragments when the\n"
	      "                         gateway takes them (Cisco IKE fragmentation; default "
	      "1252)\n"
	      "  --run-as USER          (root) run as USER once the TUN device and sockets are\n"
	      "                         open, with CAP_NET_ADMIN only\n"
	      "  --no-reconnect         end when the tunnel goes down (default: set it up again\n"
	      "                         with back-off, also when this host's path changes)\n"
	      "  --profile-dir DIR      profiles in DIR instead of ~/.config/evc and /etc/evc\n"
	      "  -v, --verbose          more detail (twice: protocol debugging)\n"
	      "  -q, --quiet            only errors\n"
	      "evc daemon runs the profile NAME of /etc/evc (or --profile-dir) with the secrets of "
	      "its\n"
	      "  store, without a terminal, until SIGTERM; it reconnects from the start, its "
	      "control\n"
	      "  socket is /run/evc/NAME.sock (or --control), and `evc disconnect|connect "
	      "--daemon\n"
	      "  NAME` take the tunnel down and set it up again; without --profile it waits for\n"
	      "  evc-gui (or a script) to connect a profile over /run/evc-desktop/daemon.sock,\n"
	      "  open to root and the group evc (or --control-group GROUP)\n"
	      "profile options: --system (/etc/evc, secrets in root-only files) or\n"
	      "  --profile-dir DIR (secrets in DIR/secrets); default ~/.config/evc with the "
	      "keyring\n"
	      "Secrets are never taken from the command line.\n"),
	    f);
}

/* What `evc connect` reads that is not a setting. */
struct connect_args {
	const char *profile, *profile_dir, *keyfile, *pwfile;
	const char *control_group; /* evc daemon: who may use the control socket */
	struct evc_overrides ov;
};

/* 0 to go on, 1 after --help, 2 on a usage error (printed). */
static int parse_connect(int argc, char **argv, struct connect_args *a, struct term *t)
{
	enum {
		OPT_SETTING = 256,
		OPT_PROFILE,
		OPT_PROFILE_DIR,
		OPT_KEYFILE,
		OPT_PWFILE,
		OPT_NO_RECONNECT,
		OPT_WEAK,
		OPT_CONTROL_GROUP
	};
	/* every OPT_SETTING is evc_overrides_set's, by its name */
	static const struct option opts[] = {
	    {"gateway", required_argument, NULL, OPT_SETTING},
	    {"group", required_argument, NULL, OPT_SETTING},
	    {"user", required_argument, NULL, OPT_SETTING},
	    {"dh", required_argument, NULL, OPT_SETTING},
	    {"natt", required_argument, NULL, OPT_SETTING},
	    {"dpd", required_argument, NULL, OPT_SETTING},
	    {"ifname", required_argument, NULL, OPT_SETTING},
	    {"mtu", required_argument, NULL, OPT_SETTING},
	    {"dns", required_argument, NULL, OPT_SETTING},
	    {"resolv-conf", required_argument, NULL, OPT_SETTING},
	    {"script", required_argument, NULL, OPT_SETTING},
	    {"state-file", required_argument, NULL, OPT_SETTING},
	    {"local-port", required_argument, NULL, OPT_SETTING},
	    {"ike-frag-size", required_argument, NULL, OPT_SETTING},
	    {"exchange", required_argument, NULL, OPT_SETTING},
	    {"control", required_argument, NULL, OPT_SETTING},
	    {"run-as", required_argument, NULL, OPT_SETTING},
	    {"mode", required_argument, NULL, OPT_SETTING},
	    {"lan", required_argument, NULL, OPT_SETTING},
	    {"cert", required_argument, NULL, OPT_SETTING},
	    {"key", required_argument, NULL, OPT_SETTING},
	    {"ca-file", required_argument, NULL, OPT_SETTING},
	    {"crl-file", required_argument, NULL, OPT_SETTING},
	    {"group-key-file", required_argument, NULL, OPT_KEYFILE},
	    {"password-file", required_argument, NULL, OPT_PWFILE},
	    {"profile", required_argument, NULL, OPT_PROFILE},
	    {"profile-dir", required_argument, NULL, OPT_PROFILE_DIR},
	    {"no-reconnect", no_argument, NULL, OPT_NO_RECONNECT},
	    {"weak", no_argument, NULL, OPT_WEAK},
	    {"control-group", required_argument, NULL, OPT_CONTROL_GROUP},
	    {"verbose", no_argument, NULL, 'v'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char err[256];
	int opt, idx;
	evc_overrides_init(&a->ov);
	while ((opt = getopt_long(argc, argv, "vqh", opts, &idx)) != -1) {
		switch (opt) {
		case OPT_SETTING:
			if (evc_overrides_set(&a->ov, opts[idx].name, optarg, err, sizeof(err))) {
				fprintf(stderr, "evc: %s\n", err);
				return 2;
			}
			break;
		case OPT_KEYFILE:
			a->keyfile = optarg;
			break;
		case OPT_PWFILE:
			a->pwfile = optarg;
			break;
		case OPT_PROFILE:
			a->profile = optarg;
			break;
		case OPT_PROFILE_DIR:
			a->profile_dir = optarg;
			break;
		case OPT_NO_RECONNECT:
			evc_overrides_set(&a->ov, "reconnect", "no", err, sizeof(err));
			break;
		case OPT_WEAK:
			evc_overrides_set(&a->ov, "weak", "yes", err, sizeof(err));
			break;
		case OPT_CONTROL_GROUP:
			a->control_group = optarg;
			break;
		case 'v':
			t->verbose++;
			break;
		case 'q':
			t->quiet = true;
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
		        _("evc: unexpected argument '%s'; secrets are read from files or a "
		          "prompt, never from the command line\n"),
		        argv[optind]);
		return 2;
	}
	return 0;
}

static int cmd_control(int argc, char **argv, const char *what);

/*
 * evc_client_run with the terminal in the loop: a question the client asks while it runs (a
 * phase-1 rekey's password) is read as it is typed, and the tunnel goes on meanwhile. A stop
 * signal is watched until it comes once, as evc_client_run does.
 */
static int run_loop(struct term *t, int sfd)
{
	int rc;
	while ((rc = evc_client_step(t->client)) == -EINPROGRESS) {
		struct pollfd pf[3] = {{.fd = evc_client_fd(t->client), .events = POLLIN},
		                       {.fd = sfd, .events = POLLIN},
		                       {.fd = term_prompt_fd(t), .events = POLLIN}};
		if (poll(pf, 3, -1) < 0 && errno != EINTR) {
			char e[128];
			snprintf(e, sizeof(e), _("event loop failed: %s; disconnecting"),
			         strerror(errno));
			term_error(e);
			evc_client_stop(t->client);
			sfd = -1;
			continue;
		}
		if (sfd >= 0 && pf[1].revents) {
			evc_client_stop(t->client);
			sfd = -1;
		}
		if (pf[2].fd >= 0 && pf[2].revents)
			term_prompt_input(t);
	}
	return rc;
}

/*
 * Both `evc connect` and `evc daemon` end here: the client takes over the settings (they are
 * wiped here), runs until a stop signal or a fatal error, and leaves its last error in err.
 */
static int run_client(struct term *t, struct evc_settings *set, const struct evc_client_ops *ops,
                      int sfd, const char *started, const char *done, char *err, size_t errlen)
{
	struct evc_client_status st;
	int rc;

	t->client = evc_client_new(set, ops, t, err, errlen);
	evc_settings_clear(set); /* the client has its own copy */
	if (!t->client)
		return -ENOMEM;
	if (started)
		fprintf(stderr, "%s\n", started);
	rc = evc_client_start(t->client);
	if (rc == 0)
		rc = run_loop(t, sfd);
	term_prompt_close(t); /* the terminal's echo back, whatever ended the client */
	evc_client_status(t->client, &st);
	snprintf(err, errlen, "%s", st.last_error);
	evc_client_free(t->client);
	t->client = NULL;
	if (rc == 0 && !t->quiet)
		printf("%s\n", done);
	return rc;
}

static int cmd_connect(int argc, char **argv)
{
	struct term t = {0};
	struct connect_args a = {0};
	struct evc_settings set = {0};
	struct evc_profile *prof = NULL;
	char err[1024] = "", q[200];
	int rc, sfd = -1;

	/* `evc connect --daemon NAME | --control SOCKET` alone asks a running evc */
	if (argc == 3 && (strcmp(argv[1], "--daemon") == 0 || strcmp(argv[1], "--control") == 0))
		return cmd_control(argc, argv, "connect");
	rc = parse_connect(argc, argv, &a, &t);
	if (rc)
		return rc == 1 ? 0 : rc;
	/* a profile unless both the gateway and the group (or a certificate) are on the
	 * command line */
	if (a.profile || !a.ov.gateway || (!a.ov.group && !a.ov.cert)) {
		if (!a.profile && !a.ov.group) {
			fprintf(
			    stderr,
			    _("evc: connect needs --profile NAME, --group NAME (to use the "
			      "profile of that group), --gateway HOST --group NAME or --gateway "
			      "HOST --cert FILE --key FILE --ca-file FILE\n"));
			return 2;
		}
		rc =
		    evc_profile_find(a.profile, a.ov.group, a.profile_dir, &prof, err, sizeof(err));
		if (rc)
			goto out;
	}
	rc = evc_settings_build(&set, prof, &a.ov, term_note, &t, err, sizeof(err));
	if (!rc)
		rc = term_check_privileges(&t, &set, err, sizeof(err));
	if (rc)
		goto out;
	snprintf(q, sizeof(q), _("Group key for %s: "), set.group);
	if (set.cert_path[0] && a.keyfile) {
		snprintf(
		    err, sizeof(err),
		    _("--group-key-file and --cert: main mode with a certificate uses no group "
		      "key; give one or the other"));
		rc = -EINVAL;
	} else if (set.hybrid && !a.keyfile) {
		/* hybrid: a group key only if the profile keeps one (its hash goes to the gateway
		 * as the Cisco client's mutual group authentication sends it); never asked for */
		if (prof && evc_settings_fetch_secret(&set, prof, EVC_SECRET_GROUP_KEY, err,
		                                      sizeof(err)) != 0)
			err[0] = '\0';
	} else if (!set.cert_path[0]) {
		rc = term_secret(&t, &set, EVC_SECRET_GROUP_KEY, a.keyfile, prof, q, err,
		                 sizeof(err));
	}
	if (!rc)
		rc = term_username(&set, err, sizeof(err));
	if (rc)
		goto out;
	snprintf(q, sizeof(q), _("Password for %s: "), set.user);
	rc = term_secret(&t, &set, EVC_SECRET_PASSWORD, a.pwfile, prof, q, err, sizeof(err));
	if (rc)
		goto out;
	sfd = term_stop_signals(err, sizeof(err));
	if (sfd < 0) {
		rc = -errno;
		goto out;
	}
	t.prof = prof; /* what the gateway pushes is learnt into the profile */
	rc = run_client(&t, &set, &term_ops, sfd, NULL, "disconnected; network settings restored",
	                err, sizeof(err));
out:
	if (sfd >= 0)
		close(sfd);
	evc_settings_clear(&set);
	prof_free(prof);
	if (rc == 0)
		return 0;
	term_error(err);
	return 1;
}

/* `evc status`, `evc disconnect`, `evc connect` (a daemon): ask a running evc over its control
 * socket. */
static int cmd_control(int argc, char **argv, const char *what)
{
	const char *path = NULL, *ifname = "evc0";
	char buf[EVC_CONTROL_PATH_MAX + 32], cmd[160], err[512];
	const char *lang = ctlp_caller_lang();
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--ifname") == 0 && i + 1 < argc) {
			ifname = argv[++i];
		} else if (strcmp(argv[i], "--daemon") == 0 && i + 1 < argc) {
			snprintf(buf, sizeof(buf), "/run/evc/%s.sock", argv[++i]);
			path = buf;
		} else if (strcmp(argv[i], "--json") == 0 && strcmp(what, "status") == 0) {
			json = true;
		} else {
			fprintf(stderr,
			        _("usage: evc %s%s [--daemon PROFILE | --ifname NAME | --control "
			          "SOCKET]\n"),
			        what, strcmp(what, "status") == 0 ? " [--json]" : "");
			return 2;
		}
	}
	if (!path) {
		snprintf(buf, sizeof(buf), "/run/evc/%s.sock", ifname);
		path = buf;
	}
	/* --json: the control protocol's status command (lib/ctlproto.h); its answer is the
	 * status object, "reply" and "ok" included */
	if (json)
		snprintf(cmd, sizeof(cmd),
		         "{\"cmd\":\"status\",\"version\":" EVC_STR(CTLP_VERSION) "%s%s%s}",
		         lang ? ",\"lang\":\"" : "", lang ? lang : "", lang ? "\"" : "");
	else /* the daemon's sentences in this evc's language */
		snprintf(cmd, sizeof(cmd), "%s%s%s", what, lang ? " lang=" : "", lang ? lang : "");
	if (ctl_request(path, cmd, stdout, err, sizeof(err)) != 0) {
		fprintf(stderr,
		        _("evc: %s (is evc running? give --daemon, --ifname or --control)\n"), err);
		return 1;
	}
	return 0;
}

/*
 * `evc daemon --profile NAME`: the profile of the system store with its secrets, reconnecting
 * from the start, until SIGTERM. What needs a person (a password the gateway asks for again
 * or will not let be saved) ends it with the reason, instead of a loop, unless a session on
 * the control socket (evc-gui) answers. `evc daemon` alone: the desktop's daemon, idle until
 * a `connect` on the control socket (client/daemon.h).
 */
static int cmd_daemon(int argc, char **argv)
{
	struct term t = {0};
	struct connect_args a = {0};
	struct evc_settings set = {0};
	struct evc_profile *prof = NULL;
	char err[1024] = "", what[EVC_CONTROL_PATH_MAX + 300], ctl[EVC_CONTROL_PATH_MAX],
	     lock[EVC_CONTROL_PATH_MAX + 16];
	int rc, lfd = -1;

	rc = parse_connect(argc, argv, &a, &t);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (a.keyfile || a.pwfile) {
		fprintf(stderr, _("evc: daemon reads the group key and the password from the "
		                  "profile's secret store (root-only files, `evc profile import "
		                  "--system`) or its control socket, not from --group-key-file or "
		                  "--password-file\n"));
		return 2;
	}
	if (!a.ov.control_path) {
		/* the desktop's daemon has a directory of its own: its group must reach the socket,
		 * and /run/evc is root's alone */
		if (a.profile)
			snprintf(ctl, sizeof(ctl), "/run/evc/%s.sock", a.profile);
		else
			snprintf(ctl, sizeof(ctl), "/run/evc-desktop/daemon.sock");
		a.ov.control_path = ctl;
	}
	snprintf(lock, sizeof(lock), "%s.lock", a.ov.control_path);
	if (a.profile)
		snprintf(what, sizeof(what), _("an evc daemon for profile '%s'"), a.profile);
	else
		snprintf(what, sizeof(what), _("an evc daemon on %s"), a.ov.control_path);
	if (!a.profile) {
		rc = evc_lock_take(lock, what, &lfd, err, sizeof(err));
		goto run;
	}
	rc = evc_profile_find(a.profile, NULL, a.profile_dir ? a.profile_dir : PROF_SYSTEM_DIR,
	                      &prof, err, sizeof(err));
	if (!rc)
		rc = evc_settings_build(&set, prof, &a.ov, term_note, &t, err, sizeof(err));
	if (rc)
		goto out;
	set.daemon = true;
	rc = evc_lock_take(lock, what, &lfd, err, sizeof(err));
	if (!rc)
		rc = term_check_privileges(&t, &set, err, sizeof(err));
	if (!rc && set.hybrid) {
		if (evc_settings_fetch_secret(&set, prof, EVC_SECRET_GROUP_KEY, err, sizeof(err)))
			err[0] = '\0'; /* hybrid: the group key is optional */
	} else if (!rc && !set.cert_path[0]) {
		rc = evc_settings_fetch_secret(&set, prof, EVC_SECRET_GROUP_KEY, err, sizeof(err));
	}
	if (!rc && !set.user[0]) {
		snprintf(err, sizeof(err), _("profile '%s' has no username"), a.profile);
		rc = -EINVAL;
	}
	if (!rc)
		rc = evc_settings_fetch_secret(&set, prof, EVC_SECRET_PASSWORD, err, sizeof(err));
	if (rc == -EAGAIN)
		snprintf(
		    err, sizeof(err),
		    _("profile '%s' says to ask for a secret, and the daemon has nobody to ask: "
		      "store it with `evc profile import --system`, or run `evc connect "
		      "--profile %s` on a terminal"),
		    a.profile, a.profile);
run:
	if (!rc) {
		struct evc_daemon_args da = {.profile = a.profile,
		                             .profile_dir = a.profile_dir,
		                             .group = a.control_group,
		                             .ov = &a.ov,
		                             .t = &t};
		rc = evc_daemon_run(&da, &set, a.ov.control_path, err, sizeof(err));
		if (rc == 0 && !t.quiet)
			printf(_("daemon stopped; network settings restored\n"));
	}
out:
	if (lfd >= 0)
		close(lfd);
	evc_settings_clear(&set);
	prof_free(prof);
	if (rc == 0)
		return 0;
	term_error(err);
	return 1;
}

/*
 * `evc proposals [connect options]`: what `evc connect` with the same options or profile
 * would offer, one line per proposal. The gateway and group do not change them, so they may
 * be left out.
 */
static int cmd_proposals(int argc, char **argv)
{
	struct term t = {0};
	struct connect_args a = {0};
	struct evc_settings set = {0};
	struct evc_profile *prof = NULL;
	struct ike_p1_prop p1[EVC_MAX_P1];
	struct ike_p2_prop p2[EVC_MAX_P2];
	char err[1024] = "", s[96];
	int rc = parse_connect(argc, argv, &a, &t);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (a.profile || (a.ov.group && !a.ov.gateway)) {
		rc =
		    evc_profile_find(a.profile, a.ov.group, a.profile_dir, &prof, err, sizeof(err));
		if (rc)
			goto out;
	} else {
		a.ov.gateway = a.ov.gateway ? a.ov.gateway : "0.0.0.0";
		a.ov.group = a.ov.group ? a.ov.group : "-";
	}
	rc = evc_settings_build(&set, prof, &a.ov, term_note, &t, err, sizeof(err));
	if (rc)
		goto out;
	unsigned first = set.dh_group ? set.dh_group : ike_dh_next_group(0, set.prop_flags);
	size_t n1 = set.n_p1, n2 = set.n_p2;
	if (n1)
		memcpy(p1, set.p1, n1 * sizeof(p1[0]));
	else
		n1 = ike_proposals_p1(first, set.prop_flags, p1, EVC_MAX_P1);
	if (n2)
		memcpy(p2, set.p2, n2 * sizeof(p2[0]));
	else
		n2 = ike_proposals_p2(set.pfs_group, set.prop_flags, p2, EVC_MAX_P2);
	for (size_t i = 0; i < n1; i++)
		p1[i].group = (uint8_t)first;
	printf(_("phase 1, %s: %zu proposals in one SA payload with DH group %u (%s)"),
	       set.cert_path[0]             ? "main mode with RSA signatures"
	       : set.hybrid && set.psk_main ? "main mode, hybrid (gateway certificate, XAUTH)"
	       : set.hybrid                 ? "aggressive mode, hybrid (gateway certificate, XAUTH)"
	       : set.psk_main               ? "main mode with the group key"
	                                    : "aggressive mode",
	       n1, first, crypto_dh_name(first));
	if (set.dh_group) {
		printf(", pinned\n");
	} else {
		const char *sep = "";
		printf(_("; when the gateway refuses a group or does not answer, the same with "
		         "groups "));
		for (unsigned g = ike_dh_next_group(first, set.prop_flags); g;
		     g = ike_dh_next_group(g, set.prop_flags), sep = ", ")
			printf("%s%u", sep, g);
		printf(_(" in turn\n"));
	}
	for (size_t i = 0; i < n1; i++)
		printf("  %2zu  %s\n", i + 1, ike_p1_str(&p1[i], s, sizeof(s)));
	printf(_("phase 2, quick mode: %zu transforms%s\n"), n2,
	       set.pfs_group ? ""
	                     : ", with PFS only when the gateway asks for it (then in the "
	                       "phase-1 group)");
	for (size_t i = 0; i < n2; i++)
		printf("  %2zu  %s\n", i + 1, ike_p2_str(&p2[i], s, sizeof(s)));
	if (set.prop_flags & IKE_PROP_WEAK)
		printf(_("--weak: single DES, MD5 and DH group 1 are broken; offer them only to a "
		         "gateway that has nothing else\n"));
out:
	evc_settings_clear(&set);
	prof_free(prof);
	if (rc == 0)
		return 0;
	term_error(err);
	return 1;
}

int main(int argc, char **argv)
{
	char err[256];

	evc_i18n_init();
	/* before any secret is read: no core dump, no ptrace by other users' processes */
	if (plat_no_core_dumps(err, sizeof(err)) != 0)
		fprintf(stderr, _("evc: warning: %s\n"), err);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "connect") == 0)
		return cmd_connect(argc - 1, argv + 1);
	if (strcmp(argv[1], "daemon") == 0)
		return cmd_daemon(argc - 1, argv + 1);
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
	fprintf(stderr, _("evc: unknown command '%s'\n"), argv[1]);
	usage(stderr);
	return 2;
}
