/* lw-viewer.c — one photo large, reviewed and redone on the spot. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-prompt.h"
#include "lw-ui-util.h"
#include "lw-viewer.h"

struct _LwViewer
{
  AdwWindow        parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  GtkWidget       *content;
  AdwWindowTitle  *window_title;
  GtkWidget       *info_button;
  LwViewerCanvas  *canvas;
  GtkWidget       *before_label;
  GtkWidget       *after_label;
  GtkWidget       *message_box;
  GtkWidget       *spinner;
  GtkWidget       *message_label;
  GtkWidget       *zoom_label;
  GtkWidget       *takes_box;
  GtkWidget       *take_label;
  GtkWidget       *status_value;
  GtkWidget       *module_value;
  GtkWidget       *model_value;
  GtkWidget       *cost_value;
  GtkWidget       *size_value;
  GtkWidget       *error_box;
  GtkWidget       *error_value;
  GtkWidget       *instruction_value;
  GtkWidget       *prompt_title;
  GtkWidget       *prompt_value;
  GtkWidget       *redo_entry;
  GtkWidget       *redo_prompt_value;

  /* owned */
  LwJobSession    *session;
  LwJobs          *jobs;
  GListModel      *items;
  LwViewerLoader  *loader;
  LwImageItem     *item;
  LwImage         *image;      /* the row of item, read when it changes */
  GPtrArray       *versions;   /* LwVersion of item, oldest first */
  guint            take;       /* index into versions of the take shown */
  guint            position;   /* of item in items, when last found */
  LwViewerMode     mode;
  LwViewerMode     last_single; /* BEFORE or AFTER: what B toggles from the split */
  gulong           image_changed_id;
  guint            box_timeout;

  /* the pictures of the photo shown */
  char            *after_path;
  char            *before_path;
  LwViewerPicture *pictures[4];
  guint            requests[4];
  guint            prefetches[4];
};

/* Slots of pictures[] and requests[]. */
enum { AFTER_FIT, AFTER_FULL, BEFORE_FIT, BEFORE_FULL };

G_DEFINE_FINAL_TYPE (LwViewer, lw_viewer, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_MODE,
  PROP_REVIEW,
  N_PROPS
};

enum {
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The viewer's keys, in one place: (detailed action, accelerator). The
 * shortcuts window (ui/gtk/help-overlay.ui) lists them; Lightroom's P, X
 * and U review keys, as photographers know them. */
static const char * const accels[] = {
  "viewer.close", "Escape",
  "viewer.close", "space",
  "viewer.left", "Left",
  "viewer.right", "Right",
  "viewer.up", "Up",
  "viewer.down", "Down",
  "viewer.previous", "Page_Up",
  "viewer.next", "Page_Down",
  "viewer.first", "Home",
  "viewer.last", "End",
  "viewer.toggle-before", "b",
  "viewer.mode::split", "c",
  "viewer.divider(-0.05)", "<Shift>Left",
  "viewer.divider(0.05)", "<Shift>Right",
  "viewer.zoom-in", "plus",
  "viewer.zoom-in", "equal",
  "viewer.zoom-in", "KP_Add",
  "viewer.zoom-in", "<Control>plus",
  "viewer.zoom-in", "<Control>equal",
  "viewer.zoom-out", "minus",
  "viewer.zoom-out", "KP_Subtract",
  "viewer.zoom-out", "<Control>minus",
  "viewer.zoom-fit", "<Control>0",
  "viewer.zoom-original", "<Control>1",
  "viewer.review::accepted", "p",
  "viewer.review::rejected", "x",
  "viewer.review::undecided", "u",
  "viewer.previous-take", "bracketleft",
  "viewer.next-take", "bracketright",
  "viewer.use-take", "t",
  "viewer.focus-redo", "r",
  "viewer.toggle-info", "F9",
  "viewer.fullscreen", "F11",
  NULL
};

const char * const *
lw_viewer_get_accels (void)
{
  return accels;
}

/* Pan step of the arrow keys, in logical pixels. */
#define PAN_STEP 80
/* Resizing settles before the pictures are decoded again for the new size. */
#define BOX_SETTLE_MS 150
/* Neighbours' pictures kept for flipping: four photos, before and after,
 * at a 1280 × 800 window's size (4 MB each), with room for one photo at
 * full size. */
#define CACHE_BYTES ((gsize) 160 * 1024 * 1024)

static const LwVersion *
shown_version (LwViewer *self)
{
  if (self->versions == NULL || self->take >= self->versions->len)
    return NULL;
  return g_ptr_array_index (self->versions, self->take);
}

static const char *
mode_to_string (LwViewerMode mode)
{
  switch (mode)
    {
    case LW_VIEWER_MODE_BEFORE: return "before";
    case LW_VIEWER_MODE_SPLIT: return "split";
    case LW_VIEWER_MODE_AFTER:
    default: return "after";
    }
}

/* The review as the action's target says it. */
static const char * const review_names[] = { "undecided", "accepted", "rejected" };

static gboolean
review_from_name (const char *name,
                  LwReview   *review)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (review_names); i++)
    if (g_str_equal (name, review_names[i]))
      {
        *review = (LwReview) i;
        return TRUE;
      }
  return FALSE;
}

static char *
blob_path (LwViewer   *self,
           const char *key)
{
  if (key == NULL || *key == '\0')
    return NULL;
  return lw_blob_store_path (lw_core_get_blobs (lw_jobs_get_core (self->jobs)), key);
}

/* ---- what the panel says ------------------------------------------------------ */

