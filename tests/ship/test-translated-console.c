/* test-translated-console.c: agsignal-console under a translated locale
 *
 * Runs the application the way agsignal-console's main does, with the locale from the
 * environment (LANGUAGE=de or zh_CN, LC_ALL=C.UTF-8) and the catalogs of this build bound in
 * place of the installed ones, then reads the texts of every window it opens: the main window
 * and the New Session dialog. Translated texts must be there, and no text the catalog
 * translates may show in English.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "ag-console-application.h"

#define MO_MAGIC              0x950412deU
#define MO_HEADER_BYTES       20
#define WINDOWS_TIMEOUT_MS    15000
#define POLL_INTERVAL_MS      20
#define DIALOG_GRACE_POLLS    50
/* The catalogs hold a few hundred messages; far fewer means a stub or the wrong file. */
#define MIN_CATALOG_MESSAGES  100
/* The main window and the New Session dialog show many more than this. */
#define MIN_TRANSLATED_TEXTS  5

/* String properties that hold what a widget shows: labels, titles, descriptions, tooltips,
 * placeholders and menu item texts. */
static const char * const text_properties[] = {
  "label", "title", "subtitle", "description", "tooltip-text", "placeholder-text", "text",
  "heading", "body",
};

typedef struct {
  /* Both keyed without mnemonic underscores, only for messages whose translation differs. */
  GHashTable *translation_of;   /* English -> translation */
  GHashTable *english_of;       /* translation -> English */
  char       *first_english;    /* a message as written in the sources, with its translation */
  char       *first_translation;
} Catalog;

typedef struct {
  GtkApplication *application;
  GPtrArray      *texts;        /* every text the windows showed */
  GPtrArray      *clashes;      /* "window: key: label, label" for mnemonics used twice */
  gint64          deadline;
  guint           polls_since_mapped;
  gboolean        timed_out;
  guint           poll_id;
} WindowsRun;

static Catalog catalog;

static char *
catalog_path (void)
{
  const char *localedir = g_getenv ("AG_TEST_LOCALEDIR");
  const char *language = g_getenv ("LANGUAGE");

  g_assert_nonnull (localedir);
  g_assert_nonnull (language);

  return g_build_filename (localedir, language, "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
}

/* "_New Session" and "新建会话(_N)" are shown as "New Session" and "新建会话(N)". */
static char *
strip_mnemonic (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++) {
    if (*p == '_') {
      if (p[1] == '_')
        g_string_append_c (out, *p++);
      continue;
    }
    g_string_append_c (out, *p);
  }

  return g_string_free (out, FALSE);
}

static guint32
read_u32 (const guint8 *data,
          gsize         length,
          gsize         offset)
{
  guint32 value;

  g_assert_cmpuint (offset + 4, <=, length);
  memcpy (&value, data + offset, sizeof value);

  return GUINT32_FROM_LE (value);
}

/* The string of table entry index (a length and an offset), checked to lie in the file. */
static const char *
read_entry (const guint8 *data,
            gsize         length,
            guint32       table,
            guint32       index)
{
  guint32 string_length = read_u32 (data, length, table + 8 * (gsize) index);
  guint32 string_offset = read_u32 (data, length, table + 8 * (gsize) index + 4);

  g_assert_cmpuint ((gsize) string_offset + string_length, <, length);
  g_assert_cmpint (data[string_offset + string_length], ==, '\0');

  return (const char *) data + string_offset;
}

/* Reads a GNU .mo file (the format msgfmt writes on this little-endian machine). */
static void
catalog_load (void)
{
  g_autofree char *path = catalog_path ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const guint8 *data;
  gsize length;
  guint32 count, originals, translations;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("Cannot read the catalog of this build: %s", error->message);

  data = (const guint8 *) contents;
  g_assert_cmpuint (length, >=, MO_HEADER_BYTES);
  g_assert_cmphex (read_u32 (data, length, 0), ==, MO_MAGIC);
  count = read_u32 (data, length, 8);
  originals = read_u32 (data, length, 12);
  translations = read_u32 (data, length, 16);

  catalog.translation_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  catalog.english_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint32 i = 0; i < count; i++) {
    const char *english = read_entry (data, length, originals, i);
    const char *translation = read_entry (data, length, translations, i);
    const char *context_end = strchr (english, '\004');
    g_autofree char *bare_english = NULL;
    g_autofree char *bare_translation = NULL;

    /* The header, and messages a language writes the same way (names, "OK"). */
    if (*english == '\0' || g_str_equal (english, translation))
      continue;

    /* Plural messages keep their forms after NULs, so these read the first (singular) one. */
    bare_english = strip_mnemonic (context_end != NULL ? context_end + 1 : english);
    bare_translation = strip_mnemonic (translation);
    if (g_str_equal (bare_english, bare_translation))
      continue;

    if (catalog.first_english == NULL && context_end == NULL && strchr (english, '%') == NULL) {
      catalog.first_english = g_strdup (english);
      catalog.first_translation = g_strdup (translation);
    }

    g_hash_table_replace (catalog.english_of, g_strdup (bare_translation),
                          g_strdup (bare_english));
    g_hash_table_replace (catalog.translation_of, g_steal_pointer (&bare_english),
                          g_steal_pointer (&bare_translation));
  }
}

