/* ag-console-event-chart.c: a live chart of messages and presence events per second
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "ag-console-event-chart.h"

#define N_SECONDS  AG_CONSOLE_EVENT_CHART_SECONDS
#define N_POINTS   AG_CONSOLE_EVENT_CHART_POINTS
#define N_SERIES   AG_CONSOLE_EVENT_CHART_N_SERIES
#define GRID_LINES 4
#define PADDING    8.0

/* Per-second counts in a ring per series: samples[s][newest] is the last complete second.
 * The chart closes a second on its own timer, so it keeps moving (and draining to zero)
 * when nothing happens; ag_console_event_chart_add () only touches the open second. */
struct _AgConsoleEventChart
{
  GtkWidget parent_instance;

  guint     samples[N_SERIES][N_SECONDS];
  guint     current[N_SERIES];
  guint     newest;
  guint     window;
  guint     tick_id;
};

G_DEFINE_FINAL_TYPE (AgConsoleEventChart, ag_console_event_chart, GTK_TYPE_WIDGET)

static const struct {
  const char *label;
  GdkRGBA color;
} series_info[N_SERIES] = {
  /* libadwaita's blue 3, orange 4 and green 4: distinct in light and dark styles. */
  [AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS] = { N_("Channel msgs/s"), { 0.208, 0.518, 0.894, 1.0 } },
  [AG_CONSOLE_EVENT_CHART_PEER_MSGS] = { N_("Peer msgs/s"), { 0.902, 0.380, 0.0, 1.0 } },
  [AG_CONSOLE_EVENT_CHART_PRESENCE] = { N_("Presence/s"), { 0.180, 0.761, 0.494, 1.0 } },
};

/* The average per second of the window's point-th of N_POINTS (0 is the oldest). */
static double
point_value (AgConsoleEventChart *self,
             guint                series,
             guint                point,
             guint                n_points)
{
  guint per_point = self->window / n_points;
  guint64 sum = 0;

  for (guint i = 0; i < per_point; i++)
    sum += self->samples[series][(self->newest + N_SECONDS -
                                  (self->window - 1 - point * per_point - i)) % N_SECONDS];

  return (double) sum / per_point;
}

static char *
format_ago (guint seconds)
{
  if (seconds >= 3600 && seconds % 3600 == 0)
    return g_strdup_printf (_("−%u h"), seconds / 3600);
  if (seconds >= 600 && seconds % 60 == 0)
    return g_strdup_printf (_("−%u min"), seconds / 60);
  return g_strdup_printf (_("−%u s"), seconds);
}

static guint
sample_at (AgConsoleEventChart *self,
           guint                series,
           guint                seconds_ago)
{
  return self->samples[series][(self->newest + N_SECONDS - seconds_ago) % N_SECONDS];
}

/* The smallest 1, 2 or 5 times a power of ten that makes GRID_LINES steps reach max. */
static guint
nice_step (guint max)
{
  guint magnitude = 1;

  for (;;) {
    static const guint factors[] = { 1, 2, 5 };

    for (guint i = 0; i < G_N_ELEMENTS (factors); i++) {
      guint step = factors[i] * magnitude;

      if (step * GRID_LINES >= max)
        return step;
    }

    if (magnitude > G_MAXUINT / 100)
      return magnitude * 10;
    magnitude *= 10;
  }
}