static void
update_zoom_label (LwViewer *self)
{
  g_autofree char *text = NULL;

  if (lw_viewer_canvas_get_fitted (self->canvas))
    text = g_strdup (C_("zoom", "Fit"));
  else
    text = g_strdup_printf (_("%.0f %%"), lw_viewer_canvas_get_zoom (self->canvas) * 100);
  gtk_label_set_label (GTK_LABEL (self->zoom_label), text);
}

static void
update_accessible (LwViewer *self)
{
  g_autofree char *label = NULL;
  const char *name = self->item != NULL ? lw_image_item_get_name (self->item) : "";
  gboolean has_after = self->after_path != NULL;

  switch (has_after ? self->mode : LW_VIEWER_MODE_BEFORE)
    {
    case LW_VIEWER_MODE_BEFORE:
      /* TRANSLATORS: the accessible name of the picture: the original photo */
      label = g_strdup_printf (_("%s, original"), name);
      break;
    case LW_VIEWER_MODE_SPLIT:
      label = g_strdup_printf (_("%s, original left of the divider at %.0f %%, result right of it"),
                               name, lw_viewer_canvas_get_divider (self->canvas) * 100);
      break;
    case LW_VIEWER_MODE_AFTER:
    default:
      label = g_strdup_printf (_("%s, result"), name);
      break;
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_label_get_label (GTK_LABEL (self->status_value)),
                                  -1);
}

static void
update_overlays (LwViewer *self)
{
  gboolean has_after = self->after_path != NULL;
  gboolean has_before = self->before_path != NULL;
  LwViewerMode mode = has_after ? self->mode : LW_VIEWER_MODE_BEFORE;
  gboolean loading = (self->requests[AFTER_FIT] != 0 && self->pictures[AFTER_FIT] == NULL)
                     || (self->requests[BEFORE_FIT] != 0 && self->pictures[BEFORE_FIT] == NULL && !has_after);
  const char *message = NULL;

  gtk_widget_set_visible (self->before_label, has_before && (mode == LW_VIEWER_MODE_BEFORE || mode == LW_VIEWER_MODE_SPLIT));
  gtk_widget_set_visible (self->after_label, has_after && (mode == LW_VIEWER_MODE_AFTER || mode == LW_VIEWER_MODE_SPLIT));
  if (self->image != NULL && !has_after)
    {
      switch (self->image->status)
        {
        case LW_IMAGE_FAILED: message = _("No result: it failed"); break;
        case LW_IMAGE_PROCESSING: message = _("Being processed…"); break;
        case LW_IMAGE_COMPLETED: break;
        case LW_IMAGE_PENDING:
        case LW_IMAGE_RETRY_LATER:
        default: message = _("No result yet"); break;
        }
    }
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), loading);
  gtk_widget_set_visible (self->spinner, loading);
  gtk_label_set_label (GTK_LABEL (self->message_label), message != NULL ? message : "");
  gtk_widget_set_visible (self->message_label, message != NULL);
  gtk_widget_set_visible (self->message_box, loading || message != NULL);
  update_accessible (self);
}

static void
update_actions (LwViewer *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  LwImageStatus status = self->image != NULL ? self->image->status : LW_IMAGE_PENDING;
  gboolean finished = status == LW_IMAGE_COMPLETED || status == LW_IMAGE_FAILED || status == LW_IMAGE_RETRY_LATER;
  const LwVersion *version = shown_version (self);
  guint n = self->items != NULL ? g_list_model_get_n_items (self->items) : 0;

  gtk_widget_action_set_enabled (w, "viewer.previous", self->item != NULL && self->position > 0);
  gtk_widget_action_set_enabled (w, "viewer.next", self->item != NULL && self->position + 1 < n);
  gtk_widget_action_set_enabled (w, "viewer.review", self->image != NULL);
  gtk_widget_action_set_enabled (w, "viewer.previous-take", self->take > 0 && version != NULL);
  gtk_widget_action_set_enabled (w, "viewer.next-take", self->versions != NULL && self->take + 1 < self->versions->len);
  gtk_widget_action_set_enabled (w, "viewer.use-take", version != NULL && self->image != NULL
                                 && version->n != self->image->version && status != LW_IMAGE_PROCESSING);
  gtk_widget_action_set_enabled (w, "viewer.redo", self->image != NULL && finished);
  gtk_widget_action_set_enabled (w, "viewer.zoom-out", !lw_viewer_canvas_get_fitted (self->canvas));
  gtk_widget_action_set_enabled (w, "viewer.zoom-in", lw_viewer_canvas_has_picture (self->canvas)
                                 && lw_viewer_canvas_get_zoom (self->canvas) < LW_VIEWER_ZOOM_MAX);
}

static void
update_redo_prompt (LwViewer *self)
{
  const LwJob *job = lw_job_session_get_job (self->session);
  g_autofree char *composed = NULL;

  /* The 2-prompt rule, as the redo will send it. */
  composed = lw_prompt_compose (job != NULL ? job->prompt : "", gtk_editable_get_text (GTK_EDITABLE (self->redo_entry)));
  gtk_label_set_label (GTK_LABEL (self->redo_prompt_value), composed);
}

