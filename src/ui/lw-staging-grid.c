/* lw-staging-grid.c — the virtualised grid of tiles.
 *
 * GtkGridView recycles its tile widgets (about two screens' worth whatever
 * the model's size), so 5,000 photos cost 5,000 small LwImageItems and a
 * couple of hundred widgets.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-image-tile.h"
#include "lw-staging-grid.h"

struct _LwStagingGrid
{
  GtkWidget           parent_instance;

  GtkWidget          *scroller;
  GtkWidget          *grid_view;
  GtkMultiSelection  *selection;
  LwTextureCache     *cache;
  char               *blob_root;
  GPtrArray          *tiles;      /* every tile the factory made (unowned) */
  int                 tile_size;
  guint               columns_idle;
  guint               wanted_columns;
  double              click_x;
  double              click_y;
};

G_DEFINE_FINAL_TYPE (LwStagingGrid, lw_staging_grid, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TILE_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ACTIVATE,
  CONTEXT_MENU,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
tile_weak_notify (gpointer  data,
                  GObject  *where)
{
  LwStagingGrid *self = data;

  g_ptr_array_remove_fast (self->tiles, where);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          LwStagingGrid            *self)
{
  GtkWidget *tile = lw_image_tile_new (self->cache, self->blob_root);

  lw_image_tile_set_tile_size (LW_IMAGE_TILE (tile), self->tile_size);
  g_ptr_array_add (self->tiles, tile);
  g_object_weak_ref (G_OBJECT (tile), tile_weak_notify, self);
  gtk_list_item_set_child (list_item, tile);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         LwStagingGrid            *self)
{
  lw_image_tile_set_item (LW_IMAGE_TILE (gtk_list_item_get_child (list_item)),
                          gtk_list_item_get_item (list_item));
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           LwStagingGrid            *self)
{
  lw_image_tile_set_item (LW_IMAGE_TILE (gtk_list_item_get_child (list_item)), NULL);
}

static void
activate_cb (GtkGridView   *view,
             guint          position,
             LwStagingGrid *self)
{
  g_signal_emit (self, signals[ACTIVATE], 0, position);
}

static LwImageTile *
tile_at (LwStagingGrid *self,
         double         x,
         double         y)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);

  for (; picked != NULL && picked != GTK_WIDGET (self); picked = gtk_widget_get_parent (picked))
    if (LW_IS_IMAGE_TILE (picked))
      return LW_IMAGE_TILE (picked);
  return NULL;
}

static guint
position_of (LwStagingGrid *self,
             LwImageItem   *item)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LwImageItem) it = g_list_model_get_item (model, i);

      if (it == item)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
secondary_click_cb (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    LwStagingGrid   *self)
{
  LwImageTile *tile;
  LwImageItem *item;
  guint position;

  /* The gesture sits on the grid view; tiles are picked in our coordinates. */
  gtk_widget_translate_coordinates (self->grid_view, GTK_WIDGET (self), x, y, &x, &y);
  tile = tile_at (self, x, y);

  if (tile == NULL || (item = lw_image_tile_get_item (tile)) == NULL)
    return;
  position = position_of (self, item);
  /* Right-click on an unselected photo acts on that photo alone, as in Files. */
  if (position != GTK_INVALID_LIST_POSITION
      && !gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->click_x = x;
  self->click_y = y;
  g_signal_emit (self, signals[CONTEXT_MENU], 0, x, y);
}

/* ---- the keyboard ------------------------------------------------------- */

/* The focused tile, when the focus is on one. */
static LwImageTile *
focused_tile (LwStagingGrid *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, self->grid_view))
    return NULL;
  for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_first_child (w))
    if (LW_IS_IMAGE_TILE (w))
      return LW_IMAGE_TILE (w);
  return NULL;
}

/* The focused photo is what the keys act on (Delete, Ctrl+R, Ctrl+I, the
 * menu key): a tile reached with Tab is selected, alone, unless it is in
 * the selection already. */
