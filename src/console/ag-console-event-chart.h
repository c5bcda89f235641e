/* ag-console-event-chart.h: a live line chart of channel messages, peer messages and presence
 * events per second over the last minute, 10 minutes or hour
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * AgConsoleEventChartSeries:
 * @AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS: channel messages per second
 * @AG_CONSOLE_EVENT_CHART_PEER_MSGS: peer messages per second
 * @AG_CONSOLE_EVENT_CHART_PRESENCE: logins, logouts, joins and leaves per second
 *
 * The lines of the chart, fed by the monitor from the server's own per-second counts.
 */
typedef enum {
  AG_CONSOLE_EVENT_CHART_CHANNEL_MSGS,
  AG_CONSOLE_EVENT_CHART_PEER_MSGS,
  AG_CONSOLE_EVENT_CHART_PRESENCE,
  AG_CONSOLE_EVENT_CHART_N_SERIES,
} AgConsoleEventChartSeries;

/* Seconds of history the chart keeps; it draws the last "window-seconds" of them (60, 600 or
 * 3600), averaged into at most AG_CONSOLE_EVENT_CHART_POINTS points. */
#define AG_CONSOLE_EVENT_CHART_SECONDS 3600
#define AG_CONSOLE_EVENT_CHART_POINTS  120

#define AG_CONSOLE_TYPE_EVENT_CHART (ag_console_event_chart_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleEventChart, ag_console_event_chart, AG_CONSOLE, EVENT_CHART, GtkWidget)

GtkWidget *ag_console_event_chart_new        (void);

/* Counts n occurrences in the current second. */
void       ag_console_event_chart_add        (AgConsoleEventChart       *self,
                                              AgConsoleEventChartSeries  series,
                                              guint                      n);

/* Closes the current second: its counts become the newest sample and the oldest sample
 * falls off. The chart does this itself once per second. */
void       ag_console_event_chart_tick       (AgConsoleEventChart       *self);

/* How many of the newest seconds are drawn: 60, 600 or 3600. */
void       ag_console_event_chart_set_window (AgConsoleEventChart       *self,
                                              guint                      seconds);
guint      ag_console_event_chart_get_window (AgConsoleEventChart       *self);
/* The sample of seconds_ago complete seconds back (0 is the newest complete second). */
guint      ag_console_event_chart_get_sample (AgConsoleEventChart       *self,
                                              AgConsoleEventChartSeries  series,
                                              guint                      seconds_ago);

/* Everything counted in the last AG_CONSOLE_EVENT_CHART_SECONDS seconds plus the current,
 * incomplete one. */
guint      ag_console_event_chart_get_total  (AgConsoleEventChart       *self,
                                              AgConsoleEventChartSeries  series);

G_END_DECLS
