/*
 * inventory.c - the schema inventory (inventory.h): what each migration
 * file did, every table with its columns, keys, indexes and policies, and
 * the counts, as Markdown or JSON. The model is read, never changed; all
 * output is built in the caller's strbuf (JSON through jansson).
 *
 * What a file "did" is read from the model's provenance: an object whose
 * creating statement is in the file was created there, one whose last
 * altering statement is there was altered there, a tombstone dropped there
 * was dropped there. An object altered by several files is listed under
 * the last one only.
 */
#include <jansson.h>
#include <string.h>

#include "pgd_config.h"
#include "pgdrift/inventory.h"
#include "pgdrift/map.h"
#include "pgdrift/report.h"
#include "pgdrift/strbuf.h"

bool pgd_inventory_lists(const struct pgd_table *t)
{
	return !t->external;
}

static bool is_jsonb(const struct pgd_column *c)
{
	return !strcmp(c->type, "jsonb") || !strcmp(c->type, "jsonb[]");
}

/* "schema.table" as findings name a table (identifiers quoted as needed). */
static char *table_ident(const struct pgd_table *t)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&sb, t->obj.schema);
	pgd_strbuf_addch(&sb, '.');
	pgd_strbuf_add_ident(&sb, t->obj.name);
	return pgd_strbuf_detach(&sb, NULL);
}

static size_t table_findings(const struct pgd_inventory_options *o,
			     const struct pgd_table *t)
{
	if (!o->database || !o->drift)
		return 0;
	char *id = table_ident(t);
	size_t n = 0;
	for (size_t i = 0; i < o->drift->n; i++)
		if (o->drift->v[i].table && !strcmp(o->drift->v[i].table, id))
			n++;
	free(id);
	return n;
}

static bool duplicate_version(const struct pgd_migration_set *set, size_t i)
{
	const char *v = set->files[i].version;
	return (i > 0 && !pgd_migrations_cmp_version(set->files[i - 1].version, v)) ||
	       (i + 1 < set->nfiles &&
		!pgd_migrations_cmp_version(set->files[i + 1].version, v));
}

void pgd_inventory_count(const struct pgd_migration_set *set,
			 const struct pgd_schema *m,
			 const struct pgd_inventory_options *o,
			 struct pgd_inventory_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->files = set->nfiles;
	for (size_t i = 1; i < set->nfiles; i++)
		if (!pgd_migrations_cmp_version(set->files[i - 1].version,
						set->files[i].version) &&
		    (i < 2 || pgd_migrations_cmp_version(set->files[i - 2].version,
							 set->files[i].version)))
			s->duplicate_versions++;
	for (size_t i = 0; i < m->ntables; i++) {
		const struct pgd_table *t = m->tables[i];
		if (!pgd_inventory_lists(t)) {
			s->platform_policies += t->npolicies;
			continue;
		}
		s->tables++;
		s->columns += t->ncolumns;
		for (size_t k = 0; k < t->ncolumns; k++)
			s->jsonb_columns += is_jsonb(t->columns[k]);
		s->indexes += t->nindexes;
		for (size_t k = 0; k < t->nconstraints; k++)
			s->foreign_keys += t->constraints[k]->type == PGD_CON_FOREIGN;
		s->policies += t->npolicies;
		s->rls_tables += t->rls_enabled;
		s->forced_tables += t->rls_forced;
		s->commented_tables += t->comment != NULL;
		if (o && o->database) {
			if (table_findings(o, t))
				s->drifted++;
			else
				s->verified++;
		}
	}
}

/* ---- what each file did */

enum { ACT_CREATED, ACT_ALTERED, ACT_DROPPED, ACT_N };
static const char *const act_names[ACT_N] = { "created", "altered", "dropped" };

struct names {
	char **v;
	size_t n, alloc;
};

struct file_acts {
	struct names tables[ACT_N], indexes[ACT_N], policies[ACT_N];
};

static void names_add(struct names *l, char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s)) {
			free(s);
			return;
		}
	PGD_GROW(l->v, l->alloc, l->n + 1);
	l->v[l->n++] = s;
}

static void names_release(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void file_acts_release(struct file_acts *a)
{
	for (int k = 0; k < ACT_N; k++) {
		names_release(&a->tables[k]);
		names_release(&a->indexes[k]);
		names_release(&a->policies[k]);
	}
}

/* A name as the inventory shows it: schema.name, quoted as needed. */
static char *qname(const char *schema, const char *name)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	if (schema) {
		pgd_strbuf_add_ident(&sb, schema);
		pgd_strbuf_addch(&sb, '.');
	}
	pgd_strbuf_add_ident(&sb, name);
	return pgd_strbuf_detach(&sb, NULL);
}

/* A policy or index: "name on schema.table". */
static char *on_table(const char *name, const struct pgd_table *t)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&sb, name);
	pgd_strbuf_addstr(&sb, " on ");
	pgd_strbuf_add_ident(&sb, t->obj.schema);
	pgd_strbuf_addch(&sb, '.');
	pgd_strbuf_add_ident(&sb, t->obj.name);
	return pgd_strbuf_detach(&sb, NULL);
}

/* Which file of the set a statement is in, through a path -> index map. */
static struct file_acts *file_of(struct pgd_map *files, struct file_acts *acts,
				 const struct pgd_src *s)
{
	if (!s->file)
		return NULL;
	size_t *i = pgd_map_get(files, s->file, strlen(s->file));
	return i ? &acts[*i] : NULL;
}

/* A table a file altered through one of its objects (not where it was made). */
static void altered_via(struct pgd_map *files, struct file_acts *acts,
			const struct pgd_table *t, const struct pgd_object *o)
{
	struct file_acts *made = file_of(files, acts, &t->obj.created);
	const struct pgd_src *srcs[2] = { &o->created, &o->changed };
	for (int k = 0; k < 2; k++) {
		struct file_acts *a = file_of(files, acts, srcs[k]);
		if (a && a != made)
			names_add(&a->tables[ACT_ALTERED], qname(t->obj.schema, t->obj.name));
	}
}

