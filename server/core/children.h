/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which ESP SAs (children) each IKE SA of evs installed in the datapath, and which inner
 * addresses each IKE SA owns. Two walls against a client that talks its way into another
 * user's traffic:
 *  - a child is installed only for the inner address its own IKE SA was assigned (client mode:
 *    exactly that /32), and never for an address or network another IKE SA owns, by
 *    assignment or by an installed child; the datapath's "newest SA wins" would otherwise
 *    send that user's traffic to whoever negotiated last;
 *  - every SPI installed for an IKE SA is remembered, however many there are, so that all of
 *    them leave the datapath with it.
 * IKE SAs are named by a key of the caller's (never 0).
 */
#ifndef EVC_SERVER_CHILDREN_H
#define EVC_SERVER_CHILDREN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/policy.h"

/* Children one IKE SA may have at once (rekeys overlap briefly; clients need one or two). */
#define EVS_CHILDREN_MAX_PER_SA 16
#define EVS_CHILDREN_MAX_STR "16"

struct evs_children;

struct evs_children *evs_children_new(void);
void evs_children_free(struct evs_children *t);

/* Mode-config gave owner the inner address addr (0: none). 0 or -ENOMEM. */
int evs_children_set_assigned(struct evs_children *t, uint64_t owner, uint32_t addr);

/*
 * May owner install a child for the peer's selector remote? need_addr: owner's group hands
 * out addresses (client mode), so remote must be exactly the address owner was assigned. 0, or
 * -EPERM with *why a sentence saying what is wrong (static, or valid until the next call).
 */
int evs_children_check(struct evs_children *t, uint64_t owner, const struct evc_net *remote,
                       bool need_addr, const char **why);
/* Records an installed child. 0, -EEXIST for a known spi_in, -ENOMEM. */
int evs_children_add(struct evs_children *t, uint64_t owner, uint32_t spi_in,
                     const struct evc_net *remote);
/* Forgets one child (deleted by the peer or the engine). 0 or -ENOENT. */
int evs_children_remove(struct evs_children *t, uint32_t spi_in);
/* The IKE SA that installed the ESP SA with inbound SPI spi_in: 0 and *owner, or -ENOENT. */
int evs_children_owner(const struct evs_children *t, uint32_t spi_in, uint64_t *owner);
/* The SPIs of owner's children, at most max of them, into out; returns how many owner has. */
size_t evs_children_spis(const struct evs_children *t, uint64_t owner, uint32_t *out, size_t max);
/* Takes one of owner's children out of the table: true and *spi_in set, false when none is
 * left. Loop on it to remove them all from the datapath when the IKE SA goes. */
/* Does an ESP SA of owner still carry exactly this selector? */
bool evs_children_has(const struct evs_children *t, uint64_t owner, const struct evc_net *remote);
bool evs_children_pop(struct evs_children *t, uint64_t owner, uint32_t *spi_in);
/* Forgets owner's assigned address (its children must be popped first). */
void evs_children_forget(struct evs_children *t, uint64_t owner);
/* A phase-1 rekey: the children and the assigned address of IKE SA from now belong to the
 * IKE SA to (which has none of its own yet). */
void evs_children_move(struct evs_children *t, uint64_t from, uint64_t to);

#endif
