/* lw-image-tile.c — one photo in the staging grid. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-image-tile.h"
#include "lw-ui-util.h"

struct _LwImageTile
{
  GtkWidget       parent_instance;

  GtkWidget      *card;
  GtkWidget      *frame;
  GtkWidget      *stack;
  GtkWidget      *thumb;
  GtkWidget      *placeholder;
  GtkWidget      *placeholder_icon;
  GtkWidget      *chip;
  GtkWidget      *chip_label;
  GtkWidget      *mark;
  GtkWidget      *review_mark;
  GtkWidget      *name_label;
  GtkWidget      *reason_label;

  LwTextureCache *cache;
  char           *blob_root;
  LwImageItem    *item;
  gulong          notify_id;
  guint           request_id;
  char           *shown_path;   /* what the picture shows or is loading */
  int             shown_width;  /* … and at which size (device pixels) */
  int             shown_height;
  guint           countdown_id;
  int             size;
  const char     *chip_class;   /* static string, what the chip shows now */
  char           *tooltip;      /* what the frame's tooltip says now */
  double          scale;        /* 0–1 while scaling in */
  AdwAnimation   *animation;
};

G_DEFINE_FINAL_TYPE (LwImageTile, lw_image_tile, GTK_TYPE_WIDGET)

static char *
blob_path (LwImageTile *self,
           const char  *key)
{
  if (key == NULL || self->blob_root == NULL)
    return NULL;
  return g_build_filename (self->blob_root, key, NULL);
}

/* The frame in device pixels: textures are decoded to cover exactly this,
 * so drawing them needs no scaling (see lw_texture_cache_request). */
static void
frame_box (LwImageTile *self,
           int         *width,
           int         *height)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  *width = self->size * scale;
  *height = self->size * 3 / 4 * scale;
}

static guint
request_texture (LwImageTile *self,
                 const char  *path);

