/*
 * extensions.c - the members of the extensions Supabase offers, by kind
 * and name, for resolving names a migration writes unqualified and never
 * defines (`gin (name gin_trgm_ops)`, `execute function moddatetime(...)`,
 * `vector(1536)`): the server resolved each to the extension's schema and
 * prints it qualified from there. Static tables, no allocation.
 *
 * The lists are the members migrations use, not whole extension scripts;
 * a name missing here stays unqualified (and a finding shows it).
 */
#include "pgdrift/platform.h"

#include <string.h>

#include "pgdrift/alloc.h"

struct member {
	enum pgd_platform_member kind;
	const char *name, *extension;
};

#define F PGD_PM_FUNCTION
#define T PGD_PM_TYPE
#define O PGD_PM_OPCLASS
#define P PGD_PM_OPERATOR

static const struct member members[] = {
	/* uuid-ossp */
	{ F, "uuid_generate_v1", "uuid-ossp" }, { F, "uuid_generate_v1mc", "uuid-ossp" },
	{ F, "uuid_generate_v3", "uuid-ossp" }, { F, "uuid_generate_v4", "uuid-ossp" },
	{ F, "uuid_generate_v5", "uuid-ossp" }, { F, "uuid_nil", "uuid-ossp" },
	{ F, "uuid_ns_dns", "uuid-ossp" },      { F, "uuid_ns_url", "uuid-ossp" },
	{ F, "uuid_ns_oid", "uuid-ossp" },      { F, "uuid_ns_x500", "uuid-ossp" },
	/* pgcrypto (gen_random_uuid is pg_catalog's since PostgreSQL 13) */
	{ F, "crypt", "pgcrypto" },             { F, "gen_salt", "pgcrypto" },
	{ F, "digest", "pgcrypto" },            { F, "hmac", "pgcrypto" },
	{ F, "gen_random_bytes", "pgcrypto" },  { F, "pgp_sym_encrypt", "pgcrypto" },
	{ F, "pgp_sym_decrypt", "pgcrypto" },   { F, "pgp_sym_encrypt_bytea", "pgcrypto" },
	{ F, "pgp_sym_decrypt_bytea", "pgcrypto" }, { F, "pgp_pub_encrypt", "pgcrypto" },
	{ F, "pgp_pub_decrypt", "pgcrypto" },   { F, "pgp_key_id", "pgcrypto" },
	{ F, "armor", "pgcrypto" },             { F, "dearmor", "pgcrypto" },
	{ F, "encrypt", "pgcrypto" },           { F, "decrypt", "pgcrypto" },
	{ F, "encrypt_iv", "pgcrypto" },        { F, "decrypt_iv", "pgcrypto" },
	/* pg_trgm */
	{ F, "similarity", "pg_trgm" },         { F, "word_similarity", "pg_trgm" },
	{ F, "strict_word_similarity", "pg_trgm" }, { F, "show_trgm", "pg_trgm" },
	{ F, "show_limit", "pg_trgm" },         { F, "set_limit", "pg_trgm" },
	{ F, "similarity_dist", "pg_trgm" },    { O, "gin_trgm_ops", "pg_trgm" },
	{ O, "gist_trgm_ops", "pg_trgm" },
	{ P, "%", "pg_trgm" },   { P, "<%", "pg_trgm" },  { P, "%>", "pg_trgm" },
	{ P, "<<%", "pg_trgm" }, { P, "%>>", "pg_trgm" }, { P, "<->", "pg_trgm" },
	{ P, "<<->", "pg_trgm" }, { P, "<->>", "pg_trgm" },
	{ P, "<<<->", "pg_trgm" }, { P, "<->>>", "pg_trgm" },
	/* fuzzystrmatch */
	{ F, "soundex", "fuzzystrmatch" },      { F, "difference", "fuzzystrmatch" },
	{ F, "levenshtein", "fuzzystrmatch" },  { F, "levenshtein_less_equal", "fuzzystrmatch" },
	{ F, "metaphone", "fuzzystrmatch" },    { F, "dmetaphone", "fuzzystrmatch" },
	{ F, "dmetaphone_alt", "fuzzystrmatch" }, { F, "daitch_mokotoff", "fuzzystrmatch" },
	/* unaccent */
	{ F, "unaccent", "unaccent" },
	/* moddatetime, and the other spi trigger functions */
	{ F, "moddatetime", "moddatetime" },    { F, "insert_username", "insert_username" },
	{ F, "autoinc", "autoinc" },
	/* citext, hstore, ltree, cube, earthdistance, isn, seg */
	{ T, "citext", "citext" },              { T, "hstore", "hstore" },
	{ F, "akeys", "hstore" },               { F, "avals", "hstore" },
	{ F, "skeys", "hstore" },               { F, "svals", "hstore" },
	{ F, "hstore_to_json", "hstore" },      { F, "hstore_to_jsonb", "hstore" },
	{ O, "gin_hstore_ops", "hstore" },      { O, "gist_hstore_ops", "hstore" },
	{ T, "ltree", "ltree" },                { T, "lquery", "ltree" },
	{ T, "ltxtquery", "ltree" },            { F, "nlevel", "ltree" },
	{ F, "subltree", "ltree" },             { F, "subpath", "ltree" },
	{ F, "text2ltree", "ltree" },           { F, "ltree2text", "ltree" },
	{ F, "lca", "ltree" },                  { O, "gist_ltree_ops", "ltree" },
	{ O, "gist__ltree_ops", "ltree" },
	{ T, "cube", "cube" },                  { F, "cube_distance", "cube" },
	{ F, "cube_dim", "cube" },              { F, "cube_ll_coord", "cube" },
	{ F, "cube_ur_coord", "cube" },         { F, "cube_union", "cube" },
	{ F, "cube_inter", "cube" },            { F, "cube_enlarge", "cube" },
	{ O, "gist_cube_ops", "cube" },
	{ T, "earth", "earthdistance" },        { F, "ll_to_earth", "earthdistance" },
	{ F, "earth_distance", "earthdistance" }, { F, "earth_box", "earthdistance" },
	{ F, "latitude", "earthdistance" },     { F, "longitude", "earthdistance" },
	{ T, "isbn", "isn" },                   { T, "ean13", "isn" },
	{ T, "seg", "seg" },
	/* intarray, btree_gin, btree_gist: the opclasses a migration names */
	{ O, "gin__int_ops", "intarray" },      { O, "gist__int_ops", "intarray" },
	{ O, "gist__intbig_ops", "intarray" },
	{ F, "crosstab", "tablefunc" },         { F, "normal_rand", "tablefunc" },
	{ F, "connectby", "tablefunc" },
	/* pgvector */
	{ T, "vector", "vector" },              { T, "halfvec", "vector" },
	{ T, "sparsevec", "vector" },           { F, "l2_distance", "vector" },
	{ F, "cosine_distance", "vector" },     { F, "inner_product", "vector" },
	{ F, "negative_inner_product", "vector" }, { F, "l1_distance", "vector" },
	{ F, "vector_dims", "vector" },         { F, "vector_norm", "vector" },
	{ F, "l2_norm", "vector" },             { F, "l2_normalize", "vector" },
	{ F, "binary_quantize", "vector" },     { F, "subvector", "vector" },
	{ F, "hamming_distance", "vector" },    { F, "jaccard_distance", "vector" },
	{ P, "<=>", "vector" },  { P, "<#>", "vector" },  { P, "<+>", "vector" },
	{ P, "<~>", "vector" },  { P, "<%>", "vector" },
	{ O, "vector_l2_ops", "vector" },       { O, "vector_ip_ops", "vector" },
	{ O, "vector_cosine_ops", "vector" },   { O, "vector_l1_ops", "vector" },
	{ O, "halfvec_l2_ops", "vector" },      { O, "halfvec_ip_ops", "vector" },
	{ O, "halfvec_cosine_ops", "vector" },  { O, "halfvec_l1_ops", "vector" },
	{ O, "sparsevec_l2_ops", "vector" },    { O, "sparsevec_ip_ops", "vector" },
	{ O, "sparsevec_cosine_ops", "vector" }, { O, "sparsevec_l1_ops", "vector" },
	{ O, "bit_hamming_ops", "vector" },     { O, "bit_jaccard_ops", "vector" },
	/* PostGIS: the types and opclasses (its functions by prefix, below) */
	{ T, "geometry", "postgis" },           { T, "geography", "postgis" },
	{ T, "box2d", "postgis" },              { T, "box3d", "postgis" },
	{ O, "gist_geometry_ops_2d", "postgis" }, { O, "gist_geometry_ops_nd", "postgis" },
	{ O, "gist_geography_ops", "postgis" },
	/* pgjwt, http, pg_hashids */
	{ F, "sign", "pgjwt" },                 { F, "verify", "pgjwt" },
	{ F, "url_encode", "pgjwt" },           { F, "url_decode", "pgjwt" },
	{ F, "algorithm_sign", "pgjwt" },
	{ F, "http", "http" },                  { F, "http_get", "http" },
	{ F, "http_post", "http" },             { F, "http_put", "http" },
	{ F, "http_patch", "http" },            { F, "http_delete", "http" },
	{ F, "http_head", "http" },             { F, "http_header", "http" },
	{ F, "http_set_curlopt", "http" },      { F, "http_reset_curlopt", "http" },
	{ F, "urlencode", "http" },             { T, "http_response", "http" },
	{ T, "http_request", "http" },          { T, "http_method", "http" },
	{ F, "id_encode", "pg_hashids" },       { F, "id_decode", "pg_hashids" },
	{ F, "id_decode_once", "pg_hashids" },
};