static void
update_accessible (AgConsoleEventChart *self)
{
  g_autofree char *description = NULL;

  description = g_strdup_printf (_("Channel messages per second: %u, peer messages per second: "
                                   "%u, presence events per second: %u"),
                                 sample_at (self, AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS, 0),
                                 sample_at (self, AG_CONSOLE_EVENT_CHART_PEER_MSGS, 0),
                                 sample_at (self, AG_CONSOLE_EVENT_CHART_PRESENCE, 0));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static gboolean
tick_cb (gpointer user_data)
{
  ag_console_event_chart_tick (AG_CONSOLE_EVENT_CHART (user_data));

  return G_SOURCE_CONTINUE;
}

static void
draw_text (cairo_t     *cr,
           PangoLayout *layout,
           const char  *text,
           double       x,
           double       y)
{
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static void
text_size (PangoLayout *layout,
           const char  *text,
           int         *width,
           int         *height)
{
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, width, height);
}

static void
ag_console_event_chart_snapshot (GtkWidget   *widget,
                                 GtkSnapshot *snapshot)
{
  AgConsoleEventChart *self = AG_CONSOLE_EVENT_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr (PangoLayout) layout = NULL;
  cairo_t *cr;
  GdkRGBA fg;
  guint n_points = MIN (self->window, N_POINTS);
  double max = 0;
  guint step;
  double left, top, right, bottom, plot_w, plot_h, legend_x;
  int tw, th, label_w = 0, line_h = 0;
  guint label_every;

  if (width <= 0 || height <= 0)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  layout = gtk_widget_create_pango_layout (widget, NULL);

  for (guint s = 0; s < N_SERIES; s++)
    for (guint i = 0; i < n_points; i++)
      max = MAX (max, point_value (self, s, i, n_points));
  step = nice_step (MAX ((guint) ceil (max), GRID_LINES));

  for (guint g = 0; g <= GRID_LINES; g++) {
    g_autofree char *text = g_strdup_printf ("%u", g * step);

    text_size (layout, text, &tw, &th);
    label_w = MAX (label_w, tw);
    line_h = MAX (line_h, th);
  }

  left = PADDING + label_w + PADDING;
  top = PADDING + line_h + PADDING;
  right = width - PADDING;
  bottom = height - PADDING - line_h - 4;
  plot_w = right - left;
  plot_h = bottom - top;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  /* Legend: a swatch and the newest complete second of each series. */
  legend_x = left;
  for (guint s = 0; s < N_SERIES; s++) {
    g_autofree char *text = g_strdup_printf ("%s %u", _(series_info[s].label),
                                             sample_at (self, s, 0));

    gdk_cairo_set_source_rgba (cr, &series_info[s].color);
    cairo_rectangle (cr, legend_x, PADDING + line_h / 2.0 - 5, 10, 10);
    cairo_fill (cr);

    gdk_cairo_set_source_rgba (cr, &fg);
    draw_text (cr, layout, text, legend_x + 16, PADDING);
    text_size (layout, text, &tw, &th);
    legend_x += 16 + tw + 24;
  }

  if (plot_w < 10 || plot_h < 10)
    goto out;

  /* Grid and y labels; in a low chart only every second (or fourth) line is labelled, so
   * that the labels never overlap. */
  cairo_set_line_width (cr, 1.0);
  label_every = 1;
  while (label_every < GRID_LINES && plot_h * label_every / GRID_LINES < line_h * 1.2)
    label_every *= 2;
  for (guint g = 0; g <= GRID_LINES; g++) {
    g_autofree char *text = g_strdup_printf ("%u", g * step);
    double y = round (bottom - plot_h * g / GRID_LINES) + 0.5;

    cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, g == 0 ? 0.4 : 0.12);
    cairo_move_to (cr, left, y);
    cairo_line_to (cr, right, y);
    cairo_stroke (cr);

    if (g % label_every != 0)
      continue;
    text_size (layout, text, &tw, &th);
    cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
    draw_text (cr, layout, text, left - PADDING - tw, y - th / 2.0);
  }

  /* X labels: the left edge is the window's start, the right edge the last complete second. */
  {
    g_autofree char *oldest = format_ago (self->window);
    g_autofree char *middle = format_ago (self->window / 2);
    const char *now = _("now");

    cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
    draw_text (cr, layout, oldest, left, bottom + 4);
    text_size (layout, middle, &tw, &th);
    draw_text (cr, layout, middle, left + plot_w / 2 - tw / 2.0, bottom + 4);
    text_size (layout, now, &tw, &th);
    draw_text (cr, layout, now, right - tw, bottom + 4);
  }

  /* Series, oldest sample on the left; a light fill under each line. The lines often
   * coincide, so the later ones are dashed and thinner: the first stays visible. */
  for (guint s = 0; s < N_SERIES; s++) {
    const GdkRGBA *c = &series_info[s].color;
    static const double dash[] = { 6.0, 4.0 };

    cairo_new_path (cr);
    for (guint i = 0; i < n_points; i++) {
      double v = point_value (self, s, i, n_points);
      double x = left + plot_w * i / (n_points - 1);
      double y = bottom - plot_h * MIN (v / (step * GRID_LINES), 1.0);

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }

    cairo_set_line_width (cr, s == 0 ? 3.0 : 1.5);
    cairo_set_dash (cr, dash, s == 0 ? 0 : G_N_ELEMENTS (dash), 0);
    cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_source_rgba (cr, c->red, c->green, c->blue, 1.0);
    cairo_stroke_preserve (cr);
    cairo_set_dash (cr, NULL, 0, 0);

    cairo_line_to (cr, right, bottom);
    cairo_line_to (cr, left, bottom);
    cairo_close_path (cr);
    cairo_set_source_rgba (cr, c->red, c->green, c->blue, 0.12);
    cairo_fill (cr);
  }

out:
  cairo_destroy (cr);
}

