/* lw-ui-test.c — a real LwWindow on a real core, for the UI tests. */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "lw-application.h"
#include "lw-gemini-key.h"
#include "lw-models.h"
#include "lw-fonts.h"
#include "lw-i18n.h"
#include "lw-test-util.h"
#include "lw-ui-test.h"

/* Any warning or critical fails the test, whoever logs it (Gtk, Gdk,
 * Adwaita, GLib-GObject, ours) and however (g_log or structured): a
 * writer of our own, so neither a library's logging path nor a later
 * g_log_set_always_fatal can let one through as a line on stderr. */
static GLogWriterOutput
fatal_writer_cb (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  GLogWriterOutput out = g_log_writer_default (level, fields, n_fields, user_data);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_printerr ("lw-ui-test: a warning or critical was logged (above): failing\n");
      if (g_test_get_path () != NULL)
        g_printerr ("lw-ui-test: in %s\n", g_test_get_path ());
      g_abort ();
    }
  return out;
}

void
lw_ui_test_init (int    *argc,
                 char ***argv)
{
  lw_application_tune_memory ();
  g_log_set_writer_func (fatal_writer_cb, NULL, NULL);
  /* Our fonts before Pango's font map exists. */
  lw_fonts_register ();
  gtk_test_init (argc, argv, NULL);
  /* gtk_test_init asks for en_US.UTF-8, which a build machine may lack (then
   * "C": ASCII, and LANGUAGE ignored); C.UTF-8 is always there. The
   * messages come from the build tree ($LIGHTWORK_LOCALEDIR), in the
   * language of $LANGUAGE (unset for every test but the translated one). */
  if (setlocale (LC_ALL, "en_US.UTF-8") == NULL)
    setlocale (LC_ALL, "C.UTF-8");
  lw_i18n_init ();
  if (gdk_display_get_default () == NULL)
    {
      g_printerr ("No display: skipping the UI tests\n");
      exit (77);
    }
  adw_init ();
  lw_application_load_style ();
}

static void
fixture_setup (LwUiFixture *fx,
               gint64       latency_ms,
               LwEngine    *engine)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;

  memset (fx, 0, sizeof *fx);
  fx->tmpdir = lw_test_make_tmpdir ("lw-ui");
  data = g_build_filename (fx->tmpdir, "data", NULL);
  fx->photos = g_build_filename (fx->tmpdir, "photos", NULL);
  g_mkdir_with_parents (fx->photos, 0700);

  fx->core = lw_core_open (data, NULL, &error);
  g_assert_no_error (error);
  fx->jobs = lw_jobs_new (fx->core);
  fx->scheduler = lw_jobs_get_scheduler (fx->jobs);
  if (engine != NULL)
    fx->other_engine = engine;
  else
    {
      fx->engine = lw_fake_engine_new (lw_core_get_clock (fx->core));
      lw_fake_engine_set_latency (fx->engine, latency_ms, 0);
      engine = LW_ENGINE (fx->engine);
    }
  {
    guint n_models;
    const LwModelInfo *models = lw_models_list (&n_models);

    for (guint i = 0; i < n_models; i++)
      {
        lw_scheduler_set_engine (fx->scheduler, models[i].id, engine);
        lw_scheduler_set_limits (fx->scheduler, models[i].id, 2, 0);
      }
  }
  lw_jobs_start (fx->jobs);

  fx->window = lw_window_new_for_jobs (fx->jobs);
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (fx->window));
  lw_ui_spin (300);
}

void
lw_ui_fixture_setup (LwUiFixture *fx,
                     gint64       latency_ms)
{
  fixture_setup (fx, latency_ms, NULL);
}

void
lw_ui_fixture_setup_with_engine (LwUiFixture *fx,
                                 LwEngine    *engine)
{
  g_return_if_fail (LW_IS_ENGINE (engine));
  fixture_setup (fx, 0, engine);
}

static gboolean
scheduler_quiet (LwUiFixture *fx)
{
  return lw_scheduler_get_n_flights (fx->scheduler) == 0;
}

static gboolean
scheduler_gone (LwUiFixture *fx)
{
  return fx->scheduler == NULL;
}

void
lw_ui_fixture_teardown (LwUiFixture *fx)
{
  g_object_add_weak_pointer (G_OBJECT (fx->window), (gpointer *) &fx->window);
  gtk_window_destroy (GTK_WINDOW (fx->window));
  /* Workers (ingest, thumbnails) finish and the last frames go by. */
  lw_ui_spin (300);
  g_assert_null (fx->window);

  lw_jobs_stop (fx->jobs);
  lw_ui_wait (scheduler_quiet, fx, 5000);
  g_object_add_weak_pointer (G_OBJECT (fx->scheduler), (gpointer *) &fx->scheduler);
  /* Soon rather than at once: a worker's task is released on the main
   * loop, an iteration after its callback (docs/ARCHITECTURE.md,
   * "Threads"). */
  lw_test_assert_finalized_soon (fx->jobs);
  g_assert_true (lw_ui_wait (scheduler_gone, fx, 5000));
  if (fx->engine != NULL)
    lw_test_assert_finalized_soon (fx->engine);
  if (fx->other_engine != NULL)
    lw_test_assert_finalized_soon (fx->other_engine);
  lw_test_assert_finalized_soon (fx->core);
  lw_test_rmtree (fx->tmpdir);
  g_free (fx->tmpdir);
  g_free (fx->photos);
}

