/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The terminal side of `evc connect`: the client core's callbacks that print each step, the
 * banner and the connected line, that prompt for a password again, and that give up
 * privileges; and reading secrets from a file, standard input or the terminal.
 */
#ifndef EVC_CLIENT_TERM_H
#define EVC_CLIENT_TERM_H

#include <stdbool.h>
#include <stdio.h>

#include "client/core/client.h"
#include "client/core/settings.h"

struct term {
	int verbose;
	bool quiet;
	bool run_as; /* --run-as: become run_as_uid/gid at setup_done */
	unsigned run_as_uid, run_as_gid;
	FILE *stdin_lines;         /* shared when both secrets come from "-" */
	struct evc_client *client; /* for the answers */
	/* the profile connected with (NULL: none): what the gateway pushes is learnt into it */
	const struct evc_profile *prof;
	struct term_ask *ask; /* the client's question open on the terminal, or NULL */
};

/* The callbacks; ctx is a struct term. */
extern const struct evc_client_ops term_ops;

/*
 * The client's questions (a password the gateway asks for again, at a phase-1 rekey or after
 * a rejected one) are read from the caller's event loop, so that the tunnel keeps running
 * while nobody answers: wait for term_prompt_fd (-1: none open) to be readable and call
 * term_prompt_input, which answers the client once the line is complete (or declines on
 * Ctrl-D). term_prompt_close gives the terminal its echo back; call it before the client is
 * freed, on every path. The questions before the client runs (term_secret, term_username)
 * block instead: nothing else runs yet.
 */
int term_prompt_fd(const struct term *t);
void term_prompt_input(struct term *t);
void term_prompt_close(struct term *t);

/* "evc: note: ..." (an evc_note_fn). */
void term_note(void *ctx, const char *msg);
/* "evc: " and the sentence, which may quote the gateway. */
void term_error(const char *err);

/*
 * The group key or password into set: from file (- for standard input) when given, else the
 * profile's store when prof says so, else the terminal with question. err names flag when
 * nothing works.
 */
int term_secret(struct term *t, struct evc_settings *set, enum evc_secret_kind kind,
                const char *file, const struct evc_profile *prof, const char *question, char *err,
                size_t errlen);
/*
 * Whether this process has the capabilities `evc connect` with set needs (and, with --run-as,
 * may switch users); remembers --run-as in t. err names a missing capability.
 */
int term_check_privileges(struct term *t, const struct evc_settings *set, char *err, size_t errlen);

/* Asks for the username on the terminal when set holds none. */
int term_username(struct evc_settings *set, char *err, size_t errlen);

/* Ctrl-C, SIGTERM and SIGHUP as a descriptor (for evc_client_run), or -1 with err. */
int term_stop_signals(char *err, size_t errlen);

#endif
