/* lw-local-render.c — one photo through the local engine, start to end. */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "lw-colour.h"
#include "lw-local-image.h"
#include "lw-local-instructions.h"
#include "lw-local-ops.h"
#include "lw-local-recipes.h"
#include "lw-local-render.h"
#include "lw-local-stats.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

/* GEGL keeps tiles in a cache and swaps beyond it: 512 MB holds a 50 MP
 * photo in 8-bit RGB three times over, and is capped at a quarter of the
 * machine's memory. */
#define TILE_CACHE_MAX (512 * 1024 * 1024ULL)

void
lw_local_gegl_init (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      guint64 cache = TILE_CACHE_MAX;
      long pages = sysconf (_SC_PHYS_PAGES);
      long page_size = sysconf (_SC_PAGESIZE);

      /* Exact conversions only, so a photo gives the same bytes on every
       * run. babl otherwise times the conversions it may use (those within
       * its tolerance) as the process runs and keeps the fastest, and
       * runs differed by a code here and there. With 0 it takes exact
       * table lookups for 8-bit input; the output is lw:encode's. GEGL sets
       * this variable itself at this point when it is unset; a value the
       * user set is kept. */
      g_setenv ("BABL_TOLERANCE", "0", FALSE);
#if defined(__SANITIZE_ADDRESS__)
      /* gegl_init() dlopen()s every GEGL module, and the libraries behind
       * them (ffmpeg, poppler, …) allocate in their constructors, once per
       * process: not leaks of ours for LeakSanitizer to report. */
      __lsan_disable ();
#endif
      gegl_init (NULL, NULL);
#if defined(__SANITIZE_ADDRESS__)
      __lsan_enable ();
#endif
      if (pages > 0 && page_size > 0)
        cache = MIN (cache, (guint64) pages * (guint64) page_size / 4);
      /* One GEGL thread per render: the engine already runs one render per
       * core, and a batch is many photos; nested parallelism would only
       * add contention and memory. */
      g_object_set (gegl_config (),
                    "tile-cache-size", cache,
                    "threads", 1,
                    "use-opencl", FALSE,
                    NULL);
      g_type_class_ref (lw_local_op_orient_get_type ());
      g_type_class_ref (lw_local_op_adjust_get_type ());
      g_type_class_ref (lw_local_op_detail_get_type ());
      g_type_class_ref (lw_local_op_sharpen_get_type ());
      g_type_class_ref (lw_local_op_encode_get_type ());
      g_once_init_leave (&initialised, 1);
    }
}

static const char *
loader_for (const char *mime)
{
  /* JPEG is not here: gegl:jpg-load (0.4.42) leaks its read buffer on
   * every file (it never calls jpeg_finish_decompress), so JPEGs go through
   * gdk-pixbuf, which uses the same libjpeg. */
  static const struct {
    const char *mime;
    const char *op;
  } loaders[] = {
    { "image/png", "gegl:png-load" },
    { "image/webp", "gegl:webp-load" },
    { "image/tiff", "gegl:tiff-load" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (loaders); i++)
    if (g_strcmp0 (mime, loaders[i].mime) == 0 && gegl_has_operation (loaders[i].op))
      return loaders[i].op;
  return NULL;
}

/* The pixbuf (8-bit sRGB, with or without alpha) copied into a tiled
 * buffer (the pixbuf can go at once). A buffer wrapped around the pixbuf's
 * memory would save the copy, but GEGL then makes whole-image copies of
 * its single tile on access (measured: +350 MB at 12 MP). */
static GeglBuffer *
buffer_from_pixbuf (GdkPixbuf *pixbuf)
{
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  GeglRectangle extent = { 0, 0, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf) };
  const Babl *format = babl_format (alpha ? "R'G'B'A u8" : "R'G'B' u8");
  GeglBuffer *buffer;

  buffer = gegl_buffer_new (&extent, format);
  gegl_buffer_set (buffer, &extent, 0, format, gdk_pixbuf_read_pixels (pixbuf),
                   gdk_pixbuf_get_rowstride (pixbuf));
  return buffer;
}

/* The original, decoded into a buffer in its own format (8-bit for JPEG:
 * 3 bytes a pixel, whatever the size). */