static void
select_focused (LwStagingGrid *self)
{
  LwImageTile *tile = focused_tile (self);
  LwImageItem *item = tile != NULL ? lw_image_tile_get_item (tile) : NULL;
  guint position = item != NULL ? position_of (self, item) : GTK_INVALID_LIST_POSITION;

  if (position != GTK_INVALID_LIST_POSITION
      && !gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
}

/* After the focus has landed (it has not, during "enter"). */
static gboolean
select_focused_idle (gpointer data)
{
  select_focused (data);
  return G_SOURCE_REMOVE;
}

static void
focus_enter_cb (GtkEventControllerFocus *controller,
                LwStagingGrid           *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* From the keyboard only: a click selects by itself (and Ctrl+click
   * must keep the rest of the selection). */
  if (GTK_IS_WINDOW (root) && gtk_window_get_focus_visible (GTK_WINDOW (root)))
    g_idle_add_full (G_PRIORITY_HIGH_IDLE, select_focused_idle, g_object_ref (self), g_object_unref);
}

/* Tab leaves the grid in one stop (GTK 4.8 visits every tile): the grid
 * steps aside while the window moves the focus on. */
static void
leave_grid (LwStagingGrid    *self,
            GtkDirectionType  direction)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_widget_set_can_focus (self->grid_view, FALSE);
  if (!gtk_widget_child_focus (GTK_WIDGET (root), direction))
    gtk_widget_child_focus (GTK_WIDGET (root), direction);  /* wrapped around */
  gtk_widget_set_can_focus (self->grid_view, TRUE);
}

static gboolean
grid_key_cb (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             LwStagingGrid         *self)
{
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();
  GdkRectangle rect;

  if ((keyval == GDK_KEY_Tab || keyval == GDK_KEY_KP_Tab) && mods == 0)
    leave_grid (self, GTK_DIR_TAB_FORWARD);
  else if (keyval == GDK_KEY_ISO_Left_Tab || ((keyval == GDK_KEY_Tab || keyval == GDK_KEY_KP_Tab) && mods == GDK_SHIFT_MASK))
    leave_grid (self, GTK_DIR_TAB_BACKWARD);
  else if ((keyval == GDK_KEY_F10 && mods == GDK_SHIFT_MASK) || (keyval == GDK_KEY_Menu && mods == 0))
    {
      if (focused_tile (self) == NULL)
        return FALSE;
      select_focused (self);
      lw_staging_grid_get_focus_rect (self, &rect);
      g_signal_emit (self, signals[CONTEXT_MENU], 0, (double) rect.x + rect.width / 2.0,
                     (double) rect.y + rect.height / 2.0);
    }
  else
    return FALSE;
  return TRUE;
}

static void
init_keyboard (LwStagingGrid *self)
{
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (grid_key_cb), self);
  gtk_widget_add_controller (self->grid_view, key);
  g_signal_connect (focus, "enter", G_CALLBACK (focus_enter_cb), self);
  gtk_widget_add_controller (self->grid_view, focus);
}

/* GtkGridView 4.8 keeps max-columns × 30 tiles alive and builds them in the
 * first frame after a drop: the template's 10 columns meant ~320 tiles of a
 * dozen widgets each. So max-columns follows what fits the width (one more
 * for rounding; a card is at least tile_size + 12 px wide, so this never
 * takes a column the layout would use). */
static gboolean
apply_columns_cb (gpointer data)
{
  LwStagingGrid *self = data;

  self->columns_idle = 0;
  if (gtk_grid_view_get_max_columns (GTK_GRID_VIEW (self->grid_view)) != self->wanted_columns)
    gtk_grid_view_set_max_columns (GTK_GRID_VIEW (self->grid_view), self->wanted_columns);
  return G_SOURCE_REMOVE;
}