static void
test_catalog (void)
{
  const char *language = g_getenv ("LANGUAGE");

  g_test_message ("%s: %u translated messages", language,
                  g_hash_table_size (catalog.translation_of));
  g_assert_cmpuint (g_hash_table_size (catalog.translation_of), >=, MIN_CATALOG_MESSAGES);

  /* The catalog of this build is the one gettext uses in this process. */
  g_assert_nonnull (catalog.first_english);
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, catalog.first_english), ==,
                   catalog.first_translation);
}

static void
collect_texts (GtkWidget *widget,
               GPtrArray *texts)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (widget);

  for (guint i = 0; i < G_N_ELEMENTS (text_properties); i++) {
    GParamSpec *pspec = g_object_class_find_property (klass, text_properties[i]);
    g_autofree char *text = NULL;

    if (pspec == NULL || pspec->value_type != G_TYPE_STRING || !(pspec->flags & G_PARAM_READABLE))
      continue;

    g_object_get (widget, text_properties[i], &text, NULL);
    if (text != NULL && *text != '\0')
      g_ptr_array_add (texts, strip_mnemonic (text));
  }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

/* Mnemonics (Alt+letter) of the labels a window shows: one key may not stand for two of
 * them, or Alt+key only moves between them instead of activating (German once had Alt+A
 * for both "_Abbrechen" and "_Anmelden"). */
static void
collect_mnemonics (GtkWidget  *widget,
                   GHashTable *labels_by_key)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      gtk_label_get_use_underline (GTK_LABEL (widget)) &&
      gtk_label_get_mnemonic_keyval (GTK_LABEL (widget)) != GDK_KEY_VoidSymbol)
    {
      guint key = gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (GTK_LABEL (widget)));
      GPtrArray *labels = g_hash_table_lookup (labels_by_key, GUINT_TO_POINTER (key));

      const char *text = gtk_label_get_label (GTK_LABEL (widget));

      if (labels == NULL)
        {
          labels = g_ptr_array_new ();
          g_hash_table_insert (labels_by_key, GUINT_TO_POINTER (key), labels);
        }
      /* One text shown twice is one thing (an entry row's title and its floating copy, two
       * buttons for one action); two texts are two things on one key. */
      if (!g_ptr_array_find_with_equal_func (labels, text, g_str_equal, NULL))
        g_ptr_array_add (labels, (gpointer) text);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_mnemonics (child, labels_by_key);
}

static void
check_mnemonics (GtkWidget *window,
                 GPtrArray *clashes)
{
  g_autoptr(GHashTable) labels_by_key =
    g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  gpointer key, value;

  collect_mnemonics (window, labels_by_key);
  g_hash_table_iter_init (&iter, labels_by_key);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *labels = value;
      GString *clash;

      if (labels->len < 2)
        continue;

      clash = g_string_new (NULL);
      g_string_append_printf (clash, "%s: Alt+%s:", G_OBJECT_TYPE_NAME (window),
                              gdk_keyval_name (GPOINTER_TO_UINT (key)));
      for (guint i = 0; i < labels->len; i++)
        g_string_append_printf (clash, " “%s”", (const char *) g_ptr_array_index (labels, i));
      g_ptr_array_add (clashes, g_string_free (clash, FALSE));
    }
}

/* The main window is up, with the New Session dialog it opens at start when there is one:
 * every window that exists is mapped, and either a second one is there or the main window
 * has been shown for a while without one. */
