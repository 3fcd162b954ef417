/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The queue of actions an SA hands to its caller (datagrams, logs, prompts, ESP SAs): each
 * node owns a copy of what its action points to, wiped when it holds secrets. Logs and
 * status lines are actions too, so every module can report without knowing the SA life cycle.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/sa_int.h"

struct ike_act_node *sa_push(struct ike_sa *sa, enum ike_act_type t)
{
	struct ike_act_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->act.type = t;
	if (sa->q_tail)
		sa->q_tail->next = n;
	else
		sa->q_head = n;
	sa->q_tail = n;
	return n;
}

uint8_t *sa_own(struct ike_act_node *n, const void *p, size_t len, bool secret)
{
	n->buf = malloc(len + 1);
	if (!n->buf)
		return NULL;
	if (len)
		memcpy(n->buf, p, len);
	n->buf[len] = '\0';
	n->buf_len = len + 1;
	n->secret = secret;
	return n->buf;
}

static void node_free(struct ike_act_node *n)
{
	if (!n)
		return;
	if (n->buf) {
		if (n->secret)
			mem_wipe(n->buf, n->buf_len);
		free(n->buf);
	}
	free(n);
}

bool ike_next_action(struct ike_sa *sa, struct ike_action *out)
{
	node_free(sa->q_cur);
	sa->q_cur = sa->q_head;
	if (!sa->q_cur)
		return false;
	sa->q_head = sa->q_cur->next;
	if (!sa->q_head)
		sa->q_tail = NULL;
	*out = sa->q_cur->act;
	return true;
}

void sa_actions_free(struct ike_sa *sa)
{
	struct ike_act_node *n = sa->q_head;
	while (n) {
		struct ike_act_node *next = n->next;
		node_free(n);
		n = next;
	}
	sa->q_head = sa->q_tail = NULL;
	node_free(sa->q_cur);
	sa->q_cur = NULL;
}

static void vpush_text(struct ike_sa *sa, struct ike_act_node *n, const char *fmt, va_list ap)
{
	char text[1024];
	int k = snprintf(text, sizeof(text), "[%02x%02x%02x%02x] ", sa->icky[0], sa->icky[1],
	                 sa->icky[2], sa->icky[3]);
	if (k < 0)
		k = 0;
	vsnprintf(text + k, sizeof(text) - (size_t)k, fmt, ap);
	sa_own(n, text, strlen(text), false);
}

void sa_log(struct ike_sa *sa, enum ike_log_level lvl, const char *fmt, ...)
{
	struct ike_act_node *n = sa_push(sa, IKE_ACT_LOG);
	if (!n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vpush_text(sa, n, fmt, ap);
	va_end(ap);
	n->act.u.log.level = lvl;
	n->act.u.log.text = n->buf ? (const char *)n->buf : "";
}

void sa_status(struct ike_sa *sa, enum ike_step step, const char *fmt, ...)
{
	struct ike_act_node *n = sa_push(sa, IKE_ACT_STATUS);
	if (!n)
		return;
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sa_own(n, text, strlen(text), false);
	n->act.u.status.step = step;
	n->act.u.status.text = n->buf ? (const char *)n->buf : "";
}