/*
 * What every file of set did, in one walk over the model: acts[i] for
 * set->files[i] (caller releases each and frees the array).
 */
static struct file_acts *file_acts_all(const struct pgd_migration_set *set,
				       const struct pgd_schema *m)
{
	struct file_acts *acts = pgd_xcalloc(set->nfiles + 1, sizeof(*acts));
	size_t *idx = pgd_xcalloc(set->nfiles + 1, sizeof(*idx));
	struct pgd_map *files = pgd_map_new();
	for (size_t i = 0; i < set->nfiles; i++) {
		idx[i] = i;
		pgd_map_put(files, set->files[i].path, strlen(set->files[i].path), &idx[i]);
	}
	for (size_t i = 0; i < m->ntables; i++) {
		const struct pgd_table *t = m->tables[i];
		struct file_acts *a = file_of(files, acts, &t->obj.created);
		if (a)
			names_add(&a->tables[ACT_CREATED], qname(t->obj.schema, t->obj.name));
		if (!t->external) {
			altered_via(files, acts, t, &(struct pgd_object){
				.created = t->obj.changed });
			for (size_t k = 0; k < t->ncolumns; k++)
				altered_via(files, acts, t, &t->columns[k]->obj);
			for (size_t k = 0; k < t->nconstraints; k++)
				altered_via(files, acts, t, &t->constraints[k]->obj);
			for (size_t k = 0; k < t->ntriggers; k++)
				altered_via(files, acts, t, &t->triggers[k]->obj);
		}
		for (size_t k = 0; k < t->nindexes + t->npolicies; k++) {
			const struct pgd_object *o = k < t->nindexes
				? &t->indexes[k]->obj : &t->policies[k - t->nindexes]->obj;
			struct file_acts *c = file_of(files, acts, &o->created);
			struct file_acts *ch = file_of(files, acts, &o->changed);
			if (c) {
				struct names *l = k < t->nindexes ? c->indexes : c->policies;
				names_add(&l[ACT_CREATED], on_table(o->name, t));
			}
			if (ch && ch != c) {
				struct names *l = k < t->nindexes ? ch->indexes : ch->policies;
				names_add(&l[ACT_ALTERED], on_table(o->name, t));
			}
		}
	}
	for (size_t i = 0; i < m->ntombstones; i++) {
		const struct pgd_tombstone *ts = &m->tombstones[i];
		struct file_acts *a = file_of(files, acts, &ts->dropped);
		if (!a)
			continue;
		if (ts->kind == PGD_TABLE) {
			names_add(&a->tables[ACT_DROPPED], qname(ts->schema, ts->name));
			continue;
		}
		if (ts->kind != PGD_INDEX && ts->kind != PGD_POLICY)
			continue;
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		pgd_strbuf_add_ident(&sb, ts->name);
		if (ts->table) {
			pgd_strbuf_addstr(&sb, " on ");
			pgd_strbuf_add_ident(&sb, ts->schema);
			pgd_strbuf_addch(&sb, '.');
			pgd_strbuf_add_ident(&sb, ts->table);
		}
		names_add(ts->kind == PGD_INDEX ? &a->indexes[ACT_DROPPED]
						: &a->policies[ACT_DROPPED],
			  pgd_strbuf_detach(&sb, NULL));
	}
	pgd_map_free(files);
	free(idx);
	return acts;
}

/* The file's purpose: the first line of text of the comment it starts
 * with (-- or a block comment), when it starts with one. */
static char *file_purpose(const struct pgd_migration_file *mf)
{
	const char *p = mf->src.text;
	if (!p)
		return NULL;
	const char *end = p + mf->src.len;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	bool block = end - p >= 2 && p[0] == '/' && p[1] == '*';
	if (end - p < 2 || (!block && (p[0] != '-' || p[1] != '-')))
		return NULL;
	p += 2;
	for (;;) {
		/* skip the line's decoration: spaces, dashes, a block's stars */
		while (p < end && (*p == ' ' || *p == '\t' || *p == '-' ||
				   (block && *p == '*' && (p + 1 >= end || p[1] != '/'))))
			p++;
		const char *e = p;
		while (e < end && *e != '\n' && *e != '\r' &&
		       !(block && e + 1 < end && e[0] == '*' && e[1] == '/'))
			e++;
		const char *t = e;
		while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if (t > p)
			return pgd_xstrndup(p, (size_t)(t - p));
		/* an empty first line: only a block comment goes on */
		if (!block || e >= end || *e == '*')
			return NULL;
		p = e + 1;
	}
}

/* The action of a foreign key on DELETE or UPDATE, from its definition. */
static const char *fk_action(const char *def, const char *on)
{
	static const char *const acts[] = { "CASCADE", "SET NULL", "SET DEFAULT",
					    "RESTRICT", "NO ACTION" };
	const char *p = def ? strstr(def, on) : NULL;
	if (!p)
		return "NO ACTION";
	p += strlen(on);
	for (size_t i = 0; i < PGD_ARRAY_SIZE(acts); i++)
		if (!strncmp(p, acts[i], strlen(acts[i])))
			return acts[i];
	return "NO ACTION";
}

static const struct pgd_constraint *primary_key(const struct pgd_table *t)
{
	for (size_t k = 0; k < t->nconstraints; k++)
		if (t->constraints[k]->type == PGD_CON_PRIMARY)
			return t->constraints[k];
	return NULL;
}

/* ---- Markdown */

static void md(struct pgd_strbuf *out, const char *s)
{
	pgd_report_markdown_escape(out, s);
}