static void
update_columns (LwStagingGrid *self, int width)
{
  guint fit = (guint) MAX (width, 1) / (guint) (self->tile_size + 12);

  self->wanted_columns = CLAMP (fit + 1, 2, 16);
  if (self->grid_view == NULL || self->columns_idle != 0
      || self->wanted_columns == gtk_grid_view_get_max_columns (GTK_GRID_VIEW (self->grid_view)))
    return;
  /* Not from inside an allocation: it queues a resize. */
  self->columns_idle = g_idle_add_full (G_PRIORITY_DEFAULT, apply_columns_cb, self, NULL);
}

static void
lw_staging_grid_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  gtk_widget_measure (LW_STAGING_GRID (widget)->scroller, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static void
lw_staging_grid_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  LwStagingGrid *self = LW_STAGING_GRID (widget);

  gtk_widget_allocate (self->scroller, width, height, baseline, NULL);
  update_columns (self, width);
}

static void
lw_staging_grid_dispose (GObject *object)
{
  LwStagingGrid *self = LW_STAGING_GRID (object);

  g_clear_handle_id (&self->columns_idle, g_source_remove);
  for (guint i = 0; i < self->tiles->len; i++)
    g_object_weak_unref (g_ptr_array_index (self->tiles, i), tile_weak_notify, self);
  g_ptr_array_set_size (self->tiles, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), LW_TYPE_STAGING_GRID);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);

  G_OBJECT_CLASS (lw_staging_grid_parent_class)->dispose (object);
}

static void
lw_staging_grid_finalize (GObject *object)
{
  LwStagingGrid *self = LW_STAGING_GRID (object);

  g_clear_object (&self->cache);
  g_free (self->blob_root);
  g_ptr_array_unref (self->tiles);

  G_OBJECT_CLASS (lw_staging_grid_parent_class)->finalize (object);
}

static void
lw_staging_grid_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LwStagingGrid *self = LW_STAGING_GRID (object);

  switch (prop_id)
    {
    case PROP_TILE_SIZE: g_value_set_int (value, self->tile_size); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_staging_grid_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LwStagingGrid *self = LW_STAGING_GRID (object);

  switch (prop_id)
    {
    case PROP_TILE_SIZE: lw_staging_grid_set_tile_size (self, g_value_get_int (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lw_staging_grid_class_init (LwStagingGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lw_staging_grid_dispose;
  widget_class->measure = lw_staging_grid_measure;
  widget_class->size_allocate = lw_staging_grid_size_allocate;
  object_class->finalize = lw_staging_grid_finalize;
  object_class->get_property = lw_staging_grid_get_property;
  object_class->set_property = lw_staging_grid_set_property;

  properties[PROP_TILE_SIZE] =
    g_param_spec_int ("tile-size", NULL, NULL, LW_TILE_SIZE_MIN, LW_TILE_SIZE_MAX, LW_TILE_SIZE_DEFAULT,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ACTIVATE] = g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[CONTEXT_MENU] = g_signal_new ("context-menu", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/lightwork/LightWork/lw-staging-grid.ui");
  gtk_widget_class_bind_template_child (widget_class, LwStagingGrid, scroller);
  gtk_widget_class_bind_template_child (widget_class, LwStagingGrid, grid_view);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, secondary_click_cb);
  gtk_widget_class_set_css_name (widget_class, "lw-staging-grid");
}

static void
lw_staging_grid_init (LwStagingGrid *self)
{
  GtkListItemFactory *factory;

  self->tiles = g_ptr_array_new ();
  self->tile_size = LW_TILE_SIZE_DEFAULT;
  gtk_widget_init_template (GTK_WIDGET (self));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), self);
  gtk_grid_view_set_factory (GTK_GRID_VIEW (self->grid_view), factory);
  g_object_unref (factory);

  self->selection = gtk_multi_selection_new (NULL);
  gtk_grid_view_set_model (GTK_GRID_VIEW (self->grid_view), GTK_SELECTION_MODEL (self->selection));
  init_keyboard (self);
}

GtkWidget *
lw_staging_grid_new (void)
{
  return g_object_new (LW_TYPE_STAGING_GRID, NULL);
}

void
lw_staging_grid_setup (LwStagingGrid  *self,
                       LwTextureCache *cache,
                       const char     *blob_root)
{
  g_return_if_fail (LW_IS_STAGING_GRID (self));

  g_set_object (&self->cache, cache);
  g_free (self->blob_root);
  self->blob_root = g_strdup (blob_root);
}

void
lw_staging_grid_set_model (LwStagingGrid *self,
                           GListModel    *items)
{
  g_return_if_fail (LW_IS_STAGING_GRID (self));
  g_return_if_fail (self->cache != NULL);

  gtk_multi_selection_set_model (self->selection, items);
}

GtkSelectionModel *
lw_staging_grid_get_selection (LwStagingGrid *self)
{
  return GTK_SELECTION_MODEL (self->selection);
}

GPtrArray *
lw_staging_grid_get_selected (LwStagingGrid *self)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkBitsetIter iter;
  guint position;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (self->selection), position));
  return items;
}