static void
texture_ready_cb (GdkTexture   *texture,
                  const GError *error,
                  gpointer      user_data)
{
  LwImageTile *self = user_data;

  self->request_id = 0;
  if (texture == NULL)
    {
      /* A result the decoder cannot read (an engine's odd output) falls back
       * to the thumbnail instead of a blank tile. */
      if (self->item != NULL && self->shown_path != NULL
          && lw_image_item_get_processed_key (self->item) != NULL
          && g_str_has_suffix (self->shown_path, lw_image_item_get_processed_key (self->item)))
        {
          g_autofree char *thumb = blob_path (self, lw_image_item_get_thumb_key (self->item));

          g_clear_pointer (&self->shown_path, g_free);
          if (thumb != NULL)
            {
              self->shown_path = g_strdup (thumb);
              self->request_id = request_texture (self, thumb);
            }
        }
      return;
    }

  gtk_picture_set_paintable (GTK_PICTURE (self->thumb), GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child (GTK_STACK (self->stack), self->thumb);
}

static guint
request_texture (LwImageTile *self,
                 const char  *path)
{
  frame_box (self, &self->shown_width, &self->shown_height);
  return lw_texture_cache_request (self->cache, path, self->shown_width, self->shown_height,
                                   texture_ready_cb, self);
}

static void
update_picture (LwImageTile *self,
                gboolean     animate)
{
  g_autofree char *path = NULL;
  const char *key;
  int width, height;

  if (self->item == NULL)
    return;

  key = lw_image_item_get_processed_key (self->item);
  if (key == NULL || lw_image_item_get_status (self->item) != LW_IMAGE_COMPLETED)
    key = lw_image_item_get_thumb_key (self->item);
  path = blob_path (self, key);

  frame_box (self, &width, &height);
  if (g_strcmp0 (path, self->shown_path) == 0)
    {
      /* Same photo, new size (the tile-size control, a new monitor scale):
       * the old texture stays up, a little blurred, until the new one
       * arrives. */
      if (path != NULL && (width != self->shown_width || height != self->shown_height))
        {
          lw_texture_cache_cancel (self->cache, self->request_id);
          self->request_id = request_texture (self, path);
        }
      return;
    }

  lw_texture_cache_cancel (self->cache, self->request_id);
  self->request_id = 0;
  g_free (self->shown_path);
  self->shown_path = g_strdup (path);

  gtk_stack_set_transition_type (GTK_STACK (self->stack),
                                 animate ? GTK_STACK_TRANSITION_TYPE_CROSSFADE : GTK_STACK_TRANSITION_TYPE_NONE);
  if (path == NULL)
    {
      gtk_picture_set_paintable (GTK_PICTURE (self->thumb), NULL);
      gtk_stack_set_visible_child (GTK_STACK (self->stack), self->placeholder);
      return;
    }
  /* Keep showing the thumbnail while the result loads: no flash of grey. */
  if (!animate)
    {
      gtk_picture_set_paintable (GTK_PICTURE (self->thumb), NULL);
      gtk_stack_set_visible_child (GTK_STACK (self->stack), self->placeholder);
    }
  self->request_id = request_texture (self, path);
}

static gboolean
countdown_cb (gpointer data)
{
  LwImageTile *self = data;
  gint64 left, now;
  g_autofree char *text = NULL;

  if (self->item == NULL || lw_image_item_get_status (self->item) != LW_IMAGE_RETRY_LATER)
    {
      self->countdown_id = 0;
      return G_SOURCE_REMOVE;
    }
  now = g_get_real_time () / 1000;
  left = lw_image_item_get_next_retry_at (self->item) - now;
  if (left > 0)
    {
      g_autofree char *duration = lw_ui_format_duration (left);

      /* TRANSLATORS: a status chip, "Retry in 12 s" */
      text = g_strdup_printf (_("Retry in %s"), duration);
    }
  else
    text = g_strdup (_("Retrying"));
  gtk_label_set_label (GTK_LABEL (self->chip_label), text);
  return G_SOURCE_CONTINUE;
}

static void
set_chip_class (LwImageTile *self,
                const char  *cls)
{
  /* Changing classes restyles the chip: only when it really changes. */
  if (self->chip_class == cls)
    return;
  if (self->chip_class != NULL)
    gtk_widget_remove_css_class (self->chip, self->chip_class);
  gtk_widget_add_css_class (self->chip, cls);
  self->chip_class = cls;
}

static void
set_tooltip (LwImageTile *self,
             const char  *text)
{
  /* Setting a tooltip makes GTK ask the X server where the pointer is (a
   * round trip): only when it really changes. */
  if (g_strcmp0 (self->tooltip, text) == 0)
    return;
  g_free (self->tooltip);
  self->tooltip = g_strdup (text);
  gtk_widget_set_tooltip_text (self->frame, text);
}

static void
set_label (GtkWidget  *label,
           const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (GTK_LABEL (label)), text) != 0)
    gtk_label_set_label (GTK_LABEL (label), text);
}

