/* ag-engine-memory.h: the AgEngine that keeps everything in this process */
#pragma once

#include <glib-object.h>

#include "ag-engine.h"

G_BEGIN_DECLS

#define AG_TYPE_ENGINE_MEMORY (ag_engine_memory_get_type ())

G_DECLARE_FINAL_TYPE (AgEngineMemory, ag_engine_memory, AG, ENGINE_MEMORY, GObject)

AgEngine *ag_engine_memory_new (void);

G_END_DECLS
