/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of evc-gui's password and group-key entries: a GtkEntryBuffer whose characters live
 * in lib/secret.h's memory (its own pages, left out of core dumps, wiped with OPENSSL_cleanse)
 * rather than in GLib's heap, where GtkEntryBuffer's own copy would be freed unwiped and
 * reused. Deleted text is wiped at once, a buffer that grows moves to new pages and wipes the
 * old ones, and finalize wipes what is left.
 */
#ifndef EVC_GUI_SECRET_BUFFER_H
#define EVC_GUI_SECRET_BUFFER_H

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EVC_TYPE_SECRET_BUFFER (evc_secret_buffer_get_type())
G_DECLARE_FINAL_TYPE(EvcSecretBuffer, evc_secret_buffer, EVC, SECRET_BUFFER, GtkEntryBuffer)

/* An empty buffer; NULL when no secret memory could be had. */
GtkEntryBuffer *evc_secret_buffer_new(void);
/* Gives entry a secret buffer of its own (its old one, empty, is dropped). FALSE when no
 * secret memory could be had: the entry is then left as it was. */
gboolean evc_secret_buffer_attach(GtkEntry *entry);

G_END_DECLS

#endif