static void
update_status (LwImageTile *self)
{
  const char *cls;
  const char *reason;
  LwImageStatus status;
  LwImageItemPhase phase;
  LwReview review;
  g_autofree char *accessible = NULL;

  if (self->item == NULL)
    return;

  status = lw_image_item_get_status (self->item);
  phase = lw_image_item_get_phase (self->item);

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  if (phase == LW_IMAGE_ITEM_STAGING)
    {
      cls = "staging";
      set_label (self->chip_label, _("Adding"));
    }
  else if (phase == LW_IMAGE_ITEM_REJECTED)
    {
      cls = "failed";
      set_label (self->chip_label, _("Refused"));
    }
  else
    {
      switch (status)
        {
        case LW_IMAGE_PROCESSING: cls = "processing"; break;
        case LW_IMAGE_COMPLETED: cls = "done"; break;
        case LW_IMAGE_FAILED: cls = "failed"; break;
        case LW_IMAGE_RETRY_LATER: cls = "retry"; break;
        case LW_IMAGE_PENDING:
        default: cls = "pending"; break;
        }
      set_label (self->chip_label, lw_ui_image_status_label (status));
      /* Done, with a doubt: an automatic check failed (docs/ARCHITECTURE.md,
       * "Results"). Ctrl+R redoes it. */
      if (status == LW_IMAGE_COMPLETED && lw_image_item_get_review_reason (self->item) != NULL)
        {
          cls = "retry";
          set_label (self->chip_label, _("Needs Review"));
        }
      if (status == LW_IMAGE_RETRY_LATER)
        {
          countdown_cb (self);
          self->countdown_id = g_timeout_add_seconds (1, countdown_cb, self);
        }
    }
  set_chip_class (self, cls);

  reason = lw_image_item_get_error_message (self->item);
  if (status == LW_IMAGE_COMPLETED && phase == LW_IMAGE_ITEM_STAGED)
    reason = lw_image_item_get_review_reason (self->item);
  if ((status == LW_IMAGE_FAILED || status == LW_IMAGE_RETRY_LATER || phase == LW_IMAGE_ITEM_REJECTED
       || status == LW_IMAGE_COMPLETED)
      && reason != NULL && *reason != '\0')
    {
      set_label (self->reason_label, reason);
      set_tooltip (self, reason);
      gtk_widget_set_visible (self->reason_label, TRUE);
    }
  else
    {
      gtk_widget_set_visible (self->reason_label, FALSE);
      set_tooltip (self, NULL);
    }

  gtk_widget_set_visible (self->mark, lw_image_item_get_specific_prompt (self->item) != NULL);

  review = lw_image_item_get_review (self->item);
  gtk_widget_set_visible (self->review_mark, review != LW_REVIEW_UNDECIDED);
  if (review == LW_REVIEW_ACCEPTED)
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (self->review_mark), "emblem-ok-symbolic");
      gtk_widget_set_tooltip_text (self->review_mark, _("Accepted"));
      gtk_widget_add_css_class (self->card, "accepted");
      gtk_widget_remove_css_class (self->card, "rejected");
    }
  else if (review == LW_REVIEW_REJECTED)
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (self->review_mark), "action-unavailable-symbolic");
      gtk_widget_set_tooltip_text (self->review_mark, _("Rejected"));
      gtk_widget_add_css_class (self->card, "rejected");
      gtk_widget_remove_css_class (self->card, "accepted");
    }
  else
    {
      gtk_widget_remove_css_class (self->card, "accepted");
      gtk_widget_remove_css_class (self->card, "rejected");
    }

  accessible = lw_image_tile_dup_accessible_label (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  /* The grid's focus stop is the list item around the tile (GTK 4.8's
   * GtkListItem has no accessible label of its own): name it too, or a
   * screen reader says "GtkListItemWidget". */
  {
    GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

    if (parent != NULL && gtk_widget_get_focusable (parent))
      gtk_accessible_update_property (GTK_ACCESSIBLE (parent), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  }
}

char *
lw_image_tile_dup_accessible_label (LwImageTile *self)
{
  GString *text;
  const char *reason, *instruction;
  LwImageStatus status;
  LwImageItemPhase phase;

  g_return_val_if_fail (LW_IS_IMAGE_TILE (self), NULL);

  if (self->item == NULL)
    return g_strdup ("");
  status = lw_image_item_get_status (self->item);
  phase = lw_image_item_get_phase (self->item);
  /* TRANSLATORS: accessible name of a tile: file name, then its state */
  text = g_string_new (NULL);
  g_string_printf (text, _("%s, %s"), lw_image_item_get_name (self->item),
                   gtk_label_get_label (GTK_LABEL (self->chip_label)));
  if (lw_image_item_get_review (self->item) == LW_REVIEW_ACCEPTED)
    /* TRANSLATORS: appended to a tile's accessible name when the user accepted it */
    g_string_append (text, _(", accepted"));
  else if (lw_image_item_get_review (self->item) == LW_REVIEW_REJECTED)
    /* TRANSLATORS: appended to a tile's accessible name when the user rejected it */
    g_string_append (text, _(", rejected"));
  reason = lw_image_item_get_error_message (self->item);
  if (status == LW_IMAGE_COMPLETED && phase == LW_IMAGE_ITEM_STAGED)
    reason = lw_image_item_get_review_reason (self->item);
  if ((status == LW_IMAGE_FAILED || status == LW_IMAGE_RETRY_LATER || phase == LW_IMAGE_ITEM_REJECTED
       || status == LW_IMAGE_COMPLETED)
      && reason != NULL && *reason != '\0')
    /* TRANSLATORS: appended to a tile's accessible name: why it failed (or needs review) */
    g_string_append_printf (text, _(": %s"), reason);
  instruction = lw_image_item_get_specific_prompt (self->item);
  if (instruction != NULL && *instruction != '\0')
    /* TRANSLATORS: appended to a tile's accessible name: the photo's own instruction */
    g_string_append_printf (text, _(". Own instruction: %s"), instruction);
  return g_string_free (text, FALSE);
}

static void
item_notify_cb (LwImageItem *item,
                GParamSpec  *pspec,
                LwImageTile *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "thumb-key") || g_str_equal (name, "processed-key") || g_str_equal (name, "status"))
    update_picture (self, TRUE);
  if (g_str_equal (name, "name"))
    set_label (self->name_label, lw_image_item_get_name (item));
  if (g_str_equal (name, "status") || g_str_equal (name, "phase") || g_str_equal (name, "error-message")
      || g_str_equal (name, "specific-prompt") || g_str_equal (name, "review") || g_str_equal (name, "review-reason"))
    update_status (self);
}