/*
 * Heading anchors as GitLab makes them from a heading's text: lower case,
 * everything but letters, digits, '_', '-' and spaces removed, spaces as
 * '-', runs of '-' as one, and "-1", "-2", ... on a repeat. The text is the
 * one md() renders (a newline shows as "\n", so it contributes "n").
 */
struct anchors {
	struct pgd_map *used;
	char **keep;
	size_t n, alloc;
};

static const char *anchor(struct anchors *a, const char *text)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (c == '\n' || c == '\r')
			pgd_strbuf_addch(&sb, c == '\n' ? 'n' : 'r');
		else if (c < 0x20 || c == 0x7f)
			pgd_strbuf_addf(&sb, "x%02x", c);
		else if (c == ' ' || c == '-') {
			if (!sb.len || sb.buf[sb.len - 1] != '-')
				pgd_strbuf_addch(&sb, '-');
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '_' || c >= 0x80)
			pgd_strbuf_addch(&sb, c);
	}
	char *base = pgd_strbuf_detach(&sb, NULL);
	char *slug = pgd_xstrdup(base);
	for (unsigned k = 1; pgd_map_get(a->used, slug, strlen(slug)); k++) {
		free(slug);
		slug = pgd_xasprintf("%s-%u", base, k);
	}
	free(base);
	PGD_GROW(a->keep, a->alloc, a->n + 1);
	a->keep[a->n++] = slug;
	pgd_map_put(a->used, slug, strlen(slug), slug);
	return slug;
}

static void anchors_release(struct anchors *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->keep[i]);
	free(a->keep);
	pgd_map_free(a->used);
}

static void md_names(struct pgd_strbuf *out, const struct names *l, size_t *printed)
{
	for (int k = 0; k < ACT_N; k++) {
		if (!l[k].n)
			continue;
		if ((*printed)++)
			pgd_strbuf_addstr(out, "<br>");
		pgd_strbuf_addf(out, "%s %zu: ", act_names[k], l[k].n);
		for (size_t i = 0; i < l[k].n; i++) {
			if (i)
				pgd_strbuf_addstr(out, ", ");
			md(out, l[k].v[i]);
		}
	}
}

static void md_cell_names(struct pgd_strbuf *out, const struct names *l)
{
	size_t printed = 0;
	md_names(out, l, &printed);
	if (!printed)
		pgd_strbuf_addstr(out, "none");
}

static void md_src(struct pgd_strbuf *out, const struct pgd_src *s)
{
	md(out, s->file);
	pgd_strbuf_addf(out, ":%u%s", s->line, s->dynamic ? " (EXECUTE)" : "");
}

static void md_list(struct pgd_strbuf *out, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			pgd_strbuf_addstr(out, ", ");
		md(out, v[i]);
	}
}

/* One Markdown row of a policy table; table is the first column, or NULL
 * when the table is the section's. */
static void policy_row(struct pgd_strbuf *out, const char *table,
		       const struct pgd_policy *p)
{
	pgd_strbuf_addstr(out, "| ");
	if (table) {
		md(out, table);
		pgd_strbuf_addstr(out, " | ");
	}
	md(out, p->obj.name);
	pgd_strbuf_addf(out, " | %s | %s | ", pgd_polcmd_name(p->cmd),
			p->permissive ? "permissive" : "restrictive");
	md_list(out, p->roles, p->nroles);
	pgd_strbuf_addstr(out, " | ");
	md(out, p->using_expr);
	pgd_strbuf_addstr(out, " | ");
	md(out, p->check_expr);
	pgd_strbuf_addstr(out, " |\n");
}


/* ---- "used by": where the application code uses an object (--code) */

static bool use_is(const struct pgd_inventory_use *u, char kind,
		   const char *schema, const char *name)
{
	return u->kind == kind && !strcmp(u->schema, schema) && !strcmp(u->name, name);
}

/* Whether a use names a table the inventory lists (else it goes to the
 * "other objects" list: functions, views, names the schema lacks). */
static bool use_on_listed_table(const struct pgd_schema *m,
				const struct pgd_inventory_use *u)
{
	if (u->kind != 't')
		return false;
	const struct pgd_table *t = pgd_schema_find_table(m, u->schema, u->name);
	return t && pgd_inventory_lists(t);
}

static size_t tables_used(const struct pgd_schema *m,
			  const struct pgd_inventory_options *o)
{
	size_t n = 0;
	for (size_t i = 0; i < m->ntables; i++) {
		const struct pgd_table *t = m->tables[i];
		if (!pgd_inventory_lists(t))
			continue;
		for (size_t k = 0; k < o->nuses; k++)
			if (use_is(&o->uses[k], 't', t->obj.schema, t->obj.name)) {
				n++;
				break;
			}
	}
	return n;
}

static void md_use_row(struct pgd_strbuf *out, const struct pgd_inventory_use *u,
		       bool with_object)
{
	pgd_strbuf_addstr(out, "| ");
	if (with_object) {
		char *id = qname(u->schema, u->name);
		md(out, id);
		pgd_strbuf_addstr(out, u->kind == 'f' ? "() | " : " | ");
		free(id);
	}
	md(out, u->file);
	pgd_strbuf_addf(out, ":%u | %s | ", u->line, u->sql ? "SQL" : "API");
	md(out, u->ops[0] ? u->ops : u->kind == 'f' ? "call" : "reference");
	pgd_strbuf_addstr(out, " |\n");
}

static void md_used_by(struct pgd_strbuf *out, const struct pgd_inventory_options *o,
		       const struct pgd_table *t)
{
	size_t n = 0;
	for (size_t k = 0; k < o->nuses; k++)
		n += use_is(&o->uses[k], 't', t->obj.schema, t->obj.name);
	pgd_strbuf_addf(out, "\n**Used by code (%zu)**\n\n", n);
	if (!n) {
		pgd_strbuf_addstr(out, "None: no code the scan read references it.\n");
		return;
	}
	pgd_strbuf_addstr(out, "| where | via | commands |\n|---|---|---|\n");
	for (size_t k = 0; k < o->nuses; k++)
		if (use_is(&o->uses[k], 't', t->obj.schema, t->obj.name))
			md_use_row(out, &o->uses[k], false);
}

