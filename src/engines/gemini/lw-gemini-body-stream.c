/* lw-gemini-body-stream.c — a request body produced as it is sent. */
#include "config.h"

#include <string.h>

#include "lw-gemini-body-stream.h"

/* Input bytes encoded per step: 48 KiB → 64 KiB of base64, a few socket
 * writes' worth; small enough not to matter, large enough that the
 * per-step overhead does not either. A multiple of 3 keeps the encoder's
 * carry-over empty between steps. */
#define CHUNK_IN (48 * 1024)

typedef enum {
  PHASE_HEAD,
  PHASE_DATA,
  PHASE_TAIL,
  PHASE_DONE,
} Phase;

struct _LwGeminiBodyStream
{
  GInputStream  parent_instance;

  char         *head;
  gsize         head_len;
  GBytes       *image;
  char         *tail;
  gsize         tail_len;

  Phase         phase;
  gsize         offset;      /* into head, tail, or the image */
  /* Encoded base64 not yet handed out. */
  char         *buffer;
  gsize         buffer_size;
  gsize         buffer_len;
  gsize         buffer_pos;
  gsize         peak_buffer;
  int           state;       /* g_base64_encode_step's carry-over */
  int           save;
  gboolean      closed_b64;
};

G_DEFINE_FINAL_TYPE (LwGeminiBodyStream, lw_gemini_body_stream, G_TYPE_INPUT_STREAM)

static gsize
copy_out (const char *src, gsize src_len, gsize *offset, void *dest, gsize count)
{
  gsize n = MIN (count, src_len - *offset);

  memcpy (dest, src + *offset, n);
  *offset += n;
  return n;
}

/* Refills the base64 buffer from the next chunk of the image; FALSE at the
 * end of the image (after flushing the encoder's last bytes). */
static gboolean
refill (LwGeminiBodyStream *self)
{
  gsize image_len;
  const guchar *image = g_bytes_get_data (self->image, &image_len);
  gsize n;

  self->buffer_len = 0;
  self->buffer_pos = 0;
  if (self->offset < image_len)
    {
      n = MIN (CHUNK_IN, image_len - self->offset);
      self->buffer_len = g_base64_encode_step (image + self->offset, n, FALSE, self->buffer,
                                               &self->state, &self->save);
      self->offset += n;
    }
  if (self->offset >= image_len && !self->closed_b64)
    {
      self->buffer_len += g_base64_encode_close (FALSE, self->buffer + self->buffer_len,
                                                 &self->state, &self->save);
      self->closed_b64 = TRUE;
    }
  self->peak_buffer = MAX (self->peak_buffer, self->buffer_len);
  return self->buffer_len > 0;
}

static gssize
lw_gemini_body_stream_read (GInputStream  *stream,
                            void          *dest,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  LwGeminiBodyStream *self = LW_GEMINI_BODY_STREAM (stream);
  gsize written = 0;
  char *out = dest;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;

  while (written < count && self->phase != PHASE_DONE)
    {
      switch (self->phase)
        {
        case PHASE_HEAD:
          written += copy_out (self->head, self->head_len, &self->offset, out + written, count - written);
          if (self->offset == self->head_len)
            {
              self->phase = PHASE_DATA;
              self->offset = 0;
            }
          break;
        case PHASE_DATA:
          if (self->buffer_pos == self->buffer_len && !refill (self))
            {
              self->phase = PHASE_TAIL;
              self->offset = 0;
              /* The encoded image is handed out; its buffer is not needed. */
              g_clear_pointer (&self->buffer, g_free);
              self->buffer_size = 0;
              break;
            }
          written += copy_out (self->buffer, self->buffer_len, &self->buffer_pos, out + written, count - written);
          break;
        case PHASE_TAIL:
          written += copy_out (self->tail, self->tail_len, &self->offset, out + written, count - written);
          if (self->offset == self->tail_len)
            self->phase = PHASE_DONE;
          break;
        case PHASE_DONE:
        default:
          break;
        }
    }
  return (gssize) written;
}

