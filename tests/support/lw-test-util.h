/* lw-test-util.h — helpers shared by the tests. */
#pragma once

#include <gio/gio.h>

#include "lw-store.h"

G_BEGIN_DECLS

/* A fresh temporary folder, removed (recursively) by lw_test_rmtree(). */
char      *lw_test_make_tmpdir    (const char *prefix);
void       lw_test_rmtree         (const char *path);
/* The fixture photos folder ($LW_FIXTURES_DIR); aborts the test when missing. */
const char *lw_test_fixtures_dir  (void);
/* Copies every fixture photo (not SOURCES.md) into dest (CI's fixtures
 * are read-only). Returns the copied paths, sorted. */
GPtrArray *lw_test_copy_fixtures  (const char *dest);
/* Writes bytes to path; aborts on failure. */
void       lw_test_write_file     (const char *path, const void *data, gsize len);
/* A CMYK JPEG of width × height as Photoshop writes them: stored inverted
 * (4 bytes a pixel, 255 - ink), the Adobe marker saying so, icc (may be
 * NULL) embedded. */
void       lw_test_write_cmyk_jpeg (const char   *path,
                                    int           width,
                                    int           height,
                                    const guint8 *stored,
                                    GBytes       *icc);
/* Iterates the default main context until cond(data) or timeout_ms of real
 * time passed; returns cond's last value. */
gboolean   lw_test_wait_until     (gboolean (*cond) (gpointer data), gpointer data, guint timeout_ms);
/* Drops the caller's reference to object and asserts it is finalized
 * within 5 s, iterating the default main context meanwhile. A worker
 * thread holds its GTask (and so the task's source object) until its
 * function returns, which can be a moment after the result was
 * delivered: g_assert_finalize_object() right after the last result
 * raced with it. A real leak still fails. */
void       lw_test_assert_finalized_soon (gpointer object);
/* Number of regular files below path (recursive). */
guint      lw_test_count_files    (const char *path);
/* What the job cost so far; asserts it could be read. */
double     lw_test_job_cost       (LwStore *store, gint64 job_id);

G_END_DECLS
