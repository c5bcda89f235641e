/* ag-console-call-matrix.c: who of the open sessions is calling whom, in which state
 *
 * A grid with a row per session (the caller) and a column per session (the callee); each
 * cell shows the latest call from the row's account to the column's, in the words of the
 * caller's Calls page ("Ringing (received by peer)", "In call", "Refused by peer"). It reads
 * the sessions' calls four times a second while it is shown: the calls come and go in
 * several pages at once, and a grid this size costs nothing to rebuild.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <agsignal.h>

#include "ag-console-call-matrix.h"
#include "ag-console-calls-view.h"
#include "ag-console-session-page.h"

#define REFRESH_MS 250

struct _AgConsoleCallMatrix
{
  GtkWidget   parent_instance;

  AdwTabView *tab_view;
  GtkWidget  *stack;
  GtkWidget  *grid;
  GHashTable *cells;   /* "caller\ncallee" -> cell text */
  guint       refresh_source;
};

G_DEFINE_FINAL_TYPE (AgConsoleCallMatrix, ag_console_call_matrix, GTK_TYPE_WIDGET)

static GPtrArray *
session_pages (AgConsoleCallMatrix *self)
{
  GPtrArray *pages = g_ptr_array_new ();

  for (int i = 0; self->tab_view != NULL && i < adw_tab_view_get_n_pages (self->tab_view); i++) {
    GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

    if (AG_CONSOLE_IS_SESSION_PAGE (child))
      g_ptr_array_add (pages, child);
  }

  return pages;
}

static const char *
account_of (AgConsoleSessionPage *page)
{
  return ag_session_get_account (ag_console_session_page_get_session (page));
}

/* The latest call of caller's page to callee, in its Calls page's words, or NULL. */
static char *
latest_call_text (AgConsoleSessionPage *caller,
                  const char           *callee)
{
  GtkWidget *calls = ag_console_session_page_get_page_widget (caller, "calls");
  GListModel *model;

  if (!AG_CONSOLE_IS_CALLS_VIEW (calls))
    return NULL;

  /* Newest first. */
  model = ag_console_calls_view_get_calls (AG_CONSOLE_CALLS_VIEW (calls));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(AgCall) call = g_list_model_get_item (model, i);

    if (ag_call_get_direction (call) == AG_CALL_DIRECTION_OUTGOING &&
        g_strcmp0 (ag_call_get_peer (call), callee) == 0)
      return ag_console_calls_view_dup_stage_text (AG_CONSOLE_CALLS_VIEW (calls), call);
  }

  return NULL;
}

static GtkWidget *
cell_label (const char *text,
            const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 22);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  return label;
}

void
ag_console_call_matrix_refresh (AgConsoleCallMatrix *self)
{
  g_autoptr(GPtrArray) pages = NULL;
  GtkWidget *child;

  g_return_if_fail (AG_CONSOLE_IS_CALL_MATRIX (self));

  while ((child = gtk_widget_get_first_child (self->grid)) != NULL)
    gtk_grid_remove (GTK_GRID (self->grid), child);
  g_hash_table_remove_all (self->cells);

  pages = session_pages (self);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), pages->len >= 2 ? "matrix" : "empty");

  /* Translators: the corner of the call matrix: rows call columns */
  gtk_grid_attach (GTK_GRID (self->grid), cell_label (_("Caller ↓ / callee →"), "dim-label"), 0, 0, 1, 1);
  for (guint c = 0; c < pages->len; c++)
    gtk_grid_attach (GTK_GRID (self->grid), cell_label (account_of (pages->pdata[c]), "heading"),
                     (int) c + 1, 0, 1, 1);

  for (guint r = 0; r < pages->len; r++) {
    const char *caller = account_of (pages->pdata[r]);

    gtk_grid_attach (GTK_GRID (self->grid), cell_label (caller, "heading"), 0, (int) r + 1, 1, 1);
    for (guint c = 0; c < pages->len; c++) {
      const char *callee = account_of (pages->pdata[c]);
      g_autofree char *text = r == c ? NULL : latest_call_text (pages->pdata[r], callee);

      g_hash_table_insert (self->cells, g_strconcat (caller, "\n", callee, NULL),
                           g_strdup (text != NULL ? text : ""));
      gtk_grid_attach (GTK_GRID (self->grid),
                       cell_label (r == c ? "—" : text != NULL ? text : "·",
                                   text != NULL ? NULL : "dim-label"),
                       (int) c + 1, (int) r + 1, 1, 1);
    }
  }
}

char *
ag_console_call_matrix_dup_cell_text (AgConsoleCallMatrix *self,
                                      const char          *caller,
                                      const char          *callee)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (AG_CONSOLE_IS_CALL_MATRIX (self), NULL);

  key = g_strconcat (caller, "\n", callee, NULL);
  return g_strdup (g_hash_table_lookup (self->cells, key));
}

static gboolean
refresh_cb (gpointer data)
{
  ag_console_call_matrix_refresh (data);
  return G_SOURCE_CONTINUE;
}

static void
ag_console_call_matrix_map (GtkWidget *widget)
{
  AgConsoleCallMatrix *self = AG_CONSOLE_CALL_MATRIX (widget);

  GTK_WIDGET_CLASS (ag_console_call_matrix_parent_class)->map (widget);

  ag_console_call_matrix_refresh (self);
  if (self->refresh_source == 0)
    self->refresh_source = g_timeout_add (REFRESH_MS, refresh_cb, self);
}

static void
ag_console_call_matrix_unmap (GtkWidget *widget)
{
  AgConsoleCallMatrix *self = AG_CONSOLE_CALL_MATRIX (widget);

  g_clear_handle_id (&self->refresh_source, g_source_remove);

  GTK_WIDGET_CLASS (ag_console_call_matrix_parent_class)->unmap (widget);
}

static void
ag_console_call_matrix_dispose (GObject *object)
{
  AgConsoleCallMatrix *self = AG_CONSOLE_CALL_MATRIX (object);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_weak_pointer (&self->tab_view);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  g_clear_pointer (&self->cells, g_hash_table_unref);

  G_OBJECT_CLASS (ag_console_call_matrix_parent_class)->dispose (object);
}

static void
ag_console_call_matrix_class_init (AgConsoleCallMatrixClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_call_matrix_dispose;
  widget_class->map = ag_console_call_matrix_map;
  widget_class->unmap = ag_console_call_matrix_unmap;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ag_console_call_matrix_init (AgConsoleCallMatrix *self)
{
  GtkWidget *empty;

  self->cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->stack = gtk_stack_new ();
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  empty = gtk_label_new (_("Log in two or more accounts to see who is calling whom"));
  gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (empty), 30);
  gtk_widget_add_css_class (empty, "dim-label");
  gtk_stack_add_named (GTK_STACK (self->stack), empty, "empty");

  self->grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 16);
  gtk_stack_add_named (GTK_STACK (self->stack), self->grid, "matrix");

  gtk_widget_set_margin_start (self->stack, 12);
  gtk_widget_set_margin_end (self->stack, 12);
  gtk_widget_set_margin_top (self->stack, 12);
  gtk_widget_set_margin_bottom (self->stack, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Calls between your sessions"), -1);
}

GtkWidget *
ag_console_call_matrix_new (AdwTabView *tab_view)
{
  AgConsoleCallMatrix *self;

  g_return_val_if_fail (ADW_IS_TAB_VIEW (tab_view), NULL);

  self = g_object_new (AG_CONSOLE_TYPE_CALL_MATRIX, NULL);
  g_set_weak_pointer (&self->tab_view, tab_view);

  return GTK_WIDGET (self);
}