static void
update_info (LwViewer *self)
{
  const LwJob *job = lw_job_session_get_job (self->session);
  const LwVersion *version = shown_version (self);
  const LwImage *image = self->image;
  g_autofree char *subtitle = NULL;
  g_autofree char *take = NULL;
  g_autofree char *cost = NULL;
  g_autofree char *size = NULL;
  g_autofree char *prompt = NULL;
  g_autoptr(LwModule) module = NULL;
  const char *module_id, *model;
  guint n = self->items != NULL ? g_list_model_get_n_items (self->items) : 0;

  if (self->item == NULL)
    return;
  adw_window_title_set_title (self->window_title, lw_image_item_get_name (self->item));
  /* TRANSLATORS: "3 of 12", the photo's place among those shown */
  subtitle = g_strdup_printf (_("%u of %u"), self->position + 1, n);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), lw_image_item_get_name (self->item));

  if (image == NULL)
    return;
  gtk_label_set_label (GTK_LABEL (self->status_value), lw_ui_image_status_label (image->status));

  /* What made the take shown; the job's for a photo with none yet. */
  module_id = version != NULL && version->module_id != NULL ? version->module_id : job != NULL ? job->module_id : NULL;
  model = version != NULL && version->model != NULL ? version->model : job != NULL ? job->model : NULL;
  if (module_id != NULL)
    module = lw_jobs_get_module (self->jobs, module_id, NULL);
  gtk_label_set_label (GTK_LABEL (self->module_value), module != NULL ? module->name : module_id != NULL ? module_id : "—");
  gtk_label_set_label (GTK_LABEL (self->model_value), model != NULL ? lw_ui_model_label (model) : "—");
  cost = g_strdup_printf (_("$%.3f"), version != NULL ? version->cost : image->cost);
  gtk_label_set_label (GTK_LABEL (self->cost_value), cost);
  {
    int w = image->orientation >= 5 ? image->height : image->width;
    int h = image->orientation >= 5 ? image->width : image->height;
    LwViewerPicture *after = self->pictures[AFTER_FIT] != NULL ? self->pictures[AFTER_FIT] : self->pictures[AFTER_FULL];

    if (after != NULL)
      /* TRANSLATORS: "original 6000 × 4000, result 1024 × 683" */
      size = g_strdup_printf (_("original %d × %d, result %d × %d"), w, h, after->full_width, after->full_height);
    else
      size = g_strdup_printf (_("original %d × %d"), w, h);
  }
  gtk_label_set_label (GTK_LABEL (self->size_value), size);

  /* The failure in the model's own words (a refusal, a text-only answer). */
  gtk_widget_set_visible (self->error_box, image->error_message != NULL && *image->error_message != '\0'
                          && image->status != LW_IMAGE_COMPLETED);
  gtk_label_set_label (GTK_LABEL (self->error_value), image->error_message != NULL ? image->error_message : "");
  gtk_label_set_label (GTK_LABEL (self->instruction_value),
                       image->specific_prompt != NULL && *image->specific_prompt != '\0'
                       ? image->specific_prompt : _("None: the module’s prompt only"));

  /* The prompt the take answered, else the one that will be sent. */
  if (version != NULL && version->prompt != NULL && *version->prompt != '\0')
    {
      gtk_label_set_label (GTK_LABEL (self->prompt_title), _("Prompt Sent"));
      prompt = g_strdup (version->prompt);
    }
  else
    {
      gtk_label_set_label (GTK_LABEL (self->prompt_title), _("Prompt to Send"));
      prompt = lw_prompt_compose (job != NULL ? job->prompt : "", image->specific_prompt);
    }
  gtk_label_set_label (GTK_LABEL (self->prompt_value), prompt);

  gtk_widget_set_visible (self->takes_box, self->versions != NULL && self->versions->len > 0);
  if (version != NULL)
    {
      if (version->n == image->version)
        /* TRANSLATORS: "Take 2 of 3 · saved": this take is the photo's result */
        take = g_strdup_printf (_("Take %d of %u · saved"), version->n, self->versions->len);
      else
        take = g_strdup_printf (_("Take %d of %u"), version->n, self->versions->len);
      gtk_label_set_label (GTK_LABEL (self->take_label), take);
    }
  update_redo_prompt (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVIEW]);
}

/* ---- pictures ------------------------------------------------------------------ */

static void
push_pictures (LwViewer *self,
               gboolean  keep_view)
{
  lw_viewer_canvas_set_pictures (self->canvas, self->pictures[AFTER_FIT], self->pictures[AFTER_FULL],
                                 self->pictures[BEFORE_FIT], self->pictures[BEFORE_FULL], keep_view);
  update_overlays (self);
  update_actions (self);
  update_zoom_label (self);
}

static void
picture_arrived (LwViewer        *self,
                 guint            slot,
                 LwViewerPicture *picture,
                 const GError    *error)
{
  self->requests[slot] = 0;
  g_clear_pointer (&self->pictures[slot], lw_viewer_picture_unref);
  if (picture != NULL)
    self->pictures[slot] = lw_viewer_picture_ref (picture);
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *title = g_strdup_printf (_("Cannot show %s: %s"),
                                                self->item != NULL ? lw_image_item_get_name (self->item) : "",
                                                error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
    }
  push_pictures (self, TRUE);
  if (slot == AFTER_FIT)
    update_info (self);
}

static void after_fit_cb (LwViewerPicture *p, const GError *e, gpointer d) { picture_arrived (d, AFTER_FIT, p, e); }
static void after_full_cb (LwViewerPicture *p, const GError *e, gpointer d) { picture_arrived (d, AFTER_FULL, p, e); }
static void before_fit_cb (LwViewerPicture *p, const GError *e, gpointer d) { picture_arrived (d, BEFORE_FIT, p, e); }
static void before_full_cb (LwViewerPicture *p, const GError *e, gpointer d) { picture_arrived (d, BEFORE_FULL, p, e); }

static const LwViewerPictureFunc picture_funcs[4] = { after_fit_cb, after_full_cb, before_fit_cb, before_full_cb };

/* The shown photo first, its full size above all when zoomed in; the
 * result before the original; neighbours last. */
