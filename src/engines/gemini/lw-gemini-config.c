/* lw-gemini-config.c — the Gemini engine's settings, read once. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lw-engine.h"
#include "lw-gemini-config.h"
#include "lw-store.h"

LwGeminiConfig *
lw_gemini_config_new_default (void)
{
  LwGeminiConfig *config = g_new0 (LwGeminiConfig, 1);

  config->base_url = g_strdup (LW_GEMINI_DEFAULT_BASE_URL);
  config->model_id[LW_GEMINI_TIER_FAST] = g_strdup (LW_GEMINI_DEFAULT_MODEL_FAST);
  config->model_id[LW_GEMINI_TIER_PRO] = g_strdup (LW_GEMINI_DEFAULT_MODEL_PRO);
  config->price[LW_GEMINI_TIER_FAST] = -1;
  config->price[LW_GEMINI_TIER_PRO] = -1;
  config->output_size = g_strdup (LW_GEMINI_DEFAULT_OUTPUT_SIZE);
  config->max_input_edge = LW_GEMINI_DEFAULT_MAX_INPUT_EDGE;
  config->timeout_ms[LW_GEMINI_TIER_FAST] = LW_GEMINI_DEFAULT_TIMEOUT_FAST_S * 1000;
  config->timeout_ms[LW_GEMINI_TIER_PRO] = LW_GEMINI_DEFAULT_TIMEOUT_PRO_S * 1000;
  config->connect_timeout_ms = LW_GEMINI_DEFAULT_TIMEOUT_CONNECT_S * 1000;
  return config;
}

static char *
strip_trailing_slashes (char *url)
{
  gsize len = strlen (url);

  while (len > 0 && url[len - 1] == '/')
    url[--len] = '\0';
  return url;
}

static void
replace_string (char **slot, char *value)
{
  if (value == NULL)
    return;
  g_strstrip (value);
  if (*value == '\0')
    {
      g_free (value);
      return;
    }
  g_free (*slot);
  *slot = value;
}

LwGeminiConfig *
lw_gemini_config_new_from_store (LwStore *store)
{
  LwGeminiConfig *config = lw_gemini_config_new_default ();
  const char *env;

  if (store != NULL)
    {
      g_autofree char *size = NULL;
      gint64 seconds;

      replace_string (&config->base_url, lw_store_get_setting (store, LW_GEMINI_SETTING_BASE_URL));
      replace_string (&config->model_id[LW_GEMINI_TIER_FAST],
                      lw_store_get_setting (store, LW_GEMINI_SETTING_MODEL_FAST));
      replace_string (&config->model_id[LW_GEMINI_TIER_PRO],
                      lw_store_get_setting (store, LW_GEMINI_SETTING_MODEL_PRO));
      config->price[LW_GEMINI_TIER_FAST] =
        lw_store_get_setting_double (store, LW_GEMINI_SETTING_PRICE_FAST, -1);
      config->price[LW_GEMINI_TIER_PRO] =
        lw_store_get_setting_double (store, LW_GEMINI_SETTING_PRICE_PRO, -1);

      size = lw_store_get_setting (store, LW_GEMINI_SETTING_OUTPUT_SIZE);
      if (size != NULL)
        {
          g_strstrip (size);
          /* "2k" is what a person types; the API wants "2K". */
          if (strlen (size) == 2 && (size[1] == 'k' || size[1] == 'K'))
            size[1] = 'K';
          if (lw_gemini_output_size_is_valid (size))
            replace_string (&config->output_size, g_steal_pointer (&size));
        }

      /* Below 256 px nothing useful is left of a photo; above 8192 the
       * API refuses the upload. */
      config->max_input_edge = (int) CLAMP (lw_store_get_setting_int (store, LW_GEMINI_SETTING_MAX_INPUT_EDGE,
                                                                      LW_GEMINI_DEFAULT_MAX_INPUT_EDGE),
                                            256, 8192);
      seconds = lw_store_get_setting_int (store, LW_GEMINI_SETTING_TIMEOUT_FAST, LW_GEMINI_DEFAULT_TIMEOUT_FAST_S);
      config->timeout_ms[LW_GEMINI_TIER_FAST] = CLAMP (seconds, 1, 3600) * 1000;
      seconds = lw_store_get_setting_int (store, LW_GEMINI_SETTING_TIMEOUT_PRO, LW_GEMINI_DEFAULT_TIMEOUT_PRO_S);
      config->timeout_ms[LW_GEMINI_TIER_PRO] = CLAMP (seconds, 1, 3600) * 1000;
      seconds = lw_store_get_setting_int (store, LW_GEMINI_SETTING_TIMEOUT_CONNECT,
                                          LW_GEMINI_DEFAULT_TIMEOUT_CONNECT_S);
      config->connect_timeout_ms = CLAMP (seconds, 1, 600) * 1000;
    }

  env = g_getenv (LW_GEMINI_ENV_BASE_URL);
  if (env != NULL && *env != '\0')
    replace_string (&config->base_url, g_strdup (env));
  strip_trailing_slashes (config->base_url);
  return config;
}

