/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the platform/ sources; not part of the public interface. */
#ifndef EVC_PLATFORM_PLAT_INT_H
#define EVC_PLATFORM_PLAT_INT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/apply.h"
#include "platform/netcfg.h"

/* Writes "<what>: <strerror(-rc)>" into err (if err is not NULL) and returns rc. */
int plat_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same without the strerror suffix, for messages that already say what is wrong. */
int plat_failx(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Interface name for messages; "ifindex N" when the index is unknown. */
const char *plat_ifname_str(int ifindex, char *buf, size_t len);

/* One recorded change and what undoing it needs. */
enum plat_jtype {
	PJ_LINK,     /* ifname had mtu and up before */
	PJ_ADDR,     /* addr/plen added to ifname */
	PJ_ROUTE,    /* route added via ifname */
	PJ_FILE,     /* path replaced; kind says what to put back */
	PJ_SYSCTL,   /* path held aux before */
	PJ_NFT,      /* nftables table path (evc_<tun>, PAT) created */
	PJ_SCRIPT,   /* vpnc-script path ran with connect; aux its environment (script.c) */
	PJ_RESOLVED, /* systemd-resolved holds DNS settings for ifname/ifindex (resolved.c) */
};

enum plat_file_kind {
	PF_ABSENT,  /* path did not exist: remove it */
	PF_REGULAR, /* aux is a backup copy; mode/uid/gid are the original's */
	PF_SYMLINK, /* aux is the link target */
};

struct plat_jentry {
	enum plat_jtype type;
	char ifname[IF_NAMESIZE];
	int ifindex;
	unsigned mtu;
	bool up;
	uint32_t addr;
	unsigned plen;
	struct plat_route rt;
	enum plat_file_kind kind;
	unsigned mode, uid, gid;
	char *path; /* owned by the journal once recorded */
	char *aux;
};

/* PAT (pat.c): the table name "evc_<ifname>" into buf; whether name is one of those; deleting
 * one (already gone counts as deleted). */
int plat_pat_table(char *buf, size_t len, const char *ifname);
bool plat_pat_table_ok(const char *name);
int plat_pat_delete(const char *table, char *err, size_t errlen);

/* Appends a copy of e (strings duplicated) and rewrites the state file before returning. */
int plat_journal_record(struct plat_journal *j, const struct plat_jentry *e, char *err,
                        size_t errlen);
/* Forgets entry i without reverting it (the change was never made, or was reverted). */
int plat_journal_forget(struct plat_journal *j, size_t i, char *err, size_t errlen);
/* Reverts entries newest first until mark remain. */
int plat_journal_undo_to(struct plat_journal *j, size_t mark, char *err, size_t errlen);
const char *plat_journal_state_path(const struct plat_journal *j);
/* Index of the route entry for dst/plen via ifname, or -1. */
long plat_journal_find_route(const struct plat_journal *j, const char *ifname, uint32_t dst,
                             unsigned plen);

/* script.c: runs opts->script with pre-init and connect, journalled; undo runs disconnect */
int plat_script_apply(struct plat_journal *j, const struct evc_policy *pol,
                      const struct plat_client_opts *o, char *err, size_t errlen);
int plat_script_revert(const struct plat_jentry *e, char *err, size_t errlen);

/* resolved.c: DNS of pol for ifname through systemd-resolved, journalled; -ENOENT when it
 * does not run (nothing changed). Undo: RevertLink. */
int plat_resolved_apply(struct plat_journal *j, const struct evc_policy *pol, const char *ifname,
                        void (*note)(void *arg, const char *msg), void *note_arg, char *err,
                        size_t errlen);
int plat_resolved_undo(const struct plat_jentry *e, char *err, size_t errlen);

/* resolv.c */
int plat_dns_apply(struct plat_journal *j, const struct evc_policy *pol, const char *path,
                   enum plat_dns_mode mode, const char *ifname,
                   void (*note)(void *arg, const char *msg), void *note_arg, char *err,
                   size_t errlen);

/* file_restore.c: puts back the file a PJ_FILE entry recorded (removes it, relinks it, or
 * copies its backup over it). */
int plat_file_restore(const struct plat_jentry *e, char *err, size_t errlen);
/* The largest file backed up and restored (resolv.conf is a few hundred bytes). */
#define PLAT_FILE_BACKUP_MAX (1u << 20)

/* Writes data to path atomically (temporary file + rename), with the given mode and owner. */
int plat_file_replace(const char *path, const void *data, size_t len, unsigned mode, unsigned uid,
                      unsigned gid, char *err, size_t errlen);
/* Writes value into an existing file such as a /proc/sys entry. */
int plat_sysctl_write(const char *path, const char *value, char *err, size_t errlen);
/* Reads at most max bytes of path into a NUL-terminated malloc'ed buffer. */
int plat_file_read(const char *path, size_t max, char **data, size_t *len, char *err,
                   size_t errlen);

/* Commits an nft ruleset (one netlink transaction); what names the step for err. */
int plat_nft_run(const char *cmd, const char *what, char *err, size_t errlen);

#endif
