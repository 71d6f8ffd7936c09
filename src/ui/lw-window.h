/* lw-window.h — the main window: sidebar, main stage, canvas, dock. */
#pragma once

#include <adwaita.h>

#include "lw-application.h"
#include "lw-job-session.h"
#include "lw-jobs.h"

G_BEGIN_DECLS

#define LW_TYPE_WINDOW (lw_window_get_type ())
G_DECLARE_FINAL_TYPE (LwWindow, lw_window, LW, WINDOW, AdwApplicationWindow)

LwWindow     *lw_window_new          (LwApplication *application);
/* Without an application (tests, benchmark): the window works on this
 * jobs service, which must already be started. */
LwWindow     *lw_window_new_for_jobs (LwJobs        *jobs);
LwJobs       *lw_window_get_jobs     (LwWindow      *self);
/* The open job: its items, counts and undo. */
LwJobSession *lw_window_get_session  (LwWindow      *self);
/* Stages files into a new job (`lightwork FILE…`). */
void          lw_window_open_files   (LwWindow      *self,
                                      GFile        **files,
                                      int            n_files);
/* The job shown, 0 when none yet. */
gint64        lw_window_get_job_id   (LwWindow      *self);
/* Opens a job as it was (the last one at start). */
void          lw_window_load_job     (LwWindow      *self,
                                      gint64         job_id);
/* The grid's model: the session's items through the window's filter. */
GListModel   *lw_window_get_filtered (LwWindow      *self);

/* The focus on the photos (the grid's focused tile), else on the canvas's
 * first control (the drop zone's Choose Photos…). */
void        lw_window_focus_photos       (LwWindow *self);

/* A Gemini key was saved (the key dialog, Preferences): a job paused on
 * the old one goes on. */
void        lw_window_key_saved          (LwWindow *self);

G_END_DECLS
