/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs, the bundled minimal EasyVPN server: `evs --config FILE` runs the daemon (one engine
 * per client in the responder role, one TUN device for all of them), `evs check` validates a
 * configuration, and `evs show crypto session summary|group` asks the running daemon over
 * its control socket. This file parses the command line and wires the parts: the daemon is
 * server/core/daemon.c, its sockets, TUN device and event loop server/core/host.c.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ike/isakmp.h"
#include "server/core/config.h"
#include "server/core/host.h"
#include "server/core/show_cmd.h"
#include "lib/i18n.h"
#include "lib/signals.h"
#include "lib/x509.h"

#define EVS_DEFAULT_CONFIG "/etc/evs/evs.conf"
#define EVS_DEFAULT_CONTROL "/run/evs/evs.sock"
#define EVS_CONTROL_PATH_MAX 108 /* sun_path */

static void report(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	(void)ctx;
	(void)line;
	fprintf(stderr, "evs: %s%s\n", sev == EVS_CONFIG_ERROR ? "" : "warning: ", msg);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: evs [--config FILE] [--control SOCKET] [--ifname NAME] "
	           "[--state-file FILE] [-v]\n"
	           "           [--cert FILE --key FILE --ca-file FILE [--crl-file FILE]]\n"
	           "       (main mode with RSA signatures, for 'authentication rsa-sig' policies:\n"
	           "        evs's certificate and unencrypted key, and the CA of the clients';\n"
	           "        a client's group is its certificate's OU; --cert may hold the\n"
	           "        intermediate CAs after evs's own; --crl-file: PEM CRLs checked\n"
	           "        for every CA of a client's chain)\n"
	           "       evs check [--config FILE]\n"
	           "       evs show crypto session [detail|summary|group] [--json]\n"
	           "       evs show crypto dynamic-map [tag NAME] [--json]\n"
	           "       evs show crypto isakmp sa|ipsec sa [--json]\n"
	           "       evs clear crypto session [username USER]\n"
	           "       (show and clear take --control SOCKET)\n"
	           "defaults: --config " EVS_DEFAULT_CONFIG ", --control " EVS_DEFAULT_CONTROL
	           ", --ifname evs0\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"control", required_argument, NULL, 'C'},
	    {"ifname", required_argument, NULL, 'i'},
	    {"state-file", required_argument, NULL, 's'},
	    {"cert", required_argument, NULL, 'R'},
	    {"key", required_argument, NULL, 'K'},
	    {"ca-file", required_argument, NULL, 'A'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"crl-file", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *config = EVS_DEFAULT_CONFIG;
	struct evs_host_opts ho = {
	    .ifname = "evs0", .control_path = EVS_DEFAULT_CONTROL, .sigfd = -1};
	bool check = false;
	int opt;
	const char *cert = NULL, *key = NULL, *ca = NULL, *crl = NULL;
	struct x509_cred *cred = NULL;
	struct x509_trust *trust = NULL;

	evc_i18n_init();
	/* keys and passwords in memory: no core file, no ptrace or /proc/PID/mem by our user */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		fprintf(stderr, "evs: warning: cannot make the process non-dumpable: %s\n",
		        strerror(errno));
	if (argc > 1 && (strcmp(argv[1], "show") == 0 || strcmp(argv[1], "clear") == 0))
		return evs_show_cmd(argc - 1, argv + 1, EVS_DEFAULT_CONTROL);
	if (argc > 1 && strcmp(argv[1], "check") == 0) {
		check = true;
		argv++;
		argc--;
	}
	while ((opt = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			if (strlen(optarg) >= EVS_CONTROL_PATH_MAX) {
				fprintf(stderr, "evs: --control: path too long\n");
				return 2;
			}
			ho.control_path = optarg;
			break;
		case 'i':
			ho.ifname = optarg;
			break;
		case 's':
			ho.state_path = optarg;
			break;
		case 'R':
			cert = optarg;
			break;
		case 'K':
			key = optarg;
			break;
		case 'A':
			ca = optarg;
			break;
		case 'L':
			crl = optarg;
			break;
		case 'v':
			ho.verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	struct evs_config *cfg = evs_config_load(config, report, NULL);
	if (!cfg) {
		fprintf(stderr, "evs: %s is not a usable configuration (see above)\n", config);
		return 2;
	}
	struct stat cst;
	if (stat(config, &cst) == 0 && (cst.st_mode & (S_IRWXG | S_IRWXO)))
		fprintf(stderr,
		        "evs: warning: %s holds group keys and user passwords and is readable "
		        "by other users; chmod 600 it\n",
		        config);
	char err[1024] = "";
	if ((cert || key || ca) && (!cert || !key || !ca)) {
		fprintf(
		    stderr,
		    "evs: main mode needs all of --cert FILE, --key FILE and --ca-file FILE; %s "
		    "is missing\n",
		    !cert  ? "--cert"
		    : !key ? "--key"
		           : "--ca-file");
		evs_config_free(cfg);
		return 2;
	}
	if (crl && !cert) {
		fprintf(stderr, "evs: --crl-file is for main mode with RSA signatures: it needs "
		                "--cert, --key and --ca-file\n");
		evs_config_free(cfg);
		return 2;
	}
	if (cert && (x509_cred_load(cert, key, &cred, err, sizeof(err)) ||
	             x509_trust_load(ca, &trust, err, sizeof(err)) ||
	             (crl && x509_trust_load_crls(trust, crl, err, sizeof(err))))) {
		fprintf(stderr, "evs: %s\n", err);
		x509_cred_free(cred);
		x509_trust_free(trust);
		evs_config_free(cfg);
		return 2;
	}
	ho.cert = cred;
	ho.trust = trust;
	if (!cred) {
		struct ike_p1_prop p1[64];
		size_t n = evs_config_p1(cfg, p1, 64), rsa = 0;
		for (size_t i = 0; i < n && i < 64; i++)
			rsa +=
			    p1[i].auth == IKE_AUTH_RSA_SIG || p1[i].auth == IKE_AUTH_XAUTH_INIT_RSA;
		if (rsa)
			fprintf(
			    stderr,
			    "evs: warning: %zu crypto isakmp %s 'authentication rsa-sig' but evs "
			    "has no --cert, --key and --ca-file: clients in main mode with RSA "
			    "signatures, and hybrid clients, will be refused\n",
			    rsa, rsa == 1 ? "policy uses" : "policies use");
	}
	if (check) {
		printf("%s: configuration OK%s\n", config,
		       cred ? ", certificate and CAs read" : "");
		x509_cred_free(cred);
		x509_trust_free(trust);
		evs_config_free(cfg);
		return 0;
	}
	ho.sigfd = signals_stop_fd();
	ho.config_path = config;
	int rc = ho.sigfd < 0 ? ho.sigfd : evs_host_run(cfg, &ho, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "evs: %s\n", err[0] ? err : strerror(-rc));
	if (ho.sigfd >= 0)
		close(ho.sigfd);
	x509_cred_free(cred);
	x509_trust_free(trust);
	evs_config_free(cfg);
	return rc == 0 ? 0 : 1;
}