static const int priorities[4] = { 20, 30, 19, 29 };
#define PREFETCH_PRIORITY 0

static void
cancel_requests (LwViewer *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->requests); i++)
    {
      lw_viewer_loader_cancel (self->loader, self->requests[i]);
      self->requests[i] = 0;
    }
}

static void
request (LwViewer   *self,
         guint       slot,
         const char *path,
         gboolean    full)
{
  int width = 0, height = 0;

  if (path == NULL || self->pictures[slot] != NULL || self->requests[slot] != 0)
    return;
  if (!full)
    {
      lw_viewer_canvas_get_box (self->canvas, &width, &height);
      if (width <= 0 || height <= 0)
        return; /* not allocated yet: "box-changed" asks again */
    }
  /* A cached picture calls back at once (and returns 0). */
  self->requests[slot] = G_MAXUINT;
  self->requests[slot] = lw_viewer_loader_request (self->loader, path, width, height, priorities[slot],
                                                   picture_funcs[slot], self);
}

static void
request_full (LwViewer *self)
{
  if (!lw_viewer_canvas_wants_full (self->canvas))
    return;
  request (self, AFTER_FULL, self->after_path, TRUE);
  if (self->mode != LW_VIEWER_MODE_AFTER || self->after_path == NULL)
    request (self, BEFORE_FULL, self->before_path, TRUE);
}

static LwImageItem *
nth_item (LwViewer *self,
          guint     position)
{
  g_autoptr(LwImageItem) item = g_list_model_get_item (self->items, position);

  return item;  /* the model keeps it */
}

/* Neighbours' fitted pictures, so flipping shows them at once. */
static void
prefetch (LwViewer *self)
{
  guint n = g_list_model_get_n_items (self->items), k = 0;
  int width, height;
  int offsets[2] = { 1, -1 };

  for (guint i = 0; i < G_N_ELEMENTS (self->prefetches); i++)
    {
      lw_viewer_loader_cancel (self->loader, self->prefetches[i]);
      self->prefetches[i] = 0;
    }
  lw_viewer_canvas_get_box (self->canvas, &width, &height);
  if (width <= 0 || height <= 0 || self->item == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      gint64 at = (gint64) self->position + offsets[i];
      LwImageItem *item;
      g_autofree char *after = NULL;
      g_autofree char *before = NULL;

      if (at < 0 || at >= n || (item = nth_item (self, (guint) at)) == NULL)
        continue;
      after = blob_path (self, lw_image_item_get_processed_key (item));
      before = blob_path (self, lw_image_item_get_original_key (item));
      if (after != NULL)
        self->prefetches[k++] = lw_viewer_loader_request (self->loader, after, width, height, PREFETCH_PRIORITY, NULL, NULL);
      if (before != NULL)
        self->prefetches[k++] = lw_viewer_loader_request (self->loader, before, width, height, PREFETCH_PRIORITY - 1, NULL, NULL);
    }
}

/* Asks for the pictures of the take shown; same_photo keeps the zoom. */
static void
load_pictures (LwViewer *self,
               gboolean  same_photo)
{
  const LwVersion *version = shown_version (self);
  g_autofree char *after = NULL;
  g_autofree char *before = NULL;

  after = blob_path (self, version != NULL ? version->processed_key
                           : self->image != NULL ? self->image->processed_key : NULL);
  before = blob_path (self, self->image != NULL ? self->image->original_key
                            : lw_image_item_get_original_key (self->item));
  if (g_strcmp0 (after, self->after_path) != 0)
    {
      lw_viewer_loader_cancel (self->loader, self->requests[AFTER_FIT]);
      lw_viewer_loader_cancel (self->loader, self->requests[AFTER_FULL]);
      self->requests[AFTER_FIT] = self->requests[AFTER_FULL] = 0;
      g_clear_pointer (&self->pictures[AFTER_FIT], lw_viewer_picture_unref);
      g_clear_pointer (&self->pictures[AFTER_FULL], lw_viewer_picture_unref);
      g_free (self->after_path);
      self->after_path = g_steal_pointer (&after);
    }
  if (g_strcmp0 (before, self->before_path) != 0)
    {
      lw_viewer_loader_cancel (self->loader, self->requests[BEFORE_FIT]);
      lw_viewer_loader_cancel (self->loader, self->requests[BEFORE_FULL]);
      self->requests[BEFORE_FIT] = self->requests[BEFORE_FULL] = 0;
      g_clear_pointer (&self->pictures[BEFORE_FIT], lw_viewer_picture_unref);
      g_clear_pointer (&self->pictures[BEFORE_FULL], lw_viewer_picture_unref);
      g_free (self->before_path);
      self->before_path = g_steal_pointer (&before);
    }
  if (!same_photo)
    lw_viewer_canvas_zoom_fit (self->canvas);
  request (self, AFTER_FIT, self->after_path, FALSE);
  request (self, BEFORE_FIT, self->before_path, FALSE);
  request_full (self);
  push_pictures (self, same_photo);
}

/* ---- the photo shown -------------------------------------------------------------- */

