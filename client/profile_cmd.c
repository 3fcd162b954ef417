/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `evc profile import|list|show|remove|export` and the profile lookup of `evc connect`.
 *
 * Scopes: by default a user's profiles ($XDG_CONFIG_HOME/evc) with secrets in the keyring;
 * --system selects the daemon's /etc/evc with secrets in root-only files; --profile-dir DIR
 * points at another directory (secrets in DIR/secrets), which the tests use.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/profile_cmd.h"
#include "platform/trust.h"
#include "profiles/import.h"
#include "profiles/learn.h"
#include "profiles/secrets.h"
#include "profiles/store.h"
#include "lib/i18n.h"

static void report(void *ctx, const struct prof_msg *m)
{
	(void)ctx;
	fprintf(stderr, "evc: %s: %s\n", prof_sev_name(m->sev), m->text);
}

/*
 * Profile directories are used in absolute, canonical form: secret references in profiles
 * are absolute paths, and removing a profile recognises its secrets by that path, whatever
 * spelling of the directory the user gave (relative, with "." or symlinks).
 */
static int canonical_dir(const char *dir, char *out, size_t len, char *err, size_t errlen)
{
	char cwd[PATH_MAX], *real = realpath(dir, NULL);
	int n;
	if (real) {
		n = snprintf(out, len, "%s", real);
		free(real);
	} else if (errno != ENOENT) {
		snprintf(err, errlen, _("cannot use the profile directory %s: %s"), dir,
		         strerror(errno));
		return -EINVAL;
	} else if (dir[0] == '/') {
		n = snprintf(out, len, "%s", dir); /* created on the first save */
	} else if (getcwd(cwd, sizeof(cwd))) {
		n = snprintf(out, len, "%s/%s", cwd, dir);
	} else {
		snprintf(err, errlen, _("cannot resolve the profile directory %s"), dir);
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, _("the profile directory %s has too long a name"), dir);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* The store of one scope (or of dir), and where that scope keeps secrets in files. */
static struct prof_store *open_store(enum prof_scope scope, const char *dir, char *secrets_dir,
                                     size_t sd_len, char *err, size_t errlen)
{
	char buf[512], canon[PATH_MAX];
	if (!dir) {
		if (prof_store_default_dir(scope, buf, sizeof(buf), err, errlen) != 0)
			return NULL;
		dir = buf;
	} else {
		if (canonical_dir(dir, canon, sizeof(canon), err, errlen) != 0)
			return NULL;
		dir = canon;
	}
	if (secrets_dir) {
		int n;
		if (scope == PROF_SCOPE_SYSTEM && dir == buf)
			n = snprintf(secrets_dir, sd_len, "%s", PROF_SECRETS_DIR);
		else
			n = snprintf(secrets_dir, sd_len, "%s/secrets", dir);
		if (n < 0 || (size_t)n >= sd_len) {
			snprintf(err, errlen, _("the profile directory %s has too long a name"),
			         dir);
			return NULL;
		}
	}
	struct prof_store *st = prof_store_new(dir);
	if (!st)
		snprintf(err, errlen, _("out of memory"));
	return st;
}

struct scope_opts {
	enum prof_scope scope;
	const char *dir;
};

static void learn_note(void *ctx, const char *text)
{
	if (!*(const bool *)ctx)
		printf("evc: %s\n", text);
}

void evc_profile_learn(const struct evc_profile *p, const struct evc_policy *pol, bool quiet)
{
	char err[1024];

	if (prof_learn_policy(p, pol, NULL, learn_note, &quiet, err, sizeof(err)) != 0)
		fprintf(stderr,
		        _("evc: warning: profile '%s' was not updated with what the gateway "
		          "pushed: %s\n"),
		        prof_name(p), err);
	fflush(stdout);
}

/* evc connect acts on the host as root: the profile must not be another user's to edit. */
static int trusted_profile(void *ctx, const char *path, char *err, size_t errlen)
{
	(void)ctx;
	return plat_path_trusted(path, _("profile"), false, err, errlen);
}

int evc_profile_find(const char *name, const char *group, const char *dir, struct evc_profile **out,
                     char *err, size_t errlen)
{
	enum prof_scope scopes[] = {PROF_SCOPE_USER, PROF_SCOPE_SYSTEM};
	size_t n = dir ? 1 : 2;
	int rc = -ENOENT;
	char first_err[512] = "";
	for (size_t i = 0; i < n; i++) {
		struct prof_store *st = open_store(scopes[i], dir, NULL, 0, err, errlen);
		if (!st) {
			if (i == 0 && !dir)
				continue; /* no home directory: only the system scope */
			return -ENOMEM;
		}
		prof_store_set_check(st, trusted_profile, NULL);
		rc = plat_path_trusted(prof_store_dir(st), _("profile directory"), true, err,
		                       errlen);
		if (rc) {
			prof_store_free(st);
			return rc;
		}
		if (name)
			rc = prof_store_load(st, name, report, NULL, out, err, errlen);
		else
			rc = prof_store_find_group(st, group, report, NULL, out, err, errlen);
		prof_store_free(st);
		if (rc != -ENOENT)
			return rc;
		if (!first_err[0])
			snprintf(first_err, sizeof(first_err), "%s", err);
	}
	if (name)
		snprintf(err, errlen, "%s", first_err);
	else
		snprintf(
		    err, errlen,
		    _("no profile has group '%s' (import one with 'evc profile import FILE', or "
		      "give --gateway HOST)"),
		    group);
	return -ENOENT;
}

static int parse_scope(int argc, char **argv, struct scope_opts *so, const char *usage, bool *flag,
                       const char *flag_name, const char **name_opt)
{
	static const struct option opts[] = {
	    {"system", no_argument, NULL, 's'},
	    {"profile-dir", required_argument, NULL, 'd'},
	    {"name", required_argument, NULL, 'n'},
	    {"show-secrets", no_argument, NULL, 'S'},
	    {"replace", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			so->scope = PROF_SCOPE_SYSTEM;
			break;
		case 'd':
			so->dir = optarg;
			break;
		case 'n':
			if (!name_opt)
				goto bad;
			*name_opt = optarg;
			break;
		case 'S':
		case 'r':
			if (!flag ||
			    strcmp(flag_name, opt == 'S' ? "show-secrets" : "replace") != 0)
				goto bad;
			*flag = true;
			break;
		case 'h':
			printf(_("usage: %s\n"), usage);
			return 1;
		default:
			goto bad;
		}
	}
	return 0;
bad:
	fprintf(stderr, _("usage: %s\n"), usage);
	return -1;
}

static int cmd_import(int argc, char **argv)
{
	const char *usage = "evc profile import FILE [--name NAME] [--replace] [--system | "
	                    "--profile-dir DIR]";
	struct scope_opts so = {PROF_SCOPE_USER, NULL};
	const char *name = NULL;
	bool replace = false;
	char err[1024] = "", secrets_dir[512];
	int rc = parse_scope(argc, argv, &so, usage, &replace, "replace", &name);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (optind + 1 != argc) {
		fprintf(stderr, _("usage: %s\n"), usage);
		return 2;
	}
	const char *path = argv[optind];
	struct prof_import imp = {0};
	if (prof_import_file(path, name, PROF_FMT_AUTO, report, NULL, &imp) != 0) {
		fprintf(stderr, _("evc: %s was not imported (see above)\n"), path);
		return 1;
	}
	struct prof_store *st =
	    open_store(so.scope, so.dir, secrets_dir, sizeof(secrets_dir), err, sizeof(err));
	struct prof_secret_store *ss = NULL;
	if (st && (imp.group_key.p || imp.password.p))
		ss = so.scope == PROF_SCOPE_SYSTEM || so.dir ? prof_secrets_files_new(secrets_dir)
		                                             : prof_secrets_user_new(secrets_dir);
	rc = st ? prof_import_save(st, ss, &imp, replace, report, NULL, err, sizeof(err)) : -ENOMEM;
	if (rc == 0 && ss && prof_secrets_note(ss))
		fprintf(stderr, "evc: %s\n", prof_secrets_note(ss));
	if (rc == 0)
		printf(_("imported %s as profile '%s' (%s, %s) into %s\n"), path,
		       prof_name(imp.prof),
		       imp.format == PROF_FMT_PCF    ? "Cisco VPN Client profile"
		       : imp.format == PROF_FMT_VPNC ? "vpnc configuration"
		                                     : "evc profile",
		       imp.encoding ? imp.encoding : "UTF-8", prof_store_dir(st));
	else
		fprintf(stderr, "evc: %s\n", err);
	prof_import_clear(&imp);
	prof_secrets_free(ss);
	prof_store_free(st);
	return rc == 0 ? 0 : 1;
}

static int cmd_list(int argc, char **argv)
{
	const char *usage = "evc profile list [--system | --profile-dir DIR]";
	struct scope_opts so = {PROF_SCOPE_USER, NULL};
	char err[1024] = "";
	char **names = NULL;
	size_t n = 0;
	int rc = parse_scope(argc, argv, &so, usage, NULL, NULL, NULL);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (optind != argc) {
		fprintf(stderr, _("usage: %s\n"), usage);
		return 2;
	}
	struct prof_store *st = open_store(so.scope, so.dir, NULL, 0, err, sizeof(err));
	if (!st || prof_store_list(st, &names, &n, err, sizeof(err)) != 0) {
		fprintf(stderr, "evc: %s\n", err);
		prof_store_free(st);
		return 1;
	}
	if (n == 0)
		printf(_("no profiles in %s\n"), prof_store_dir(st));
	else
		printf("%-24s %-20s %s\n", "PROFILE", "GROUP", "GATEWAY");
	for (size_t i = 0; i < n; i++) {
		struct evc_profile *p = NULL;
		if (prof_store_load(st, names[i], report, NULL, &p, err, sizeof(err)) != 0) {
			printf(_("%-24s (unreadable: %s)\n"), names[i], err);
			continue;
		}
		printf("%-24s %-20s %s\n", names[i], prof_group(p) ? prof_group(p) : "-",
		       prof_gateway(p) ? prof_gateway(p) : "-");
		prof_free(p);
	}
	prof_names_free(names, n);
	prof_store_free(st);
	return 0;
}

/* show, export and remove: one named profile. */
static int cmd_one(int argc, char **argv, const char *what)
{
	char usage[200];
	struct scope_opts so = {PROF_SCOPE_USER, NULL};
	bool reveal = false;
	char err[1024] = "", secrets_dir[512];
	snprintf(usage, sizeof(usage), _("evc profile %s NAME%s [--system | --profile-dir DIR]"),
	         what, strcmp(what, "show") == 0 ? " [--show-secrets]" : "");
	int rc = parse_scope(argc, argv, &so, usage, &reveal, "show-secrets", NULL);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (optind + 1 != argc) {
		fprintf(stderr, _("usage: %s\n"), usage);
		return 2;
	}
	struct prof_store *st =
	    open_store(so.scope, so.dir, secrets_dir, sizeof(secrets_dir), err, sizeof(err));
	struct evc_profile *p = NULL;
	if (!st || prof_store_load(st, argv[optind], report, NULL, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "evc: %s\n", err);
		prof_store_free(st);
		return 1;
	}
	rc = 0;
	if (strcmp(what, "show") == 0) {
		if (reveal && prof_may_reveal(p, err, sizeof(err)) != 0)
			rc = -EPERM;
		else
			rc = prof_show(p, reveal, stdout, err, sizeof(err));
	} else if (strcmp(what, "export") == 0) {
		char *text = prof_export_text(p);
		if (text)
			fputs(text, stdout);
		else
			rc = -ENOMEM;
		free(text);
	} else {
		rc = prof_secrets_forget(p, secrets_dir, err, sizeof(err));
		if (rc == 0)
			rc = prof_store_remove(st, argv[optind], err, sizeof(err));
		if (rc == 0)
			printf(_("removed profile '%s' and its stored secrets\n"), argv[optind]);
	}
	if (rc != 0)
		fprintf(stderr, "evc: %s\n", err[0] ? err : strerror(-rc));
	prof_free(p);
	prof_store_free(st);
	return rc == 0 ? 0 : 1;
}

int evc_profile_main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, _("usage: evc profile import|list|show|remove|export ...\n"));
		return 2;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "import") == 0)
		return cmd_import(argc - 1, argv + 1);
	if (strcmp(sub, "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(sub, "show") == 0 || strcmp(sub, "export") == 0 || strcmp(sub, "remove") == 0)
		return cmd_one(argc - 1, argv + 1, sub);
	fprintf(stderr,
	        _("evc: unknown profile command '%s'; use import, list, show, remove or "
	          "export\n"),
	        sub);
	return 2;
}
