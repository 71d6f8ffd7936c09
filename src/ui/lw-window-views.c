/* lw-window-views.c — what the window shows around its content: the
 * header's sidebar button whenever the sidebar is out of sight (folded, or
 * hidden with F9), a page that says so when a filter leaves nothing to
 * show, and toasts lifted above the dock so they never cover its text.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-window-private.h"

static void
sync_sidebar_button (LwWindow *self)
{
  gboolean folded = adw_flap_get_folded (self->flap);
  gboolean revealed = adw_flap_get_reveal_flap (self->flap);

  /* F9 hides an unfolded sidebar too: the button is the way back. */
  gtk_widget_set_visible (self->sidebar_button, folded || !revealed);
  gtk_widget_set_tooltip_text (self->sidebar_button, revealed ? _("Hide Sidebar (F9)") : _("Show Sidebar (F9)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sidebar_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  revealed ? _("Hide Sidebar") : _("Show Sidebar"),
                                  GTK_ACCESSIBLE_PROPERTY_KEY_SHORTCUTS, "F9", -1);
}

static void
flap_changed_cb (AdwFlap    *flap,
                 GParamSpec *pspec,
                 LwWindow   *self)
{
  sync_sidebar_button (self);
}

/* The words of a filter with nothing in it. Unknown filters (ones added
 * later) get the general words rather than none. */
static void
filter_empty_words (const char  *filter,
                    const char **title,
                    const char **description,
                    const char **icon)
{
  *icon = "image-x-generic-symbolic";
  if (g_strcmp0 (filter, "pending") == 0)
    {
      *title = _("Nothing Pending");
      *description = _("Every photo of this job is finished.");
      *icon = "emblem-ok-symbolic";
    }
  else if (g_strcmp0 (filter, "done") == 0)
    {
      *title = _("No Finished Photos Yet");
      *description = _("Results show here as the job runs. Launch it with Ctrl+Return.");
    }
  else if (g_strcmp0 (filter, "failed") == 0)
    {
      *title = _("No Failed Photos");
      *description = _("Nothing failed or was refused.");
      *icon = "emblem-ok-symbolic";
    }
  else
    {
      *title = _("No Photos Here");
      *description = _("No photo of this job matches the filter.");
    }
}

const char *
lw_window_canvas_page (LwWindow *self,
                       gboolean  has_items)
{
  const char *title, *description, *icon;

  if (!has_items)
    return "empty";
  if (self->filtered == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    return "grid";
  filter_empty_words (self->filter_name, &title, &description, &icon);
  adw_status_page_set_title (ADW_STATUS_PAGE (self->filter_empty_page), title);
  adw_status_page_set_description (ADW_STATUS_PAGE (self->filter_empty_page), description);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (self->filter_empty_page), icon);
  return "filter-empty";
}

static void
filtered_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     LwWindow   *self)
{
  lw_window_update_canvas (self);
}

static void
dock_visible_cb (GtkWidget  *dock,
                 GParamSpec *pspec,
                 LwWindow   *self)
{
  /* The toasts sit at the bottom centre, where the dock is: the CSS lifts
   * them above it (style.css, "toasts above the dock"). */
  if (gtk_widget_get_visible (dock))
    gtk_widget_add_css_class (GTK_WIDGET (self->toast_overlay), "above-dock");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->toast_overlay), "above-dock");
}

/* ---- names for screen readers ------------------------------------------ */

/* "<Control><Shift>s" → "Control+Shift+S" (the WAI-ARIA aria-keyshortcuts
 * form GTK passes on as is). */
static char *
aria_shortcut (const char *accel)
{
  guint key = 0;
  GdkModifierType mods = 0;
  GString *out;
  const char *name;

  if (!gtk_accelerator_parse (accel, &key, &mods) || key == 0)
    return NULL;
  out = g_string_new (NULL);
  if (mods & GDK_CONTROL_MASK)
    g_string_append (out, "Control+");
  if (mods & GDK_ALT_MASK)
    g_string_append (out, "Alt+");
  if (mods & GDK_SHIFT_MASK)
    g_string_append (out, "Shift+");
  name = gdk_keyval_name (gdk_keyval_to_upper (key));
  if (name != NULL && g_ascii_islower (name[0]))
    g_string_append_printf (out, "%c%s", g_ascii_toupper (name[0]), name + 1);
  else
    g_string_append (out, name != NULL ? name : "");
  return g_string_free (out, FALSE);
}

/* Every accelerator of the detailed action, space-separated, or NULL. */
static char *
shortcuts_of (const char *detailed)
{
  const char * const *accels = lw_window_get_accels ();
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; accels[i] != NULL; i += 2)
    if (g_strcmp0 (accels[i], detailed) == 0)
      {
        g_autofree char *one = aria_shortcut (accels[i + 1]);

        if (one == NULL)
          continue;
        if (out->len > 0)
          g_string_append_c (out, ' ');
        g_string_append (out, one);
      }
  return out->len > 0 ? g_strdup (out->str) : NULL;
}