gboolean
lw_ui_wait (gboolean   (*cond) (LwUiFixture *fx),
            LwUiFixture *fx,
            guint        timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (fx))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      /* Sleep only when nothing was ready: a sleep after every dispatch
       * delayed each frame behind every source ready before it (1 ms
       * each), which the app's own blocking main loop never does. */
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

void
lw_ui_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

guint
lw_ui_count_items (LwUiFixture *fx,
                   int          phase,
                   int          status)
{
  GListModel *items = G_LIST_MODEL (LW_UI_ITEMS (fx->window));
  guint n = g_list_model_get_n_items (items), count = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LwImageItem) item = g_list_model_get_item (items, i);

      if ((phase < 0 || (int) lw_image_item_get_phase (item) == phase)
          && (status < 0 || (int) lw_image_item_get_status (item) == status))
        count++;
    }
  return count;
}

LwImageItem *
lw_ui_find_item (LwUiFixture *fx,
                 const char  *name)
{
  GListModel *items = G_LIST_MODEL (LW_UI_ITEMS (fx->window));
  guint n = g_list_model_get_n_items (items);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LwImageItem) item = g_list_model_get_item (items, i);

      if (g_strcmp0 (lw_image_item_get_name (item), name) == 0)
        return item;
    }
  return NULL;
}

void
lw_ui_save_png (GtkWidget  *widget,
                const char *path)
{
  lw_ui_save_png_with_popup (widget, NULL, path);
}

void
lw_ui_save_png_with_popup (GtkWidget  *widget,
                           GtkWidget  *popover,
                           const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  /* A popover is a surface of its own: draw it where the popup sits. */
  if (popover != NULL && gtk_widget_get_mapped (popover))
    {
      g_autoptr(GdkPaintable) popup = gtk_widget_paintable_new (popover);
      GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (popover));
      double wx, wy, px, py;

      gtk_native_get_surface_transform (gtk_widget_get_native (widget), &wx, &wy);
      gtk_native_get_surface_transform (GTK_NATIVE (popover), &px, &py);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT ((float) (gdk_popup_get_position_x (GDK_POPUP (surface)) - wx),
                                                    (float) (gdk_popup_get_position_y (GDK_POPUP (surface)) - wy)));
      gdk_paintable_snapshot (popup, GDK_SNAPSHOT (snapshot), gdk_surface_get_width (surface),
                              gdk_surface_get_height (surface));
      gtk_snapshot_restore (snapshot);
    }
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

GPtrArray *
lw_ui_copy_photos (LwUiFixture *fx)
{
  return lw_test_copy_fixtures (fx->photos);
}

void
lw_ui_activate (LwUiFixture *fx,
                const char  *action,
                GVariant    *parameter)
{
  /* GTK 4.8 does not sink a floating parameter: own it here. */
  g_autoptr(GVariant) owned = parameter != NULL ? g_variant_ref_sink (parameter) : NULL;

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (fx->window), action, owned));
}

gboolean
lw_ui_all_staged (LwUiFixture *fx)
{
  LwJobSession *session = lw_window_get_session (fx->window);

  return g_list_model_get_n_items (lw_job_session_get_items (session)) > 0
         && lw_job_session_get_n_incoming (session) == 0
         && lw_ui_count_items (fx, LW_IMAGE_ITEM_STAGING, -1) == 0 && !lw_job_session_get_busy (session);
}

static GtkWidget *awaited_label;
static const char *awaited_text;

static gboolean
label_says (LwUiFixture *fx)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (awaited_label)), awaited_text) == 0;
}

void
lw_ui_assert_label_becomes (LwUiFixture *fx,
                            GtkWidget   *label,
                            const char  *text)
{
  awaited_label = label;
  awaited_text = text;
  if (!lw_ui_wait (label_says, fx, 20000))
    g_error ("label says “%s”, expected “%s”", gtk_label_get_text (GTK_LABEL (label)), text);
}

gboolean
lw_ui_job_finished (LwUiFixture *fx)
{
  return LW_UI_JOB (fx->window) != NULL && LW_UI_JOB (fx->window)->status == LW_JOB_COMPLETED
         && lw_scheduler_get_n_flights (fx->scheduler) == 0;
}

gboolean
lw_ui_job_running (LwUiFixture *fx)
{
  return LW_UI_JOB (fx->window) != NULL && LW_UI_JOB (fx->window)->status == LW_JOB_PROCESSING;
}

