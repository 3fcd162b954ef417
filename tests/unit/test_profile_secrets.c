/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* pipe2 */
/*
 * Secrets of profiles: the root-only file store (modes, atomic replace, every refusal of
 * prof_secret_read_file), resolving references, forgetting, who may reveal, and the libsecret
 * store against a private Secret Service.
 *
 * The Secret Service is started for this test process only: a private dbus-daemon (its
 * address goes into this process's DBUS_SESSION_BUS_ADDRESS) and gnome-keyring-daemon
 * unlocked with a throwaway password, with HOME and the XDG directories pointing into a
 * temporary directory, so the user's real keyring is never touched. Both daemons are killed
 * by PID at the end (and die with the test through PR_SET_PDEATHSIG if it crashes).
 *
 * What needs more than the test itself is a part of its own (unit_parts.h), a ctest entry
 * that is reported as skipped when its need is not met: "keyring", the libsecret tests, needs
 * dbus-daemon and gnome-keyring-daemon (Debian packages dbus-daemon, gnome-keyring); "root",
 * the cases of files owned by another user, needs root to chown and seteuid.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_parts.h"

#include "lib/secret.h"
#include "profiles/import.h"
#include "profiles/profile.h"
#include "profiles/secrets.h"
#include "profiles/store.h"

struct fix {
	char dir[64];
	pid_t bus, keyring;
	char why[300]; /* set when the keyring could not be started */
	/* a lookup made before any bus was available (GLib keeps a bus connection once it has
	 * one, so this must be the process's first) */
	int nobus_rc;
	char nobus_err[600];
};

static void set_secret(struct secret *s, const char *v)
{
	assert_int_equal(secret_set(s, v, strlen(v)), 0);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* ---- the private Secret Service ---- */

/* The child only calls async-signal-safe functions: GLib may have started threads. */
static pid_t spawn(const char *prog, char *const argv[], int in_fd, int out_fd, const char *log)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (in_fd >= 0)
		dup2(in_fd, 0);
	else
		dup2(open("/dev/null", O_RDONLY), 0);
	dup2(out_fd >= 0 ? out_fd : lfd, 1);
	dup2(lfd, 2);
	execv(prog, argv);
	_exit(127);
}