/* The first accelerator of the detailed action as GTK writes it for the
 * user's language ("Ctrl+Return", "Strg+Eingabe"), or NULL. */
static char *
key_label_of (const char *detailed)
{
  const char * const *accels = lw_window_get_accels ();

  for (guint i = 0; accels[i] != NULL; i += 2)
    if (g_strcmp0 (accels[i], detailed) == 0)
      {
        guint key;
        GdkModifierType mods;

        if (gtk_accelerator_parse (accels[i + 1], &key, &mods))
          return gtk_accelerator_get_label (key, mods);
      }
  return NULL;
}

/* A button's key hint (a label of class kbd-hint inside it) says its key
 * in GTK's words, one style everywhere. */
static void
label_key_hint (GtkWidget  *button,
                const char *detailed)
{
  g_autofree char *text = NULL;
  GtkWidget *stack[16];
  int n = 0;

  stack[n++] = button;
  while (n > 0)
    {
      GtkWidget *w = stack[--n];

      if (GTK_IS_LABEL (w) && gtk_widget_has_css_class (w, "kbd-hint"))
        {
          if (text == NULL && (text = key_label_of (detailed)) == NULL)
            return;
          gtk_label_set_label (GTK_LABEL (w), text);
        }
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL && n < 15; c = gtk_widget_get_next_sibling (c))
        stack[n++] = c;
    }
}

/* The key of every actionable widget, from the one accelerator table, so
 * no .ui file repeats one (buttons, the filter tabs, menu buttons). */
static void
label_shortcuts (GtkWidget *widget)
{
  if (GTK_IS_ACTIONABLE (widget) && gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) != NULL)
    {
      GVariant *target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget));
      g_autofree char *detailed = g_action_print_detailed_name (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)),
                                                                target);
      g_autofree char *keys = shortcuts_of (detailed);

      if (keys != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_KEY_SHORTCUTS, keys, -1);
      if (keys != NULL && GTK_IS_BUTTON (widget))
        label_key_hint (widget, detailed);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    label_shortcuts (child);
}

static GtkWidget *
first_descendant (GtkWidget *widget,
                  GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      if ((found = first_descendant (child, type)) != NULL)
        return found;
    }
  return NULL;
}

/* The drop-down's button shows the chosen model in a list item that GTK
 * 4.8 makes focusable: it says the model. */
static void
name_dropdown_item (GtkDropDown *dropdown,
                    GParamSpec  *pspec,
                    LwWindow    *self)
{
  GtkStringObject *selected = gtk_drop_down_get_selected_item (dropdown);
  GtkWidget *stack[64];
  int n = 0;

  stack[n++] = GTK_WIDGET (dropdown);
  while (n > 0 && selected != NULL)
    {
      GtkWidget *w = stack[--n];

      if (w != GTK_WIDGET (dropdown) && gtk_widget_get_focusable (w) && !GTK_IS_BUTTON (w))
        gtk_accessible_update_property (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        gtk_string_object_get_string (selected), -1);
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL && n < 63; c = gtk_widget_get_next_sibling (c))
        if (!GTK_IS_NATIVE (c))
          stack[n++] = c;
    }
}

static void
name_controls (LwWindow *self)
{
  GtkWidget *button;

  /* A filter tab is a button around a box of labels: GTK 4.8 names a
   * button from its label property only, so say its words. */
  for (GtkWidget *tab = gtk_widget_get_first_child (self->filter_tabs); tab != NULL; tab = gtk_widget_get_next_sibling (tab))
    {
      GtkWidget *label = first_descendant (tab, GTK_TYPE_LABEL);

      if (label != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (tab), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        gtk_label_get_text (GTK_LABEL (label)), -1);
    }
  /* The drop-down's name is on the drop-down; its focus stop is the
   * button inside. */
  button = first_descendant (self->model_dropdown, GTK_TYPE_TOGGLE_BUTTON);
  if (button != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Model"),
                                    GTK_ACCESSIBLE_PROPERTY_HAS_POPUP, TRUE, -1);
  g_signal_connect_object (self->model_dropdown, "notify::selected", G_CALLBACK (name_dropdown_item), self, 0);
  name_dropdown_item (GTK_DROP_DOWN (self->model_dropdown), NULL, self);
  label_shortcuts (GTK_WIDGET (self));
}

void
lw_window_init_views (LwWindow *self)
{
  name_controls (self);
  g_signal_connect_object (self->flap, "notify::folded", G_CALLBACK (flap_changed_cb), self, 0);
  g_signal_connect_object (self->flap, "notify::reveal-flap", G_CALLBACK (flap_changed_cb), self, 0);
  sync_sidebar_button (self);
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (filtered_changed_cb), self, 0);
  g_signal_connect_object (self->dock, "notify::visible", G_CALLBACK (dock_visible_cb), self, 0);
  dock_visible_cb (GTK_WIDGET (self->dock), NULL, self);
}