static void
read_image (LwViewer *self,
            gboolean  keep_take)
{
  g_autoptr(GError) error = NULL;
  int shown_n = keep_take && shown_version (self) != NULL ? shown_version (self)->n : 0;

  g_clear_pointer (&self->image, lw_image_free);
  g_clear_pointer (&self->versions, g_ptr_array_unref);
  self->take = 0;
  if (self->item == NULL || lw_image_item_get_phase (self->item) != LW_IMAGE_ITEM_STAGED)
    return;
  /* One row by its key and a photo's few takes: well under a frame. */
  self->image = lw_jobs_get_image (self->jobs, lw_image_item_get_id (self->item), &error);
  if (self->image == NULL)
    return;
  self->versions = lw_jobs_list_versions (self->jobs, self->image->id, NULL);
  if (self->versions == NULL)
    return;
  /* The take asked for, else the saved one. */
  for (guint i = 0; i < self->versions->len; i++)
    {
      const LwVersion *v = g_ptr_array_index (self->versions, i);

      if ((shown_n > 0 && v->n == shown_n) || (shown_n == 0 && v->n == self->image->version))
        self->take = i;
    }
}

static gboolean
find_position (LwViewer *self)
{
  guint n = g_list_model_get_n_items (self->items);

  if (self->position < n && nth_item (self, self->position) == self->item)
    return TRUE;
  for (guint i = 0; i < n; i++)
    if (nth_item (self, i) == self->item)
      {
        self->position = i;
        return TRUE;
      }
  return FALSE;
}

static void
set_item (LwViewer    *self,
          LwImageItem *item)
{
  gboolean same = item == self->item;

  if (!same)
    {
      g_set_object (&self->item, item);
      gtk_editable_set_text (GTK_EDITABLE (self->redo_entry),
                             item != NULL && lw_image_item_get_specific_prompt (item) != NULL
                             ? lw_image_item_get_specific_prompt (item) : "");
    }
  find_position (self);
  read_image (self, same);
  load_pictures (self, same);
  update_info (self);
  update_actions (self);
  if (!same)
    prefetch (self);
}

static void
step (LwViewer *self,
      int       delta)
{
  guint n = g_list_model_get_n_items (self->items);
  gint64 at;

  if (self->item == NULL || n == 0)
    return;
  find_position (self);
  /* Files still being staged or refused at ingest have nothing to show. */
  for (at = (gint64) self->position + delta; at >= 0 && at < n; at += delta > 0 ? 1 : -1)
    {
      LwImageItem *item = nth_item (self, (guint) at);

      if (item != NULL && lw_image_item_get_phase (item) == LW_IMAGE_ITEM_STAGED)
        {
          self->position = (guint) at;
          set_item (self, item);
          return;
        }
      if (delta != 1 && delta != -1)
        delta = delta > 0 ? 1 : -1;
    }
  gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
image_changed_cb (LwJobs        *jobs,
                  gint64         job_id,
                  gint64         image_id,
                  LwImageStatus  status,
                  LwViewer      *self)
{
  if (self->item == NULL || image_id != lw_image_item_get_id (self->item))
    return;
  /* A new take landed: show it (a redo is asked to be looked at). */
  {
    guint had = self->versions != NULL ? self->versions->len : 0;

    read_image (self, TRUE);
    if (self->versions != NULL && self->versions->len > had && had > 0)
      self->take = self->versions->len - 1;
  }
  load_pictures (self, TRUE);
  update_info (self);
  update_actions (self);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  LwViewer   *self)
{
  if (self->item == NULL)
    return;
  find_position (self);
  update_info (self);
  update_actions (self);
}

/* ---- actions ------------------------------------------------------------------ */

static void
close_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  /* Escape in the redo field leaves the field first. */
  if (focus != NULL && gtk_widget_is_ancestor (focus, self->redo_entry))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
step_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);

  if (g_str_equal (name, "viewer.previous"))
    step (self, -1);
  else if (g_str_equal (name, "viewer.next"))
    step (self, 1);
  else if (g_str_equal (name, "viewer.first"))
    {
      self->position = 0;
      if (g_list_model_get_n_items (self->items) > 0)
        {
          LwImageItem *first = nth_item (self, 0);

          if (lw_image_item_get_phase (first) == LW_IMAGE_ITEM_STAGED)
            set_item (self, first);
          else
            step (self, 1);
        }
    }
  else if (g_str_equal (name, "viewer.last"))
    {
      guint n = g_list_model_get_n_items (self->items);

      if (n > 0)
        {
          LwImageItem *last = nth_item (self, n - 1);

          self->position = n - 1;
          if (lw_image_item_get_phase (last) == LW_IMAGE_ITEM_STAGED)
            set_item (self, last);
          else
            step (self, -1);
        }
    }
}

/* Arrows pan a zoomed picture and step through photos otherwise. */
static void
arrow_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);
  gboolean zoomed = lw_viewer_canvas_get_zoomed (self->canvas);

  if (g_str_equal (name, "viewer.left"))
    {
      if (!zoomed)
        step (self, -1);
      else
        lw_viewer_canvas_pan (self->canvas, PAN_STEP, 0);
    }
  else if (g_str_equal (name, "viewer.right"))
    {
      if (!zoomed)
        step (self, 1);
      else
        lw_viewer_canvas_pan (self->canvas, -PAN_STEP, 0);
    }
  else if (g_str_equal (name, "viewer.up"))
    lw_viewer_canvas_pan (self->canvas, 0, PAN_STEP);
  else if (g_str_equal (name, "viewer.down"))
    lw_viewer_canvas_pan (self->canvas, 0, -PAN_STEP);
}

static void
set_mode (LwViewer     *self,
          LwViewerMode  mode)
{
  if (mode != LW_VIEWER_MODE_SPLIT)
    self->last_single = mode;
  if (self->mode == mode)
    return;
  self->mode = mode;
  lw_viewer_canvas_set_mode (self->canvas, mode);
  request_full (self);
  update_overlays (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

static void
toggle_before_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);

  /* From the split, B shows the original alone; then it toggles. */
  set_mode (self, self->mode == LW_VIEWER_MODE_BEFORE ? LW_VIEWER_MODE_AFTER : LW_VIEWER_MODE_BEFORE);
}

