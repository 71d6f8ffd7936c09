/* lw-window-economy.c — economy mode in the window (docs/ARCHITECTURE.md,
 * "Economy"): the job's mode beside the model switch (Fast, the live
 * pool; Economy, Google's Batch API at half the price within 24 h), the
 * job's batches as Google reports them, live, and "Try Failed Photos
 * Live" (win.try-failed-live), the user's consent to pay the full price
 * for photos the batches failed. Widgets: ui/lw-window-economy.ui. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-economy.h"
#include "lw-models.h"
#include "lw-ui-util.h"
#include "lw-window-private.h"

struct _LwWindowEconomy
{
  GtkBuilder *builder;
  GtkWidget  *box;             /* the header's economy controls (owned by the header once placed) */
  GtkWidget  *mode_dropdown;
  GtkWidget  *batches_button;
  GtkWidget  *batch_list;
  GtkWidget  *batches_empty;
  gulong      batch_handler;   /* on self->jobs */
  gulong      job_handler;
  gboolean    syncing;
};

enum { MODE_FAST, MODE_ECONOMY };

static gint64
shown_job_id (LwWindow *self)
{
  const LwJob *job = lw_job_session_get_job (self->session);

  return job != NULL ? job->id : 0;
}

/* ---- the batches -------------------------------------------------------- */

/* The state as the window says it: Google's words, less its jargon. */
static const char *
state_label (const char *state)
{
  if (g_strcmp0 (state, "submitting") == 0)
    return C_("batch state", "Sending");
  if (g_strcmp0 (state, "pending") == 0)
    return C_("batch state", "Pending");
  if (g_strcmp0 (state, "running") == 0)
    return C_("batch state", "Running");
  if (g_strcmp0 (state, "succeeded") == 0)
    return C_("batch state", "Fetching results");
  if (g_strcmp0 (state, "done") == 0)
    return C_("batch state", "Succeeded");
  if (g_strcmp0 (state, "failed") == 0)
    return C_("batch state", "Failed");
  if (g_strcmp0 (state, "expired") == 0)
    return C_("batch state", "Expired");
  if (g_strcmp0 (state, "cancelled") == 0)
    return C_("batch state", "Cancelled");
  if (g_strcmp0 (state, "abandoned") == 0)
    return C_("batch state", "Not sent");
  return state;
}

static const char *
state_icon (const char *state)
{
  if (g_strcmp0 (state, "done") == 0)
    return "emblem-ok-symbolic";
  if (g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "expired") == 0 || g_strcmp0 (state, "cancelled") == 0
      || g_strcmp0 (state, "abandoned") == 0)
    return "dialog-warning-symbolic";
  return "content-loading-symbolic";
}

/* "14:05" today, else "6 Dec 14:05"; ms since the epoch (the core's clock). */
static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (ms / 1000);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (when == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (when) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    /* TRANSLATORS: a time today, strftime format */
    return g_date_time_format (when, _("%H:%M"));
  /* TRANSLATORS: a date and time, strftime format */
  return g_date_time_format (when, _("%e %b %H:%M"));
}