static void
scale_cb (double   value,
          gpointer user_data)
{
  LwImageTile *self = user_data;

  self->scale = value;
  gtk_widget_set_opacity (self->card, CLAMP (value, 0.0, 1.0));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lw_image_tile_set_item (LwImageTile *self,
                        LwImageItem *item)
{
  g_return_if_fail (LW_IS_IMAGE_TILE (self));

  if (self->item == item)
    return;

  if (self->item != NULL)
    {
      g_clear_signal_handler (&self->notify_id, self->item);
      g_clear_object (&self->item);
    }
  lw_texture_cache_cancel (self->cache, self->request_id);
  self->request_id = 0;
  g_clear_pointer (&self->shown_path, g_free);
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  if (self->animation != NULL)
    adw_animation_skip (self->animation);
  g_clear_object (&self->animation);

  if (item == NULL)
    {
      /* An unbound tile lets its picture go: the cache decides what stays. */
      gtk_picture_set_paintable (GTK_PICTURE (self->thumb), NULL);
      return;
    }

  self->item = g_object_ref (item);
  self->notify_id = g_signal_connect (item, "notify", G_CALLBACK (item_notify_cb), self);
  set_label (self->name_label, lw_image_item_get_name (item));
  update_picture (self, FALSE);
  update_status (self);

  /* Only a photo that just landed scales in; a recycled tile scrolled
   * into view does not. */
  if (lw_image_item_take_fresh (item))
    self->animation = lw_ui_spring (GTK_WIDGET (self), 0.0, 1.0, 0.75, 300.0, scale_cb, self);
  else
    scale_cb (1.0, self);
}

LwImageItem *
lw_image_tile_get_item (LwImageTile *self)
{
  return self->item;
}

void
lw_image_tile_set_tile_size (LwImageTile *self,
                             int          size)
{
  g_return_if_fail (LW_IS_IMAGE_TILE (self));

  if (self->size == size)
    return;
  self->size = size;
  gtk_widget_set_size_request (self->frame, size, size * 3 / 4);
  gtk_widget_set_size_request (self->card, size, -1);
  update_picture (self, FALSE);
}

/* The size the frame is drawn at, in device pixels (tests). */
void
lw_image_tile_get_frame_size (LwImageTile *self,
                              int         *width,
                              int         *height)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  *width = gtk_widget_get_width (self->frame) * scale;
  *height = gtk_widget_get_height (self->frame) * scale;
}

GdkTexture *
lw_image_tile_get_texture (LwImageTile *self)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (GTK_PICTURE (self->thumb));

  return GDK_IS_TEXTURE (paintable) ? GDK_TEXTURE (paintable) : NULL;
}

gboolean
lw_image_tile_has_texture (LwImageTile *self)
{
  return gtk_picture_get_paintable (GTK_PICTURE (self->thumb)) != NULL;
}

const char *
lw_image_tile_get_chip_text (LwImageTile *self)
{
  return gtk_label_get_label (GTK_LABEL (self->chip_label));
}