static GeglBuffer *
load_source (const LwEngineRequest *request,
             GError               **error)
{
  g_autoptr(GeglNode) graph = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GdkPixbufFormat *format;
  GeglBuffer *buffer = NULL;
  GeglNode *load, *sink;
  const char *op;
  g_autofree char *mime = NULL;
  int width = 0, height = 0;

  /* The header first: a file that is not an image gets a clear error,
   * not a GEGL warning and an empty buffer. */
  format = gdk_pixbuf_get_file_info (request->input_path, &width, &height);
  if (format == NULL || width <= 0 || height <= 0)
    {
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT,
                   _("The local engine cannot read this photo"));
      return NULL;
    }
  if (request->input_mime != NULL)
    mime = g_strdup (request->input_mime);
  else
    {
      g_auto(GStrv) types = gdk_pixbuf_format_get_mime_types (format);
      mime = g_strdup (types != NULL ? types[0] : NULL);
    }

  op = loader_for (mime);
  if (op == NULL)
    {
      /* JPEG, and formats GEGL has no loader for (HEIC, AVIF, …), come
       * through gdk-pixbuf's loaders, converted to sRGB the way every
       * other reader of an original does: an embedded profile through
       * lcms2, a CMYK JPEG through its press profile (gdk-pixbuf alone
       * reads CMYK as RGBA, and the result came out a PNG with alpha).
       * Unturned: the graph below turns it. */
      pixbuf = lw_colour_load_srgb (request->input_path, 1, 0, NULL, NULL, NULL);
      if (pixbuf == NULL)
        {
          g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT,
                       _("The local engine cannot read this photo"));
          return NULL;
        }
      return buffer_from_pixbuf (pixbuf);
    }

  graph = gegl_node_new ();
  load = gegl_node_new_child (graph, "operation", op, "path", request->input_path, NULL);
  sink = gegl_node_new_child (graph, "operation", "gegl:buffer-sink", "buffer", &buffer, NULL);
  gegl_node_link (load, sink);
  gegl_node_process (sink);

  if (buffer == NULL || gegl_buffer_get_extent (buffer)->width <= 0
      || gegl_buffer_get_extent (buffer)->height <= 0)
    {
      g_clear_object (&buffer);
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_INPUT,
                   _("The local engine cannot decode this photo"));
      return NULL;
    }
  return buffer;
}

