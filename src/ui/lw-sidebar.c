/* lw-sidebar.c — the fixed sidebar. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-sidebar.h"
#include "lw-ui-util.h"

struct _LwSidebar
{
  GtkWidget  parent_instance;

  GtkWidget *module_list;
  GtkWidget *jobs_list;
  GtkWidget *jobs_empty;
  GtkWidget *status_dot;
  GtkWidget *status_label;
  GtkWidget *version_label;
  guint      n_jobs;
};

G_DEFINE_FINAL_TYPE (LwSidebar, lw_sidebar, GTK_TYPE_WIDGET)

static GtkWidget *
popup_job_menu (LwSidebar  *self,
                GtkWidget  *row,
                double      x,
                double      y,
                GtkGesture *gesture)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "lw-job-id"));
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) rename = g_menu_item_new (_("_Rename…"), NULL);
  g_autoptr(GMenuItem) delete = g_menu_item_new (_("_Delete…"), NULL);

  g_menu_item_set_action_and_target_value (rename, "win.rename-job", g_variant_new_int64 (id));
  g_menu_item_set_action_and_target_value (delete, "win.delete-job", g_variant_new_int64 (id));
  g_menu_append_item (menu, rename);
  g_menu_append_item (menu, delete);

  /* On the sidebar, not the row: renaming rebuilds the rows. */
  return lw_ui_popup_menu (GTK_WIDGET (self), row, G_MENU_MODEL (menu), x, y, gesture);
}

static void
row_menu_cb (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             GtkWidget       *row)
{
  GtkWidget *self = gtk_widget_get_ancestor (row, LW_TYPE_SIDEBAR);

  if (self != NULL)
    popup_job_menu (LW_SIDEBAR (self), row, x, y, GTK_GESTURE (gesture));
}

GtkWidget *
lw_sidebar_popup_job_menu (LwSidebar *self,
                           guint      index)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (LW_IS_SIDEBAR (self), NULL);

  row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (self->jobs_list), (int) index);
  if (row == NULL)
    return NULL;
  return popup_job_menu (self, GTK_WIDGET (row), 12, 12, NULL);
}

static GtkWidget *
make_job_row (const LwJob       *job,
              const LwJobCounts *counts,
              const char        *paused,
              gint64             now_ms)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (job->name);
  GtkWidget *meta;
  GtkGesture *click = gtk_gesture_click_new ();
  g_autofree char *when = lw_ui_format_relative_time (job->updated_at, now_ms);
  g_autofree char *photos = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d photo", "%d photos", counts->total),
                                             counts->total);
  g_autofree char *meta_text = NULL;
  g_autofree char *accessible = NULL;
  g_autofree char *status = NULL;

  /* A launched job held by a pause is not "Running". */
  if (paused != NULL && job->status == LW_JOB_PROCESSING)
    /* TRANSLATORS: a job's state in the sidebar, "Paused: offline" */
    status = g_strdup_printf (_("Paused: %s"), paused);
  else
    status = g_strdup (lw_ui_job_status_label (job->status));
  /* TRANSLATORS: job row details: "12 photos · Done · 5 min ago" */
  if (*when != '\0')
    meta_text = g_strdup_printf (_("%s · %s · %s"), photos, status, when);
  else
    /* TRANSLATORS: job row details without a time: "12 photos · Done" */
    meta_text = g_strdup_printf (_("%s · %s"), photos, status);
  meta = gtk_label_new (meta_text);
  gtk_widget_add_css_class (row, "job-row");
  gtk_widget_add_css_class (name, "job-name");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (meta, "job-meta");
  gtk_widget_set_tooltip_text (meta, meta_text);
  gtk_widget_add_css_class (meta, "numeric");
  gtk_label_set_xalign (GTK_LABEL (meta), 0);
  gtk_label_set_ellipsize (GTK_LABEL (meta), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), meta);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  accessible = g_strdup_printf ("%s, %s", job->name, meta_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);

  g_object_set_data (G_OBJECT (row), "lw-job-id", GSIZE_TO_POINTER ((gsize) job->id));
  g_object_set_data_full (G_OBJECT (row), "lw-job-details", g_strdup (meta_text), g_free);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.open-job");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row), g_variant_new_int64 (job->id));

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (row_menu_cb), row);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
  return row;
}