static void
divider_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);

  set_mode (self, LW_VIEWER_MODE_SPLIT);
  lw_viewer_canvas_set_divider (self->canvas, lw_viewer_canvas_get_divider (self->canvas) + g_variant_get_double (param));
}

static void
zoom_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);

  if (g_str_equal (name, "viewer.zoom-in"))
    lw_viewer_canvas_zoom_by (self->canvas, 1.25);
  else if (g_str_equal (name, "viewer.zoom-out"))
    lw_viewer_canvas_zoom_by (self->canvas, 1 / 1.25);
  else if (g_str_equal (name, "viewer.zoom-fit"))
    lw_viewer_canvas_zoom_fit (self->canvas);
  else if (g_str_equal (name, "viewer.zoom-original"))
    lw_viewer_canvas_zoom_to (self->canvas, 1.0, -1, -1);
  else if (lw_viewer_canvas_get_zoomed (self->canvas))
    lw_viewer_canvas_zoom_fit (self->canvas);
  else
    lw_viewer_canvas_zoom_to (self->canvas, 1.0, -1, -1);
}

static void
take_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);

  if (self->versions == NULL || self->versions->len == 0)
    return;
  if (g_str_equal (name, "viewer.previous-take") && self->take > 0)
    self->take--;
  else if (g_str_equal (name, "viewer.next-take") && self->take + 1 < self->versions->len)
    self->take++;
  else
    {
      gtk_widget_error_bell (widget);
      return;
    }
  load_pictures (self, TRUE);
  update_info (self);
  update_actions (self);
}

static void
use_take_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);
  const LwVersion *version = shown_version (self);
  g_autoptr(GError) error = NULL;

  if (version == NULL || self->image == NULL)
    return;
  if (!lw_jobs_choose_version (self->jobs, self->image->job_id, self->image->id, version->n, &error))
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

static void
redo_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *instruction = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->redo_entry)));
  g_autofree char *title = NULL;
  gint64 job_id, image_id;

  if (self->image == NULL)
    return;
  /* Copies: the service's signals during the call make the viewer read
   * the row again, and self->image is another record by then. */
  job_id = self->image->job_id;
  image_id = self->image->id;
  /* The field is the photo's instruction for this and later takes: "" clears it. */
  if (lw_jobs_redo (self->jobs, job_id, &image_id, 1, instruction, &error) < 0)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  title = g_strdup_printf (_("Redoing %s"), lw_image_item_get_name (self->item));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
  gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
}

static void
focus_redo_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->info_button), TRUE);
  gtk_widget_grab_focus (self->redo_entry);
}

static void
toggle_info_action (GtkWidget *widget, const char *name, GVariant *param)
{
  LwViewer *self = LW_VIEWER (widget);
  GtkToggleButton *button = GTK_TOGGLE_BUTTON (self->info_button);

  gtk_toggle_button_set_active (button, !gtk_toggle_button_get_active (button));
}