static char *
join_notes (GPtrArray *notes)
{
  g_autoptr(GString) s = NULL;
  guint i;

  if (notes->len == 0)
    return NULL;
  s = g_string_new (NULL);
  for (i = 0; i < notes->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, '\n');
      g_string_append (s, notes->pdata[i]);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

LwEngineResult *
lw_local_render (const LwEngineRequest *request,
                 GCancellable          *cancellable,
                 GError               **error)
{
  g_autoptr(GeglBuffer) src = NULL;
  g_autoptr(LwLocalImage) raw = NULL;
  g_autoptr(LwLocalImage) preview = NULL;
  g_autoptr(LwLocalInstructions) ins = NULL;
  g_autoptr(LwLocalPlan) plan = NULL;
  g_autoptr(GeglNode) graph = NULL;
  g_autoptr(GeglProcessor) processor = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *note = NULL;
  GeglNode *source, *last, *convert, *save;
  LwEngineResult *result;
  const GeglRectangle *extent;
  gboolean png, cancelled = FALSE;
  int orientation, width, height, fd;
  gsize len = 0;
  double progress;

  gint64 t_start = g_get_monotonic_time (), t_loaded, t_planned;

  lw_local_gegl_init ();
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  src = load_source (request, error);
  t_loaded = g_get_monotonic_time ();
  if (src == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  extent = gegl_buffer_get_extent (src);
  orientation = request->orientation >= 1 && request->orientation <= 8 ? request->orientation : 1;
  width = orientation >= 5 ? extent->height : extent->width;
  height = orientation >= 5 ? extent->width : extent->height;
  png = babl_format_has_alpha (gegl_buffer_get_format (src));

  raw = lw_local_image_from_buffer (src, LW_LOCAL_PREVIEW_EDGE);
  preview = lw_local_image_orient (raw, orientation);
  ins = lw_local_instructions_parse (request->specific_prompt);
  plan = lw_local_plan_new (request->module_id, preview, width, height,
                            lw_local_estimate_noise (src), ins);
  if (plan->detail_sigma > 0)
    {
      g_autoptr(LwLocalImage) mid = lw_local_image_from_buffer (src, LW_LOCAL_DETAIL_EDGE);
      g_autoptr(LwLocalImage) mid_upright = lw_local_image_orient (mid, orientation);

      lw_local_plan_set_detail_source (plan, mid_upright);
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  t_planned = g_get_monotonic_time ();

  fd = g_file_open_tmp (png ? "lightwork-local-XXXXXX.png" : "lightwork-local-XXXXXX.jpg", &tmp, error);
  if (fd < 0)
    return NULL;
  close (fd);

  graph = gegl_node_new ();
  source = gegl_node_new_child (graph, "operation", "gegl:buffer-source", "buffer", src, NULL);
  if (orientation != 1)
    {
      GeglNode *orient = gegl_node_new_child (graph, "operation", "lw:orient",
                                              "orientation", orientation, NULL);
      gegl_node_link (source, orient);
      source = orient;
    }
  last = lw_local_plan_build (plan, graph, source);
  /* Ours, not gegl:convert-format: babl's choice of conversion depends on
   * timing, and the same photo must give the same bytes on every run. */
  convert = gegl_node_new_child (graph, "operation", "lw:encode", "alpha", png ? 1 : 0, NULL);
  if (png)
    save = gegl_node_new_child (graph, "operation", "gegl:png-save",
                                "path", tmp, "bitdepth", 8, NULL);
  else
    /* Baseline, standard Huffman tables: progressive or optimised coding
     * makes libjpeg hold every coefficient of the image at once. */
    save = gegl_node_new_child (graph, "operation", "gegl:jpg-save",
                                "path", tmp, "quality", 92,
                                "optimize", FALSE, "progressive", FALSE, NULL);
  gegl_node_link_many (last, convert, save, NULL);
  {
    /* Only the 8-bit result is kept whole (the saver needs all of it);
     * every intermediate lives one chunk at a time. GEGL would otherwise
     * cache each node's output in float, 16 bytes a pixel. */
    GSList *children = gegl_node_get_children (graph), *l;

    for (l = children; l != NULL; l = l->next)
      if (l->data != convert && l->data != save)
        g_object_set (l->data, "cache-policy", GEGL_CACHE_POLICY_NEVER, NULL);
    g_slist_free (children);
  }

  /* Chunk by chunk, so a cancel is noticed within one chunk (1 MP). */
  processor = gegl_node_new_processor (save, NULL);
  while (gegl_processor_work (processor, &progress))
    if (g_cancellable_is_cancelled (cancellable))
      {
        cancelled = TRUE;
        break;
      }
  g_clear_object (&processor);
  g_clear_object (&graph);
  g_debug ("local: %s %d×%d: decode %.0f ms, plan %.0f ms, render %.0f ms; cast (%.2f, %.2f), "
           "mass %.2f%s, exposure %+.2f EV, noise %.1f",
           request->module_id, width, height, (t_loaded - t_start) / 1e3,
           (t_planned - t_loaded) / 1e3, (g_get_monotonic_time () - t_planned) / 1e3,
           plan->wb_uv[0], plan->wb_uv[1], plan->wb_mass, plan->white_ref ? " (white)" : "", plan->exposure_ev, plan->noise);

  if (cancelled || g_cancellable_is_cancelled (cancellable))
    {
      g_unlink (tmp);
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }
  if (!g_file_get_contents (tmp, &contents, &len, error))
    {
      g_unlink (tmp);
      return NULL;
    }
  g_unlink (tmp);
  if (len == 0)
    {
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_FAILED,
                   _("The local engine could not write the result"));
      return NULL;
    }

  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  result = lw_engine_result_new (bytes, png ? "image/png" : "image/jpeg");
  note = lw_local_instructions_dup_note (ins);
  if (note != NULL)
    g_ptr_array_add (plan->notes, g_steal_pointer (&note));
  result->notes = join_notes (plan->notes);
  result->cost = 0;
  /* The shape is the plan's by rule (Product Studio's square, a crop the
   * instruction asked for): the checks hold the result to it. */
  if (plan->canvas.width > 0 && plan->canvas.height > 0)
    result->aspect = (double) plan->canvas.width / plan->canvas.height;
  return result;
}
