/* ag-engine-sqlite.h: the AgEngine that keeps everything in a SQLite state file */
#pragma once

#include <glib-object.h>

#include "ag-engine.h"

G_BEGIN_DECLS

#define AG_TYPE_ENGINE_SQLITE (ag_engine_sqlite_get_type ())

G_DECLARE_FINAL_TYPE (AgEngineSqlite, ag_engine_sqlite, AG, ENGINE_SQLITE, GObject)

/* How a commit reaches the disk (docs/server.md, "Durability"). */
typedef enum {
  AG_ENGINE_SQLITE_SYNC_NORMAL,  /* survives a crash of agsignald, not a power loss */
  AG_ENGINE_SQLITE_SYNC_FULL,    /* survives a power loss too: one fsync per commit */
} AgEngineSqliteSync;

/* The schema version this build writes; older state files are migrated forward. */
#define AG_ENGINE_SQLITE_SCHEMA_VERSION 1

/* Opens (creating if needed) the state file at path and locks it for this process. NULL with
 * AG_ENGINE_ERROR_OPEN when the file cannot be used: not a state file, corrupt, read-only,
 * in use by another agsignald, from a newer agsignald, or no room to write. */
AgEngine   *ag_engine_sqlite_new      (const char          *path,
                                       AgEngineSqliteSync   sync,
                                       GError             **error);

const char *ag_engine_sqlite_get_path (AgEngineSqlite      *self);

G_END_DECLS