static void
fullscreen_action (GtkWidget *widget, const char *name, GVariant *param)
{
  GtkWindow *window = GTK_WINDOW (widget);

  if (gtk_window_is_fullscreen (window))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

/* ---- properties --------------------------------------------------------------- */

static void
set_review (LwViewer   *self,
            const char *value)
{
  g_autoptr(GError) error = NULL;
  LwReview review;
  gint64 image_id;

  if (self->image == NULL || !review_from_name (value, &review))
    return;
  if (review == self->image->review)
    return;
  /* The service saves it and says so ("image-changed"): the panel follows,
   * and self->image is another record by then (so the id is a copy). */
  image_id = self->image->id;
  if (!lw_jobs_set_review (self->jobs, self->image->job_id, &image_id, 1, review, &error))
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

static void
lw_viewer_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LwViewer *self = LW_VIEWER (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_string (value, mode_to_string (self->mode));
      break;
    case PROP_REVIEW:
      g_value_set_string (value, review_names[self->image != NULL ? self->image->review : LW_REVIEW_UNDECIDED]);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_viewer_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LwViewer *self = LW_VIEWER (object);
  const char *str = g_value_get_string (value);

  switch (prop_id)
    {
    case PROP_MODE:
      set_mode (self, g_strcmp0 (str, "before") == 0 ? LW_VIEWER_MODE_BEFORE
                      : g_strcmp0 (str, "split") == 0 ? LW_VIEWER_MODE_SPLIT : LW_VIEWER_MODE_AFTER);
      break;
    case PROP_REVIEW:
      set_review (self, str);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* ---- signals of the canvas and the window ---------------------------------------- */

static gboolean
box_settled_cb (gpointer data)
{
  LwViewer *self = data;

  self->box_timeout = 0;
  if (self->item == NULL)
    return G_SOURCE_REMOVE;
  /* Fitted pictures for the new size; the old ones show meanwhile. */
  lw_viewer_loader_cancel (self->loader, self->requests[AFTER_FIT]);
  lw_viewer_loader_cancel (self->loader, self->requests[BEFORE_FIT]);
  self->requests[AFTER_FIT] = self->requests[BEFORE_FIT] = 0;
  {
    LwViewerPicture *after = g_steal_pointer (&self->pictures[AFTER_FIT]);
    LwViewerPicture *before = g_steal_pointer (&self->pictures[BEFORE_FIT]);

    request (self, AFTER_FIT, self->after_path, FALSE);
    request (self, BEFORE_FIT, self->before_path, FALSE);
    /* Not yet there: keep showing the old size. */
    if (self->pictures[AFTER_FIT] == NULL)
      self->pictures[AFTER_FIT] = after;
    else
      g_clear_pointer (&after, lw_viewer_picture_unref);
    if (self->pictures[BEFORE_FIT] == NULL)
      self->pictures[BEFORE_FIT] = before;
    else
      g_clear_pointer (&before, lw_viewer_picture_unref);
  }
  push_pictures (self, TRUE);
  prefetch (self);
  return G_SOURCE_REMOVE;
}

static void
box_changed_cb (LwViewerCanvas *canvas,
                LwViewer       *self)
{
  gboolean first = self->pictures[AFTER_FIT] == NULL && self->pictures[BEFORE_FIT] == NULL
                   && self->requests[AFTER_FIT] == 0 && self->requests[BEFORE_FIT] == 0;

  g_clear_handle_id (&self->box_timeout, g_source_remove);
  /* Nothing shown yet: no reason to wait (nor to come after the frames of
   * a running animation, as an idle would; see lw-viewer-loader.c). */
  if (first)
    self->box_timeout = g_idle_add_full (G_PRIORITY_DEFAULT, box_settled_cb, self, NULL);
  else
    self->box_timeout = g_timeout_add (BOX_SETTLE_MS, box_settled_cb, self);
}

static void
zoom_changed_cb (LwViewerCanvas *canvas,
                 GParamSpec     *pspec,
                 LwViewer       *self)
{
  update_zoom_label (self);
  update_actions (self);
  request_full (self);
}

static void
divider_changed_cb (LwViewerCanvas *canvas,
                    GParamSpec     *pspec,
                    LwViewer       *self)
{
  update_accessible (self);
}

static void
redo_entry_changed_cb (GtkEditable *editable,
                       LwViewer    *self)
{
  update_redo_prompt (self);
}

static void
redo_entry_activate_cb (GtkEntry *entry,
                        LwViewer *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "viewer.redo", NULL);
}

static gboolean
lw_viewer_close_request (GtkWindow *window)
{
  LwViewer *self = LW_VIEWER (window);

  /* Hidden, not destroyed (hide-on-close): the neighbours' pictures stay
   * for the next time; the requests in flight go. */
  cancel_requests (self);
  g_signal_emit (self, signals[CLOSED], 0, self->item);
  return GTK_WINDOW_CLASS (lw_viewer_parent_class)->close_request (window);
}

/* ---- the object ------------------------------------------------------------------- */

static void
lw_viewer_dispose (GObject *object)
{
  LwViewer *self = LW_VIEWER (object);

  g_clear_handle_id (&self->box_timeout, g_source_remove);
  if (self->loader != NULL)
    {
      cancel_requests (self);
      for (guint i = 0; i < G_N_ELEMENTS (self->prefetches); i++)
        lw_viewer_loader_cancel (self->loader, self->prefetches[i]);
    }
  g_clear_object (&self->loader);
  for (guint i = 0; i < G_N_ELEMENTS (self->pictures); i++)
    g_clear_pointer (&self->pictures[i], lw_viewer_picture_unref);
  g_clear_signal_handler (&self->image_changed_id, self->jobs);
  if (self->items != NULL)
    g_signal_handlers_disconnect_by_func (self->items, items_changed_cb, self);
  g_clear_object (&self->items);
  g_clear_object (&self->item);
  g_clear_object (&self->jobs);
  g_clear_object (&self->session);
  g_clear_pointer (&self->image, lw_image_free);
  g_clear_pointer (&self->versions, g_ptr_array_unref);
  g_clear_pointer (&self->after_path, g_free);
  g_clear_pointer (&self->before_path, g_free);

  G_OBJECT_CLASS (lw_viewer_parent_class)->dispose (object);
}

static void
install_accels (LwViewer *self)
{
  /* On the content, not the window: a key reaches it after the focused
   * widget (the redo field types its letters and arrows) and before the
   * window's own arrow keys (which would move the focus instead). */
  GtkEventController *controller = gtk_shortcut_controller_new ();

  for (guint i = 0; accels[i] != NULL; i += 2)
    {
      g_autofree char *action = NULL;
      g_autoptr(GVariant) target = NULL;
      g_autoptr(GError) error = NULL;
      GtkShortcut *shortcut;

      if (!g_action_parse_detailed_name (accels[i], &action, &target, &error))
        g_error ("Bad action %s: %s", accels[i], error->message);
      shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (accels[i + 1]), gtk_named_action_new (action));
      if (target != NULL)
        gtk_shortcut_set_arguments (shortcut, target);
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (self->content, controller);
}

static void
lw_viewer_class_init (LwViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lw_viewer_dispose;
  object_class->get_property = lw_viewer_get_property;
  object_class->set_property = lw_viewer_set_property;
  window_class->close_request = lw_viewer_close_request;

  properties[PROP_MODE] = g_param_spec_string ("mode", NULL, NULL, "after",
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVIEW] = g_param_spec_string ("review", NULL, NULL, "undecided",
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, LW_TYPE_IMAGE_ITEM);

  g_type_ensure (LW_TYPE_VIEWER_CANVAS);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-viewer.ui");
  gtk_widget_class_bind_template_child (widget_class, LwViewer, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, content);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, window_title);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, info_button);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, canvas);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, before_label);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, after_label);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, message_box);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, spinner);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, message_label);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, zoom_label);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, takes_box);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, take_label);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, status_value);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, module_value);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, model_value);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, cost_value);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, size_value);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, error_box);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, error_value);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, instruction_value);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, prompt_title);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, prompt_value);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, redo_entry);
  gtk_widget_class_bind_template_child (widget_class, LwViewer, redo_prompt_value);

  gtk_widget_class_install_action (widget_class, "viewer.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "viewer.previous", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "viewer.next", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "viewer.first", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "viewer.last", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "viewer.left", NULL, arrow_action);
  gtk_widget_class_install_action (widget_class, "viewer.right", NULL, arrow_action);
  gtk_widget_class_install_action (widget_class, "viewer.up", NULL, arrow_action);
  gtk_widget_class_install_action (widget_class, "viewer.down", NULL, arrow_action);
  gtk_widget_class_install_property_action (widget_class, "viewer.mode", "mode");
  gtk_widget_class_install_action (widget_class, "viewer.toggle-before", NULL, toggle_before_action);
  gtk_widget_class_install_action (widget_class, "viewer.divider", "d", divider_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-original", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-toggle", NULL, zoom_action);
  gtk_widget_class_install_property_action (widget_class, "viewer.review", "review");
  gtk_widget_class_install_action (widget_class, "viewer.previous-take", NULL, take_action);
  gtk_widget_class_install_action (widget_class, "viewer.next-take", NULL, take_action);
  gtk_widget_class_install_action (widget_class, "viewer.use-take", NULL, use_take_action);
  gtk_widget_class_install_action (widget_class, "viewer.redo", NULL, redo_action);
  gtk_widget_class_install_action (widget_class, "viewer.focus-redo", NULL, focus_redo_action);
  gtk_widget_class_install_action (widget_class, "viewer.toggle-info", NULL, toggle_info_action);
  gtk_widget_class_install_action (widget_class, "viewer.fullscreen", NULL, fullscreen_action);
}

