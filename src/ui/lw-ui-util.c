/* lw-ui-util.c — small helpers the widgets share. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-engine.h"
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
    case LW_JOB_PENDING: return _("Not started");
    case LW_JOB_PROCESSING: return _("Running");
    case LW_JOB_COMPLETED: return _("Done");
    case LW_JOB_FAILED: return _("Failed");
    case LW_JOB_CANCELLED: return _("Stopped");
    default: return "";
    }
}

const char *
lw_ui_pause_reason (const GError *pause)
{
  /* The engines' messages speak to lightwork-cli's user ("run lightwork-cli
   * key set"); the window has its own ways out (its banner's buttons). */
  if (pause == NULL)
    return NULL;
  if (pause->domain == LW_ENGINE_ERROR)
    switch ((LwEngineErrorCode) pause->code)
      {
      case LW_ENGINE_ERROR_AUTH: return _("no working Gemini API key");
      case LW_ENGINE_ERROR_MODEL_NOT_FOUND: return _("the model is not available");
      case LW_ENGINE_ERROR_OFFLINE: return _("offline");
      case LW_ENGINE_ERROR_QUOTA_EXHAUSTED: return _("the key’s quota is used up");
      case LW_ENGINE_ERROR_SPEND_CAP: return _("the spending cap is reached");
      case LW_ENGINE_ERROR_DISK_FULL:   /* its message says the folder */
      case LW_ENGINE_ERROR_RATE_LIMITED:
      case LW_ENGINE_ERROR_SERVER:
      case LW_ENGINE_ERROR_TIMEOUT:
      case LW_ENGINE_ERROR_NETWORK:
      case LW_ENGINE_ERROR_TRUNCATED:
      case LW_ENGINE_ERROR_SAFETY_BLOCKED:
      case LW_ENGINE_ERROR_NO_IMAGE:
      case LW_ENGINE_ERROR_BAD_REQUEST:
      case LW_ENGINE_ERROR_BAD_INPUT:
      case LW_ENGINE_ERROR_FAILED:
      default:
        break;
      }
  return pause->message;
}

const char *
lw_ui_model_label (const char *model)
{
  /* The one table of models says it. */
  return lw_models_get_label (model);
}

static gboolean
unparent_idle_cb (gpointer data)
{
  GtkWidget *popover = data;

  if (gtk_widget_get_parent (popover) != NULL)
    gtk_widget_unparent (popover);
  g_object_unref (popover);
  return G_SOURCE_REMOVE;
}

static void
popup_closed_cb (GtkPopover *popover)
{
  /* Not now: a menu item pops the popover down *before* it activates its
   * action (GtkModelButton), and the action is looked up through the
   * popover's parent. Unparenting in "closed" cut the item off from the
   * window's actions, so Rename…, Delete and Duplicate did nothing. */
  g_idle_add (unparent_idle_cb, g_object_ref (popover));
}

GtkWidget *
lw_ui_popup_menu (GtkWidget  *anchor,
                  GtkWidget  *row,
                  GMenuModel *menu,
                  double      x,
                  double      y,
                  GtkGesture *gesture)
{
  GtkWidget *popover = gtk_popover_menu_new_from_model (menu);
  graphene_point_t at;

  /* Parented to the list's owner, not to the row: an action can rebuild
   * the rows (a rename, a duplicate) while the menu still closes. */
  if (!gtk_widget_compute_point (row, anchor, &GRAPHENE_POINT_INIT ((float) x, (float) y), &at))
    at = GRAPHENE_POINT_INIT (0, 0);
  gtk_widget_set_parent (popover, anchor);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) at.x, (int) at.y, 1, 1 });
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  /* It goes once it closed. */
  g_signal_connect (popover, "closed", G_CALLBACK (popup_closed_cb), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
  if (gesture != NULL)
    gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_CLAIMED);
  return popover;
}

void
lw_ui_add_apply_shortcut (GtkWidget  *widget,
                          const char *action)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                          gtk_named_action_new (action)));
  gtk_widget_add_controller (widget, controller);
}

#define ELLIPSIZE_KEY "lw-ellipsize"

static void
ellipsized_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     GtkDropDown              *dropdown)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (g_object_get_data (G_OBJECT (dropdown), ELLIPSIZE_KEY) != NULL)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
ellipsized_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  data)
{
  GtkStringObject *choice = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       choice != NULL ? gtk_string_object_get_string (choice) : "");
}

/* The labels of the drop-down's button (not of its popup, a native). */
static void
set_labels_ellipsize (GtkWidget *widget,
                      gboolean   ellipsize)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_NATIVE (child))
        continue;
      if (GTK_IS_LABEL (child))
        gtk_label_set_ellipsize (GTK_LABEL (child), ellipsize ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
      set_labels_ellipsize (child, ellipsize);
    }
}

void
lw_ui_dropdown_set_ellipsize (GtkDropDown *dropdown,
                              gboolean     ellipsize)
{
  g_return_if_fail (GTK_IS_DROP_DOWN (dropdown));

  if (g_object_get_data (G_OBJECT (dropdown), "lw-ellipsize-factory") == NULL)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

      g_signal_connect (factory, "setup", G_CALLBACK (ellipsized_setup_cb), dropdown);
      g_signal_connect (factory, "bind", G_CALLBACK (ellipsized_bind_cb), NULL);
      gtk_drop_down_set_factory (dropdown, factory);
      g_object_set_data (G_OBJECT (dropdown), "lw-ellipsize-factory", factory);
    }
  g_object_set_data (G_OBJECT (dropdown), ELLIPSIZE_KEY, GINT_TO_POINTER (ellipsize));
  set_labels_ellipsize (GTK_WIDGET (dropdown), ellipsize);
}