#undef F
#undef T
#undef O
#undef P

/* functions named by a prefix only their extension uses */
static const struct {
	const char *prefix, *extension;
} function_prefixes[] = {
	{ "st_", "postgis" },
	{ "postgis_", "postgis" },
};

/* what a hosted project has installed before the first migration */
static const struct {
	const char *extension, *schema;
} preinstalled[] = {
	{ "pgcrypto", "extensions" },   { "uuid-ossp", "extensions" },
	{ "pg_stat_statements", "extensions" }, { "pgjwt", "extensions" },
	{ "pg_graphql", "graphql" },    { "supabase_vault", "vault" },
	{ "pgsodium", "pgsodium" },     { "plpgsql", "pg_catalog" },
};

const char *pgd_platform_extension_of(enum pgd_platform_member kind,
				      const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < PGD_ARRAY_SIZE(members); i++)
		if (members[i].kind == kind && strcmp(members[i].name, name) == 0)
			return members[i].extension;
	if (kind == PGD_PM_FUNCTION)
		for (size_t i = 0; i < PGD_ARRAY_SIZE(function_prefixes); i++)
			if (strncmp(name, function_prefixes[i].prefix,
				    strlen(function_prefixes[i].prefix)) == 0)
				return function_prefixes[i].extension;
	return NULL;
}

const char *pgd_platform_extension_preinstalled(const char *extname)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(preinstalled); i++)
		if (strcmp(preinstalled[i].extension, extname) == 0)
			return preinstalled[i].schema;
	return NULL;
}