static void
lw_viewer_init (LwViewer *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->mode = LW_VIEWER_MODE_AFTER;
  self->last_single = LW_VIEWER_MODE_AFTER;
  self->loader = lw_viewer_loader_new (CACHE_BYTES);
  install_accels (self);
  g_signal_connect (self->canvas, "box-changed", G_CALLBACK (box_changed_cb), self);
  g_signal_connect (self->canvas, "notify::zoom", G_CALLBACK (zoom_changed_cb), self);
  g_signal_connect (self->canvas, "notify::divider", G_CALLBACK (divider_changed_cb), self);
  g_signal_connect (self->redo_entry, "changed", G_CALLBACK (redo_entry_changed_cb), self);
  g_signal_connect (self->redo_entry, "activate", G_CALLBACK (redo_entry_activate_cb), self);
  update_zoom_label (self);
}

LwViewer *
lw_viewer_new (GtkWindow    *parent,
               LwJobSession *session,
               GListModel   *items)
{
  LwViewer *self;
  int width = 0, height = 0;

  g_return_val_if_fail (LW_IS_JOB_SESSION (session), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (items), NULL);

  self = g_object_new (LW_TYPE_VIEWER, "transient-for", parent, "modal", parent != NULL, NULL);
  self->session = g_object_ref (session);
  self->jobs = g_object_ref (lw_job_session_get_jobs (session));
  self->items = g_object_ref (items);
  self->image_changed_id = g_signal_connect (self->jobs, "image-changed", G_CALLBACK (image_changed_cb), self);
  g_signal_connect (self->items, "items-changed", G_CALLBACK (items_changed_cb), self);
  /* A page over the window: its size, maximized or full screen with it. */
  if (parent != NULL)
    {
      gtk_window_get_default_size (parent, &width, &height);
      if (gtk_widget_get_width (GTK_WIDGET (parent)) > 0)
        {
          width = gtk_widget_get_width (GTK_WIDGET (parent));
          height = gtk_widget_get_height (GTK_WIDGET (parent));
        }
      if (width > 0 && height > 0)
        gtk_window_set_default_size (GTK_WINDOW (self), width, height);
      if (gtk_window_is_maximized (parent))
        gtk_window_maximize (GTK_WINDOW (self));
      if (gtk_window_is_fullscreen (parent))
        gtk_window_fullscreen (GTK_WINDOW (self));
    }
  return self;
}

void
lw_viewer_show_item (LwViewer    *self,
                     LwImageItem *item)
{
  g_return_if_fail (LW_IS_VIEWER (self));
  g_return_if_fail (LW_IS_IMAGE_ITEM (item));

  set_item (self, item);
  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->canvas));
}

LwImageItem *lw_viewer_get_item (LwViewer *self) { return self->item; }
LwViewerCanvas *lw_viewer_get_canvas (LwViewer *self) { return self->canvas; }
LwViewerLoader *lw_viewer_get_loader (LwViewer *self) { return self->loader; }
GtkWidget *lw_viewer_get_redo_entry (LwViewer *self) { return self->redo_entry; }
GtkWidget *lw_viewer_get_redo_prompt (LwViewer *self) { return self->redo_prompt_value; }

int
lw_viewer_get_take (LwViewer *self)
{
  const LwVersion *version = shown_version (self);

  return version != NULL ? version->n : 0;
}

int
lw_viewer_get_n_takes (LwViewer *self)
{
  return self->versions != NULL ? (int) self->versions->len : 0;
}

gboolean
lw_viewer_get_ready (LwViewer *self)
{
  if (self->item == NULL)
    return FALSE;
  if (self->after_path != NULL && self->pictures[AFTER_FIT] == NULL)
    return FALSE;
  if (self->before_path != NULL && self->pictures[BEFORE_FIT] == NULL)
    return FALSE;
  if (lw_viewer_canvas_wants_full (self->canvas) && self->after_path != NULL && self->pictures[AFTER_FULL] == NULL)
    return FALSE;
  return TRUE;
}
