/* lw-image-item.c — one photo of the open job, as the grid sees it. */
#include "config.h"

#include "lw-image-item.h"

struct _LwImageItem
{
  GObject          parent_instance;

  gint64           id;
  LwImageItemPhase phase;
  LwImageStatus    status;
  char            *name;
  char            *source_path;
  char            *original_key;
  char            *thumb_key;
  char            *processed_key;
  char            *specific_prompt;
  char            *error_message;
  char            *review_reason;
  gint64           next_retry_at;
  int              width;
  int              height;
  LwReview         review;
  gboolean         fresh;
};

G_DEFINE_FINAL_TYPE (LwImageItem, lw_image_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PHASE,
  PROP_STATUS,
  PROP_NAME,
  PROP_THUMB_KEY,
  PROP_PROCESSED_KEY,
  PROP_SPECIFIC_PROMPT,
  PROP_ERROR_MESSAGE,
  PROP_NEXT_RETRY_AT,
  PROP_REVIEW,
  PROP_REVIEW_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lw_image_item_finalize (GObject *object)
{
  LwImageItem *self = LW_IMAGE_ITEM (object);

  g_free (self->name);
  g_free (self->source_path);
  g_free (self->original_key);
  g_free (self->thumb_key);
  g_free (self->processed_key);
  g_free (self->specific_prompt);
  g_free (self->error_message);
  g_free (self->review_reason);

  G_OBJECT_CLASS (lw_image_item_parent_class)->finalize (object);
}

static void
lw_image_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LwImageItem *self = LW_IMAGE_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_PHASE: g_value_set_int (value, self->phase); break;
    case PROP_STATUS: g_value_set_int (value, self->status); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_THUMB_KEY: g_value_set_string (value, self->thumb_key); break;
    case PROP_PROCESSED_KEY: g_value_set_string (value, self->processed_key); break;
    case PROP_SPECIFIC_PROMPT: g_value_set_string (value, self->specific_prompt); break;
    case PROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    case PROP_NEXT_RETRY_AT: g_value_set_int64 (value, self->next_retry_at); break;
    case PROP_REVIEW: g_value_set_int (value, self->review); break;
    case PROP_REVIEW_REASON: g_value_set_string (value, self->review_reason); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_image_item_class_init (LwImageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lw_image_item_finalize;
  object_class->get_property = lw_image_item_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PHASE] = g_param_spec_int ("phase", NULL, NULL, 0, LW_IMAGE_ITEM_REJECTED, 0, flags);
  properties[PROP_STATUS] = g_param_spec_int ("status", NULL, NULL, 0, LW_IMAGE_RETRY_LATER, 0, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_THUMB_KEY] = g_param_spec_string ("thumb-key", NULL, NULL, NULL, flags);
  properties[PROP_PROCESSED_KEY] = g_param_spec_string ("processed-key", NULL, NULL, NULL, flags);
  properties[PROP_SPECIFIC_PROMPT] = g_param_spec_string ("specific-prompt", NULL, NULL, NULL, flags);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  properties[PROP_NEXT_RETRY_AT] = g_param_spec_int64 ("next-retry-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /* LwReview: the images row's review (accepted, rejected, undecided). */
  properties[PROP_REVIEW] = g_param_spec_int ("review", NULL, NULL, 0, LW_REVIEW_REJECTED, 0, flags);
  /* A result that failed an automatic check: why (docs/ARCHITECTURE.md,
   * "Results"); NULL = passed. */
  properties[PROP_REVIEW_REASON] = g_param_spec_string ("review-reason", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lw_image_item_init (LwImageItem *self)
{
  self->fresh = TRUE;
}

static gboolean
set_string (LwImageItem *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

LwImageItem *
lw_image_item_new_staging (const char *path)
{
  LwImageItem *self = g_object_new (LW_TYPE_IMAGE_ITEM, NULL);

  self->phase = LW_IMAGE_ITEM_STAGING;
  self->status = LW_IMAGE_PENDING;
  self->source_path = g_strdup (path);
  self->name = g_path_get_basename (path);
  return self;
}

LwImageItem *
lw_image_item_new_from_image (const LwImage *image)
{
  LwImageItem *self = g_object_new (LW_TYPE_IMAGE_ITEM, NULL);

  self->fresh = FALSE;
  g_object_freeze_notify (G_OBJECT (self));
  lw_image_item_update (self, image);
  g_object_thaw_notify (G_OBJECT (self));
  return self;
}

void
lw_image_item_update (LwImageItem   *self,
                      const LwImage *image)
{
  g_return_if_fail (LW_IS_IMAGE_ITEM (self));
  g_return_if_fail (image != NULL);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->id != image->id)
    {
      self->id = image->id;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }
  if (self->phase != LW_IMAGE_ITEM_STAGED)
    {
      self->phase = LW_IMAGE_ITEM_STAGED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
    }
  set_string (self, &self->name, image->original_name, PROP_NAME);
  g_free (self->source_path);
  self->source_path = g_strdup (image->source_path);
  g_free (self->original_key);
  self->original_key = g_strdup (image->original_key);
  self->width = image->width;
  self->height = image->height;
  set_string (self, &self->thumb_key, image->thumb_key, PROP_THUMB_KEY);
  set_string (self, &self->processed_key, image->processed_key, PROP_PROCESSED_KEY);
  set_string (self, &self->specific_prompt, image->specific_prompt, PROP_SPECIFIC_PROMPT);
  set_string (self, &self->error_message, image->error_message, PROP_ERROR_MESSAGE);
  set_string (self, &self->review_reason, image->review_reason, PROP_REVIEW_REASON);
  if (self->next_retry_at != image->next_retry_at)
    {
      self->next_retry_at = image->next_retry_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_RETRY_AT]);
    }
  lw_image_item_set_review (self, image->review);
  lw_image_item_set_status (self, image->status);
  g_object_thaw_notify (G_OBJECT (self));
}

void
lw_image_item_set_rejected (LwImageItem *self,
                            const char  *reason)
{
  g_return_if_fail (LW_IS_IMAGE_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  self->phase = LW_IMAGE_ITEM_REJECTED;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
  set_string (self, &self->error_message, reason, PROP_ERROR_MESSAGE);
  lw_image_item_set_status (self, LW_IMAGE_FAILED);
  g_object_thaw_notify (G_OBJECT (self));
}

void
lw_image_item_set_status (LwImageItem   *self,
                          LwImageStatus  status)
{
  g_return_if_fail (LW_IS_IMAGE_ITEM (self));

  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
lw_image_item_set_review (LwImageItem *self,
                          LwReview     review)
{
  g_return_if_fail (LW_IS_IMAGE_ITEM (self));

  if (self->review == review)
    return;
  self->review = review;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVIEW]);
}

void
lw_image_item_set_specific_prompt (LwImageItem *self,
                                   const char  *prompt)
{
  g_return_if_fail (LW_IS_IMAGE_ITEM (self));

  set_string (self, &self->specific_prompt, prompt != NULL && *prompt != '\0' ? prompt : NULL,
              PROP_SPECIFIC_PROMPT);
}

gint64 lw_image_item_get_id (LwImageItem *self) { return self->id; }
LwImageItemPhase lw_image_item_get_phase (LwImageItem *self) { return self->phase; }
LwImageStatus lw_image_item_get_status (LwImageItem *self) { return self->status; }
const char *lw_image_item_get_name (LwImageItem *self) { return self->name; }
const char *lw_image_item_get_source_path (LwImageItem *self) { return self->source_path; }
const char *lw_image_item_get_original_key (LwImageItem *self) { return self->original_key; }
const char *lw_image_item_get_thumb_key (LwImageItem *self) { return self->thumb_key; }
const char *lw_image_item_get_processed_key (LwImageItem *self) { return self->processed_key; }
const char *lw_image_item_get_specific_prompt (LwImageItem *self) { return self->specific_prompt; }
const char *lw_image_item_get_error_message (LwImageItem *self) { return self->error_message; }
const char *lw_image_item_get_review_reason (LwImageItem *self) { return self->review_reason; }
gint64 lw_image_item_get_next_retry_at (LwImageItem *self) { return self->next_retry_at; }
int lw_image_item_get_width (LwImageItem *self) { return self->width; }
int lw_image_item_get_height (LwImageItem *self) { return self->height; }
LwReview lw_image_item_get_review (LwImageItem *self) { return self->review; }

const char *
lw_image_item_get_bucket (LwImageItem *self)
{
  g_return_val_if_fail (LW_IS_IMAGE_ITEM (self), "pending");

  if (self->phase == LW_IMAGE_ITEM_REJECTED)
    return "failed";
  switch (self->status)
    {
    case LW_IMAGE_COMPLETED: return "done";
    case LW_IMAGE_FAILED: return "failed";
    case LW_IMAGE_PENDING:
    case LW_IMAGE_PROCESSING:
    case LW_IMAGE_RETRY_LATER:
    default:
      return "pending";
    }
}

gboolean
lw_image_item_take_fresh (LwImageItem *self)
{
  gboolean fresh = self->fresh;

  self->fresh = FALSE;
  return fresh;
}

void
lw_image_item_set_fresh (LwImageItem *self,
                         gboolean     fresh)
{
  self->fresh = fresh;
}