static json_t *juses(const struct pgd_inventory_options *o, char kind,
		     const char *schema, const char *name)
{
	json_t *a = json_array();
	for (size_t k = 0; k < o->nuses; k++) {
		const struct pgd_inventory_use *u = &o->uses[k];
		if (schema && !use_is(u, kind, schema, name))
			continue;
		json_t *ops = json_array();
		for (const char *p = u->ops; *p;) {
			size_t n = strcspn(p, ",");
			json_array_append_new(ops, json_stringn(p, n));
			p += n;
			while (*p == ',' || *p == ' ')
				p++;
		}
		json_t *j = json_pack("{s:s, s:I, s:s, s:o}", "file", u->file,
				      "line", (json_int_t)u->line, "via",
				      u->sql ? "sql" : "api", "commands", ops);
		if (!schema)
			json_object_set_new(j, "object", json_pack("{s:s, s:s, s:s}",
				"kind", u->kind == 'f' ? "function" : "relation",
				"schema", u->schema, "name", u->name));
		json_array_append_new(a, j);
	}
	return a;
}

struct md_ctx {
	const struct pgd_migration_set *set;
	const struct pgd_schema *m;
	const struct pgd_inventory_options *o;
	struct pgd_strbuf *out;
	struct anchors a;
	const char **table_anchor; /* per model table, or NULL */
	const char **drift_anchor; /* per model table with findings */
};

static void md_table(struct md_ctx *x, size_t ti)
{
	struct pgd_strbuf *out = x->out;
	const struct pgd_table *t = x->m->tables[ti];
	char *id = qname(t->obj.schema, t->obj.name);
	pgd_strbuf_addstr(out, "\n### ");
	md(out, id);
	pgd_strbuf_addstr(out, "\n\n**Purpose:** ");
	if (t->comment)
		md(out, t->comment);
	else
		pgd_strbuf_addstr(out, "no `COMMENT ON TABLE` in the migrations");
	pgd_strbuf_addstr(out, "  \n**Defined in:** ");
	if (t->obj.created.file)
		md_src(out, &t->obj.created);
	if (t->obj.changed.file) {
		pgd_strbuf_addstr(out, "; last altered in ");
		md_src(out, &t->obj.changed);
	}
	pgd_strbuf_addf(out, "  \n**Row level security:** %s, %s",
			t->rls_enabled ? "enabled" : "**disabled**",
			t->rls_forced ? "forced" : "not forced");
	if (x->o->database) {
		size_t n = table_findings(x->o, t);
		if (n)
			pgd_strbuf_addf(out, "  \n**Database:** ❌ drifted: [%zu finding%s](#%s)",
					n, n == 1 ? "" : "s", x->drift_anchor[ti]);
		else
			pgd_strbuf_addstr(out, "  \n**Database:** ✅ verified");
	}
	pgd_strbuf_addf(out, "\n\n**Columns (%zu)**\n\n", t->ncolumns);
	if (t->columns_unknown)
		pgd_strbuf_addstr(out, "The columns come from a `CREATE TABLE AS` or "
				       "`LIKE` the replay could not follow.\n\n");
	pgd_strbuf_addstr(out, "| # | column | type | nullable | default | comment |\n"
			       "|---:|---|---|---|---|---|\n");
	for (size_t k = 0; k < t->ncolumns; k++) {
		const struct pgd_column *c = t->columns[k];
		pgd_strbuf_addf(out, "| %zu | ", k + 1);
		md(out, c->obj.name);
		pgd_strbuf_addstr(out, " | ");
		md(out, c->type);
		pgd_strbuf_addf(out, " | %s | ", c->not_null ? "NOT NULL" : "null");
		if (c->identity)
			pgd_strbuf_addstr(out, c->identity == 'a'
					       ? "GENERATED ALWAYS AS IDENTITY"
					       : "GENERATED BY DEFAULT AS IDENTITY");
		else if (c->generated)
			pgd_strbuf_addstr(out, "GENERATED ALWAYS AS (");
		if (c->def)
			md(out, c->def);
		if (c->generated)
			pgd_strbuf_addstr(out, ") STORED");
		pgd_strbuf_addstr(out, " | ");
		md(out, c->comment);
		pgd_strbuf_addstr(out, " |\n");
	}
	const struct pgd_constraint *pk = primary_key(t);
	pgd_strbuf_addstr(out, "\n**Primary key:** ");
	if (pk) {
		pgd_strbuf_addch(out, '(');
		md_list(out, pk->columns, pk->ncolumns);
		pgd_strbuf_addstr(out, "), constraint ");
		md(out, pk->obj.name);
		pgd_strbuf_addch(out, '\n');
	} else {
		pgd_strbuf_addstr(out, "none\n");
	}
	size_t nfk = 0;
	for (size_t k = 0; k < t->nconstraints; k++)
		nfk += t->constraints[k]->type == PGD_CON_FOREIGN;
	pgd_strbuf_addf(out, "\n**Foreign keys (%zu)**\n\n", nfk);
	if (!nfk)
		pgd_strbuf_addstr(out, "None.\n");
	else
		pgd_strbuf_addstr(out, "| foreign key | on delete | on update | constraint |\n"
				       "|---|---|---|---|\n");
	for (size_t k = 0; k < t->nconstraints; k++) {
		const struct pgd_constraint *c = t->constraints[k];
		if (c->type != PGD_CON_FOREIGN)
			continue;
		pgd_strbuf_addstr(out, "| ");
		md_list(out, c->columns, c->ncolumns);
		pgd_strbuf_addstr(out, " → ");
		char *ref = qname(c->ref_schema, c->ref_table ? c->ref_table : "?");
		md(out, ref);
		free(ref);
		pgd_strbuf_addch(out, '(');
		md_list(out, c->ref_columns, c->nref_columns);
		pgd_strbuf_addf(out, ") | %s | %s | ", fk_action(c->def, "ON DELETE "),
				fk_action(c->def, "ON UPDATE "));
		md(out, c->obj.name);
		pgd_strbuf_addstr(out, c->validated ? " |\n" : " (NOT VALID) |\n");
	}
	pgd_strbuf_addf(out, "\n**Indexes (%zu)**\n\n", t->nindexes);
	if (!t->nindexes)
		pgd_strbuf_addstr(out, "None.\n");
	else
		pgd_strbuf_addstr(out, "| index | definition |\n|---|---|\n");
	for (size_t k = 0; k < t->nindexes; k++) {
		const struct pgd_index *ix = t->indexes[k];
		pgd_strbuf_addstr(out, "| ");
		md(out, ix->obj.name);
		pgd_strbuf_addstr(out, " | ");
		md(out, ix->def);
		pgd_strbuf_addstr(out, " |\n");
	}
	pgd_strbuf_addf(out, "\n**Policies (%zu)**\n\n", t->npolicies);
	if (!t->npolicies)
		pgd_strbuf_addstr(out, t->rls_enabled
				       ? "None: RLS is enabled, so no row is reachable but "
					 "by the owner and roles that bypass RLS.\n"
				       : "None.\n");
	else
		pgd_strbuf_addstr(out, "| policy | command | mode | roles | USING | WITH CHECK |\n"
				       "|---|---|---|---|---|---|\n");
	for (size_t k = 0; k < t->npolicies; k++)
		policy_row(out, NULL, t->policies[k]);
	if (x->o->code)
		md_used_by(out, x->o, t);
	free(id);
}

