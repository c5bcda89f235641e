/* fuzz-hub.c: libFuzzer entry point for AgHub, the sans-IO core of agsignald
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each input is a script run against one fresh hub (apps "demo" and "other", both accepting
 * _no_need_token; "demo" has the admin key FUZZ_APP_KEY, the server FUZZ_SERVER_KEY, so that
 * admin connections, their snapshots (a frame per tick) and their actions are explored too)
 * with a fake clock. The script is a sequence of operations, one opcode byte
 * each, some followed by operands:
 *
 *   'O' k           open connection slot k (k % 8)
 *   'C' k           the transport loses connection slot k
 *   'A' hi lo       advance the clock by (hi << 8 | lo) milliseconds
 *   'S' hi lo       advance the clock by (hi << 8 | lo) seconds
 *   'T'             ag_hub_tick at the current time
 *   'F' k hi lo ... deliver the next (hi << 8 | lo) bytes as a text frame to slot k
 *
 * Any other byte is read as one of these (byte % 6), so that no mutation is wasted. A slot
 * that is opened again gets a new connection id, as a transport never reuses one.
 *
 * What must hold: every frame the hub sends decodes as a server frame (or, to an admin
 * connection, as an admin frame), it sends only to
 * connections that are open, and it closes only connections that are open. At the end the
 * clock jumps far ahead, every timer runs and the hub is dropped; AddressSanitizer reports
 * whatever it leaked.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "ag-admin-frame.h"
#include "ag-engine-memory.h"
#include "ag-frame.h"
#include "ag-hub.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define FUZZ_APP_KEY    "fuzz-app-key-0123456789"
#define FUZZ_SERVER_KEY "fuzz-server-key-0123456789"

#define N_SLOTS   8
#define MAX_OPS   512
#define MAX_FRAME 65536
#define T0        G_GINT64_CONSTANT (1764099000000000)
/* Longer than every timer the hub keeps by default (offline messages last 7 days at most). */
#define MAX_CLOCK_US ((gint64) 30 * 24 * 3600 * G_USEC_PER_SEC)
#define FINAL_TICK_US ((gint64) 60 * 24 * 3600 * G_USEC_PER_SEC)

typedef struct {
  const uint8_t *data;
  size_t         size;
  size_t         pos;
} Reader;

typedef struct {
  GHashTable *open;          /* conn_id -> itself, the connections the transport holds */
  GArray     *hub_closed;    /* conn_ids the hub closed, for the transport to report back */
  guint64     ids[N_SLOTS];  /* 0: the slot holds no connection */
  guint64     next_id;
  gint64      now_us;
} Script;

#define CONN_KEY(id) GSIZE_TO_POINTER ((gsize) (id))

static void
sink_send_cb (gpointer  user_data,
              guint64   conn_id,
              GBytes   *bytes)
{
  Script *script = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AgFrame) frame = NULL;
  const char *text;
  gsize length = 0;

  if (!g_hash_table_contains (script->open, CONN_KEY (conn_id)))
    g_error ("the hub sent to connection %" G_GUINT64_FORMAT ", which is not open", conn_id);

  text = g_bytes_get_data (bytes, &length);
  frame = ag_frame_decode (text != NULL ? text : "", length, AG_FRAME_FROM_SERVER, NULL, &error);
  if (frame == NULL) {
    g_autoptr(JsonNode) admin = ag_admin_parse_server_frame (text != NULL ? text : "", length, NULL);

    if (admin != NULL && JSON_NODE_HOLDS_OBJECT (admin))
      return;
  }
  if (frame == NULL)
    g_error ("the hub sent a frame that does not decode (%s): %.*s",
             error != NULL ? error->message : "no error", (int) MIN (length, 500), text);
}

static void
sink_close_cb (gpointer user_data,
               guint64  conn_id,
               int      code)
{
  Script *script = user_data;

  if (!g_hash_table_remove (script->open, CONN_KEY (conn_id)))
    g_error ("the hub closed connection %" G_GUINT64_FORMAT " (code %d), which is not open",
             conn_id, code);

  /* The transport reports the close once it has happened, never from inside the sink. */
  g_array_append_val (script->hub_closed, conn_id);
}

static gboolean
read_byte (Reader  *reader,
           guint8  *out)
{
  if (reader->pos >= reader->size)
    return FALSE;
  *out = reader->data[reader->pos++];
  return TRUE;
}

static gboolean
read_u16 (Reader  *reader,
          guint   *out)
{
  guint8 hi, lo;

  if (!read_byte (reader, &hi) || !read_byte (reader, &lo))
    return FALSE;
  *out = (guint) hi << 8 | lo;
  return TRUE;
}

static void
advance (Script *script,
         gint64  us)
{
  script->now_us = MIN (script->now_us + us, T0 + MAX_CLOCK_US);
}

