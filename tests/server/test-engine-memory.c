/* test-engine-memory.c: AgEngineMemory, the in-process AgEngine
 *
 * The cases every engine shares are in engine-conformance.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "ag-engine-memory.h"
#include "engine-conformance.h"

static void
test_engine_memory_type (void)
{
  AgEngine *engine = ag_engine_memory_new ();

  g_assert_true (AG_IS_ENGINE (engine));
  g_assert_true (AG_IS_ENGINE_MEMORY (engine));
  g_assert_finalize_object (engine);
}

static const EngineFactory memory_factory = { ag_engine_memory_new };

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ag/engine-memory/type", test_engine_memory_type);
  engine_conformance_add_tests ("/ag/engine-memory", &memory_factory);

  return g_test_run ();
}
