/* lw-ui-util.c — small helpers the widgets share. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-models.h"
#include "lw-ui-util.h"

gboolean
lw_ui_animations_enabled (GtkWidget *widget)
{
  GtkSettings *settings = widget != NULL ? gtk_widget_get_settings (widget) : gtk_settings_get_default ();
  gboolean enabled = TRUE;

  if (settings != NULL)
    g_object_get (settings, "gtk-enable-animations", &enabled, NULL);
  return enabled;
}

typedef struct {
  LwSpringFunc func;
  gpointer     data;
} SpringData;

static void
spring_value_cb (double   value,
                 gpointer user_data)
{
  SpringData *d = user_data;

  d->func (value, d->data);
}

AdwAnimation *
lw_ui_spring (GtkWidget    *widget,
              double        from,
              double        to,
              double        damping_ratio,
              double        stiffness,
              LwSpringFunc  value_cb,
              gpointer      user_data)
{
  AdwAnimationTarget *target;
  AdwSpringParams *params;
  AdwAnimation *animation;
  SpringData *d;

  /* libadwaita also skips animations then, but it still runs one frame
   * later; jumping here keeps reduced motion truly still. */
  if (!lw_ui_animations_enabled (widget) || !gtk_widget_get_mapped (widget))
    {
      value_cb (to, user_data);
      return NULL;
    }

  d = g_new0 (SpringData, 1);
  d->func = value_cb;
  d->data = user_data;
  target = adw_callback_animation_target_new (spring_value_cb, d, g_free);
  params = adw_spring_params_new (damping_ratio, 1.0, stiffness);
  /* Takes both the params and the target (transfer full). */
  animation = adw_spring_animation_new (widget, from, to, params, target);
  adw_spring_animation_set_clamp (ADW_SPRING_ANIMATION (animation), FALSE);
  adw_animation_play (animation);
  return animation;
}

char *
lw_ui_format_relative_time (gint64 then_ms,
                            gint64 now_ms)
{
  gint64 delta = (now_ms - then_ms) / 1000;

  if (then_ms <= 0)
    return g_strdup ("");
  if (delta < 60)
    return g_strdup (_("just now"));
  if (delta < 3600)
    return g_strdup_printf (_("%d min ago"), (int) (delta / 60));
  if (delta < 24 * 3600)
    return g_strdup_printf (_("%d h ago"), (int) (delta / 3600));
  if (delta < 48 * 3600)
    return g_strdup (_("yesterday"));
  {
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (then_ms / 1000);

    /* TRANSLATORS: a date without year, as in "12 Mar" (strftime format) */
    return g_date_time_format (dt, _("%e %b"));
  }
}

char *
lw_ui_format_duration (gint64 ms)
{
  gint64 s = (ms + 999) / 1000;

  if (s < 60)
    return g_strdup_printf (_("%d s"), (int) s);
  if (s < 3600)
    return g_strdup_printf (_("%d min"), (int) ((s + 59) / 60));
  return g_strdup_printf (_("%d h %d min"), (int) (s / 3600), (int) ((s % 3600) / 60));
}

const char *
lw_ui_image_status_label (LwImageStatus status)
{
  switch (status)
    {
    case LW_IMAGE_PENDING: return _("Pending");
    case LW_IMAGE_PROCESSING: return _("Processing");
    case LW_IMAGE_COMPLETED: return _("Done");
    case LW_IMAGE_FAILED: return _("Failed");
    case LW_IMAGE_RETRY_LATER: return _("Retry later");
    default: return "";
    }
}

const char *
lw_ui_job_status_label (LwJobStatus status)
{
  switch (status)
    {
    case LW_JOB_PENDING: return _("Staging");
    case LW_JOB_PROCESSING: return _("Running");
    case LW_JOB_COMPLETED: return _("Done");
    case LW_JOB_FAILED: return _("Failed");
    case LW_JOB_CANCELLED: return _("Stopped");
    default: return "";
    }
}

const char *
lw_ui_model_label (const char *model)
{
  /* The one table of models says it. */
  return lw_models_get_label (model);
}

void
lw_ui_popup_menu (GtkWidget  *row,
                  GMenuModel *menu,
                  double      x,
                  double      y,
                  GtkGesture *gesture)
{
  GtkWidget *popover = gtk_popover_menu_new_from_model (menu);

  gtk_widget_set_parent (popover, row);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  /* The popover goes with its row: unparent it when it closes. */
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
  gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_CLAIMED);
}