void
lw_staging_grid_set_tile_size (LwStagingGrid *self,
                               int            size)
{
  g_return_if_fail (LW_IS_STAGING_GRID (self));

  size = CLAMP (size, LW_TILE_SIZE_MIN, LW_TILE_SIZE_MAX);
  if (self->tile_size == size)
    return;
  self->tile_size = size;
  for (guint i = 0; i < self->tiles->len; i++)
    lw_image_tile_set_tile_size (g_ptr_array_index (self->tiles, i), size);
  update_columns (self, gtk_widget_get_width (GTK_WIDGET (self)));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TILE_SIZE]);
}

int
lw_staging_grid_get_tile_size (LwStagingGrid *self)
{
  return self->tile_size;
}

void
lw_staging_grid_get_focus_rect (LwStagingGrid *self,
                                GdkRectangle  *rect)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  graphene_rect_t bounds;

  if (focus != NULL && gtk_widget_is_ancestor (focus, self->grid_view)
      && gtk_widget_compute_bounds (focus, GTK_WIDGET (self), &bounds)
      && bounds.origin.y >= 0 && bounds.origin.y < gtk_widget_get_height (GTK_WIDGET (self)))
    {
      rect->x = (int) bounds.origin.x;
      rect->y = (int) bounds.origin.y;
      rect->width = (int) bounds.size.width;
      rect->height = (int) bounds.size.height;
      return;
    }
  rect->x = gtk_widget_get_width (GTK_WIDGET (self)) / 2;
  rect->y = gtk_widget_get_height (GTK_WIDGET (self)) / 3;
  rect->width = 1;
  rect->height = 1;
}

GtkWidget *
lw_staging_grid_get_grid_view (LwStagingGrid *self)
{
  return self->grid_view;
}

guint
lw_staging_grid_get_n_tiles (LwStagingGrid *self)
{
  return self->tiles->len;
}

LwImageTile *
lw_staging_grid_get_nth_tile (LwStagingGrid *self,
                              guint          i)
{
  return i < self->tiles->len ? g_ptr_array_index (self->tiles, i) : NULL;
}

void
lw_staging_grid_count_tiles (LwStagingGrid *self,
                             guint         *n_bound,
                             guint         *n_with_texture)
{
  guint bound = 0, textured = 0;

  for (guint i = 0; i < self->tiles->len; i++)
    {
      LwImageTile *tile = g_ptr_array_index (self->tiles, i);

      if (lw_image_tile_get_item (tile) == NULL)
        continue;
      bound++;
      if (lw_image_tile_has_texture (tile))
        textured++;
    }
  if (n_bound != NULL)
    *n_bound = bound;
  if (n_with_texture != NULL)
    *n_with_texture = textured;
}