static void md_stat(struct pgd_strbuf *out, const char *what, size_t n)
{
	pgd_strbuf_addf(out, "| %s | %zu |\n", what, n);
}

void pgd_inventory_markdown(const struct pgd_migration_set *set,
			    const struct pgd_schema *m,
			    const struct pgd_inventory_options *o,
			    struct pgd_strbuf *out)
{
	struct md_ctx x = { set, m, o, out, { pgd_map_new(), NULL, 0, 0 },
			    NULL, NULL };
	struct pgd_inventory_stats st;
	pgd_inventory_count(set, m, o, &st);
	x.table_anchor = pgd_xcalloc(m->ntables + 1, sizeof(*x.table_anchor));
	x.drift_anchor = pgd_xcalloc(m->ntables + 1, sizeof(*x.drift_anchor));
	/* anchors in the order GitLab meets the headings */
	anchor(&x.a, "Database schema inventory");
	const char *a_stats = anchor(&x.a, "Statistics");
	const char *a_files = anchor(&x.a, "Migration files");
	const char *a_tables = anchor(&x.a, "Tables");
	for (size_t i = 0; i < m->ntables; i++) {
		if (!pgd_inventory_lists(m->tables[i]))
			continue;
		char *id = qname(m->tables[i]->obj.schema, m->tables[i]->obj.name);
		x.table_anchor[i] = anchor(&x.a, id);
		free(id);
	}
	const char *a_platform = st.platform_policies
		? anchor(&x.a, "Policies on platform tables") : NULL;
	const char *a_code = o->code ? anchor(&x.a, "Other objects used by the code")
				     : NULL;
	const char *a_drift = o->database ? anchor(&x.a, "Drift findings") : NULL;
	for (size_t i = 0; o->database && i < m->ntables; i++) {
		if (!pgd_inventory_lists(m->tables[i]) ||
		    !table_findings(o, m->tables[i]))
			continue;
		char *id = qname(m->tables[i]->obj.schema, m->tables[i]->obj.name);
		char *h = pgd_xasprintf("Drift in %s", id);
		x.drift_anchor[i] = anchor(&x.a, h);
		free(h);
		free(id);
	}

	pgd_strbuf_addstr(out, "# Database schema inventory\n\n");
	pgd_strbuf_addf(out, "Generated by pgdrift %s", o->version ? o->version
								  : PGD_VERSION);
	if (o->generated)
		pgd_strbuf_addf(out, " on %s", o->generated);
	pgd_strbuf_addstr(out, " from the migration files in ");
	md(out, o->migrations ? o->migrations : set->dir);
	pgd_strbuf_addf(out, " (%zu file%s), replayed statically", set->nfiles,
			set->nfiles == 1 ? "" : "s");
	if (o->database) {
		pgd_strbuf_addstr(out, ", and compared with ");
		md(out, o->database);
		pgd_strbuf_addf(out, ": %zu table%s verified, %zu drifted", st.verified,
				st.verified == 1 ? "" : "s", st.drifted);
	}
	if (o->code) {
		pgd_strbuf_addstr(out, "; the code in ");
		md(out, o->code);
		pgd_strbuf_addf(out, " uses %zu of its tables", tables_used(m, o));
	}
	pgd_strbuf_addstr(out, ". Regenerate it with `pgdrift inventory`; do not "
			       "edit it by hand.\n\n## Contents\n\n");
	pgd_strbuf_addf(out, "- [Statistics](#%s)\n- [Migration files](#%s)\n"
			     "- [Tables](#%s)\n", a_stats, a_files, a_tables);
	for (size_t i = 0; i < m->ntables; i++) {
		if (!x.table_anchor[i])
			continue;
		char *id = qname(m->tables[i]->obj.schema, m->tables[i]->obj.name);
		pgd_strbuf_addstr(out, "  - [");
		md(out, id);
		pgd_strbuf_addf(out, "](#%s)\n", x.table_anchor[i]);
		free(id);
	}
	if (a_platform)
		pgd_strbuf_addf(out, "- [Policies on platform tables](#%s)\n", a_platform);
	if (a_code)
		pgd_strbuf_addf(out, "- [Other objects used by the code](#%s)\n", a_code);
	if (a_drift)
		pgd_strbuf_addf(out, "- [Drift findings](#%s)\n", a_drift);