static gboolean
windows_ready (WindowsRun *run)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *main_window = gtk_application_get_active_window (run->application);
  guint n_windows = g_list_model_get_n_items (toplevels);

  if (main_window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (main_window)))
    return FALSE;

  for (guint i = 0; i < n_windows; i++) {
    g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

    if (!gtk_widget_get_mapped (window))
      return FALSE;
  }

  return n_windows >= 2 || ++run->polls_since_mapped >= DIALOG_GRACE_POLLS;
}

/* Dialogs go first: a dialog must not outlive the window it is transient for. */
static void
close_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) windows = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    GtkWindow *window = g_list_model_get_item (toplevels, i);

    if (gtk_window_get_transient_for (window) != NULL)
      g_ptr_array_insert (windows, 0, window);
    else
      g_ptr_array_add (windows, window);
  }

  for (guint i = 0; i < windows->len; i++)
    gtk_window_destroy (g_ptr_array_index (windows, i));
}

static gboolean
poll_windows_cb (gpointer user_data)
{
  WindowsRun *run = user_data;

  if (!windows_ready (run)) {
    if (g_get_monotonic_time () < run->deadline)
      return G_SOURCE_CONTINUE;
    run->timed_out = TRUE;
  } else {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      collect_texts (window, run->texts);
      check_mnemonics (window, run->clashes);
    }
  }

  run->poll_id = 0;
  close_windows ();
  g_application_quit (G_APPLICATION (run->application));

  return G_SOURCE_REMOVE;
}

static void
startup_cb (GApplication *application,
            WindowsRun   *run)
{
  run->deadline = g_get_monotonic_time () + WINDOWS_TIMEOUT_MS * (gint64) 1000;
  run->poll_id = g_timeout_add (POLL_INTERVAL_MS, poll_windows_cb, run);
}

static void
test_windows (void)
{
  g_autoptr(AgConsoleApplication) application = NULL;
  g_autoptr(GPtrArray) untranslated = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  char *argv[] = { (char *) "agsignal-console", NULL };
  WindowsRun run = { 0, };
  guint translated = 0;
  int status;

  if (!gtk_init_check ()) {
    g_test_skip ("no display");
    return;
  }

  application = ag_console_application_new ();
  /* Other tests may run the console at the same time; this instance must not hand its
   * activation to theirs over D-Bus. */
  g_application_set_flags (G_APPLICATION (application),
                           g_application_get_flags (G_APPLICATION (application)) |
                           G_APPLICATION_NON_UNIQUE);
  run.application = GTK_APPLICATION (application);
  run.texts = g_ptr_array_new_with_free_func (g_free);
  run.clashes = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect_after (application, "startup", G_CALLBACK (startup_cb), &run);

  status = g_application_run (G_APPLICATION (application), 1, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_false (run.timed_out);

  for (guint i = 0; i < run.texts->len; i++) {
    const char *text = g_ptr_array_index (run.texts, i);

    if (!g_hash_table_add (seen, (gpointer) text))
      continue;

    if (g_hash_table_contains (catalog.english_of, text)) {
      g_test_message ("translated: %s (%s)", text,
                      (const char *) g_hash_table_lookup (catalog.english_of, text));
      translated++;
    } else if (g_hash_table_contains (catalog.translation_of, text)) {
      g_test_message ("untranslated: %s", text);
      g_ptr_array_add (untranslated, (gpointer) text);
    }
  }

  g_test_message ("%u texts, %u translated, %u in English", g_hash_table_size (seen),
                  translated, untranslated->len);
  g_assert_cmpuint (translated, >=, MIN_TRANSLATED_TEXTS);
  g_assert_cmpuint (untranslated->len, ==, 0);

  for (guint i = 0; i < run.clashes->len; i++)
    g_test_message ("mnemonic used twice: %s", (const char *) g_ptr_array_index (run.clashes, i));
  g_assert_cmpuint (run.clashes->len, ==, 0);

  g_ptr_array_unref (run.texts);
  g_ptr_array_unref (run.clashes);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("AG_TEST_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);

  catalog_load ();

  g_test_add_func ("/ag/translated-console/catalog", test_catalog);
  g_test_add_func ("/ag/translated-console/windows", test_windows);

  status = g_test_run ();

  g_clear_pointer (&catalog.translation_of, g_hash_table_unref);
  g_clear_pointer (&catalog.english_of, g_hash_table_unref);
  g_clear_pointer (&catalog.first_english, g_free);
  g_clear_pointer (&catalog.first_translation, g_free);

  return status;
}
