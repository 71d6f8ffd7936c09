/* lw-image-item.h — one photo of the open job, as the grid sees it.
 *
 * A GObject mirror of an images row (or of a file still being staged, or of
 * one refused at ingest), so the grid's tiles can bind to it and follow its
 * changes through notify. Only the main thread touches it.
 */
#pragma once

#include <glib-object.h>

#include "lw-types.h"

G_BEGIN_DECLS

/* Where the item is in its life, beyond the images row's status. */
typedef enum {
  LW_IMAGE_ITEM_STAGING,   /* dropped, not yet in the database */
  LW_IMAGE_ITEM_STAGED,    /* a row: status says the rest */
  LW_IMAGE_ITEM_REJECTED,  /* refused at ingest: error-message says why */
} LwImageItemPhase;

#define LW_TYPE_IMAGE_ITEM (lw_image_item_get_type ())
G_DECLARE_FINAL_TYPE (LwImageItem, lw_image_item, LW, IMAGE_ITEM, GObject)

LwImageItem     *lw_image_item_new_staging     (const char        *path);
LwImageItem     *lw_image_item_new_from_image  (const LwImage     *image);
/* Takes the row's values; notifies what changed. */
void             lw_image_item_update          (LwImageItem       *self,
                                                const LwImage     *image);
void             lw_image_item_set_rejected    (LwImageItem       *self,
                                                const char        *reason);
void             lw_image_item_set_status      (LwImageItem       *self,
                                                LwImageStatus      status);
void             lw_image_item_set_specific_prompt (LwImageItem   *self,
                                                const char        *prompt);
/* The photo's review, as saved (lw_jobs_set_review); "review" notifies. */
void             lw_image_item_set_review      (LwImageItem       *self,
                                                LwReview           review);

gint64           lw_image_item_get_id          (LwImageItem       *self);
LwImageItemPhase lw_image_item_get_phase       (LwImageItem       *self);
LwImageStatus    lw_image_item_get_status      (LwImageItem       *self);
const char      *lw_image_item_get_name        (LwImageItem       *self);
const char      *lw_image_item_get_source_path (LwImageItem       *self);
const char      *lw_image_item_get_original_key (LwImageItem      *self);
const char      *lw_image_item_get_thumb_key   (LwImageItem       *self);
const char      *lw_image_item_get_processed_key (LwImageItem     *self);
const char      *lw_image_item_get_specific_prompt (LwImageItem   *self);
const char      *lw_image_item_get_error_message (LwImageItem     *self);
const char      *lw_image_item_get_review_reason (LwImageItem     *self);   /* NULL: passed its checks */
gint64           lw_image_item_get_next_retry_at (LwImageItem     *self);
int              lw_image_item_get_width       (LwImageItem       *self);
int              lw_image_item_get_height      (LwImageItem       *self);
LwReview         lw_image_item_get_review      (LwImageItem       *self);
/* The filter bucket: "pending" (pending, processing, retry later, staging),
 * "done", "failed" (failed and rejected). */
const char      *lw_image_item_get_bucket      (LwImageItem       *self);
/* TRUE once, for the first bind after it was added: tiles scale in then,
 * not when the grid recycles them while scrolling. */
gboolean         lw_image_item_take_fresh      (LwImageItem       *self);
void             lw_image_item_set_fresh       (LwImageItem       *self,
                                                gboolean           fresh);

G_END_DECLS