void
lw_sidebar_set_jobs (LwSidebar          *self,
                     GPtrArray          *jobs,
                     const LwJobCounts  *counts,
                     const char * const *paused,
                     gint64              now_ms,
                     gint64              current_job_id)
{
  GtkWidget *child;

  g_return_if_fail (LW_IS_SIDEBAR (self));

  while ((child = gtk_widget_get_first_child (self->jobs_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->jobs_list), child);
  self->n_jobs = jobs != NULL ? jobs->len : 0;
  for (guint i = 0; i < self->n_jobs; i++)
    {
      const LwJob *job = g_ptr_array_index (jobs, i);
      GtkWidget *row = make_job_row (job, &counts[i], paused != NULL ? paused[i] : NULL, now_ms);

      gtk_list_box_append (GTK_LIST_BOX (self->jobs_list), row);
      if (job->id == current_job_id)
        gtk_list_box_select_row (GTK_LIST_BOX (self->jobs_list), GTK_LIST_BOX_ROW (row));
    }
  gtk_widget_set_visible (self->jobs_empty, self->n_jobs == 0);
  gtk_widget_set_visible (self->jobs_list, self->n_jobs > 0);
}

const char *
lw_sidebar_get_job_details (LwSidebar *self,
                            guint      index)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (LW_IS_SIDEBAR (self), NULL);

  row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (self->jobs_list), (int) index);
  return row != NULL ? g_object_get_data (G_OBJECT (row), "lw-job-details") : NULL;
}

guint
lw_sidebar_get_n_jobs (LwSidebar *self)
{
  return self->n_jobs;
}

void
lw_sidebar_set_engine_status (LwSidebar     *self,
                              LwEngineState  state,
                              const char    *text)
{
  static const char *classes[] = { "idle", "running", "paused", "offline" };

  g_return_if_fail (LW_IS_SIDEBAR (self));

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (self->status_dot, classes[i]);
  gtk_widget_add_css_class (self->status_dot, classes[CLAMP ((guint) state, 0, G_N_ELEMENTS (classes) - 1)]);
  gtk_label_set_label (GTK_LABEL (self->status_label), text);
  gtk_widget_set_tooltip_text (self->status_label, text);
}

const char *
lw_sidebar_get_engine_status (LwSidebar *self)
{
  return gtk_label_get_label (GTK_LABEL (self->status_label));
}

LwModuleList *
lw_sidebar_get_module_list (LwSidebar *self)
{
  return LW_MODULE_LIST (self->module_list);
}

static void
lw_sidebar_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), LW_TYPE_SIDEBAR);
  /* The template's root has no id, so dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (lw_sidebar_parent_class)->dispose (object);
}

static void
lw_sidebar_class_init (LwSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lw_sidebar_dispose;

  g_type_ensure (LW_TYPE_MODULE_LIST);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, LwSidebar, module_list);
  gtk_widget_class_bind_template_child (widget_class, LwSidebar, jobs_list);
  gtk_widget_class_bind_template_child (widget_class, LwSidebar, jobs_empty);
  gtk_widget_class_bind_template_child (widget_class, LwSidebar, status_dot);
  gtk_widget_class_bind_template_child (widget_class, LwSidebar, status_label);
  gtk_widget_class_bind_template_child (widget_class, LwSidebar, version_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lw-sidebar");
}

static void
lw_sidebar_init (LwSidebar *self)
{
  g_autofree char *version = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* TRANSLATORS: the version in the sidebar's footer */
  version = g_strdup_printf (_("Version %s"), PACKAGE_VERSION);
  gtk_label_set_label (GTK_LABEL (self->version_label), version);
  lw_sidebar_set_engine_status (self, LW_ENGINE_STATE_IDLE, _("Ready"));
  lw_sidebar_set_jobs (self, NULL, NULL, NULL, 0, 0);
}

GtkWidget *
lw_sidebar_new (void)
{
  return g_object_new (LW_TYPE_SIDEBAR, NULL);
}