static void
ag_console_event_chart_measure (GtkWidget      *widget,
                                GtkOrientation  orientation,
                                int             for_size,
                                int            *minimum,
                                int            *natural,
                                int            *minimum_baseline,
                                int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL) {
    *minimum = 240;
    *natural = 480;
  } else {
    *minimum = 96;
    *natural = 128;
  }
}

static void
ag_console_event_chart_dispose (GObject *object)
{
  AgConsoleEventChart *self = AG_CONSOLE_EVENT_CHART (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);

  G_OBJECT_CLASS (ag_console_event_chart_parent_class)->dispose (object);
}

static void
ag_console_event_chart_class_init (AgConsoleEventChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_event_chart_dispose;

  widget_class->snapshot = ag_console_event_chart_snapshot;
  widget_class->measure = ag_console_event_chart_measure;

  gtk_widget_class_set_css_name (widget_class, "eventchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ag_console_event_chart_init (AgConsoleEventChart *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Messages and presence events per second"),
                                  -1);
  self->window = 60;
  update_accessible (self);

  self->tick_id = g_timeout_add (1000, tick_cb, self);
  g_source_set_name_by_id (self->tick_id, "[agsignal-console] event chart tick");
}

GtkWidget *
ag_console_event_chart_new (void)
{
  return g_object_new (AG_CONSOLE_TYPE_EVENT_CHART, NULL);
}

void
ag_console_event_chart_add (AgConsoleEventChart       *self,
                            AgConsoleEventChartSeries  series,
                            guint                      n)
{
  g_return_if_fail (AG_CONSOLE_IS_EVENT_CHART (self));
  g_return_if_fail (series < N_SERIES);

  self->current[series] = (G_MAXUINT - self->current[series] < n) ?
    G_MAXUINT : self->current[series] + n;
}

void
ag_console_event_chart_tick (AgConsoleEventChart *self)
{
  g_return_if_fail (AG_CONSOLE_IS_EVENT_CHART (self));

  self->newest = (self->newest + 1) % N_SECONDS;
  for (guint s = 0; s < N_SERIES; s++) {
    self->samples[s][self->newest] = self->current[s];
    self->current[s] = 0;
  }

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
ag_console_event_chart_get_sample (AgConsoleEventChart       *self,
                                   AgConsoleEventChartSeries  series,
                                   guint                      seconds_ago)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EVENT_CHART (self), 0);
  g_return_val_if_fail (series < N_SERIES, 0);

  if (seconds_ago >= N_SECONDS)
    return 0;

  return sample_at (self, series, seconds_ago);
}

guint
ag_console_event_chart_get_total (AgConsoleEventChart       *self,
                                  AgConsoleEventChartSeries  series)
{
  guint64 total;

  g_return_val_if_fail (AG_CONSOLE_IS_EVENT_CHART (self), 0);
  g_return_val_if_fail (series < N_SERIES, 0);

  total = self->current[series];
  for (guint i = 0; i < N_SECONDS; i++)
    total += self->samples[series][i];

  return (guint) MIN (total, G_MAXUINT);
}

void
ag_console_event_chart_set_window (AgConsoleEventChart *self,
                                   guint                seconds)
{
  g_return_if_fail (AG_CONSOLE_IS_EVENT_CHART (self));
  g_return_if_fail (seconds == 60 || seconds == 600 || seconds == 3600);

  self->window = seconds;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
ag_console_event_chart_get_window (AgConsoleEventChart *self)
{
  g_return_val_if_fail (AG_CONSOLE_IS_EVENT_CHART (self), 60);

  return self->window;
}