/* Every tile is as tall as its frame and labels at their smallest (a
 * portrait photo's natural height must not make its row taller), and its
 * card exactly as wide as the tile size (the card sits at the top centre of
 * the cell). The picture's natural size is its texture's, which is made for
 * the frame's size: were the card to follow it (a texture still at the old
 * size after a zoom, a long name), the frame would change, the texture
 * would be made again for it, and so on. */
static void
tile_measure (GtkWidget      *widget,
              GtkOrientation  orientation,
              int             for_size,
              int            *minimum,
              int            *natural,
              int            *minimum_baseline,
              int            *natural_baseline)
{
  LwImageTile *self = LW_IMAGE_TILE (widget);
  int min = 0;

  gtk_widget_measure (self->card, orientation, for_size, &min, NULL, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    min = MAX (min, self->size);
  *minimum = *natural = min;
}

static void
tile_allocate (GtkWidget *widget,
               int        width,
               int        height,
               int        baseline)
{
  LwImageTile *self = LW_IMAGE_TILE (widget);
  int min = 0, card_width, card_height;

  gtk_widget_measure (self->card, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  card_width = MAX (min, MIN (width, self->size));
  /* At its smallest height too: a taller neighbour in the row (a refused
   * photo's reason) must not stretch this frame either. */
  gtk_widget_measure (self->card, GTK_ORIENTATION_VERTICAL, card_width, &card_height, NULL, NULL, NULL);
  gtk_widget_allocate (self->card, card_width, card_height, baseline,
                       gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT ((width - card_width) / 2, 0)));
}

static void
lw_image_tile_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  LwImageTile *self = LW_IMAGE_TILE (widget);
  double s = 0.88 + 0.12 * self->scale;

  if (G_APPROX_VALUE (s, 1.0, 0.001))
    {
      gtk_widget_snapshot_child (widget, self->card, snapshot);
      return;
    }
  {
    float w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (w / 2.f, h / 2.f));
    gtk_snapshot_scale (snapshot, (float) s, (float) s);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-w / 2.f, -h / 2.f));
    gtk_widget_snapshot_child (widget, self->card, snapshot);
    gtk_snapshot_restore (snapshot);
  }
}

static void
lw_image_tile_dispose (GObject *object)
{
  LwImageTile *self = LW_IMAGE_TILE (object);

  lw_image_tile_set_item (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LW_TYPE_IMAGE_TILE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lw_image_tile_parent_class)->dispose (object);
}

static void
lw_image_tile_finalize (GObject *object)
{
  LwImageTile *self = LW_IMAGE_TILE (object);

  g_clear_object (&self->cache);
  g_free (self->blob_root);
  g_free (self->tooltip);

  G_OBJECT_CLASS (lw_image_tile_parent_class)->finalize (object);
}

static void
lw_image_tile_class_init (LwImageTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lw_image_tile_dispose;
  object_class->finalize = lw_image_tile_finalize;
  widget_class->snapshot = lw_image_tile_snapshot;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-image-tile.ui");
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, card);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, frame);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, stack);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, thumb);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, placeholder);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, placeholder_icon);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, chip);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, chip_label);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, mark);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, review_mark);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, name_label);
  gtk_widget_class_bind_template_child (widget_class, LwImageTile, reason_label);
  gtk_widget_class_set_css_name (widget_class, "lw-tile");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
scale_factor_cb (LwImageTile *self)
{
  update_picture (self, FALSE);
}

static void
lw_image_tile_init (LwImageTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_layout_manager (GTK_WIDGET (self), gtk_custom_layout_new (NULL, tile_measure, tile_allocate));
  self->scale = 1.0;
  gtk_picture_set_content_fit (GTK_PICTURE (self->thumb), GTK_CONTENT_FIT_COVER);
  lw_image_tile_set_tile_size (self, 200);
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (scale_factor_cb), NULL);
}

GtkWidget *
lw_image_tile_new (LwTextureCache *cache,
                   const char     *blob_root)
{
  LwImageTile *self = g_object_new (LW_TYPE_IMAGE_TILE, NULL);

  self->cache = g_object_ref (cache);
  self->blob_root = g_strdup (blob_root);
  return GTK_WIDGET (self);
}