/* Reading is memcpy and base64 over a 48 KiB chunk: answer at once rather
 * than via GInputStream's default, which would hop to a worker thread for
 * every read. */
static void
lw_gemini_body_stream_read_async (GInputStream        *stream,
                                  void                *buffer,
                                  gsize                count,
                                  int                  io_priority,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  GError *error = NULL;
  gssize n;

  g_task_set_source_tag (task, lw_gemini_body_stream_read_async);
  n = lw_gemini_body_stream_read (stream, buffer, count, cancellable, &error);
  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static gssize
lw_gemini_body_stream_read_finish (GInputStream  *stream,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
lw_gemini_body_stream_close (GInputStream  *stream,
                             GCancellable  *cancellable,
                             GError       **error)
{
  LwGeminiBodyStream *self = LW_GEMINI_BODY_STREAM (stream);

  /* Closed after sending (or on cancel): let the image go now, not when
   * libsoup drops its last reference to the stream. */
  g_clear_pointer (&self->buffer, g_free);
  self->phase = PHASE_DONE;
  return TRUE;
}

static void
lw_gemini_body_stream_finalize (GObject *object)
{
  LwGeminiBodyStream *self = LW_GEMINI_BODY_STREAM (object);

  g_free (self->head);
  g_free (self->tail);
  g_clear_pointer (&self->image, g_bytes_unref);
  g_free (self->buffer);

  G_OBJECT_CLASS (lw_gemini_body_stream_parent_class)->finalize (object);
}

static void
lw_gemini_body_stream_class_init (LwGeminiBodyStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = lw_gemini_body_stream_finalize;
  stream_class->read_fn = lw_gemini_body_stream_read;
  stream_class->read_async = lw_gemini_body_stream_read_async;
  stream_class->read_finish = lw_gemini_body_stream_read_finish;
  stream_class->close_fn = lw_gemini_body_stream_close;
}

static void
lw_gemini_body_stream_init (LwGeminiBodyStream *self)
{
}

GInputStream *
lw_gemini_body_stream_new (const char *head,
                           GBytes     *image,
                           const char *tail)
{
  LwGeminiBodyStream *self;

  g_return_val_if_fail (head != NULL && image != NULL && tail != NULL, NULL);

  self = g_object_new (LW_TYPE_GEMINI_BODY_STREAM, NULL);
  self->head = g_strdup (head);
  self->head_len = strlen (head);
  self->image = g_bytes_ref (image);
  self->tail = g_strdup (tail);
  self->tail_len = strlen (tail);
  /* g_base64_encode_step writes at most (len / 3 + 1) * 4 + 4 bytes per
   * step, plus up to 5 for the close. */
  self->buffer_size = (CHUNK_IN / 3 + 1) * 4 + 4 + 5;
  self->buffer = g_malloc (self->buffer_size);
  return G_INPUT_STREAM (self);
}

gsize
lw_gemini_body_stream_get_length (LwGeminiBodyStream *self)
{
  gsize image_len = g_bytes_get_size (self->image);

  return self->head_len + (image_len + 2) / 3 * 4 + self->tail_len;
}

gsize
lw_gemini_body_stream_get_peak_buffer (LwGeminiBodyStream *self)
{
  return self->peak_buffer;
}

gboolean
lw_gemini_body_split (const char  *json,
                      const char  *marker,
                      char       **head,
                      char       **tail)
{
  const char *hit;

  g_return_val_if_fail (json != NULL && marker != NULL && *marker != '\0', FALSE);

  /* The first occurrence is the placeholder: the image part is written
   * before the prompt, so a prompt that happens to contain the marker comes
   * later (and is escaped text anyway). */
  hit = strstr (json, marker);
  if (hit == NULL)
    return FALSE;
  *head = g_strndup (json, hit - json);
  *tail = g_strdup (hit + strlen (marker));
  return TRUE;
}
