/*
 * keys.c - the platform tables migrations reference (auth.users,
 * storage.objects, ...): their primary keys, so that `references
 * auth.users` without a column list resolves as the server resolves it,
 * and their columns, so that a sub-select reading auth.users qualifies
 * `email` by users, not by the policy's own table. Static tables, no
 * allocation.
 */
#include "pgdrift/platform.h"

#include <string.h>

#include "pgdrift/alloc.h"

struct platform_table {
	const char *schema, *name, *key;
	const char *const *columns; /* NULL-terminated */
};

static const char *const auth_users[] = {
	"instance_id", "id", "aud", "role", "email", "encrypted_password",
	"email_confirmed_at", "invited_at", "confirmation_token",
	"confirmation_sent_at", "recovery_token", "recovery_sent_at",
	"email_change_token_new", "email_change", "email_change_sent_at",
	"last_sign_in_at", "raw_app_meta_data", "raw_user_meta_data",
	"is_super_admin", "created_at", "updated_at", "phone",
	"phone_confirmed_at", "phone_change", "phone_change_token",
	"phone_change_sent_at", "confirmed_at", "email_change_token_current",
	"email_change_confirm_status", "banned_until", "reauthentication_token",
	"reauthentication_sent_at", "is_sso_user", "deleted_at", "is_anonymous",
	NULL,
};
static const char *const auth_identities[] = {
	"provider_id", "user_id", "identity_data", "provider", "last_sign_in_at",
	"created_at", "updated_at", "email", "id", NULL,
};
static const char *const auth_sessions[] = {
	"id", "user_id", "created_at", "updated_at", "factor_id", "aal",
	"not_after", "refreshed_at", "user_agent", "ip", "tag", NULL,
};
static const char *const storage_buckets[] = {
	"id", "name", "owner", "created_at", "updated_at", "public",
	"avif_autodetection", "file_size_limit", "allowed_mime_types", "owner_id",
	NULL,
};
static const char *const storage_objects[] = {
	"id", "bucket_id", "name", "owner", "created_at", "updated_at",
	"last_accessed_at", "metadata", "path_tokens", "version", "owner_id",
	"user_metadata", NULL,
};
static const char *const realtime_messages[] = {
	"topic", "extension", "payload", "event", "private", "updated_at",
	"inserted_at", "id", NULL,
};

static const struct platform_table tables[] = {
	{ "auth", "users", "id", auth_users },
	{ "auth", "identities", "id", auth_identities },
	{ "auth", "sessions", "id", auth_sessions },
	{ "storage", "buckets", "id", storage_buckets },
	{ "storage", "objects", "id", storage_objects },
	{ "realtime", "messages", "id, inserted_at", realtime_messages },
};

static const struct platform_table *find(const char *schema, const char *table)
{
	if (!schema || !table)
		return NULL;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(tables); i++)
		if (strcmp(tables[i].schema, schema) == 0 &&
		    strcmp(tables[i].name, table) == 0)
			return &tables[i];
	return NULL;
}

const char *pgd_platform_table_key(const char *schema, const char *table)
{
	const struct platform_table *t = find(schema, table);
	return t ? t->key : NULL;
}

int pgd_platform_table_has_column(const char *schema, const char *table,
				  const char *col)
{
	const struct platform_table *t = find(schema, table);
	if (!t)
		return -1;
	for (const char *const *c = t->columns; *c; c++)
		if (strcmp(*c, col) == 0)
			return 1;
	return 0;
}
