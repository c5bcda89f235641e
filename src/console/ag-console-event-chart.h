/* ag-console-event-chart.h: a live line chart of events/s and messages/s over the last minute
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * AgConsoleEventChartSeries:
 * @AG_CONSOLE_EVENT_CHART_EVENTS: events per second
 * @AG_CONSOLE_EVENT_CHART_MESSAGES: messages per second
 *
 * The two lines of the chart. What each one counts is up to the code that feeds it (the
 * monitor page documents its choice).
 */
typedef enum {
  AG_CONSOLE_EVENT_CHART_EVENTS,
  AG_CONSOLE_EVENT_CHART_MESSAGES,
  AG_CONSOLE_EVENT_CHART_N_SERIES,
} AgConsoleEventChartSeries;

/* Seconds of history the chart keeps and draws. */
#define AG_CONSOLE_EVENT_CHART_SECONDS 60

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

/* The sample of seconds_ago complete seconds back (0 is the newest complete second). */
guint      ag_console_event_chart_get_sample (AgConsoleEventChart       *self,
                                              AgConsoleEventChartSeries  series,
                                              guint                      seconds_ago);

/* Everything counted in the last AG_CONSOLE_EVENT_CHART_SECONDS seconds plus the current,
 * incomplete one. */
guint      ag_console_event_chart_get_total  (AgConsoleEventChart       *self,
                                              AgConsoleEventChartSeries  series);

G_END_DECLS