static GtkWidget *
batch_row (const LwBatchRecord *batch, guint number)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (state_icon (batch->state));
  g_autofree char *title = NULL;
  g_autofree char *photos = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *label = NULL;

  /* TRANSLATORS: a row of the batches list, "Batch 2 · Running" */
  title = g_strdup_printf (_("Batch %u · %s"), number, state_label (batch->state));
  photos = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d photo", "%d photos", batch->n_images), batch->n_images);
  if (batch->submitted_at > 0)
    {
      g_autofree char *when = format_time (batch->submitted_at);

      /* TRANSLATORS: "25 photos · sent 14:05" */
      subtitle = g_strdup_printf (_("%s · sent %s"), photos, when);
    }
  else
    subtitle = g_strdup (photos);
  if (batch->error != NULL && *batch->error != '\0'
      && (g_strcmp0 (batch->state, "failed") == 0 || g_strcmp0 (batch->state, "abandoned") == 0))
    {
      char *with_error = g_strdup_printf ("%s · %s", subtitle, batch->error);

      g_free (subtitle);
      subtitle = with_error;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_tooltip_text (row, subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  state_label (batch->state), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
  /* TRANSLATORS: what a screen reader says of a batch: "Batch 2, Running, 25 photos · sent 14:05" */
  label = g_strdup_printf (_("%s, %s"), title, subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_name (row, batch->state);
  return row;
}

static void
refill_batches (LwWindow *self)
{
  LwWindowEconomy *e = self->economy;
  g_autoptr(GPtrArray) batches = NULL;
  gint64 job_id = shown_job_id (self);
  GtkWidget *child;
  g_autofree char *tooltip = NULL;
  guint open = 0;

  while ((child = gtk_widget_get_first_child (e->batch_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (e->batch_list), child);
  if (job_id > 0)
    batches = lw_jobs_list_batches (self->jobs, job_id, NULL);
  /* Newest first: the one that matters now is on top. */
  for (guint i = batches != NULL ? batches->len : 0; i > 0; i--)
    {
      LwBatchRecord *batch = g_ptr_array_index (batches, i - 1);

      gtk_list_box_append (GTK_LIST_BOX (e->batch_list), batch_row (batch, i));
      open += g_strcmp0 (batch->state, "submitting") == 0 || g_strcmp0 (batch->state, "pending") == 0
              || g_strcmp0 (batch->state, "running") == 0 || g_strcmp0 (batch->state, "succeeded") == 0;
    }
  gtk_widget_set_visible (e->batch_list, batches != NULL && batches->len > 0);
  gtk_widget_set_visible (e->batches_empty, batches == NULL || batches->len == 0);
  gtk_widget_set_visible (e->batches_button,
                          (batches != NULL && batches->len > 0)
                          || (job_id > 0 && lw_jobs_get_mode (self->jobs, job_id) == LW_JOB_MODE_ECONOMY));
  if (open > 0)
    /* TRANSLATORS: the batches button's tooltip, "2 batches at Google" */
    tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u batch at Google", "%u batches at Google", open),
                               open);
  gtk_widget_set_tooltip_text (e->batches_button, tooltip != NULL ? tooltip : _("This job’s batches at Google"));
}

/* ---- the mode ----------------------------------------------------------- */

static void
update_live_action (LwWindow *self)
{
  gint64 job_id = shown_job_id (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.try-failed-live",
                                 job_id > 0 && lw_jobs_count_batch_failed (self->jobs, job_id, NULL) > 0);
}

static void
sync_mode (LwWindow *self)
{
  LwWindowEconomy *e = self->economy;
  const LwModelInfo *info = lw_models_find (lw_job_session_get_model (self->session));
  gint64 job_id = shown_job_id (self);
  gboolean paid = info != NULL && info->paid;
  gboolean economy = job_id > 0 && lw_jobs_get_mode (self->jobs, job_id) == LW_JOB_MODE_ECONOMY;

  e->syncing = TRUE;
  /* Only Google runs batches: the local model has no economy. */
  gtk_widget_set_visible (e->mode_dropdown, paid);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (e->mode_dropdown), economy ? MODE_ECONOMY : MODE_FAST);
  /* Like the model: not while the job runs, and once there is a job. */
  gtk_widget_set_sensitive (e->mode_dropdown, job_id > 0 && !lw_job_session_get_running (self->session));
  e->syncing = FALSE;
  refill_batches (self);
  update_live_action (self);
}

static void
mode_selected_cb (GtkDropDown *dropdown,
                  GParamSpec  *pspec,
                  LwWindow    *self)
{
  g_autoptr(GError) error = NULL;
  gint64 job_id = shown_job_id (self);
  LwJobMode mode = gtk_drop_down_get_selected (dropdown) == MODE_ECONOMY ? LW_JOB_MODE_ECONOMY : LW_JOB_MODE_FAST;

  if (self->economy->syncing || job_id == 0 || lw_jobs_get_mode (self->jobs, job_id) == mode)
    return;
  if (!lw_jobs_set_mode (self->jobs, job_id, mode, &error))
    lw_window_toast (self, g_error_matches (error, LW_JOBS_ERROR, LW_JOBS_ERROR_RUNNING)
                             ? _("Cancel the job before switching its mode") : error->message);
  sync_mode (self);
  /* The estimate before launch follows the price (half in economy). */
  lw_window_refresh_now (self);
}

static void
session_changed_cb (LwJobSession *session,
                    GParamSpec   *pspec,
                    LwWindow     *self)
{
  sync_mode (self);
}

static void
session_counts_cb (LwJobSession *session,
                   LwWindow     *self)
{
  update_live_action (self);
}

static void
batch_changed_cb (LwJobs   *jobs,
                  gint64    job_id,
                  LwWindow *self)
{
  if (job_id == shown_job_id (self))
    {
      refill_batches (self);
      update_live_action (self);
    }
}

static void
job_changed_cb (LwJobs   *jobs,
                gint64    job_id,
                int       status,
                LwWindow *self)
{
  if (job_id == shown_job_id (self))
    sync_mode (self);
}

/* The controls stay beside the model switch wherever the adaptive layout
 * puts it (the header, or the row under it in narrow windows). */
static void
follow_model_cb (GtkWidget  *model_dropdown,
                 GParamSpec *pspec,
                 LwWindow   *self)
{
  GtkWidget *parent = gtk_widget_get_parent (model_dropdown);
  GtkWidget *box = self->economy->box;

  if (parent == NULL || !GTK_IS_BOX (parent) || gtk_widget_get_parent (box) == parent)
    return;
  g_object_ref (box);
  if (gtk_widget_get_parent (box) != NULL)
    gtk_box_remove (GTK_BOX (gtk_widget_get_parent (box)), box);
  gtk_box_insert_child_after (GTK_BOX (parent), box, model_dropdown);
  g_object_unref (box);
  /* Under the header of a 360-px window, the mode may read "Econ…" too. */
  lw_ui_dropdown_set_ellipsize (GTK_DROP_DOWN (self->economy->mode_dropdown), parent == self->narrow_bar);
}

/* ---- win.try-failed-live ------------------------------------------------ */

static void
live_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  LwWindow         *self)
{
  g_autoptr(GError) error = NULL;
  gint64 job_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "lw-job-id"));
  int moved;

  if (g_strcmp0 (response, "live") != 0 || job_id != shown_job_id (self))
    return;
  moved = lw_jobs_move_to_live (self->jobs, job_id, &error);
  if (moved < 0)
    {
      lw_window_toast_error (self, error);
      return;
    }
  {
    /* TRANSLATORS: toast, "3 photos sent live" */
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d photo sent live", "%d photos sent live",
                                                          moved), moved);

    lw_window_toast (self, text);
  }
  update_live_action (self);
  lw_window_refresh_now (self);
}

