/* lw-module-list.c — the sidebar's module navigation.
 *
 * Activating a row runs win.select-module with the row's index, the same
 * action Ctrl+1…9 run, so mouse and keyboard take one path.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-module-list.h"
#include "lw-ui-util.h"

struct _LwModuleList
{
  GtkWidget  parent_instance;

  GtkWidget *list_box;
  GPtrArray *modules;   /* LwModule */
  char      *selected;
  gboolean   updating;
};

G_DEFINE_FINAL_TYPE (LwModuleList, lw_module_list, GTK_TYPE_WIDGET)

/* Duplicate for every module; Delete only for custom ones (built-ins stay,
 * so a reset and a new job's default always exist). */
static GtkWidget *
popup_row_menu (LwModuleList *self,
                GtkWidget    *row,
                double        x,
                double        y,
                GtkGesture   *gesture)
{
  const char *id = g_object_get_data (G_OBJECT (row), "lw-module-id");
  gboolean builtin = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "lw-module-builtin"));
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) duplicate = g_menu_item_new (_("D_uplicate"), NULL);

  g_menu_item_set_action_and_target_value (duplicate, "win.duplicate-module", g_variant_new_string (id));
  g_menu_append_item (menu, duplicate);
  if (!builtin)
    {
      g_autoptr(GMenuItem) delete = g_menu_item_new (_("_Delete…"), NULL);

      g_menu_item_set_action_and_target_value (delete, "win.delete-module", g_variant_new_string (id));
      g_menu_append_item (menu, delete);
    }

  /* On the list, not the row: a duplicate rebuilds the rows. */
  return lw_ui_popup_menu (GTK_WIDGET (self), row, G_MENU_MODEL (menu), x, y, gesture);
}

static void
row_menu_cb (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             GtkWidget       *row)
{
  GtkWidget *self = gtk_widget_get_ancestor (row, LW_TYPE_MODULE_LIST);

  if (self != NULL)
    popup_row_menu (LW_MODULE_LIST (self), row, x, y, GTK_GESTURE (gesture));
}

GtkWidget *
lw_module_list_popup_menu (LwModuleList *self,
                           guint         index)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (LW_IS_MODULE_LIST (self), NULL);

  row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (self->list_box), (int) index);
  if (row == NULL)
    return NULL;
  return popup_row_menu (self, GTK_WIDGET (row), 12, 12, NULL);
}

static GtkWidget *
make_row (const LwModule *module,
          guint           index)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 1);
  GtkWidget *icon = gtk_image_new_from_icon_name (module->icon != NULL ? module->icon : "applications-graphics-symbolic");
  GtkWidget *name = gtk_label_new (module->name);
  GtkWidget *description = gtk_label_new (module->description);
  g_autofree char *tooltip = NULL;

  gtk_widget_add_css_class (row, "module-row");
  gtk_widget_add_css_class (icon, "module-icon");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_set_margin_top (icon, 2);
  gtk_widget_add_css_class (name, "module-name");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (description, "module-description");
  gtk_label_set_xalign (GTK_LABEL (description), 0);
  gtk_label_set_ellipsize (GTK_LABEL (description), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), name);
  gtk_box_append (GTK_BOX (texts), description);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), texts);
  if (index < 9)
    {
      /* GTK's words for the key, as on every other hint. */
      g_autofree char *hint = gtk_accelerator_get_label (GDK_KEY_1 + index, GDK_CONTROL_MASK);
      GtkWidget *hint_label = gtk_label_new (hint);

      gtk_widget_add_css_class (hint_label, "kbd-hint");
      gtk_widget_set_valign (hint_label, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), hint_label);
      /* TRANSLATORS: tooltip of a module row: its description, then the key */
      tooltip = g_strdup_printf (_("%s (Ctrl+%u)"), module->description, index + 1);
    }
  gtk_widget_set_tooltip_text (row, tooltip != NULL ? tooltip : module->description);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, module->name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, module->description, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.select-module");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "i", (gint32) index);

  g_object_set_data_full (G_OBJECT (row), "lw-module-id", g_strdup (module->id), g_free);
  g_object_set_data (G_OBJECT (row), "lw-module-builtin", GINT_TO_POINTER (module->builtin));
  {
    GtkGesture *click = gtk_gesture_click_new ();

    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
    g_signal_connect (click, "pressed", G_CALLBACK (row_menu_cb), row);
    gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
  }
  return row;
}

