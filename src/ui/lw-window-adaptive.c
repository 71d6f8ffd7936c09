/* lw-window-adaptive.c — the window from a full screen down to GNOME's
 * small-screen width (360 px). libadwaita 1.2 has no breakpoints, so the
 * window's width (its default-width, which GTK keeps equal to the size the
 * window has) picks one of three layouts:
 *   wide     the sidebar beside the stage, the filter tabs in the header
 *            (from 1240 px in English);
 *   medium   the filter tabs give way to a filter menu button, the
 *            breadcrumb's "Jobs ›" and Launch's key hint go; below 900 px the sidebar folds
 *            behind the header's button (AdwFlap);
 *   narrow   the filter menu and the model move to a row under the
 *            header, the tile-size slider goes (Ctrl+plus
 *            and Ctrl+minus stay), the drop zone stacks its buttons and
 *            the dock puts its progress above its buttons.
 * Each layout's smallest width fits the next wider one's threshold, so a
 * window can always be made narrower. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-ui-util.h"
#include "lw-window-private.h"

/* The filter tabs need ~880 px of header beside a 260-px sidebar (in
 * English: lw_window_init_adaptive measures the language's need). */
#define TABS_WIDTH 1240
/* Below this the sidebar folds away. */
#define FOLD_WIDTH 900
/* Below this the header keeps only what a phone-sized window needs. */
#define NARROW_WIDTH 720

static const char *
filter_label (const char *filter)
{
  if (g_strcmp0 (filter, "pending") == 0)
    return _("Pending");
  if (g_strcmp0 (filter, "done") == 0)
    return _("Done");
  if (g_strcmp0 (filter, "failed") == 0)
    return _("Failed");
  if (g_strcmp0 (filter, "accepted") == 0)
    return _("Accepted");
  if (g_strcmp0 (filter, "rejected") == 0)
    return _("Rejected");
  return _("All");
}

/* The menu button says which filter is on. */
static void
filter_changed_cb (LwWindow   *self,
                   GParamSpec *pspec,
                   gpointer    data)
{
  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->filter_menu_button), filter_label (self->filter_name));
}

/* Moves widget into box (from wherever it is). */
static void
move_to (GtkWidget *widget,
         GtkWidget *box)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  if (parent == box)
    return;
  g_object_ref (widget);
  gtk_box_remove (GTK_BOX (parent), widget);
  gtk_box_append (GTK_BOX (box), widget);
  g_object_unref (widget);
}

static void
apply_layout (LwWindow *self,
              int       width,
              gboolean  tabs)
{
  gboolean narrow = width < NARROW_WIDTH;

  adw_flap_set_fold_policy (self->flap, width < FOLD_WIDTH ? ADW_FLAP_FOLD_POLICY_ALWAYS : ADW_FLAP_FOLD_POLICY_NEVER);
  gtk_widget_set_visible (self->filter_tabs, tabs);
  /* Narrow: the filter menu and the model get a row of their own. */
  move_to (self->filter_menu_button, narrow ? self->narrow_bar : self->filter_slot);
  move_to (self->model_dropdown, narrow ? self->narrow_bar : self->model_slot);
  /* In the narrow row the model's name gives way ("Nano Ban…") before the
   * window grows past a 360-px screen; in the header it is whole. */
  lw_ui_dropdown_set_ellipsize (GTK_DROP_DOWN (self->model_dropdown), narrow);
  gtk_widget_set_visible (self->filter_slot, !tabs && !narrow);
  gtk_widget_set_visible (self->model_slot, !narrow);
  gtk_widget_set_visible (self->narrow_bar, narrow);
  gtk_widget_set_hexpand (self->filter_menu_button, narrow);
  gtk_widget_set_halign (self->filter_menu_button, GTK_ALIGN_START);
  gtk_widget_set_visible (self->crumb_root, tabs);
  gtk_widget_set_visible (self->crumb_separator, tabs);
  gtk_widget_set_visible (self->tile_size_box, !narrow);
  lw_drop_zone_set_narrow (self->drop_zone, narrow);
  lw_command_dock_set_narrow (self->dock, narrow);
  /* Beside the sidebar, a dock with the hint is wider than the stage. */
  lw_command_dock_show_key_hint (self->dock, tabs);
  if (narrow)
    gtk_widget_add_css_class (GTK_WIDGET (self->toast_overlay), "narrow");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->toast_overlay), "narrow");
}

static void
width_changed_cb (LwWindow   *self,
                  GParamSpec *pspec,
                  gpointer    data)
{
  int width = 0, height = 0, minimum = 0;
  gboolean tabs;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width <= 0)
    return;
  tabs = width >= MAX (TABS_WIDTH, self->wide_width);
  apply_layout (self, width, tabs);
  /* The Accepted and Rejected tabs come with the first results: the tabs
   * stay only while the window has their room. */
  if (!tabs)
    return;
  gtk_widget_measure (GTK_WIDGET (self), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  if (minimum > width)
    apply_layout (self, width, FALSE);
}

void
lw_window_init_adaptive (LwWindow *self)
{
  int minimum = 0;

  /* What the wide layout asks for in this language (German's tabs are
   * longer), with room for the counts to grow. */
  gtk_widget_measure (GTK_WIDGET (self), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  self->wide_width = minimum + 88;
  g_signal_connect (self, "notify::default-width", G_CALLBACK (width_changed_cb), NULL);
  g_signal_connect (self, "notify::filter", G_CALLBACK (filter_changed_cb), NULL);
  g_signal_connect_object (self->filter_accepted, "notify::visible", G_CALLBACK (width_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_rejected, "notify::visible", G_CALLBACK (width_changed_cb), self,
                           G_CONNECT_SWAPPED);
  width_changed_cb (self, NULL, NULL);
  filter_changed_cb (self, NULL, NULL);
}
