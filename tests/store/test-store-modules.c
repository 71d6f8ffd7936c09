/* test-store-modules.c — built-in seeding, edit/reset, custom modules. */
#include "config.h"

#include "store-test-helpers.h"

static void
test_builtins_seeded (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) modules = NULL;
  const LwBuiltinModule *builtins;
  guint n = 0;

  store_fixture_init (&f);
  builtins = lw_builtin_modules (&n);
  g_assert_cmpuint (n, ==, 5);
  modules = lw_store_list_modules (f.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (modules->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      LwModule *m = modules->pdata[i];

      g_assert_cmpstr (m->id, ==, builtins[i].id);
      g_assert_cmpstr (m->name, ==, builtins[i].name);
      g_assert_cmpstr (m->description, ==, builtins[i].description);
      g_assert_cmpstr (m->icon, ==, builtins[i].icon);
      g_assert_cmpstr (m->prompt, ==, builtins[i].prompt);
      g_assert_cmpstr (m->default_prompt, ==, builtins[i].prompt);
      g_assert_true (m->builtin);
      g_assert_cmpint (m->position, ==, (int) i);
    }
  /* The ids the rest of the app relies on. */
  {
    const char *ids[] = { "food", "product", "portrait", "realestate", "remaster" };

    for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
      {
        g_autoptr(LwModule) m = lw_store_get_module (f.store, ids[i], &error);

        g_assert_no_error (error);
        g_assert_cmpstr (m->id, ==, ids[i]);
      }
  }
  store_fixture_clear (&f);
}

static void
test_edit_and_reset_builtin (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwModule) food = NULL;
  g_autoptr(LwModule) again = NULL;
  g_autoptr(LwModule) reset = NULL;
  const LwBuiltinModule *shipped = lw_builtin_module_find ("food");

  store_fixture_init (&f);
  food = lw_store_get_module (f.store, "food", &error);
  g_assert_no_error (error);
  g_free (food->prompt);
  food->prompt = g_strdup ("Make it look like a 1970s cookbook.");
  g_assert_true (lw_store_update_module (f.store, food, &error));
  g_assert_no_error (error);

  /* A restart (seeding again) keeps the user's prompt. */
  g_assert_finalize_object (f.store);
  f.store = lw_store_open (f.db_path, &error);
  g_assert_no_error (error);
  again = lw_store_get_module (f.store, "food", &error);
  g_assert_cmpstr (again->prompt, ==, "Make it look like a 1970s cookbook.");
  g_assert_cmpstr (again->default_prompt, ==, shipped->prompt);

  g_assert_true (lw_store_reset_module (f.store, "food", &error));
  g_assert_no_error (error);
  reset = lw_store_get_module (f.store, "food", &error);
  g_assert_cmpstr (reset->prompt, ==, shipped->prompt);

  g_assert_false (lw_store_reset_module (f.store, "no-such-module", &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  store_fixture_clear (&f);
}

/* What a new release does to an existing database: the shipped texts are
 * refreshed, an edited prompt is kept, an unedited one follows the new
 * default. */
static void
test_release_refresh (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwModule) food = NULL;
  g_autoptr(LwModule) product = NULL;
  sqlite3 *db;

  store_fixture_init (&f);
  db = lw_store_get_db (f.store);
  /* As an older release would have left them. */
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE modules SET prompt = 'old default', default_prompt = 'old default',"
                                 "  name = 'Old name', icon = 'old-symbolic' WHERE id = 'food';"
                                 "UPDATE modules SET prompt = 'my own words', default_prompt = 'old default',"
                                 "  description = 'old description' WHERE id = 'product';"
                                 "DELETE FROM modules WHERE id = 'remaster';",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_finalize_object (f.store);
  f.store = lw_store_open (f.db_path, &error);
  g_assert_no_error (error);

  food = lw_store_get_module (f.store, "food", &error);
  g_assert_cmpstr (food->name, ==, lw_builtin_module_find ("food")->name);
  g_assert_cmpstr (food->icon, ==, lw_builtin_module_find ("food")->icon);
  g_assert_cmpstr (food->default_prompt, ==, lw_builtin_module_find ("food")->prompt);
  g_assert_cmpstr (food->prompt, ==, lw_builtin_module_find ("food")->prompt);

  product = lw_store_get_module (f.store, "product", &error);
  g_assert_cmpstr (product->description, ==, lw_builtin_module_find ("product")->description);
  g_assert_cmpstr (product->default_prompt, ==, lw_builtin_module_find ("product")->prompt);
  g_assert_cmpstr (product->prompt, ==, "my own words");

  /* A missing built-in comes back. */
  g_assert_cmpint (test_query_int (lw_store_get_db (f.store), "SELECT COUNT(*) FROM modules WHERE builtin = 1"),
                   ==, 5);
  store_fixture_clear (&f);
}