/* Asks first: live is the full price, twice what the batch would cost. */
static void
try_failed_live (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  LwWindow *self = LW_WINDOW (widget);
  gint64 job_id = shown_job_id (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  double price;
  int n;

  if (job_id == 0 || (n = lw_jobs_count_batch_failed (self->jobs, job_id, NULL)) <= 0)
    return;
  price = lw_jobs_get_live_price (self->jobs, job_id);
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Try %d Failed Photo Live?", "Try %d Failed Photos Live?", n),
                             n);
  /* TRANSLATORS: the price is in US dollars, a photo's and the total */
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Google’s batches failed it %d times. Sent live now, it costs the full price: "
                                       "$%.3f, not half.",
                                       "Google’s batches failed them %d times. Sent live now, each costs the full "
                                       "price, $%.3f — about $%.2f in all.", n),
                          LW_ECONOMY_MAX_TRIES, price, price * n);
  dialog = lw_window_new_dialog (self, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "live", _("Send _Live"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "live", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "lw-job-id", GSIZE_TO_POINTER ((gsize) job_id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (live_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- set-up ------------------------------------------------------------- */

void
lw_window_class_init_economy (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.try-failed-live", NULL, try_failed_live);
}

void
lw_window_init_economy (LwWindow *self)
{
  LwWindowEconomy *e = g_new0 (LwWindowEconomy, 1);

  self->economy = e;
  e->builder = gtk_builder_new_from_resource ("/io/lightwork/LightWork/lw-window-economy.ui");
  e->box = GTK_WIDGET (gtk_builder_get_object (e->builder, "economy_box"));
  e->mode_dropdown = GTK_WIDGET (gtk_builder_get_object (e->builder, "mode_dropdown"));
  lw_ui_dropdown_set_ellipsize (GTK_DROP_DOWN (e->mode_dropdown), FALSE);
  e->batches_button = GTK_WIDGET (gtk_builder_get_object (e->builder, "batches_button"));
  e->batch_list = GTK_WIDGET (gtk_builder_get_object (e->builder, "batch_list"));
  e->batches_empty = GTK_WIDGET (gtk_builder_get_object (e->builder, "batches_empty"));
  follow_model_cb (self->model_dropdown, NULL, self);
  g_signal_connect_object (self->model_dropdown, "notify::parent", G_CALLBACK (follow_model_cb), self, 0);
  g_signal_connect_object (e->mode_dropdown, "notify::selected", G_CALLBACK (mode_selected_cb), self, 0);
  g_signal_connect_object (self->session, "notify::job-id", G_CALLBACK (session_changed_cb), self, 0);
  g_signal_connect_object (self->session, "notify::running", G_CALLBACK (session_changed_cb), self, 0);
  g_signal_connect_object (self->session, "changed", G_CALLBACK (session_counts_cb), self, 0);
  e->batch_handler = g_signal_connect (self->jobs, "batch-changed", G_CALLBACK (batch_changed_cb), self);
  e->job_handler = g_signal_connect (self->jobs, "job-changed", G_CALLBACK (job_changed_cb), self);
  sync_mode (self);
}

void
lw_window_dispose_economy (LwWindow *self)
{
  LwWindowEconomy *e = self->economy;

  if (e == NULL)
    return;
  self->economy = NULL;
  if (self->jobs != NULL)
    {
      g_clear_signal_handler (&e->batch_handler, self->jobs);
      g_clear_signal_handler (&e->job_handler, self->jobs);
    }
  /* The builder owns the popover and, until placed, the box. */
  g_clear_object (&e->builder);
  g_free (e);
}

/* ---- tests -------------------------------------------------------------- */

GtkWidget *
lw_window_get_mode_dropdown (LwWindow *self)
{
  return self->economy->mode_dropdown;
}

GtkWidget *
lw_window_get_batches_button (LwWindow *self)
{
  return self->economy->batches_button;
}

GtkWidget *
lw_window_get_batch_list (LwWindow *self)
{
  return self->economy->batch_list;
}
