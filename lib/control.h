/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control sockets of evc and evs: a unix stream socket, mode 0600 (0660 for a group with
 * ctl_srv_allow_group), where a local tool (`evs show ...`, `evc status`, evc-gui) sends a
 * command line and reads the answer. What the lines say is the caller's business (evc's
 * versioned JSON protocol is lib/ctlproto.h); this file only carries them.
 *
 * The daemon side is struct ctl_srv: one pollable descriptor for the event loop, behind which
 * every client connection is non-blocking, so that no client ever stalls the loop:
 *  - A one-shot client sends one command and reads the answer until the daemon closes the
 *    connection. It has CTL_CONN_MS to send, and CTL_CONN_MS after each read of its answer
 *    for the next: one that never sends, or stops reading, costs the loop nothing but a file
 *    descriptor (and one part of its answer) for that long. An answer may be any length up
 *    to CTL_ANSWER_CEIL, made a part at a time as the client reads (ctl_srv_more).
 *  - A handler may keep the connection it answers open (ctl_srv_keep): a session, for more
 *    command lines and for events (ctl_srv_broadcast). A session has no deadline, but what
 *    waits for it is bounded by CTL_QUEUE_MAX (plus a 16 KiB kernel buffer): a subscriber
 *    that does not read is dropped when its queue would overflow, never waited for. At most
 *    CTL_MAX_KEPT sessions at once.
 *  - At most CTL_MAX_CONNS connections are served at once; beyond that the oldest one-shot
 *    client is dropped (sessions are not), or the newcomer when all are sessions.
 *  - Every peer is checked with SO_PEERCRED when accepted: root, the daemon's own user, or
 *    (after ctl_srv_allow_group) a process with that group among its groups (SO_PEERGROUPS);
 *    anyone else gets one refusal line and the connection is closed before a byte of theirs
 *    is read.
 *  - The bytes of each command line are wiped once handled (a password answer passes through).
 */
#ifndef EVC_LIB_CONTROL_H
#define EVC_LIB_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CTL_CMD_MAX 2048                   /* longest command line, with its NUL */
#define CTL_ANSWER_MAX (64 * 1024)         /* longest part of an answer (ctl_srv_more) */
#define CTL_ANSWER_CEIL (16 * 1024 * 1024) /* longest answer, all its parts */
#define CTL_QUEUE_MAX (64 * 1024)          /* most bytes waiting for a session */
#define CTL_MAX_CONNS 8
#define CTL_MAX_KEPT 4
#define CTL_CONN_MS 2000 /* a client has this long to send its command and read the answer */

struct ctl_srv;

/*
 * Writes the answer to cmd (no line end) into out, at most cap bytes; returns its length. A
 * length above cap says the answer did not fit (snprintf-style): the first cap - 1 bytes are
 * sent and then a line "% answer cut after N bytes: <why>", never a silent cut. A longer
 * answer is given in parts with ctl_srv_more.
 */
typedef size_t (*ctl_handler)(void *ctx, const char *cmd, char *out, size_t cap);
/*
 * The next part of a long answer: written into out (at most cap bytes; a return above cap
 * cuts it as for ctl_handler), *done set with the last one. Called from ctl_srv_dispatch only
 * once the part before was all taken by the client, one part per event: each one
 * should take well under a millisecond or two to make.
 */
typedef size_t (*ctl_more_fn)(void *state, char *out, size_t cap, bool *done);

/*
 * Listens on path (its directory is created 0700 if missing). A stale socket of a dead process
 * is replaced; a live one is refused with -EADDRINUSE; anything at path that is not a socket
 * (a file, a symlink, a directory) is left alone and refused with -EEXIST. 0, or a negative
 * errno with err saying why.
 */
int ctl_srv_new(struct ctl_srv **out, const char *path, ctl_handler handler, void *ctx, char *err,
                size_t errlen);
/* The descriptor to watch for EPOLLIN; then call ctl_srv_dispatch. */
int ctl_srv_fd(const struct ctl_srv *srv);
/* Accepts, reads, answers and expires whatever is ready, without ever blocking. */
void ctl_srv_dispatch(struct ctl_srv *srv);
/*
 * Called by the handler while it answers: keep this connection open as a session (more
 * commands, events). 0, or -EUSERS when CTL_MAX_KEPT sessions are open already.
 */
int ctl_srv_keep(struct ctl_srv *srv);
/*
 * Called by the handler while it answers a one-shot client: its answer goes on after what the
 * handler returns, with parts from fn(state, ...) made as the client reads them. The answer
 * ends when fn says done, or at CTL_ANSWER_CEIL bytes with a last line saying it was cut
 * there. free_state(state) (when not NULL) is called once, when the answer ended or the
 * connection closed (a client that stops reading is dropped CTL_CONN_MS after it stopped).
 * 0, or -EINVAL (not in a handler call, a session, a continuation set already); then state
 * was not taken.
 */
int ctl_srv_more(struct ctl_srv *srv, ctl_more_fn fn, void *state, void (*free_state)(void *));
/* ctl_srv_more for a finished text: buf (from malloc, taken in every case) of len bytes is
 * sent after the handler's part, a part at a time. 0, or a negative errno. */
int ctl_srv_more_buf(struct ctl_srv *srv, char *buf, size_t len);
/* Queues line to every session (a session that cannot take it is dropped); how many took it. */
size_t ctl_srv_broadcast(struct ctl_srv *srv, const char *line, size_t len);
/* During a handler call: the uid of the peer whose command it answers; -1 otherwise. */
long ctl_srv_peer_uid(const struct ctl_srv *srv);
/* During a handler call: the id of the connection whose command it answers, 0 otherwise. Ids
 * are never reused while srv lives, so a stored id names that connection or nothing. */
uint64_t ctl_srv_peer_id(const struct ctl_srv *srv);
/* Whether the session id is open; then its peer's uid in *uid (when not NULL). */
bool ctl_srv_session(const struct ctl_srv *srv, uint64_t id, long *uid);
/* The open sessions: the ids and peer uids of up to max of them; how many are open. */
size_t ctl_srv_sessions(const struct ctl_srv *srv, uint64_t *ids, long *uids, size_t max);
/* Queues line to the session id alone: 0, -ENOENT when it is not an open session, or the
 * error of a session that could not take it (it is dropped, as ctl_srv_broadcast does). */
int ctl_srv_send(struct ctl_srv *srv, uint64_t id, const char *line, size_t len);
/* How many sessions are open. */
size_t ctl_srv_kept(const struct ctl_srv *srv);
/*
 * Opens the socket to the members of group: the socket file becomes mode 0660 and owned by
 * that group, and peers with it among their groups are served. Its directory, when it is this
 * process's own and the group could not search it, becomes the group's with mode 0710
 * (searchable, not readable); a directory of another owner or one anyone may write is left
 * alone. 0, or a negative errno with
 * err (no such group, ...); then the socket stays as it was (root and this user only).
 */
int ctl_srv_allow_group(struct ctl_srv *srv, const char *group, char *err, size_t errlen);
/* Closes every connection and the socket, and removes the socket file. NULL is a no-op. */
void ctl_srv_free(struct ctl_srv *srv);

/* Client side: sends cmd to the socket at path, copies the answer to out. 0, or a negative
 * errno with err saying why (no daemon there, ...). */
int ctl_request(const char *path, const char *cmd, FILE *out, char *err, size_t errlen);

#endif