static void
sync_selection (LwModuleList *self)
{
  self->updating = TRUE;
  gtk_list_box_unselect_all (GTK_LIST_BOX (self->list_box));
  for (guint i = 0; self->modules != NULL && i < self->modules->len; i++)
    {
      const LwModule *m = g_ptr_array_index (self->modules, i);

      if (g_strcmp0 (m->id, self->selected) == 0)
        gtk_list_box_select_row (GTK_LIST_BOX (self->list_box),
                                 gtk_list_box_get_row_at_index (GTK_LIST_BOX (self->list_box), (int) i));
    }
  self->updating = FALSE;
}

void
lw_module_list_set_modules (LwModuleList *self,
                            GPtrArray    *modules)
{
  GtkWidget *child;

  g_return_if_fail (LW_IS_MODULE_LIST (self));

  while ((child = gtk_widget_get_first_child (self->list_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list_box), child);
  g_clear_pointer (&self->modules, g_ptr_array_unref);
  self->modules = g_ptr_array_new_with_free_func ((GDestroyNotify) lw_module_free);
  for (guint i = 0; modules != NULL && i < modules->len; i++)
    {
      const LwModule *m = g_ptr_array_index (modules, i);

      g_ptr_array_add (self->modules, lw_module_copy (m));
      gtk_list_box_append (GTK_LIST_BOX (self->list_box), make_row (m, i));
    }
  sync_selection (self);
}

guint
lw_module_list_get_n_modules (LwModuleList *self)
{
  return self->modules != NULL ? self->modules->len : 0;
}

const LwModule *
lw_module_list_get_module (LwModuleList *self,
                           guint         index)
{
  if (self->modules == NULL || index >= self->modules->len)
    return NULL;
  return g_ptr_array_index (self->modules, index);
}

const LwModule *
lw_module_list_find (LwModuleList *self,
                     const char   *id)
{
  for (guint i = 0; self->modules != NULL && i < self->modules->len; i++)
    {
      const LwModule *m = g_ptr_array_index (self->modules, i);

      if (g_strcmp0 (m->id, id) == 0)
        return m;
    }
  return NULL;
}

void
lw_module_list_select (LwModuleList *self,
                       const char   *id)
{
  g_return_if_fail (LW_IS_MODULE_LIST (self));

  g_free (self->selected);
  self->selected = g_strdup (id);
  sync_selection (self);
}

const char *
lw_module_list_get_selected (LwModuleList *self)
{
  return self->selected;
}

static void
lw_module_list_dispose (GObject *object)
{
  LwModuleList *self = LW_MODULE_LIST (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LW_TYPE_MODULE_LIST);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->modules, g_ptr_array_unref);
  g_clear_pointer (&self->selected, g_free);

  G_OBJECT_CLASS (lw_module_list_parent_class)->dispose (object);
}

static void
lw_module_list_class_init (LwModuleListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lw_module_list_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-module-list.ui");
  gtk_widget_class_bind_template_child (widget_class, LwModuleList, list_box);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lw-module-list");
}

/* The highlight is the job's module: arrows and Tab move the focus
 * through the list (GtkListBox selects the row they reach), Return or a
 * click chooses. */
static void
selected_rows_changed_cb (GtkListBox   *list_box,
                          LwModuleList *self)
{
  if (!self->updating)
    sync_selection (self);
}

static void
lw_module_list_init (LwModuleList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->list_box, "selected-rows-changed", G_CALLBACK (selected_rows_changed_cb), self);
}

GtkWidget *
lw_module_list_new (void)
{
  return g_object_new (LW_TYPE_MODULE_LIST, NULL);
}
