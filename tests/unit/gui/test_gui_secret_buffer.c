/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gui/secret_buffer.c: evc-gui's password entries keep their text in secret memory. The text
 * an entry shows (insert, delete, get_text, the signals GtkEntry follows) is GtkEntryBuffer's;
 * where it lives is checked in the process's own map: a DONTDUMP mapping while it is used,
 * nothing left behind a deletion, the old pages gone when it grows and when it is finalized.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "gui/secret_buffer.h"

/* Whether the page of p is mapped in this process. */
static bool mapped(const void *p)
{
	long page = sysconf(_SC_PAGESIZE);
	void *base = (void *)((uintptr_t)p & ~(uintptr_t)(page - 1));
	return msync(base, (size_t)page, MS_ASYNC) == 0 || errno != ENOMEM;
}

/* The VmFlags of the mapping that holds p, from /proc/self/smaps. */
static bool vmflag(const void *p, const char *flag)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false, found = false;
	uintptr_t a = (uintptr_t)p;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			char want[8];
			snprintf(want, sizeof(want), " %s", flag);
			found = strstr(line, want) != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

struct counts {
	guint inserted, deleted, last_pos, last_n;
};

static void on_inserted(GtkEntryBuffer *b, guint pos, const char *chars, guint n, gpointer data)
{
	struct counts *c = data;
	c->inserted++;
	c->last_pos = pos;
	c->last_n = n;
}

static void on_deleted(GtkEntryBuffer *b, guint pos, guint n, gpointer data)
{
	struct counts *c = data;
	c->deleted++;
	c->last_pos = pos;
	c->last_n = n;
}

static void test_insert_delete_get_text(void **state)
{
	GtkEntryBuffer *b = evc_secret_buffer_new();
	struct counts c = {0};
	assert_non_null(b);
	g_signal_connect(b, "inserted-text", G_CALLBACK(on_inserted), &c);
	g_signal_connect(b, "deleted-text", G_CALLBACK(on_deleted), &c);
	assert_string_equal(gtk_entry_buffer_get_text(b), "");
	assert_int_equal(gtk_entry_buffer_get_length(b), 0);

	/* characters, not bytes: "ä" and "€" are 2 and 3 bytes */
	assert_int_equal(gtk_entry_buffer_insert_text(b, 0, "pässwörd", -1), 8);
	assert_string_equal(gtk_entry_buffer_get_text(b), "pässwörd");
	assert_int_equal(gtk_entry_buffer_get_length(b), 8);
	assert_int_equal(gtk_entry_buffer_get_bytes(b), 10);
	assert_int_equal(c.inserted, 1);
	assert_int_equal(c.last_n, 8);

	/* in the middle, and past the end (clamped to the end) */
	assert_int_equal(gtk_entry_buffer_insert_text(b, 2, "€", -1), 1);
	assert_string_equal(gtk_entry_buffer_get_text(b), "pä€sswörd");
	assert_int_equal(c.last_pos, 2);
	assert_int_equal(gtk_entry_buffer_insert_text(b, 99, "!", 1), 1);
	assert_string_equal(gtk_entry_buffer_get_text(b), "pä€sswörd!");
	assert_int_equal(c.last_pos, 9);

	/* a deletion leaves nothing of the old text behind the new end */
	const char *t = gtk_entry_buffer_get_text(b);
	size_t before = strlen(t);
	assert_int_equal(gtk_entry_buffer_delete_text(b, 1, 3), 3);
	assert_string_equal(gtk_entry_buffer_get_text(b), "pswörd!");
	assert_int_equal(c.deleted, 1);
	assert_int_equal(c.last_pos, 1);
	assert_int_equal(c.last_n, 3);
	assert_ptr_equal(gtk_entry_buffer_get_text(b), t); /* the same storage, in place */
	for (size_t i = strlen(t); i <= before; i++)
		assert_int_equal(t[i], 0);
	/* more than there is: up to the end; -1: the rest */
	assert_int_equal(gtk_entry_buffer_delete_text(b, 5, 10), 2);
	assert_string_equal(gtk_entry_buffer_get_text(b), "pswör");
	assert_int_equal(gtk_entry_buffer_delete_text(b, 0, -1), 5);
	assert_string_equal(t, "");
	for (size_t i = 0; i <= before; i++)
		assert_int_equal(t[i], 0);
	assert_int_equal(gtk_entry_buffer_delete_text(b, 0, -1), 0);

	/* set_text (what gtk_entry_set_text does) replaces; max-length is kept */
	gtk_entry_buffer_set_text(b, "hunter2", -1);
	assert_string_equal(gtk_entry_buffer_get_text(b), "hunter2");
	gtk_entry_buffer_set_max_length(b, 4);
	assert_string_equal(gtk_entry_buffer_get_text(b), "hunt");
	assert_int_equal(gtk_entry_buffer_insert_text(b, 4, "xyz", -1), 0);
	g_object_unref(b);
}

static void test_secret_memory(void **state)
{
	GtkEntryBuffer *b = evc_secret_buffer_new();
	assert_non_null(b);
	gtk_entry_buffer_set_text(b, "correct horse", -1);
	const char *t = gtk_entry_buffer_get_text(b);
	/* its own mapping, out of core dumps: not GLib's heap */
	assert_true(vmflag(t, "dd"));
	char *heap = g_strdup("x");
	assert_false(vmflag(heap, "dd"));
	g_free(heap);

	/* growing moves the text to new pages, the old ones wiped and unmapped */
	char big[9000];
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(gtk_entry_buffer_insert_text(b, 13, big, -1), sizeof(big) - 1);
	const char *t2 = gtk_entry_buffer_get_text(b);
	assert_ptr_not_equal(t2, t);
	assert_false(mapped(t));
	assert_true(vmflag(t2, "dd"));
	assert_int_equal(strncmp(t2, "correct horsekkk", 16), 0);
	assert_int_equal(gtk_entry_buffer_get_bytes(b), 13 + sizeof(big) - 1);

	/* finalized: its pages are gone (lib/secret.c wipes before it unmaps) */
	g_object_unref(b);
	assert_false(mapped(t2));
}

/* An entry given a secret buffer shows and gives back what is typed through it. */
static void test_attach(void **state)
{
	if (!gtk_init_check(NULL, NULL)) {
		skip(); /* no display: the buffer alone is tested above */
		return;
	}
	GtkWidget *e = gtk_entry_new();
	g_object_ref_sink(e);
	assert_true(evc_secret_buffer_attach(GTK_ENTRY(e)));
	assert_true(EVC_IS_SECRET_BUFFER(gtk_entry_get_buffer(GTK_ENTRY(e))));
	gtk_entry_set_text(GTK_ENTRY(e), "s3cret");
	assert_string_equal(gtk_entry_get_text(GTK_ENTRY(e)), "s3cret");
	assert_true(vmflag(gtk_entry_get_text(GTK_ENTRY(e)), "dd"));
	g_object_unref(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_insert_delete_get_text),
	    cmocka_unit_test(test_secret_memory),
	    cmocka_unit_test(test_attach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