static bool find_prog(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";
	char dirs[1024];
	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin", path);
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", d, prog);
		if (access(out, X_OK) == 0)
			return true;
	}
	return false;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static bool start_keyring(struct fix *f)
{
	char path[256], log[256], addr[512] = "", bus_prog[256], kr_prog[256];
	int out[2], in[2];

	if (!find_prog("dbus-daemon", bus_prog, sizeof(bus_prog)) ||
	    !find_prog("gnome-keyring-daemon", kr_prog, sizeof(kr_prog))) {
		snprintf(f->why, sizeof(f->why),
		         "dbus-daemon or gnome-keyring-daemon is not installed (Debian packages "
		         "dbus-daemon and gnome-keyring)");
		return false;
	}
	static const char *const sub[] = {"home", "data", "config", "cache", "run"};
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, sub[i]);
		mkdir(path, 0700);
	}
	snprintf(path, sizeof(path), "%s/home", f->dir);
	setenv("HOME", path, 1);
	snprintf(path, sizeof(path), "%s/data", f->dir);
	setenv("XDG_DATA_HOME", path, 1);
	snprintf(path, sizeof(path), "%s/config", f->dir);
	setenv("XDG_CONFIG_HOME", path, 1);
	snprintf(path, sizeof(path), "%s/cache", f->dir);
	setenv("XDG_CACHE_HOME", path, 1);
	snprintf(path, sizeof(path), "%s/run", f->dir);
	setenv("XDG_RUNTIME_DIR", path, 1);
	unsetenv("DISPLAY");
	unsetenv("GNOME_KEYRING_CONTROL");
	snprintf(log, sizeof(log), "%s/daemons.log", f->dir);

	/* dbus-daemon prints its address on standard output once it listens */
	if (pipe2(out, O_CLOEXEC) != 0)
		return false;
	char *bus_argv[] = {"dbus-daemon", "--session",       "--nofork",
	                    "--nopidfile", "--print-address", NULL};
	f->bus = spawn(bus_prog, bus_argv, -1, out[1], log);
	close(out[1]);
	size_t got = 0;
	for (int tries = 0; tries < 100 && !strchr(addr, '\n'); tries++) {
		ssize_t n = read(out[0], addr + got, sizeof(addr) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		addr[got] = '\0';
	}
	close(out[0]);
	addr[strcspn(addr, "\n")] = '\0';
	if (!addr[0]) {
		snprintf(f->why, sizeof(f->why), "the private dbus-daemon did not start (see %s)",
		         log);
		return false;
	}
	setenv("DBUS_SESSION_BUS_ADDRESS", addr, 1);

	/* gnome-keyring-daemon reads the login password from standard input and creates the
	 * login keyring with it, unlocked */
	if (pipe2(in, O_CLOEXEC) != 0)
		return false;
	char *kr_argv[] = {"gnome-keyring-daemon", "--foreground", "--unlock",
	                   "--components=secrets", NULL};
	f->keyring = spawn(kr_prog, kr_argv, in[0], -1, log);
	close(in[0]);
	static const char pw[] = "throwaway-test-password";
	if (write(in[1], pw, sizeof(pw) - 1) != (ssize_t)(sizeof(pw) - 1)) {
		close(in[1]);
		return false;
	}
	close(in[1]);

	/* ready when a lookup of something absent answers "nothing" instead of failing */
	struct prof_secret_store *ss = prof_secrets_libsecret_new();
	struct secret s = {NULL, 0};
	char err[600] = "";
	int rc = -1;
	for (int tries = 0; tries < 100; tries++) {
		snprintf(path, sizeof(path), "%s/run/keyring/control", f->dir);
		if (access(path, F_OK) == 0) {
			rc = prof_secrets_get(ss, "probe", PROF_SECRET_GROUP_KEY, &s, err,
			                      sizeof(err));
			if (rc == -ENOENT)
				break;
		}
		sleep_ms(100);
	}
	prof_secrets_free(ss);
	if (rc != -ENOENT) {
		snprintf(f->why, sizeof(f->why), "the private keyring did not answer: %.200s", err);
		return false;
	}
	return true;
}

static void stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

/* The files and the lookup without a bus; the keyring part starts the keyring too. */
static int group_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/evc-test-secrets-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;

	char addr[256];
	snprintf(addr, sizeof(addr), "unix:path=%s/no-such-bus", f->dir);
	setenv("DBUS_SESSION_BUS_ADDRESS", addr, 1);
	struct prof_secret_store *ss = prof_secrets_libsecret_new();
	struct secret got = {NULL, 0};
	f->nobus_rc = prof_secrets_get(ss, "x", PROF_SECRET_GROUP_KEY, &got, f->nobus_err,
	                               sizeof(f->nobus_err));
	prof_secrets_free(ss);
	*state = f;
	return 0;
}

