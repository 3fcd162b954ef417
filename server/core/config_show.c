/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration as the show commands print it: see config_show.h. */
#include <stdio.h>
#include <string.h>

#include "server/core/config_int.h"
#include "server/core/config_show.h"

size_t evs_config_n_dmaps(const struct evs_config *cfg)
{
	return cfg->dmaps.n;
}

void evs_config_dmap(const struct evs_config *cfg, size_t i, struct evs_dmap_info *out)
{
	const struct cfg_dmap *d = &cfg->dmaps.v[i];
	*out = (struct evs_dmap_info){
	    .name = d->name,
	    .seq = d->seq,
	    .life_s = d->life_s ? d->life_s : cfg->ipsec_life_s,
	    .life_kb = d->life_kb ? d->life_kb : cfg->ipsec_life_kb,
	    .pfs_group = d->pfs_group,
	    .rri = d->rri,
	    .tsets = (const char *const *)d->tsets.v,
	    .n_tsets = d->tsets.n,
	};
}

const char *evs_config_iface_for(const struct evs_config *cfg, uint32_t addr)
{
	const char *first = NULL;
	for (size_t i = 0; i < cfg->ifaces.n; i++) {
		const struct cfg_iface *f = &cfg->ifaces.v[i];
		if (!f->cmap || !cfg->map || strcmp(f->cmap, cfg->map->name) != 0)
			continue;
		if (f->have_addr && f->addr == addr)
			return f->name;
		if (!first)
			first = f->name;
	}
	return first ? first : "";
}

size_t evs_config_listen_ifaces(const struct evs_config *cfg, struct evs_listen_iface *out,
                                size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->ifaces.n; i++) {
		const struct cfg_iface *f = &cfg->ifaces.v[i];
		if (!f->cmap || !cfg->map || strcmp(f->cmap, cfg->map->name) != 0)
			continue;
		if (n < max)
			out[n] = (struct evs_listen_iface){f->name,      f->cmap, f->line,
			                                   f->have_addr, f->addr, f->mask};
		n++;
	}
	return n;
}

bool evs_config_group_iface_ok(const struct evs_config *cfg, const char *group, uint32_t local,
                               char *why, size_t len)
{
	const struct cfg_group *g = cfg_find_group(cfg, group);
	const char *came = NULL;
	size_t n = 0;
	if (!g || !g->restrict_ifaces.n)
		return true;
	for (size_t i = 0; i < cfg->ifaces.n && !came; i++)
		if (cfg->ifaces.v[i].have_addr && cfg->ifaces.v[i].addr == local)
			came = cfg->ifaces.v[i].name;
	for (size_t k = 0; came && k < g->restrict_ifaces.n; k++)
		if (strcmp(g->restrict_ifaces.v[k], came) == 0)
			return true;
	int w = snprintf(why, len, "group %s may connect only through interface", group);
	for (size_t k = 0; k < g->restrict_ifaces.n && w > 0 && (size_t)w < len; k++, n++)
		w += snprintf(why + w, len - (size_t)w, "%s %s", n ? "," : "",
		              g->restrict_ifaces.v[k]);
	if (w > 0 && (size_t)w < len)
		snprintf(why + w, len - (size_t)w, " (access-restrict), not %s",
		         came ? came : "this one");
	return false;
}