	pgd_strbuf_addstr(out, "\n## Statistics\n\n| what | count |\n|---|---:|\n");
	md_stat(out, "migration files", st.files);
	md_stat(out, "versions shared by several files", st.duplicate_versions);
	md_stat(out, "tables", st.tables);
	md_stat(out, "columns", st.columns);
	md_stat(out, "JSONB columns", st.jsonb_columns);
	md_stat(out, "indexes", st.indexes);
	md_stat(out, "foreign keys", st.foreign_keys);
	md_stat(out, "policies", st.policies);
	md_stat(out, "tables with RLS enabled", st.rls_tables);
	md_stat(out, "tables with RLS forced", st.forced_tables);
	md_stat(out, "tables with a comment", st.commented_tables);
	if (st.platform_policies)
		md_stat(out, "policies on platform tables", st.platform_policies);
	if (o->database) {
		md_stat(out, "tables verified against the database", st.verified);
		md_stat(out, "tables drifted", st.drifted);
	}
	if (o->code) {
		size_t used = tables_used(m, o);
		md_stat(out, "tables the code uses", used);
		md_stat(out, "tables no code uses", st.tables - used);
	}

	pgd_strbuf_addstr(out, "\n## Migration files\n\n"
			       "| # | version | file | purpose | statements | tables | indexes | policies |\n"
			       "|---:|---|---|---|---:|---|---|---|\n");
	struct file_acts *acts = file_acts_all(set, m);
	for (size_t i = 0; i < set->nfiles; i++) {
		const struct pgd_migration_file *mf = &set->files[i];
		struct file_acts *fa = &acts[i];
		pgd_strbuf_addf(out, "| %zu | ", i + 1);
		md(out, mf->version);
		if (duplicate_version(set, i))
			pgd_strbuf_addstr(out, " ⚠️ duplicate");
		pgd_strbuf_addstr(out, " | ");
		md(out, mf->name);
		pgd_strbuf_addstr(out, " | ");
		char *purpose = file_purpose(mf);
		md(out, purpose ? purpose : mf->label);
		free(purpose);
		pgd_strbuf_addf(out, " | %zu | ", mf->nstatements);
		md_cell_names(out, fa->tables);
		pgd_strbuf_addstr(out, " | ");
		md_cell_names(out, fa->indexes);
		pgd_strbuf_addstr(out, " | ");
		md_cell_names(out, fa->policies);
		pgd_strbuf_addstr(out, " |\n");
		file_acts_release(fa);
	}
	free(acts);

	pgd_strbuf_addf(out, "\n## Tables\n\n%zu tables, in schema and name order.\n",
			st.tables);
	for (size_t i = 0; i < m->ntables; i++)
		if (x.table_anchor[i])
			md_table(&x, i);

	if (a_platform) {
		pgd_strbuf_addstr(out, "\n## Policies on platform tables\n\n"
				       "| table | policy | command | mode | roles | USING | WITH CHECK |\n"
				       "|---|---|---|---|---|---|---|\n");
		for (size_t i = 0; i < m->ntables; i++) {
			const struct pgd_table *t = m->tables[i];
			if (pgd_inventory_lists(t))
				continue;
			char *id = qname(t->obj.schema, t->obj.name);
			for (size_t k = 0; k < t->npolicies; k++)
				policy_row(out, id, t->policies[k]);
			free(id);
		}
	}
	if (a_code) {
		pgd_strbuf_addstr(out, "\n## Other objects used by the code\n\n"
				       "Functions, views, and names the migrations do not "
				       "define as tables.\n\n");
		size_t n = 0;
		for (size_t k = 0; k < o->nuses; k++)
			n += !use_on_listed_table(m, &o->uses[k]);
		if (!n)
			pgd_strbuf_addstr(out, "None.\n");
		else
			pgd_strbuf_addstr(out, "| object | where | via | commands |\n"
					       "|---|---|---|---|\n");
		for (size_t k = 0; k < o->nuses; k++)
			if (!use_on_listed_table(m, &o->uses[k]))
				md_use_row(out, &o->uses[k], true);
	}

	if (a_drift) {
		pgd_strbuf_addstr(out, "\n## Drift findings\n\n");
		if (!o->drift || !o->drift->n)
			pgd_strbuf_addstr(out, "None: every table matches its migrations.\n");
		for (size_t i = 0; i < m->ntables; i++) {
			if (!x.drift_anchor[i])
				continue;
			const struct pgd_table *t = m->tables[i];
			char *id = table_ident(t);
			char *shown = qname(t->obj.schema, t->obj.name);
			pgd_strbuf_addstr(out, "\n### Drift in ");
			md(out, shown);
			pgd_strbuf_addstr(out, "\n\n[Back to the table](#");
			pgd_strbuf_addstr(out, x.table_anchor[i]);
			pgd_strbuf_addstr(out, ")\n\n| severity | code | finding | migration |\n"
					       "|---|---|---|---|\n");
			for (size_t k = 0; k < o->drift->n; k++) {
				const struct pgd_finding *f = &o->drift->v[k];
				if (!f->table || strcmp(f->table, id))
					continue;
				pgd_strbuf_addf(out, "| %s | %s %s | ",
						pgd_severity_name(f->severity),
						f->rule->code, f->rule->name);
				md(out, f->message);
				pgd_strbuf_addstr(out, " | ");
				if (f->file) {
					md(out, f->file);
					pgd_strbuf_addf(out, ":%u", f->line);
				}
				pgd_strbuf_addstr(out, " |\n");
			}
			free(id);
			free(shown);
		}
		/* findings on objects the inventory has no section for */
		bool header = false;
		for (size_t k = 0; o->drift && k < o->drift->n; k++) {
			const struct pgd_finding *f = &o->drift->v[k];
			bool listed = false;
			for (size_t i = 0; f->table && !listed && i < m->ntables; i++) {
				if (!x.drift_anchor[i])
					continue;
				char *id = table_ident(m->tables[i]);
				listed = !strcmp(id, f->table);
				free(id);
			}
			if (listed)
				continue;
			if (!header) {
				pgd_strbuf_addstr(out, "\n### Other drift\n\n"
						       "| severity | code | object | finding |\n"
						       "|---|---|---|---|\n");
				header = true;
			}
			pgd_strbuf_addf(out, "| %s | %s %s | ",
					pgd_severity_name(f->severity), f->rule->code,
					f->rule->name);
			md(out, f->object);
			pgd_strbuf_addstr(out, " | ");
			md(out, f->message);
			pgd_strbuf_addstr(out, " |\n");
		}
	}
	anchors_release(&x.a);
	free(x.table_anchor);
	free(x.drift_anchor);
}