/* main() has checked that both daemons are installed: a keyring that does not answer fails. */
static int group_setup_keyring(void **state)
{
	if (group_setup(state) != 0)
		return -1;
	struct fix *f = *state;
	if (!start_keyring(f)) {
		print_message("the private keyring did not start: %s\n", f->why);
		stop(&f->keyring);
		stop(&f->bus);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];
	stop(&f->keyring);
	stop(&f->bus);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* ---- files ---- */

static void test_file_store(void **state)
{
	struct fix *f = *state;
	char dir[128], path[256], ref[300], err[600];
	struct secret v = {NULL, 0}, got = {NULL, 0};
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s/etc/evc/secrets", f->dir);
	struct prof_secret_store *ss = prof_secrets_files_new(dir);
	assert_int_equal(prof_secrets_ref(ss, "office", PROF_SECRET_GROUP_KEY, ref, sizeof(ref)),
	                 0);
	snprintf(path, sizeof(path), "file:%s/office.group-key", dir);
	assert_string_equal(ref, path);
	assert_int_equal(prof_secrets_ref(ss, "../x", PROF_SECRET_PASSWORD, ref, sizeof(ref)),
	                 -EINVAL);

	assert_int_equal(
	    prof_secrets_get(ss, "office", PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)), -ENOENT);
	set_secret(&v, "group key 1");
	assert_int_equal(
	    prof_secrets_put(ss, "office", PROF_SECRET_GROUP_KEY, &v, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/office.group-key", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 12); /* the secret and a newline */
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(
	    prof_secrets_get(ss, "office", PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)), 0);
	assert_int_equal(got.len, 11);
	assert_string_equal((const char *)got.p, "group key 1");
	/* replaced atomically */
	set_secret(&v, "group key 2");
	assert_int_equal(
	    prof_secrets_put(ss, "office", PROF_SECRET_GROUP_KEY, &v, err, sizeof(err)), 0);
	assert_int_equal(
	    prof_secrets_get(ss, "office", PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "group key 2");
	/* values a line-based file cannot hold, or that are empty */
	set_secret(&v, "two\nlines");
	assert_int_equal(prof_secrets_put(ss, "office", PROF_SECRET_PASSWORD, &v, err, sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "cannot hold NUL or line-break"));
	secret_clear(&v);
	assert_int_equal(prof_secrets_put(ss, "office", PROF_SECRET_PASSWORD, &v, err, sizeof(err)),
	                 -EINVAL);
	/* clear, and clearing nothing */
	assert_int_equal(prof_secrets_clear(ss, "office", PROF_SECRET_GROUP_KEY, err, sizeof(err)),
	                 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(prof_secrets_clear(ss, "office", PROF_SECRET_GROUP_KEY, err, sizeof(err)),
	                 0);
	/* a directory others can write into is refused */
	assert_int_equal(chmod(dir, 0777), 0);
	set_secret(&v, "x");
	assert_int_equal(
	    prof_secrets_put(ss, "office", PROF_SECRET_GROUP_KEY, &v, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "others may write into it (mode 0777); chmod 700 it"));
	assert_int_equal(chmod(dir, 0700), 0);
	secret_clear(&v);
	secret_clear(&got);
	prof_secrets_free(ss);
	prof_secrets_free(NULL);
}

static void test_read_file_refusals(void **state)
{
	struct fix *f = *state;
	char path[256], link[256], err[600];
	struct secret s = {NULL, 0};

	snprintf(path, sizeof(path), "%s/key", f->dir);
	write_file(path, "secret one\r\nsecond line\n", 0600);
	assert_int_equal(prof_secret_read_file(path, &s, err, sizeof(err)), 0);
	assert_int_equal(s.len, 10);
	assert_string_equal((const char *)s.p, "secret one");
	secret_clear(&s);

	/* readable by group or others */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(prof_secret_read_file(path, &s, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "group or others may access it (mode 0640); chmod 600 it"));
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(prof_secret_read_file(path, &s, err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(path, 0600), 0);

	/* a symbolic link, even to a good file */
	snprintf(link, sizeof(link), "%s/link", f->dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(prof_secret_read_file(link, &s, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "it is a symbolic link"));

	/* not a regular file */
	char sub[256];
	snprintf(sub, sizeof(sub), "%s/adir", f->dir);
	mkdir(sub, 0700);
	assert_int_equal(prof_secret_read_file(sub, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));

	/* empty first line; missing file */
	snprintf(path, sizeof(path), "%s/empty", f->dir);
	write_file(path, "\nsecond\n", 0600);
	assert_int_equal(prof_secret_read_file(path, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "holds no usable secret"));
	snprintf(path, sizeof(path), "%s/missing", f->dir);
	assert_int_equal(prof_secret_read_file(path, &s, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "does not exist"));

	/* too long */
	char big[PROF_SECRET_MAX + 10];
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(path, sizeof(path), "%s/big", f->dir);
	write_file(path, big, 0600);
	assert_int_equal(prof_secret_read_file(path, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer than 1024 bytes"));
}

/* Part "root": a secret file owned by someone who is neither root nor the caller. */
static void test_read_file_foreign_owner(void **state)
{
	struct fix *f = *state;
	char path[256], err[600];
	struct secret s = {NULL, 0};

	snprintf(path, sizeof(path), "%s/foreign", f->dir);
	write_file(path, "x\n", 0600);
	assert_int_equal(chown(path, 12345, 12345), 0);
	assert_int_equal(prof_secret_read_file(path, &s, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "belongs to uid 12345, neither root nor you; chown it"));
	assert_null(s.p);
}

static struct evc_profile *profile_with(const char *name, const char *gk, const char *pw)
{
	struct evc_profile *p = prof_new(name);
	char err[600];
	assert_int_equal(prof_set(p, "gateway", "vpn.example.com", err, sizeof(err)), 0);
	assert_int_equal(prof_set(p, "group", "g", err, sizeof(err)), 0);
	if (gk)
		assert_int_equal(prof_set(p, "group_key", gk, err, sizeof(err)), 0);
	if (pw)
		assert_int_equal(prof_set(p, "password", pw, err, sizeof(err)), 0);
	return p;
}

static void test_fetch_forget_reveal(void **state)
{
	struct fix *f = *state;
	char dir[128], path[256], ref[300], other[256], err[600];
	struct secret v = {NULL, 0}, got = {NULL, 0};

	snprintf(dir, sizeof(dir), "%s/sec2", f->dir);
	struct prof_secret_store *ss = prof_secrets_files_new(dir);
	set_secret(&v, "the group key");
	assert_int_equal(prof_secrets_put(ss, "p", PROF_SECRET_GROUP_KEY, &v, err, sizeof(err)), 0);
	assert_int_equal(prof_secrets_ref(ss, "p", PROF_SECRET_GROUP_KEY, ref, sizeof(ref)), 0);
	/* the password lives in a file of the administrator's, outside the store */
	snprintf(other, sizeof(other), "%s/admin-password", f->dir);
	write_file(other, "admin pw\n", 0600);
	char pref[300];
	snprintf(pref, sizeof(pref), "file:%s", other);
	struct evc_profile *p = profile_with("p", ref, pref);

	assert_int_equal(prof_secret_fetch(p, PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "the group key");
	assert_int_equal(prof_secret_fetch(p, PROF_SECRET_PASSWORD, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "admin pw");
	secret_clear(&got);
	struct evc_profile *q = profile_with("q", NULL, NULL);
	assert_int_equal(prof_secret_fetch(q, PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)),
	                 -EAGAIN);
	assert_non_null(strstr(err, "asks for the group key when connecting"));
	prof_free(q);

	/* show: hidden by default, revealed on request */
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(prof_show(p, false, out, err, sizeof(err)), 0);
	fclose(out);
	assert_null(strstr(buf, "the group key"));
	assert_non_null(strstr(buf, "\ngroup_key = file:"));
	free(buf);
	out = open_memstream(&buf, &len);
	assert_int_equal(prof_show(p, true, out, err, sizeof(err)), 0);
	fclose(out);
	assert_non_null(strstr(buf, "\n# group_key (revealed) = the group key\n"
	                            "# password (revealed) = admin pw\n"));
	free(buf);

	/* who may reveal: a profile file owned by someone else */
	struct prof_store *st = prof_store_new(f->dir);
	assert_int_equal(prof_store_save(st, p, true, NULL, NULL, err, sizeof(err)), 0);
	struct evc_profile *loaded = NULL;
	assert_int_equal(prof_store_load(st, "p", NULL, NULL, &loaded, err, sizeof(err)), 0);
	assert_int_equal(prof_may_reveal(loaded, err, sizeof(err)), 0);
	prof_free(loaded);
	prof_store_free(st);

	/* forget: the store's file goes, the administrator's file stays */
	assert_int_equal(prof_secrets_forget(p, dir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/p.group-key", dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(other, F_OK), 0);
	secret_clear(&v);
	prof_free(p);
	prof_secrets_free(ss);
}

/* ---- libsecret ---- */

static void test_libsecret_store(void **state)
{
	(void)state; /* group_setup_keyring started the keyring */
	char ref[300], err[600];
	struct secret v = {NULL, 0}, got = {NULL, 0};
	struct prof_secret_store *ss = prof_secrets_libsecret_new();

	assert_int_equal(prof_secrets_ref(ss, "office", PROF_SECRET_GROUP_KEY, ref, sizeof(ref)),
	                 0);
	assert_string_equal(ref, "secret:libsecret");
	set_secret(&v, "keyring group key");
	assert_int_equal(
	    prof_secrets_put(ss, "office", PROF_SECRET_GROUP_KEY, &v, err, sizeof(err)), 0);
	set_secret(&v, "keyring password");
	assert_int_equal(prof_secrets_put(ss, "office", PROF_SECRET_PASSWORD, &v, err, sizeof(err)),
	                 0);
	set_secret(&v, "other profile's key");
	assert_int_equal(prof_secrets_put(ss, "home", PROF_SECRET_GROUP_KEY, &v, err, sizeof(err)),
	                 0);
	/* the attributes keep profiles and kinds apart */
	assert_int_equal(
	    prof_secrets_get(ss, "office", PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)), 0);
	assert_int_equal(got.len, 17);
	assert_string_equal((const char *)got.p, "keyring group key");
	assert_int_equal(
	    prof_secrets_get(ss, "office", PROF_SECRET_PASSWORD, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "keyring password");
	assert_int_equal(
	    prof_secrets_get(ss, "home", PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "other profile's key");
	assert_int_equal(prof_secrets_get(ss, "home", PROF_SECRET_PASSWORD, &got, err, sizeof(err)),
	                 -ENOENT);
	/* replace */
	set_secret(&v, "new group key");
	assert_int_equal(
	    prof_secrets_put(ss, "office", PROF_SECRET_GROUP_KEY, &v, err, sizeof(err)), 0);
	assert_int_equal(
	    prof_secrets_get(ss, "office", PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "new group key");

	/* a profile that refers to the keyring */
	struct evc_profile *p = profile_with("office", "secret:libsecret", "secret:libsecret");
	assert_int_equal(prof_secret_fetch(p, PROF_SECRET_PASSWORD, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "keyring password");
	/* forget clears both items of this profile only */
	assert_int_equal(prof_secrets_forget(p, NULL, err, sizeof(err)), 0);
	assert_int_equal(prof_secret_fetch(p, PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)),
	                 -ENOENT);
	assert_non_null(strstr(err, "your keyring holds no group key for profile 'office'"));
	assert_int_equal(
	    prof_secrets_get(ss, "home", PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)), 0);
	assert_int_equal(prof_secrets_clear(ss, "home", PROF_SECRET_GROUP_KEY, err, sizeof(err)),
	                 0);
	assert_int_equal(prof_secrets_clear(ss, "home", PROF_SECRET_GROUP_KEY, err, sizeof(err)),
	                 0);
	prof_free(p);
	secret_clear(&v);
	secret_clear(&got);
	prof_secrets_free(ss);
}

static void test_libsecret_import(void **state)
{
	struct fix *f = *state;
	char path[256], dir[256], err[600];
	/* a vpnc file with both secrets, imported for a user: the keyring holds them */
	snprintf(path, sizeof(path), "%s/work.conf", f->dir);
	write_file(path,
	           "IPSec gateway vpn.example.com\nIPSec ID work\nIPSec secret gk from vpnc\n"
	           "Xauth username bob\nXauth password pw from vpnc\n",
	           0600);
	struct prof_import imp;
	assert_int_equal(prof_import_file(path, NULL, PROF_FMT_AUTO, NULL, NULL, &imp), 0);
	assert_int_equal(
	    prof_store_default_dir(PROF_SCOPE_USER, dir, sizeof(dir), err, sizeof(err)), 0);
	struct prof_store *st = prof_store_new(dir);
	struct prof_secret_store *ss = prof_secrets_libsecret_new();
	assert_int_equal(prof_import_save(st, ss, &imp, false, NULL, NULL, err, sizeof(err)), 0);
	prof_import_clear(&imp);

	struct evc_profile *p = NULL;
	assert_int_equal(prof_store_load(st, "work", NULL, NULL, &p, err, sizeof(err)), 0);
	assert_string_equal(prof_get(p, "group_key"), "secret:libsecret");
	assert_string_equal(prof_get(p, "password"), "secret:libsecret");
	struct secret got = {NULL, 0};
	assert_int_equal(prof_secret_fetch(p, PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "gk from vpnc");
	assert_int_equal(prof_secret_fetch(p, PROF_SECRET_PASSWORD, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "pw from vpnc");
	secret_clear(&got);
	assert_int_equal(prof_secrets_forget(p, NULL, err, sizeof(err)), 0);
	assert_int_equal(prof_store_remove(st, "work", err, sizeof(err)), 0);
	prof_free(p);
	prof_store_free(st);
	prof_secrets_free(ss);
}

static void test_libsecret_unavailable(void **state)
{
	struct fix *f = *state;
	/* with no session bus the keyring fails with a message that says what to do */
	assert_int_equal(f->nobus_rc, -ENOTCONN);
	assert_non_null(strstr(f->nobus_err, "the keyring (Secret Service) could not look up"));
	assert_non_null(strstr(f->nobus_err, "keep secrets in files instead"));
}

/*
 * No Secret Service reachable (the fixture's bus address names no socket, and there is no
 * $DISPLAY to autolaunch one): a user's store keeps the secrets in owner-only files of the
 * fallback directory, says so once, and evc connect reads them back through the profile.
 */
static void test_user_store_fallback(void **state)
{
	struct fix *f = *state;
	char dir[128], path[256], gref[300], pref[300], err[600];
	struct secret v = {NULL, 0}, got = {NULL, 0};
	struct stat sb;

	unsetenv("DISPLAY");
	/* without a fallback directory the failure stays an error, and nothing is written */
	struct prof_secret_store *ss = prof_secrets_user_new(NULL);
	set_secret(&v, "group key f");
	assert_int_equal(
	    prof_secrets_put(ss, "office", PROF_SECRET_GROUP_KEY, &v, err, sizeof(err)), -ENOTCONN);
	assert_non_null(strstr(err, "the keyring (Secret Service) could not store"));
	assert_null(prof_secrets_note(ss));
	prof_secrets_free(ss);

	snprintf(dir, sizeof(dir), "%s/home/.config/evc/secrets", f->dir);
	ss = prof_secrets_user_new(dir);
	assert_int_equal(prof_secrets_ref(ss, "office", PROF_SECRET_GROUP_KEY, gref, sizeof(gref)),
	                 0);
	assert_string_equal(gref, "secret:libsecret"); /* nothing tried yet */
	assert_null(prof_secrets_note(ss));
	assert_int_equal(
	    prof_secrets_put(ss, "office", PROF_SECRET_GROUP_KEY, &v, err, sizeof(err)), 0);
	assert_non_null(prof_secrets_note(ss));
	assert_non_null(strstr(prof_secrets_note(ss), "no keyring (Secret Service) is reachable"));
	assert_non_null(strstr(prof_secrets_note(ss), dir));
	assert_null(strchr(prof_secrets_note(ss), '\n'));
	set_secret(&v, "password f");
	assert_int_equal(prof_secrets_put(ss, "office", PROF_SECRET_PASSWORD, &v, err, sizeof(err)),
	                 0);
	assert_int_equal(prof_secrets_ref(ss, "office", PROF_SECRET_GROUP_KEY, gref, sizeof(gref)),
	                 0);
	snprintf(path, sizeof(path), "file:%s/office.group-key", dir);
	assert_string_equal(gref, path);
	assert_int_equal(prof_secrets_ref(ss, "office", PROF_SECRET_PASSWORD, pref, sizeof(pref)),
	                 0);
	snprintf(path, sizeof(path), "%s/office.password", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_uid, geteuid());
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(
	    prof_secrets_get(ss, "office", PROF_SECRET_PASSWORD, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "password f");
	secret_clear(&got);

	/* what evc connect does with the profile that holds these references */
	struct evc_profile *p = profile_with("office", gref, pref);
	assert_int_equal(prof_secret_fetch(p, PROF_SECRET_GROUP_KEY, &got, err, sizeof(err)), 0);
	assert_string_equal((const char *)got.p, "group key f");
	secret_clear(&got);
	/* evc profile remove takes the files with it */
	assert_int_equal(prof_secrets_forget(p, dir, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &sb), -1);
	snprintf(path, sizeof(path), "%s/office.group-key", dir);
	assert_int_equal(stat(path, &sb), -1);
	prof_free(p);
	secret_clear(&v);
	prof_secrets_free(ss);
}

/* Part "root": who may reveal the secrets of a profile file owned by someone else. */
static void test_reveal_refused_to_others(void **state)
{
	struct fix *f = *state;
	char dir[128], path[256], ref[300], other[256], pref[300], err[600];
	struct secret v = {NULL, 0};
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	snprintf(dir, sizeof(dir), "%s/sec3", f->dir);
	struct prof_secret_store *ss = prof_secrets_files_new(dir);
	set_secret(&v, "the group key");
	assert_int_equal(prof_secrets_put(ss, "p", PROF_SECRET_GROUP_KEY, &v, err, sizeof(err)), 0);
	assert_int_equal(prof_secrets_ref(ss, "p", PROF_SECRET_GROUP_KEY, ref, sizeof(ref)), 0);
	snprintf(other, sizeof(other), "%s/admin-password3", f->dir);
	write_file(other, "admin pw\n", 0600);
	snprintf(pref, sizeof(pref), "file:%s", other);
	struct evc_profile *p = profile_with("p", ref, pref);
	snprintf(path, sizeof(path), "%s/store3", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	struct prof_store *st = prof_store_new(path);
	assert_int_equal(prof_store_save(st, p, true, NULL, NULL, err, sizeof(err)), 0);

	snprintf(path, sizeof(path), "%s/store3/p.profile", f->dir);
	assert_int_equal(chown(path, 4321, 4321), 0);
	struct evc_profile *loaded = NULL;
	assert_int_equal(prof_store_load(st, "p", NULL, NULL, &loaded, err, sizeof(err)), 0);
	assert_int_equal(prof_owner(loaded), 4321);
	assert_int_equal(prof_may_reveal(loaded, err, sizeof(err)), 0); /* root may */
	assert_int_equal(seteuid(65534), 0);
	int rc = prof_may_reveal(loaded, err, sizeof(err));
	out = open_memstream(&buf, &len);
	int show_rc = prof_show(loaded, true, out, err, sizeof(err));
	fclose(out);
	assert_int_equal(seteuid(0), 0);
	assert_int_equal(rc, -EPERM);
	assert_int_equal(show_rc, -EPERM);
	assert_non_null(strstr(err, "only root or the owner of"));
	assert_non_null(strstr(err, "(uid 4321) may see the secrets of profile 'p'"));
	assert_null(strstr(buf, "revealed"));
	free(buf);
	prof_free(loaded);
	prof_store_free(st);
	prof_free(p);
	secret_clear(&v);
	prof_secrets_free(ss);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_file_store),
	    cmocka_unit_test(test_read_file_refusals),
	    cmocka_unit_test(test_fetch_forget_reveal),
	    cmocka_unit_test(test_libsecret_unavailable),
	    cmocka_unit_test(test_user_store_fallback),
	};
	const struct CMUnitTest keyring[] = {
	    cmocka_unit_test(test_libsecret_store),
	    cmocka_unit_test(test_libsecret_import),
	};
	const struct CMUnitTest root[] = {
	    cmocka_unit_test(test_read_file_foreign_owner),
	    cmocka_unit_test(test_reveal_refused_to_others),
	};
	char prog[256];
	const char *part = unit_part(argc, argv, "keyring root");
	if (!part)
		return unit_result(
		    cmocka_run_group_tests_name("secrets", tests, group_setup, group_teardown));
	if (strcmp(part, "root") == 0) {
		if (geteuid() != 0)
			return unit_skip(
			    "files owned by another user: needs root (chown, seteuid)");
		return unit_result(cmocka_run_group_tests_name("secrets (root)", root, group_setup,
		                                               group_teardown));
	}
#ifndef EVC_HAVE_LIBSECRET
	return unit_skip(
	    "this build has no keyring support (-DEVC_LIBSECRET=OFF, the router build)");
#endif
	if (!find_prog("dbus-daemon", prog, sizeof(prog)) ||
	    !find_prog("gnome-keyring-daemon", prog, sizeof(prog)))
		return unit_skip("dbus-daemon or gnome-keyring-daemon is not installed (Debian "
		                 "packages dbus-daemon and gnome-keyring)");
	return unit_result(cmocka_run_group_tests_name("secrets (keyring)", keyring,
	                                               group_setup_keyring, group_teardown));
}
