/* lw-unsaved.h — paid answers that the data folder had no room for.
 *
 * When the disk holding the data folder is full, a result that arrived (and
 * was paid for) cannot be stored. The scheduler keeps it in memory and, so
 * that a process that exits (lightwork-cli stops at a pause) does not send
 * the photo again, also here: a private folder on another disk (the user's
 * runtime folder, else the temporary folder), named by the request key
 * (docs/ARCHITECTURE.md, "The queue"). The next claim of the same request
 * takes the answer from here instead of asking the model again.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Keeps data (of type mime, paid cost) for request_key; FALSE when no
 * folder had room either. The cost travels with the answer: it was paid
 * once and is recorded once, by whoever finally stores it. */
gboolean  lw_unsaved_put  (const char *request_key,
                           GBytes     *data,
                           const char *mime,
                           double      cost);
/* The answer kept for request_key, or NULL; *mime its type, *cost what it
 * cost (-1 when a file without our header does not say). */
GBytes   *lw_unsaved_get  (const char *request_key,
                           char      **mime,
                           double     *cost);
/* The answer is safe in the data folder: forget it. */
void      lw_unsaved_drop (const char *request_key);

G_END_DECLS