void
lw_ui_xdotool (const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;

  g_ptr_array_add (argv, (gpointer) "xdotool");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  while (g_subprocess_get_identifier (proc) != NULL)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

gboolean
lw_ui_real_keys_available (void)
{
  g_autofree char *xdotool = NULL;

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("Real key events need an X server (Xvfb)");
      return FALSE;
    }
  xdotool = g_find_program_in_path ("xdotool");
  if (xdotool == NULL)
    {
      g_test_fail_printf ("xdotool is not installed (apt-get install xdotool)");
      return FALSE;
    }
  return TRUE;
}

void
lw_ui_focus_window (GtkWidget *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));

  lw_ui_xdotool ((const char *[]) { "windowfocus", "--sync", xid, NULL });
  lw_ui_spin (200);
}

GPtrArray *
lw_ui_stage_fixtures (LwUiFixture *fx)
{
  GPtrArray *photos = lw_ui_copy_photos (fx);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  for (guint i = 0; i < photos->len; i++)
    g_ptr_array_add (paths, g_ptr_array_index (photos, i));
  g_ptr_array_add (paths, NULL);
  lw_ui_activate (fx, "win.stage-paths", g_variant_new_strv ((const char * const *) paths->pdata, -1));
  g_assert_true (lw_ui_wait (lw_ui_all_staged, fx, 30000));
  lw_window_refresh_now (fx->window);
  return photos;
}

void
lw_ui_assert_key_in_keyring (const char *key)
{
  LwGeminiKeySource source = LW_GEMINI_KEY_NONE;
  g_autoptr(GError) error = NULL;
  char *found = lw_gemini_key_lookup (&source, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (source, ==, LW_GEMINI_KEY_FROM_KEYRING);
  g_assert_cmpstr (found, ==, key);
  lw_secret_free (found);
}

static gboolean
is_interactive (GtkWidget *w)
{
  /* GTK 4.8's roles of things one acts on (a toggle button is a BUTTON). */
  static const GtkAccessibleRole roles[] = {
    GTK_ACCESSIBLE_ROLE_BUTTON, GTK_ACCESSIBLE_ROLE_CHECKBOX, GTK_ACCESSIBLE_ROLE_COMBO_BOX,
    GTK_ACCESSIBLE_ROLE_LINK, GTK_ACCESSIBLE_ROLE_MENU_ITEM, GTK_ACCESSIBLE_ROLE_SLIDER,
    GTK_ACCESSIBLE_ROLE_SPIN_BUTTON, GTK_ACCESSIBLE_ROLE_SWITCH, GTK_ACCESSIBLE_ROLE_TEXT_BOX,
    GTK_ACCESSIBLE_ROLE_ALERT,
  };
  GtkAccessibleRole role = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (w));

  if (role == GTK_ACCESSIBLE_ROLE_PRESENTATION)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (role == roles[i])
      return TRUE;
  /* Anything else a keyboard can land on (the grid's list items). */
  return gtk_widget_get_focusable (w) && gtk_widget_get_can_focus (w) && !GTK_IS_TEXT (w) && !GTK_IS_WINDOW (w)
         && !GTK_IS_SCROLLED_WINDOW (w) && !GTK_IS_VIEWPORT (w);
}

/* "GtkButton in GtkBox in AdwActionRow “Title”, tooltip: …": where a
 * nameless node is. */
static void
describe_node (GString   *out,
               GtkWidget *w)
{
  const char *tooltip = gtk_widget_get_tooltip_text (w);
  guint depth = 0;

  g_string_append_printf (out, "  %s", G_OBJECT_TYPE_NAME (w));
  for (GtkWidget *p = gtk_widget_get_parent (w); p != NULL; p = gtk_widget_get_parent (p), depth++)
    {
      if (ADW_IS_PREFERENCES_ROW (p))
        {
          g_string_append_printf (out, " in %s “%s”", G_OBJECT_TYPE_NAME (p),
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (p)));
          break;
        }
      if (depth < 2)
        g_string_append_printf (out, " in %s", G_OBJECT_TYPE_NAME (p));
    }
  if (tooltip != NULL)
    g_string_append_printf (out, ", tooltip: %s", tooltip);
  g_string_append_c (out, '\n');
}

static void
collect_nameless (GtkWidget *w,
                  GString   *out,
                  guint     *n_checked)
{
  if (!gtk_widget_get_mapped (w))
    return;
  if (is_interactive (w))
    {
      (*n_checked)++;
      if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_PROPERTY_LABEL)
          && !gtk_test_accessible_has_relation (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
        describe_node (out, w);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_nameless (c, out, n_checked);
}

void
lw_ui_assert_all_named (GtkWidget  *root,
                        const char *what,
                        guint       min_checked)
{
  g_autoptr(GString) nameless = g_string_new (NULL);
  guint n_checked = 0;

  collect_nameless (root, nameless, &n_checked);
  g_test_message ("%s: %u interactive nodes checked", what, n_checked);
  g_assert_cmpuint (n_checked, >=, min_checked);
  if (nameless->len > 0)
    g_error ("%s: interactive nodes without a name:\n%s", what, nameless->str);
}

GtkWidget *
lw_ui_find_toplevel (GType type)
{
  g_autoptr(GList) list = gtk_window_list_toplevels ();

  for (GList *l = list; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}
