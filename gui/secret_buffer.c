/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A GtkEntryBuffer in secret memory; see secret_buffer.h. */
#include "gui/secret_buffer.h"

#include <string.h>

#include "lib/secret.h"

#define START_CAP 64 /* bytes: a password seldom needs more, and a page is taken anyway */

struct _EvcSecretBuffer {
	GtkEntryBuffer parent;
	struct secret s; /* s.len: the room, a NUL after the text included */
	size_t n_bytes;
	guint n_chars;
};

G_DEFINE_TYPE(EvcSecretBuffer, evc_secret_buffer, GTK_TYPE_ENTRY_BUFFER)

static char *text_of(EvcSecretBuffer *b)
{
	return (char *)b->s.p;
}

/* Room for need bytes: new pages with the text copied, the old ones wiped and unmapped. */
static gboolean reserve(EvcSecretBuffer *b, size_t need)
{
	struct secret n = {0};
	size_t cap = b->s.len ? b->s.len : START_CAP;
	if (need <= b->s.len)
		return TRUE;
	while (cap < need) {
		if (cap > G_MAXSIZE / 2)
			return FALSE;
		cap *= 2;
	}
	if (secret_alloc(&n, cap) != 0)
		return FALSE;
	if (b->s.p)
		memcpy(n.p, b->s.p, b->n_bytes + 1);
	secret_clear(&b->s);
	b->s = n;
	return TRUE;
}

static const gchar *sb_get_text(GtkEntryBuffer *buffer, gsize *n_bytes)
{
	EvcSecretBuffer *b = EVC_SECRET_BUFFER(buffer);
	if (n_bytes)
		*n_bytes = b->n_bytes;
	return b->s.p ? text_of(b) : "";
}

static guint sb_get_length(GtkEntryBuffer *buffer)
{
	return EVC_SECRET_BUFFER(buffer)->n_chars;
}

static guint sb_insert_text(GtkEntryBuffer *buffer, guint position, const gchar *chars,
                            guint n_chars)
{
	EvcSecretBuffer *b = EVC_SECRET_BUFFER(buffer);
	size_t nb = (size_t)(g_utf8_offset_to_pointer(chars, n_chars) - chars);
	if (nb > G_MAXSIZE - b->n_bytes - 1 || !reserve(b, b->n_bytes + nb + 1))
		return 0; /* nothing inserted: GTK shows the entry unchanged */
	if (position > b->n_chars)
		position = b->n_chars;
	char *t = text_of(b);
	size_t at = (size_t)(g_utf8_offset_to_pointer(t, position) - t);
	memmove(t + at + nb, t + at, b->n_bytes - at);
	memcpy(t + at, chars, nb);
	b->n_bytes += nb;
	t[b->n_bytes] = '\0';
	b->n_chars += n_chars;
	gtk_entry_buffer_emit_inserted_text(buffer, position, chars, n_chars);
	return n_chars;
}

static guint sb_delete_text(GtkEntryBuffer *buffer, guint position, guint n_chars)
{
	EvcSecretBuffer *b = EVC_SECRET_BUFFER(buffer);
	if (position > b->n_chars)
		position = b->n_chars;
	if (n_chars > b->n_chars - position)
		n_chars = b->n_chars - position;
	if (n_chars == 0)
		return 0;
	char *t = text_of(b);
	char *start = g_utf8_offset_to_pointer(t, position);
	char *end = g_utf8_offset_to_pointer(start, n_chars);
	size_t gone = (size_t)(end - start), old = b->n_bytes;
	memmove(start, end, old - (size_t)(end - t) + 1); /* the NUL too */
	b->n_bytes -= gone;
	b->n_chars -= n_chars;
	/* the characters that moved left leave their old places behind: no copy stays */
	mem_wipe(t + b->n_bytes + 1, old - b->n_bytes);
	gtk_entry_buffer_emit_deleted_text(buffer, position, n_chars);
	return n_chars;
}

static void sb_finalize(GObject *o)
{
	secret_clear(&EVC_SECRET_BUFFER(o)->s);
	G_OBJECT_CLASS(evc_secret_buffer_parent_class)->finalize(o);
}

static void evc_secret_buffer_class_init(EvcSecretBufferClass *k)
{
	GtkEntryBufferClass *ek = GTK_ENTRY_BUFFER_CLASS(k);
	G_OBJECT_CLASS(k)->finalize = sb_finalize;
	ek->get_text = sb_get_text;
	ek->get_length = sb_get_length;
	ek->insert_text = sb_insert_text;
	ek->delete_text = sb_delete_text;
}

static void evc_secret_buffer_init(EvcSecretBuffer *b)
{
	if (reserve(b, START_CAP))
		text_of(b)[0] = '\0';
}

GtkEntryBuffer *evc_secret_buffer_new(void)
{
	EvcSecretBuffer *b = g_object_new(EVC_TYPE_SECRET_BUFFER, NULL);
	if (!b->s.p) {
		g_object_unref(b);
		return NULL;
	}
	return GTK_ENTRY_BUFFER(b);
}

gboolean evc_secret_buffer_attach(GtkEntry *entry)
{
	GtkEntryBuffer *b = evc_secret_buffer_new();
	if (!b)
		return FALSE;
	gtk_entry_set_buffer(entry, b);
	g_object_unref(b);
	return TRUE;
}
