/* lw-types.c — status names and record copies. */
#include "config.h"

#include "lw-types.h"

static const char *job_status_names[] = {
  [LW_JOB_PENDING] = "PENDING",
  [LW_JOB_PROCESSING] = "PROCESSING",
  [LW_JOB_COMPLETED] = "COMPLETED",
  [LW_JOB_FAILED] = "FAILED",
  [LW_JOB_CANCELLED] = "CANCELLED",
};

static const char *image_status_names[] = {
  [LW_IMAGE_PENDING] = "PENDING",
  [LW_IMAGE_PROCESSING] = "PROCESSING",
  [LW_IMAGE_COMPLETED] = "COMPLETED",
  [LW_IMAGE_FAILED] = "FAILED",
  [LW_IMAGE_RETRY_LATER] = "RETRY_LATER",
};

const char *
lw_job_status_to_string (LwJobStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (job_status_names), NULL);
  return job_status_names[status];
}

gboolean
lw_job_status_from_string (const char *str, LwJobStatus *out)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (job_status_names); i++)
    if (g_str_equal (str, job_status_names[i]))
      {
        *out = (LwJobStatus) i;
        return TRUE;
      }
  return FALSE;
}

const char *
lw_image_status_to_string (LwImageStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (image_status_names), NULL);
  return image_status_names[status];
}

gboolean
lw_image_status_from_string (const char *str, LwImageStatus *out)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (image_status_names); i++)
    if (g_str_equal (str, image_status_names[i]))
      {
        *out = (LwImageStatus) i;
        return TRUE;
      }
  return FALSE;
}

LwJob *
lw_job_copy (const LwJob *job)
{
  LwJob *copy = g_new (LwJob, 1);

  *copy = *job;
  copy->name = g_strdup (job->name);
  copy->module_id = g_strdup (job->module_id);
  copy->model = g_strdup (job->model);
  copy->prompt = g_strdup (job->prompt);
  copy->source_key = g_strdup (job->source_key);
  copy->runner = g_strdup (job->runner);
  copy->pause_code = g_strdup (job->pause_code);
  copy->pause_reason = g_strdup (job->pause_reason);
  copy->pause_advice = g_strdup (job->pause_advice);
  copy->out_dir = g_strdup (job->out_dir);
  copy->out_template = g_strdup (job->out_template);
  return copy;
}

void
lw_job_free (LwJob *job)
{
  if (job == NULL)
    return;
  g_free (job->name);
  g_free (job->module_id);
  g_free (job->model);
  g_free (job->prompt);
  g_free (job->source_key);
  g_free (job->runner);
  g_free (job->pause_code);
  g_free (job->pause_reason);
  g_free (job->pause_advice);
  g_free (job->out_dir);
  g_free (job->out_template);
  g_free (job);
}

LwImage *
lw_image_copy (const LwImage *image)
{
  LwImage *copy = g_new (LwImage, 1);

  *copy = *image;
  copy->original_name = g_strdup (image->original_name);
  copy->source_path = g_strdup (image->source_path);
  copy->original_key = g_strdup (image->original_key);
  copy->sha256 = g_strdup (image->sha256);
  copy->mime = g_strdup (image->mime);
  copy->thumb_key = g_strdup (image->thumb_key);
  copy->processed_key = g_strdup (image->processed_key);
  copy->processed_mime = g_strdup (image->processed_mime);
  copy->request_key = g_strdup (image->request_key);
  copy->specific_prompt = g_strdup (image->specific_prompt);
  copy->lease_owner = g_strdup (image->lease_owner);
  copy->error_code = g_strdup (image->error_code);
  copy->error_message = g_strdup (image->error_message);
  copy->review_reason = g_strdup (image->review_reason);
  copy->note = g_strdup (image->note);
  return copy;
}

void
lw_image_free (LwImage *image)
{
  if (image == NULL)
    return;
  g_free (image->original_name);
  g_free (image->source_path);
  g_free (image->original_key);
  g_free (image->sha256);
  g_free (image->mime);
  g_free (image->thumb_key);
  g_free (image->processed_key);
  g_free (image->processed_mime);
  g_free (image->request_key);
  g_free (image->specific_prompt);
  g_free (image->lease_owner);
  g_free (image->error_code);
  g_free (image->error_message);
  g_free (image->review_reason);
  g_free (image->note);
  g_free (image);
}

LwModule *
lw_module_copy (const LwModule *module)
{
  LwModule *copy = g_new (LwModule, 1);

  *copy = *module;
  copy->id = g_strdup (module->id);
  copy->name = g_strdup (module->name);
  copy->description = g_strdup (module->description);
  copy->icon = g_strdup (module->icon);
  copy->prompt = g_strdup (module->prompt);
  copy->default_prompt = g_strdup (module->default_prompt);
  return copy;
}

void
lw_module_free (LwModule *module)
{
  if (module == NULL)
    return;
  g_free (module->id);
  g_free (module->name);
  g_free (module->description);
  g_free (module->icon);
  g_free (module->prompt);
  g_free (module->default_prompt);
  g_free (module);
}

LwRejection *
lw_rejection_copy (const LwRejection *rejection)
{
  LwRejection *copy = g_new (LwRejection, 1);

  *copy = *rejection;
  copy->path = g_strdup (rejection->path);
  copy->reason = g_strdup (rejection->reason);
  return copy;
}

void
lw_rejection_free (LwRejection *rejection)
{
  if (rejection == NULL)
    return;
  g_free (rejection->path);
  g_free (rejection->reason);
  g_free (rejection);
}

G_DEFINE_BOXED_TYPE (LwJob, lw_job, lw_job_copy, lw_job_free)
G_DEFINE_BOXED_TYPE (LwImage, lw_image, lw_image_copy, lw_image_free)
G_DEFINE_BOXED_TYPE (LwModule, lw_module, lw_module_copy, lw_module_free)
G_DEFINE_BOXED_TYPE (LwRejection, lw_rejection, lw_rejection_copy, lw_rejection_free)

static const char * const review_names[] = { "UNDECIDED", "ACCEPTED", "REJECTED" };

const char *
lw_review_to_string (LwReview review)
{
  g_return_val_if_fail ((guint) review < G_N_ELEMENTS (review_names), NULL);
  return review_names[review];
}

gboolean
lw_review_from_string (const char *str, LwReview *out)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (review_names); i++)
    if (g_str_equal (str, review_names[i]))
      {
        *out = (LwReview) i;
        return TRUE;
      }
  return FALSE;
}

LwVersion *
lw_version_copy (const LwVersion *version)
{
  LwVersion *copy = g_new (LwVersion, 1);

  *copy = *version;
  copy->processed_key = g_strdup (version->processed_key);
  copy->processed_mime = g_strdup (version->processed_mime);
  copy->prompt = g_strdup (version->prompt);
  copy->model = g_strdup (version->model);
  copy->module_id = g_strdup (version->module_id);
  return copy;
}

void
lw_version_free (LwVersion *version)
{
  if (version == NULL)
    return;
  g_free (version->processed_key);
  g_free (version->processed_mime);
  g_free (version->prompt);
  g_free (version->model);
  g_free (version->module_id);
  g_free (version);
}