/* Reports the connections the hub closed during the last call, as the transport would. */
static void
report_hub_closes (AgHub  *hub,
                   Script *script)
{
  for (guint i = 0; i < script->hub_closed->len; i++) {
    guint64 conn_id = g_array_index (script->hub_closed, guint64, i);

    for (guint slot = 0; slot < N_SLOTS; slot++) {
      if (script->ids[slot] == conn_id)
        script->ids[slot] = 0;
    }
    ag_hub_connection_closed (hub, conn_id, script->now_us);
  }
  g_array_set_size (script->hub_closed, 0);
}

static void
open_slot (AgHub  *hub,
           Script *script,
           guint   slot)
{
  guint64 conn_id;

  if (script->ids[slot] != 0)
    return;

  conn_id = ++script->next_id;
  script->ids[slot] = conn_id;
  g_hash_table_add (script->open, CONN_KEY (conn_id));
  ag_hub_connection_opened (hub, conn_id, script->now_us);
}

static void
close_slot (AgHub  *hub,
            Script *script,
            guint   slot)
{
  guint64 conn_id = script->ids[slot];

  if (conn_id == 0)
    return;

  script->ids[slot] = 0;
  g_hash_table_remove (script->open, CONN_KEY (conn_id));
  ag_hub_connection_closed (hub, conn_id, script->now_us);
}

/* Returns FALSE when the input ends inside the operation. */
static gboolean
run_op (AgHub  *hub,
        Script *script,
        Reader *reader,
        guint8  opcode)
{
  static const guint8 opcodes[] = { 'O', 'C', 'A', 'S', 'T', 'F' };
  guint8 slot;
  guint n;

  if (!memchr (opcodes, opcode, G_N_ELEMENTS (opcodes)))
    opcode = opcodes[opcode % G_N_ELEMENTS (opcodes)];

  switch (opcode) {
  case 'O':
    if (!read_byte (reader, &slot))
      return FALSE;
    open_slot (hub, script, slot % N_SLOTS);
    break;

  case 'C':
    if (!read_byte (reader, &slot))
      return FALSE;
    close_slot (hub, script, slot % N_SLOTS);
    break;

  case 'A':
    if (!read_u16 (reader, &n))
      return FALSE;
    advance (script, (gint64) n * 1000);
    break;

  case 'S':
    if (!read_u16 (reader, &n))
      return FALSE;
    advance (script, (gint64) n * G_USEC_PER_SEC);
    break;

  case 'T':
    ag_hub_tick (hub, script->now_us);
    break;

  case 'F':
    {
      const char *text;
      guint64 conn_id;

      if (!read_byte (reader, &slot) || !read_u16 (reader, &n))
        return FALSE;
      n = MIN (n, reader->size - reader->pos);
      n = MIN (n, MAX_FRAME);
      text = (const char *) reader->data + reader->pos;
      reader->pos += n;

      conn_id = script->ids[slot % N_SLOTS];
      if (conn_id != 0)
        ag_hub_connection_frame (hub, conn_id, n > 0 ? text : "", n, script->now_us);
    }
    break;

  default:
    g_assert_not_reached ();
  }

  return TRUE;
}

static void
add_app (AgHub      *hub,
         const char *app_id,
         const char *admin_key)
{
  AgAppConfig config = {
    .app_id = (char *) app_id,
    .allow_no_token = TRUE,
    .admin_key = (char *) admin_key,
  };

  ag_hub_add_app (hub, &config);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const AgHubSink sink = { sink_send_cb, sink_close_cb };
  g_autoptr(AgEngine) engine = ag_engine_memory_new ();
  g_autoptr(AgHub) hub = NULL;
  g_autoptr(GHashTable) open = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) hub_closed = g_array_new (FALSE, FALSE, sizeof (guint64));
  Script script = {
    .open = open,
    .hub_closed = hub_closed,
    .now_us = T0,
  };
  Reader reader = { data, size, 0 };
  guint8 opcode;

  hub = ag_hub_new (engine, &sink, &script);
  add_app (hub, "demo", FUZZ_APP_KEY);
  add_app (hub, "other", NULL);
  ag_hub_set_admin_key (hub, FUZZ_SERVER_KEY);

  for (guint ops = 0; ops < MAX_OPS && read_byte (&reader, &opcode); ops++) {
    gboolean complete = run_op (hub, &script, &reader, opcode);

    report_hub_closes (hub, &script);
    if (!complete)
      break;
  }

  /* Every timer fires, then the hub and whatever it still holds are freed. */
  script.now_us += FINAL_TICK_US;
  ag_hub_tick (hub, script.now_us);
  report_hub_closes (hub, &script);
  g_clear_object (&hub);

  return 0;
}