static void
test_custom_modules (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwModule) a = NULL;
  g_autoptr(LwModule) b = NULL;
  g_autoptr(LwModule) c = NULL;
  g_autoptr(LwModule) edited = NULL;
  g_autoptr(LwModule) copy = NULL;
  g_autoptr(LwModule) copy2 = NULL;
  g_autoptr(LwModule) missing = NULL;
  g_autoptr(GPtrArray) modules = NULL;

  store_fixture_init (&f);
  a = lw_store_create_module (f.store, "My Look", "Warm and grainy", "Add film grain.", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->id, ==, "custom-my-look");
  g_assert_false (a->builtin);
  g_assert_null (a->default_prompt);
  g_assert_cmpint (a->position, ==, 5);  /* after the five built-ins */

  b = lw_store_create_module (f.store, "  my look ", NULL, "Other.", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b->id, ==, "custom-my-look-2");
  g_assert_cmpstr (b->name, ==, "my look");
  g_assert_cmpint (b->position, ==, 6);

  c = lw_store_create_module (f.store, "Crème brûlée, 50%!", "", "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->id, ==, "custom-cr-me-br-l-e-50");

  g_assert_null (lw_store_create_module (f.store, "   ", NULL, "x", &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Edit survives a round trip. */
  g_free (a->description);
  a->description = g_strdup ("Cool and clean");
  g_assert_true (lw_store_update_module (f.store, a, &error));
  edited = lw_store_get_module (f.store, "custom-my-look", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (edited->description, ==, "Cool and clean");
  g_assert_cmpstr (edited->prompt, ==, "Add film grain.");

  /* A custom module has nothing to reset to. */
  g_assert_false (lw_store_reset_module (f.store, "custom-my-look", &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Duplicates: of a built-in and of a custom one. */
  copy = lw_store_duplicate_module (f.store, "food", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (copy->id, ==, "custom-food-enhancer-copy");
  g_assert_cmpstr (copy->name, ==, "Food Enhancer (copy)");
  g_assert_false (copy->builtin);
  g_assert_null (copy->default_prompt);
  g_assert_cmpstr (copy->prompt, ==, lw_builtin_module_find ("food")->prompt);
  g_assert_cmpstr (copy->icon, ==, lw_builtin_module_find ("food")->icon);
  copy2 = lw_store_duplicate_module (f.store, "custom-my-look", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (copy2->name, ==, "My Look (copy)");
  g_assert_cmpstr (copy2->prompt, ==, "Add film grain.");

  modules = lw_store_list_modules (f.store, &error);
  g_assert_cmpuint (modules->len, ==, 10);

  /* Deleting: a built-in is refused, a custom one goes, twice is NOT_FOUND. */
  g_assert_false (lw_store_delete_module (f.store, "food", &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_BUILTIN);
  g_clear_error (&error);
  g_assert_true (lw_store_delete_module (f.store, "custom-my-look", &error));
  g_assert_no_error (error);
  missing = lw_store_get_module (f.store, "custom-my-look", &error);
  g_assert_null (missing);
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lw_store_delete_module (f.store, "custom-my-look", &error));
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* A freed id can be taken again. */
  {
    g_autoptr(LwModule) again = lw_store_create_module (f.store, "My look", NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (again->id, ==, "custom-my-look");
  }
  store_fixture_clear (&f);
}

/* Jobs keep their own prompt: deleting the module they came from is fine. */
static void
test_delete_module_used_by_job (void)
{
  StoreFixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LwModule) m = NULL;
  g_autoptr(LwJob) job = NULL;
  g_autoptr(LwJob) after = NULL;
  g_autoptr(LwJob) none = NULL;

  store_fixture_init (&f);
  m = lw_store_create_module (f.store, "Sepia", NULL, "Make it sepia.", &error);
  g_assert_no_error (error);
  job = lw_store_create_job (f.store, "Old photos", m->id, "local", NULL, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (job->prompt, ==, "Make it sepia.");
  g_assert_true (lw_store_delete_module (f.store, m->id, &error));
  g_assert_no_error (error);
  after = lw_store_get_job (f.store, job->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after->prompt, ==, "Make it sepia.");
  g_assert_cmpstr (after->module_id, ==, m->id);

  none = lw_store_create_job (f.store, NULL, m->id, "local", NULL, 5000, &error);
  g_assert_null (none);
  g_assert_error (error, LW_STORE_ERROR, LW_STORE_ERROR_NOT_FOUND);
  store_fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/modules/builtins-seeded", test_builtins_seeded);
  g_test_add_func ("/store/modules/edit-and-reset-builtin", test_edit_and_reset_builtin);
  g_test_add_func ("/store/modules/release-refresh", test_release_refresh);
  g_test_add_func ("/store/modules/custom", test_custom_modules);
  g_test_add_func ("/store/modules/delete-used-by-job", test_delete_module_used_by_job);
  return g_test_run ();
}