LwGeminiConfig *
lw_gemini_config_copy (const LwGeminiConfig *config)
{
  LwGeminiConfig *copy = g_memdup2 (config, sizeof *config);

  copy->base_url = g_strdup (config->base_url);
  for (guint i = 0; i < LW_GEMINI_N_TIERS; i++)
    copy->model_id[i] = g_strdup (config->model_id[i]);
  copy->output_size = g_strdup (config->output_size);
  return copy;
}

void
lw_gemini_config_free (LwGeminiConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->base_url);
  for (guint i = 0; i < LW_GEMINI_N_TIERS; i++)
    g_free (config->model_id[i]);
  g_free (config->output_size);
  g_free (config);
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  /* GUri keeps the brackets of an IPv6 literal out of the host. */
  address = g_inet_address_new_from_string (host);
  /* g_inet_address_get_is_loopback: 127.0.0.0/8 and ::1. */
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
lw_gemini_config_check_base_url (const char  *base_url,
                                 GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (base_url == NULL || *base_url == '\0')
    {
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST,
                   _("No Gemini server address is set"));
      return FALSE;
    }
  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST,
                   _("The Gemini server address “%s” is not a valid URL"), base_url);
      return FALSE;
    }
  if (g_uri_get_userinfo (uri) != NULL)
    {
      /* A user:password@ part would be one more secret in a setting. */
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST,
                   _("The Gemini server address must not contain a user name or password"));
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    {
      if (host_is_loopback (g_uri_get_host (uri)))
        return TRUE;
      g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST,
                   _("Refusing plain http:// to %s: the API key would travel unencrypted. "
                     "Use https://, or http:// only to this computer (127.0.0.1, ::1, localhost)"),
                   g_uri_get_host (uri));
      return FALSE;
    }
  g_set_error (error, LW_ENGINE_ERROR, LW_ENGINE_ERROR_BAD_REQUEST,
               _("The Gemini server address must start with https://"));
  return FALSE;
}

gboolean
lw_gemini_tier_from_alias (const char   *alias,
                           LwGeminiTier *tier)
{
  LwGeminiTier found;

  if (g_strcmp0 (alias, "nano_banana") == 0)
    found = LW_GEMINI_TIER_FAST;
  else if (g_strcmp0 (alias, "nano_banana_pro") == 0)
    found = LW_GEMINI_TIER_PRO;
  else
    return FALSE;
  if (tier != NULL)
    *tier = found;
  return TRUE;
}

const char *
lw_gemini_tier_to_alias (LwGeminiTier tier)
{
  return tier == LW_GEMINI_TIER_PRO ? "nano_banana_pro" : "nano_banana";
}

gboolean
lw_gemini_tier_takes_image_size (LwGeminiTier tier)
{
  /* The fast models answer 400 to imageSize (the lite ones) or ignore it;
   * the pro tier renders 1K/2K/4K. */
  return tier == LW_GEMINI_TIER_PRO;
}

const char *
lw_gemini_config_get_effective_size (const LwGeminiConfig *config,
                                     LwGeminiTier          tier)
{
  return lw_gemini_tier_takes_image_size (tier) ? config->output_size : "default";
}

double
lw_gemini_config_get_price (const LwGeminiConfig *config,
                            LwGeminiTier          tier)
{
  if (config->price[tier] >= 0)
    return config->price[tier];
  if (tier == LW_GEMINI_TIER_PRO)
    return g_strcmp0 (config->output_size, "4K") == 0 ? LW_GEMINI_DEFAULT_PRICE_PRO_4K
                                                      : LW_GEMINI_DEFAULT_PRICE_PRO;
  return LW_GEMINI_DEFAULT_PRICE_FAST;
}

gboolean
lw_gemini_output_size_is_valid (const char *size)
{
  return g_strcmp0 (size, "1K") == 0 || g_strcmp0 (size, "2K") == 0 || g_strcmp0 (size, "4K") == 0;
}
