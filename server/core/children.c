/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Children and assigned addresses of evs's IKE SAs, in two arrays that grow with SAs only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/children.h"
#include "lib/ipv4.h"

struct kid {
	uint64_t owner;
	uint32_t spi;
	struct evc_net remote;
};

struct assigned {
	uint64_t owner;
	uint32_t addr;
};

struct evs_children {
	struct kid *k;
	size_t nk, capk;
	struct assigned *a;
	size_t na, capa;
	char why[160]; /* the last refusal, for *why */
};

struct evs_children *evs_children_new(void)
{
	return calloc(1, sizeof(struct evs_children));
}

void evs_children_free(struct evs_children *t)
{
	if (!t)
		return;
	free(t->k);
	free(t->a);
	free(t);
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 16;
	if (c > SIZE_MAX / size)
		return -ENOMEM;
	void *nv = realloc(*v, c * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

static struct assigned *find_assigned(const struct evs_children *t, uint64_t owner)
{
	for (size_t i = 0; i < t->na; i++)
		if (t->a[i].owner == owner)
			return &t->a[i];
	return NULL;
}

int evs_children_set_assigned(struct evs_children *t, uint64_t owner, uint32_t addr)
{
	struct assigned *a = find_assigned(t, owner);

	if (a) {
		a->addr = addr;
		return 0;
	}
	if (grow((void **)&t->a, &t->capa, t->na, sizeof(*t->a)))
		return -ENOMEM;
	t->a[t->na++] = (struct assigned){owner, addr};
	return 0;
}

/* Two prefixes overlap when they agree on the shorter one's bits. */
static bool overlap(const struct evc_net *x, const struct evc_net *y)
{
	uint32_t m = x->mask & y->mask;
	return (x->addr & m) == (y->addr & m);
}

/* "quick mode for ADDR" and the reason, in the table's buffer: valid until the next call */
static int refuse(struct evs_children *t, const char **why, const struct evc_net *net,
                  const char *reason)
{
	char a[20];

	ipv4_str(net->addr, a, sizeof(a));
	snprintf(t->why, sizeof(t->why), "quick mode for %s/%d %s", a,
	         __builtin_popcount(net->mask), reason);
	*why = t->why;
	return -EPERM;
}

int evs_children_check(struct evs_children *t, uint64_t owner, const struct evc_net *remote,
                       bool need_addr, const char **why)
{
	const struct assigned *mine = find_assigned(t, owner);
	struct evc_net net = {remote->addr & remote->mask, remote->mask};

	if (need_addr) {
		if (!mine || !mine->addr)
			return refuse(t, why, &net,
			              "before mode-config gave this client an address");
		if (net.mask != 0xffffffffu || net.addr != mine->addr)
			return refuse(
			    t, why, &net,
			    "(mask not /32, or not the address this client was assigned)");
	}
	for (size_t i = 0; i < t->na; i++) {
		struct evc_net host = {t->a[i].addr, 0xffffffffu};
		if (t->a[i].owner != owner && t->a[i].addr && overlap(&net, &host))
			return refuse(t, why, &net,
			              "(covers an address assigned to another client)");
	}
	size_t n = 0;
	for (size_t i = 0; i < t->nk; i++) {
		if (t->k[i].owner == owner) {
			n++;
			continue;
		}
		if (overlap(&net, &t->k[i].remote))
			return refuse(
			    t, why, &net,
			    "(overlaps the traffic selector of another client's IPsec SA)");
	}
	if (n >= EVS_CHILDREN_MAX_PER_SA) {
		*why = "the client already has " EVS_CHILDREN_MAX_STR " IPsec SAs";
		return -EPERM;
	}
	return 0;
}

bool evs_children_has(const struct evs_children *t, uint64_t owner, const struct evc_net *remote)
{
	for (size_t i = 0; i < t->nk; i++)
		if (t->k[i].owner == owner && t->k[i].remote.mask == remote->mask &&
		    t->k[i].remote.addr == (remote->addr & remote->mask))
			return true;
	return false;
}

static size_t index_of(const struct evs_children *t, uint32_t spi)
{
	for (size_t i = 0; i < t->nk; i++)
		if (t->k[i].spi == spi)
			return i;
	return t->nk;
}

int evs_children_add(struct evs_children *t, uint64_t owner, uint32_t spi_in,
                     const struct evc_net *remote)
{
	if (index_of(t, spi_in) < t->nk)
		return -EEXIST;
	if (grow((void **)&t->k, &t->capk, t->nk, sizeof(*t->k)))
		return -ENOMEM;
	t->k[t->nk++] = (struct kid){owner, spi_in, {remote->addr & remote->mask, remote->mask}};
	return 0;
}

int evs_children_remove(struct evs_children *t, uint32_t spi_in)
{
	size_t i = index_of(t, spi_in);

	if (i == t->nk)
		return -ENOENT;
	t->k[i] = t->k[--t->nk];
	return 0;
}

int evs_children_owner(const struct evs_children *t, uint32_t spi_in, uint64_t *owner)
{
	size_t i = index_of(t, spi_in);
	if (i == t->nk)
		return -ENOENT;
	*owner = t->k[i].owner;
	return 0;
}

size_t evs_children_spis(const struct evs_children *t, uint64_t owner, uint32_t *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nk; i++) {
		if (t->k[i].owner != owner)
			continue;
		if (n < max)
			out[n] = t->k[i].spi;
		n++;
	}
	return n;
}

bool evs_children_pop(struct evs_children *t, uint64_t owner, uint32_t *spi_in)
{
	for (size_t i = 0; i < t->nk; i++) {
		if (t->k[i].owner == owner) {
			*spi_in = t->k[i].spi;
			t->k[i] = t->k[--t->nk];
			return true;
		}
	}
	return false;
}

void evs_children_forget(struct evs_children *t, uint64_t owner)
{
	struct assigned *a = find_assigned(t, owner);

	if (a)
		*a = t->a[--t->na];
}

void evs_children_move(struct evs_children *t, uint64_t from, uint64_t to)
{
	for (size_t i = 0; i < t->nk; i++)
		if (t->k[i].owner == from)
			t->k[i].owner = to;
	for (size_t i = 0; i < t->na; i++)
		if (t->a[i].owner == from)
			t->a[i].owner = to;
}