/* ---- JSON */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jstrings(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *jsrc(const struct pgd_src *s)
{
	if (!s->file)
		return json_null();
	return json_pack("{s:s, s:i}", "file", s->file, "line", (json_int_t)s->line);
}

static json_t *jacts(const struct names *l)
{
	json_t *o = json_object();
	for (int k = 0; k < ACT_N; k++)
		json_object_set_new(o, act_names[k],
				    jstrings((const char *const *)l[k].v, l[k].n));
	return o;
}

static json_t *jpolicy(const struct pgd_policy *p)
{
	json_t *j = json_object();
	json_object_set_new(j, "name", json_string(p->obj.name));
	json_object_set_new(j, "command", json_string(pgd_polcmd_name(p->cmd)));
	json_object_set_new(j, "permissive", json_boolean(p->permissive));
	json_object_set_new(j, "roles", jstrings(p->roles, p->nroles));
	json_object_set_new(j, "using", jstr(p->using_expr));
	json_object_set_new(j, "with_check", jstr(p->check_expr));
	json_object_set_new(j, "source", jsrc(&p->obj.created));
	return j;
}

static json_t *jtable(const struct pgd_inventory_options *o,
		      const struct pgd_table *t)
{
	json_t *j = json_object();
	json_object_set_new(j, "schema", json_string(t->obj.schema));
	json_object_set_new(j, "name", json_string(t->obj.name));
	json_object_set_new(j, "comment", jstr(t->comment));
	json_object_set_new(j, "source", jsrc(&t->obj.created));
	json_object_set_new(j, "changed", jsrc(&t->obj.changed));
	json_object_set_new(j, "rls_enabled", json_boolean(t->rls_enabled));
	json_object_set_new(j, "rls_forced", json_boolean(t->rls_forced));
	json_t *cols = json_array();
	for (size_t k = 0; k < t->ncolumns; k++) {
		const struct pgd_column *c = t->columns[k];
		json_t *jc = json_object();
		json_object_set_new(jc, "name", json_string(c->obj.name));
		json_object_set_new(jc, "type", json_string(c->type));
		json_object_set_new(jc, "not_null", json_boolean(c->not_null));
		json_object_set_new(jc, "default", jstr(c->generated ? NULL : c->def));
		json_object_set_new(jc, "identity", c->identity == 'a'
			? json_string("always") : c->identity == 'd'
			? json_string("by default") : json_null());
		json_object_set_new(jc, "generated", jstr(c->generated ? c->def : NULL));
		json_object_set_new(jc, "comment", jstr(c->comment));
		json_array_append_new(cols, jc);
	}
	json_object_set_new(j, "columns", cols);
	const struct pgd_constraint *pk = primary_key(t);
	json_object_set_new(j, "primary_key", pk
		? json_pack("{s:s, s:o}", "name", pk->obj.name, "columns",
			    jstrings(pk->columns, pk->ncolumns))
		: json_null());
	json_t *fks = json_array();
	for (size_t k = 0; k < t->nconstraints; k++) {
		const struct pgd_constraint *c = t->constraints[k];
		if (c->type != PGD_CON_FOREIGN)
			continue;
		json_t *jf = json_object();
		json_object_set_new(jf, "name", json_string(c->obj.name));
		json_object_set_new(jf, "columns", jstrings(c->columns, c->ncolumns));
		json_object_set_new(jf, "references", json_pack("{s:o, s:o, s:o}",
			"schema", jstr(c->ref_schema), "table", jstr(c->ref_table),
			"columns", jstrings(c->ref_columns, c->nref_columns)));
		json_object_set_new(jf, "on_delete", json_string(fk_action(c->def, "ON DELETE ")));
		json_object_set_new(jf, "on_update", json_string(fk_action(c->def, "ON UPDATE ")));
		json_object_set_new(jf, "validated", json_boolean(c->validated));
		json_object_set_new(jf, "definition", jstr(c->def));
		json_array_append_new(fks, jf);
	}
	json_object_set_new(j, "foreign_keys", fks);
	json_t *ixs = json_array();
	for (size_t k = 0; k < t->nindexes; k++) {
		const struct pgd_index *ix = t->indexes[k];
		json_array_append_new(ixs, json_pack("{s:s, s:o, s:b, s:b}",
			"name", ix->obj.name, "definition", jstr(ix->def),
			"unique", ix->unique, "primary", ix->primary));
	}
	json_object_set_new(j, "indexes", ixs);
	json_t *pols = json_array();
	for (size_t k = 0; k < t->npolicies; k++)
		json_array_append_new(pols, jpolicy(t->policies[k]));
	json_object_set_new(j, "policies", pols);
	if (o->database) {
		char *id = table_ident(t);
		json_t *fs = json_array();
		for (size_t i = 0; o->drift && i < o->drift->n; i++) {
			const struct pgd_finding *f = &o->drift->v[i];
			if (!f->table || strcmp(f->table, id))
				continue;
			json_array_append_new(fs, json_pack("{s:s, s:s, s:s, s:o, s:s}",
				"code", f->rule->code, "name", f->rule->name,
				"severity", pgd_severity_name(f->severity),
				"object", jstr(f->object), "message", f->message));
		}
		json_object_set_new(j, "status", json_string(json_array_size(fs)
							     ? "drifted" : "verified"));
		json_object_set_new(j, "findings", fs);
		free(id);
	} else {
		json_object_set_new(j, "status", json_null());
	}
	if (o->code)
		json_object_set_new(j, "used_by", juses(o, 't', t->obj.schema,
							t->obj.name));
	return j;
}

void pgd_inventory_json(const struct pgd_migration_set *set,
			const struct pgd_schema *m,
			const struct pgd_inventory_options *o,
			struct pgd_strbuf *out)
{
	struct pgd_inventory_stats st;
	pgd_inventory_count(set, m, o, &st);
	json_t *root = json_object();
	json_object_set_new(root, "format", json_string("pgdrift.inventory/1"));
	json_object_set_new(root, "tool", json_pack("{s:s, s:s}", "name", "pgdrift",
		"version", o->version ? o->version : PGD_VERSION));
	json_object_set_new(root, "generated", jstr(o->generated));
	json_object_set_new(root, "migrations", jstr(o->migrations ? o->migrations
								    : set->dir));
	json_object_set_new(root, "database", jstr(o->database));
	if (o->code)
		json_object_set_new(root, "code", json_string(o->code));
	json_t *js = json_object();
#define STAT(k) json_object_set_new(js, #k, json_integer((json_int_t)st.k))
	STAT(files);
	STAT(duplicate_versions);
	STAT(tables);
	STAT(columns);
	STAT(jsonb_columns);
	STAT(indexes);
	STAT(foreign_keys);
	STAT(policies);
	STAT(platform_policies);
	STAT(rls_tables);
	STAT(forced_tables);
	STAT(commented_tables);
	if (o->database) {
		STAT(verified);
		STAT(drifted);
	}
	if (o->code)
		json_object_set_new(js, "tables_used_by_code",
				    json_integer((json_int_t)tables_used(m, o)));
#undef STAT
	json_object_set_new(root, "statistics", js);
	json_t *files = json_array();
	struct file_acts *acts = file_acts_all(set, m);
	for (size_t i = 0; i < set->nfiles; i++) {
		const struct pgd_migration_file *mf = &set->files[i];
		struct file_acts *fa = &acts[i];
		char *purpose = file_purpose(mf);
		json_t *jf = json_object();
		json_object_set_new(jf, "file", json_string(mf->path));
		json_object_set_new(jf, "name", json_string(mf->name));
		json_object_set_new(jf, "version", json_string(mf->version));
		json_object_set_new(jf, "label", json_string(mf->label));
		json_object_set_new(jf, "purpose", jstr(purpose));
		json_object_set_new(jf, "duplicate_version",
				    json_boolean(duplicate_version(set, i)));
		json_object_set_new(jf, "statements", json_integer((json_int_t)mf->nstatements));
		json_object_set_new(jf, "tables", jacts(fa->tables));
		json_object_set_new(jf, "indexes", jacts(fa->indexes));
		json_object_set_new(jf, "policies", jacts(fa->policies));
		json_array_append_new(files, jf);
		free(purpose);
		file_acts_release(fa);
	}
	free(acts);
	json_object_set_new(root, "migration_files", files);
	json_t *tables = json_array();
	json_t *platform = json_array();
	for (size_t i = 0; i < m->ntables; i++) {
		const struct pgd_table *t = m->tables[i];
		if (pgd_inventory_lists(t)) {
			json_array_append_new(tables, jtable(o, t));
			continue;
		}
		for (size_t k = 0; k < t->npolicies; k++) {
			json_t *p = jpolicy(t->policies[k]);
			json_object_set_new(p, "table", json_pack("{s:s, s:s}",
				"schema", t->obj.schema, "name", t->obj.name));
			json_array_append_new(platform, p);
		}
	}
	json_object_set_new(root, "tables", tables);
	json_object_set_new(root, "platform_policies", platform);
	if (o->code) {
		json_t *other = json_array();
		json_t *all = juses(o, 0, NULL, NULL);
		for (size_t k = 0; k < o->nuses; k++)
			if (!use_on_listed_table(m, &o->uses[k]))
				json_array_append(other, json_array_get(all, k));
		json_decref(all);
		json_object_set_new(root, "other_code_uses", other);
	}
	if (o->database) {
		json_t *other = json_array();
		for (size_t k = 0; o->drift && k < o->drift->n; k++) {
			const struct pgd_finding *f = &o->drift->v[k];
			bool listed = false;
			for (size_t i = 0; f->table && !listed && i < m->ntables; i++) {
				if (!pgd_inventory_lists(m->tables[i]))
					continue;
				char *id = table_ident(m->tables[i]);
				listed = !strcmp(id, f->table);
				free(id);
			}
			if (!listed)
				json_array_append_new(other, json_pack("{s:s, s:s, s:s, s:o, s:s}",
					"code", f->rule->code, "name", f->rule->name,
					"severity", pgd_severity_name(f->severity),
					"object", jstr(f->object), "message", f->message));
		}
		json_object_set_new(root, "other_findings", other);
	}
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					     JSON_ENSURE_ASCII);
	if (!text)
		PGD_BUG("out of memory writing JSON");
	pgd_strbuf_addstr(out, text);
	pgd_strbuf_addch(out, '\n');
	free(text);
	json_decref(root);
}
