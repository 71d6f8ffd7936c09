/* lw-ui-test.h — a real LwWindow on a real core, for the UI tests, the
 * screenshots and the benchmark. */
#pragma once

#include "lw-fake-engine.h"
#include "lw-image-tile.h"
#include "lw-window-testing.h"

G_BEGIN_DECLS

/* The shown job (the session's; NULL before the first staging) and the
 * session's items, as the tests read them. */
#define LW_UI_JOB(window)   ((LwJob *) lw_job_session_get_job (lw_window_get_session (window)))
#define LW_UI_ITEMS(window) G_LIST_STORE (lw_job_session_get_items (lw_window_get_session (window)))

typedef struct {
  char         *tmpdir;     /* data dir under here, photos under tmpdir/photos */
  char         *photos;
  LwCore       *core;
  LwJobs       *jobs;       /* the window's jobs service */
  LwScheduler  *scheduler;  /* the service's (not owned) */
  LwFakeEngine *engine;     /* NULL after lw_ui_fixture_setup_with_engine () */
  LwWindow     *window;
  guint         expected_textured;  /* for waits on thumbnails */
  LwEngine     *other_engine;       /* the engine given to _with_engine, else NULL */
} LwUiFixture;

/* gtk_init + libadwaita + our style and fonts. Exits 77 (skip) only when
 * there is no display at all. */
void       lw_ui_test_init          (int *argc, char ***argv);
/* A core in a fresh folder, a started jobs service whose engine for every
 * model is one fake engine with latency_ms, and a 1280×800 window on it. */
void       lw_ui_fixture_setup      (LwUiFixture *fx, gint64 latency_ms);
/* The same with engine (taken: transfer full) for every model instead of
 * the fake one; teardown checks that it is finalized too. */
void       lw_ui_fixture_setup_with_engine (LwUiFixture *fx, LwEngine *engine);
/* Destroys the window and checks that it, the jobs service and the core are
 * finalized (no leaked references), then removes the folder. */
void       lw_ui_fixture_teardown   (LwUiFixture *fx);
/* Iterates the main loop until cond or timeout; FALSE on timeout. */
gboolean   lw_ui_wait               (gboolean (*cond) (LwUiFixture *fx), LwUiFixture *fx, guint timeout_ms);
/* Iterates the main loop for ms of real time (lets frames be drawn). */
void       lw_ui_spin               (guint ms);
/* Items of the job's model in a phase/status (-1 = any). */
guint      lw_ui_count_items        (LwUiFixture *fx, int phase, int status);
LwImageItem *lw_ui_find_item        (LwUiFixture *fx, const char *name);
/* Renders widget to a PNG (gtk_widget_paintable → GtkSnapshot → GskRenderer). */
void       lw_ui_save_png           (GtkWidget *widget, const char *path);
/* The same with a popover drawn over it where its surface sits. */
void       lw_ui_save_png_with_popup (GtkWidget *widget, GtkWidget *popover, const char *path);
/* Copies the fixture photos into fx->photos, returns their paths (sorted). */
GPtrArray *lw_ui_copy_photos        (LwUiFixture *fx);
/* Copies the fixture photos, stages them (win.stage-paths), waits until
 * they are staged and brings the window in step; returns their paths. */
GPtrArray *lw_ui_stage_fixtures     (LwUiFixture *fx);
void       lw_ui_activate           (LwUiFixture *fx, const char *action, GVariant *parameter);
/* The job has items, none still being added, and no ingest runs. */
gboolean   lw_ui_all_staged         (LwUiFixture *fx);
/* The job is COMPLETED and nothing is in flight. */
gboolean   lw_ui_job_finished       (LwUiFixture *fx);
/* The job is PROCESSING. */
gboolean   lw_ui_job_running        (LwUiFixture *fx);
/* Waits (20 s at most) for label to say text: the counts refresh at most
 * every 100 ms. Fails the test, naming both texts, when it does not. */
void       lw_ui_assert_label_becomes (LwUiFixture *fx, GtkWidget *label, const char *text);

/* Runs xdotool with args (NULL-terminated) while the main loop keeps
 * turning: the window must answer the X server while xdotool waits for
 * focus. Fails the test when xdotool fails. */
void       lw_ui_xdotool            (const char * const *args);
/* Real key events need Xvfb (skips without) and xdotool (fails without). */
gboolean   lw_ui_real_keys_available (void);
/* Gives window the X input focus, so xdotool's keys reach it. */
void       lw_ui_focus_window       (GtkWidget *window);
/* The first visible toplevel window of type (a dialog, Preferences), or
 * NULL. */
GtkWidget *lw_ui_find_toplevel      (GType       type);
/* Asserts the keyring (libsecret) holds key, and the environment none. */
void       lw_ui_assert_key_in_keyring (const char *key);
/* Walks root's mapped widgets (GTK_A11Y=test keeps what AT-SPI would be
 * told) and fails, naming each, on any interactive node (a role one acts
 * on, or a keyboard focus stop) without an accessible name; at least
 * min_checked such nodes must be found. what names root in the messages. */
void       lw_ui_assert_all_named   (GtkWidget  *root,
                                     const char *what,
                                     guint       min_checked);

G_END_DECLS
