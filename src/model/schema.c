/*
 * schema.c - the schema model: construction, lookup, removal, sorting.
 * Every allocation lives in the model's arena except the vectors' storage
 * and the maps, which pgd_schema_free() releases too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/arena.h"
#include "pgdrift/map.h"
#include "pgdrift/schema.h"
#include "pgdrift/strbuf.h"

static const char *const kind_names[PGD_KIND_COUNT] = {
	[PGD_SCHEMA] = "schema",       [PGD_TABLE] = "table",
	[PGD_COLUMN] = "column",       [PGD_CONSTRAINT] = "constraint",
	[PGD_INDEX] = "index",         [PGD_POLICY] = "policy",
	[PGD_TRIGGER] = "trigger",     [PGD_TYPE] = "type",
	[PGD_SEQUENCE] = "sequence",   [PGD_VIEW] = "view",
	[PGD_FUNCTION] = "function",   [PGD_EXTENSION] = "extension",
};

const char *pgd_kind_name(enum pgd_kind kind)
{
	if ((unsigned)kind >= PGD_KIND_COUNT)
		PGD_BUG("bad object kind %d", (int)kind);
	return kind_names[kind];
}

/* VEC_PUSH(o, f, x): append x to the vector o->f (with o->nf, o->af). */
#define VEC_PUSH(o, f, item)                                        \
	do {                                                        \
		PGD_GROW((o)->f, (o)->a##f, (o)->n##f + 1);         \
		(o)->f[(o)->n##f++] = (item);                       \
	} while (0)

/* Removes the first element equal to item (pointer vectors). */
#define VEC_REMOVE(o, f, item)                                            \
	do {                                                              \
		for (size_t i_ = 0; i_ < (o)->n##f; i_++)                 \
			if ((o)->f[i_] == (item)) {                       \
				memmove(&(o)->f[i_], &(o)->f[i_ + 1],     \
					((o)->n##f - i_ - 1) *            \
						sizeof(*(o)->f));         \
				(o)->n##f--;                              \
				break;                                    \
			}                                                 \
	} while (0)

struct pgd_schema *pgd_schema_new(void)
{
	struct pgd_schema *m = pgd_xcalloc(1, sizeof(*m));
	m->arena = pgd_arena_new();
	m->rels = pgd_map_new();
	m->connames = pgd_map_new();
	m->funcs = pgd_map_new();
	return m;
}

void pgd_schema_free(struct pgd_schema *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ntables; i++) {
		struct pgd_table *t = m->tables[i];
		free(t->columns);
		free(t->constraints);
		free(t->indexes);
		free(t->policies);
		free(t->triggers);
	}
	free(m->namespaces);
	free(m->tables);
	free(m->types);
	free(m->sequences);
	free(m->views);
	free(m->functions);
	free(m->extensions);
	free(m->tombstones);
	free(m->unmodeled);
	free(m->roles);
	free(m->default_acls);
	free(m->fresh);
	pgd_map_free(m->rels);
	pgd_map_free(m->connames);
	pgd_map_free(m->funcs);
	pgd_arena_free(m->arena);
	free(m);
}

const char *pgd_schema_strdup(struct pgd_schema *m, const char *s)
{
	return s ? pgd_arena_strdup(m->arena, s) : NULL;
}

const char *pgd_schema_strndup(struct pgd_schema *m, const char *s, size_t n)
{
	return pgd_arena_strndup(m->arena, s, n);
}

void *pgd_schema_alloc(struct pgd_schema *m, size_t size)
{
	return pgd_arena_alloc(m->arena, size);
}

static void *new_object(struct pgd_schema *m, size_t size, enum pgd_kind kind,
			const char *schema, const char *name)
{
	struct pgd_object *o = pgd_arena_alloc(m->arena, size);
	o->kind = kind;
	o->schema = pgd_schema_strdup(m, schema);
	o->name = pgd_schema_strdup(m, name);
	return o;
}

/* ---- keys: "schema\x1fname"; lookups build them in a stack buffer */

#define KEYBUF 512

static size_t make_key(char *buf, size_t cap, const char *a, const char *b,
		       char **heap)
{
	size_t la = strlen(a), lb = strlen(b), n = la + 1 + lb;
	char *p = buf;
	*heap = NULL;
	if (n + 1 > cap)
		p = *heap = pgd_xmalloc(n + 1);
	memcpy(p, a, la);
	p[la] = '\x1f';
	memcpy(p + la + 1, b, lb);
	p[n] = '\0';
	return n;
}

static void *map_get2(const struct pgd_map *map, const char *a, const char *b)
{
	char buf[KEYBUF], *heap;
	size_t n = make_key(buf, sizeof(buf), a, b, &heap);
	void *v = pgd_map_get(map, heap ? heap : buf, n);
	free(heap);
	return v;
}

static void map_put2(struct pgd_schema *m, struct pgd_map *map, const char *a,
		     const char *b, void *value)
{
	char buf[KEYBUF], *heap;
	size_t n = make_key(buf, sizeof(buf), a, b, &heap);
	const char *key = pgd_schema_strndup(m, heap ? heap : buf, n);
	free(heap);
	pgd_map_put(map, key, n, value);
}

static void map_del2(struct pgd_map *map, const char *a, const char *b)
{
	char buf[KEYBUF], *heap;
	size_t n = make_key(buf, sizeof(buf), a, b, &heap);
	pgd_map_del(map, heap ? heap : buf, n);
	free(heap);
}

/* ---- namespaces */

struct pgd_namespace *pgd_schema_find_namespace(const struct pgd_schema *m,
						const char *name)
{
	for (size_t i = 0; i < m->nnamespaces; i++)
		if (strcmp(m->namespaces[i]->obj.name, name) == 0)
			return m->namespaces[i];
	return NULL;
}

struct pgd_namespace *pgd_schema_add_namespace(struct pgd_schema *m,
					       const char *name)
{
	struct pgd_namespace *ns =
		new_object(m, sizeof(*ns), PGD_SCHEMA, name, name);
	VEC_PUSH(m, namespaces, ns);
	if (m->track_fresh)
		VEC_PUSH(m, fresh, &ns->obj);
	return ns;
}

void pgd_schema_remove_namespace(struct pgd_schema *m, struct pgd_namespace *ns)
{
	VEC_REMOVE(m, namespaces, ns);
	VEC_REMOVE(m, fresh, &ns->obj);
}

/* ---- relations */

struct pgd_object *pgd_schema_find_rel(const struct pgd_schema *m,
				       const char *schema, const char *name)
{
	return map_get2(m->rels, schema, name);
}

struct pgd_table *pgd_schema_find_table(const struct pgd_schema *m,
					const char *schema, const char *name)
{
	struct pgd_object *o = pgd_schema_find_rel(m, schema, name);
	return o && o->kind == PGD_TABLE ? (struct pgd_table *)o : NULL;
}

struct pgd_table *pgd_schema_add_table(struct pgd_schema *m, const char *schema,
				       const char *name)
{
	struct pgd_table *t = new_object(m, sizeof(*t), PGD_TABLE, schema, name);
	t->relkind = 'r';
	t->next_position = 1;
	VEC_PUSH(m, tables, t);
	if (m->track_fresh)
		VEC_PUSH(m, fresh, &t->obj);
	map_put2(m, m->rels, t->obj.schema, t->obj.name, t);
	return t;
}

static void conname_adjust(struct pgd_schema *m, const char *schema,
			   const char *name, int delta)
{
	uintptr_t n = (uintptr_t)map_get2(m->connames, schema, name);
	if (delta < 0 && n <= 1) {
		map_del2(m->connames, schema, name);
		return;
	}
	map_del2(m->connames, schema, name);
	map_put2(m, m->connames, schema, name, (void *)(n + (uintptr_t)delta));
}

void pgd_schema_remove_table(struct pgd_schema *m, struct pgd_table *t)
{
	while (t->nindexes)
		pgd_table_remove_index(m, t, t->indexes[t->nindexes - 1]);
	while (t->nconstraints)
		pgd_table_remove_constraint(m, t,
					    t->constraints[t->nconstraints - 1]);
	map_del2(m->rels, t->obj.schema, t->obj.name);
	free(t->columns);
	free(t->constraints);
	free(t->indexes);
	free(t->policies);
	free(t->triggers);
	t->columns = NULL;
	t->constraints = NULL;
	t->indexes = NULL;
	t->policies = NULL;
	t->triggers = NULL;
	t->acl.n = 0;
	t->ncolumns = t->npolicies = t->ntriggers = 0;
	VEC_REMOVE(m, tables, t);
	VEC_REMOVE(m, fresh, &t->obj);
}

void pgd_schema_rename_rel(struct pgd_schema *m, struct pgd_object *rel,
			   const char *new_schema, const char *new_name)
{
	map_del2(m->rels, rel->schema, rel->name);
	rel->schema = pgd_schema_strdup(m, new_schema);
	rel->name = pgd_schema_strdup(m, new_name);
	map_put2(m, m->rels, rel->schema, rel->name, rel);
	if (rel->kind == PGD_TABLE) {
		/* objects of a table carry the table's schema */
		struct pgd_table *t = (struct pgd_table *)rel;
		for (size_t i = 0; i < t->ncolumns; i++)
			t->columns[i]->obj.schema = rel->schema;
		for (size_t i = 0; i < t->nconstraints; i++) {
			struct pgd_constraint *c = t->constraints[i];
			if (c->obj.schema != rel->schema &&
			    strcmp(c->obj.schema, rel->schema) != 0) {
				conname_adjust(m, c->obj.schema, c->obj.name, -1);
				conname_adjust(m, rel->schema, c->obj.name, +1);
			}
			c->obj.schema = rel->schema;
		}
		for (size_t i = 0; i < t->nindexes; i++) {
			struct pgd_index *ix = t->indexes[i];
			if (strcmp(ix->obj.schema, rel->schema) != 0) {
				map_del2(m->rels, ix->obj.schema, ix->obj.name);
				ix->obj.schema = rel->schema;
				map_put2(m, m->rels, ix->obj.schema,
					 ix->obj.name, ix);
			}
		}
		for (size_t i = 0; i < t->npolicies; i++)
			t->policies[i]->obj.schema = rel->schema;
		for (size_t i = 0; i < t->ntriggers; i++)
			t->triggers[i]->obj.schema = rel->schema;
	}
}

/* ---- columns */

struct pgd_column *pgd_table_find_column(const struct pgd_table *t,
					 const char *name)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		if (strcmp(t->columns[i]->obj.name, name) == 0)
			return t->columns[i];
	return NULL;
}

struct pgd_column *pgd_table_add_column(struct pgd_schema *m,
					struct pgd_table *t, const char *name)
{
	struct pgd_column *c =
		new_object(m, sizeof(*c), PGD_COLUMN, t->obj.schema, name);
	c->obj.schema = t->obj.schema;
	c->table = t;
	c->position = t->next_position++;
	VEC_PUSH(t, columns, c);
	return c;
}

void pgd_table_remove_column(struct pgd_table *t, struct pgd_column *c)
{
	VEC_REMOVE(t, columns, c);
}

/* ---- constraints */

struct pgd_constraint *pgd_table_find_constraint(const struct pgd_table *t,
						 const char *name)
{
	for (size_t i = 0; i < t->nconstraints; i++)
		if (strcmp(t->constraints[i]->obj.name, name) == 0)
			return t->constraints[i];
	return NULL;
}

struct pgd_constraint *pgd_table_add_constraint(struct pgd_schema *m,
						struct pgd_table *t,
						const char *name)
{
	struct pgd_constraint *c =
		new_object(m, sizeof(*c), PGD_CONSTRAINT, t->obj.schema, name);
	c->obj.schema = t->obj.schema;
	c->table = t;
	c->validated = true;
	VEC_PUSH(t, constraints, c);
	conname_adjust(m, c->obj.schema, c->obj.name, +1);
	return c;
}

void pgd_table_remove_constraint(struct pgd_schema *m, struct pgd_table *t,
				 struct pgd_constraint *c)
{
	conname_adjust(m, c->obj.schema, c->obj.name, -1);
	VEC_REMOVE(t, constraints, c);
}

void pgd_schema_rename_constraint(struct pgd_schema *m, struct pgd_constraint *c,
				  const char *new_name)
{
	conname_adjust(m, c->obj.schema, c->obj.name, -1);
	c->obj.name = pgd_schema_strdup(m, new_name);
	conname_adjust(m, c->obj.schema, c->obj.name, +1);
}

bool pgd_schema_conname_taken(const struct pgd_schema *m, const char *schema,
			      const char *name)
{
	return map_get2(m->connames, schema, name) != NULL;
}

/* ---- indexes */

struct pgd_index *pgd_schema_find_index(const struct pgd_schema *m,
					const char *schema, const char *name)
{
	struct pgd_object *o = pgd_schema_find_rel(m, schema, name);
	return o && o->kind == PGD_INDEX ? (struct pgd_index *)o : NULL;
}

struct pgd_index *pgd_table_add_index(struct pgd_schema *m, struct pgd_table *t,
				      const char *name)
{
	struct pgd_index *ix =
		new_object(m, sizeof(*ix), PGD_INDEX, t->obj.schema, name);
	ix->obj.schema = t->obj.schema;
	ix->table = t;
	VEC_PUSH(t, indexes, ix);
	map_put2(m, m->rels, ix->obj.schema, ix->obj.name, ix);
	return ix;
}

void pgd_table_remove_index(struct pgd_schema *m, struct pgd_table *t,
			    struct pgd_index *ix)
{
	if (pgd_schema_find_rel(m, ix->obj.schema, ix->obj.name) == &ix->obj)
		map_del2(m->rels, ix->obj.schema, ix->obj.name);
	VEC_REMOVE(t, indexes, ix);
}

/* ---- policies, triggers */

struct pgd_policy *pgd_table_find_policy(const struct pgd_table *t,
					 const char *name)
{
	for (size_t i = 0; i < t->npolicies; i++)
		if (strcmp(t->policies[i]->obj.name, name) == 0)
			return t->policies[i];
	return NULL;
}

struct pgd_policy *pgd_table_add_policy(struct pgd_schema *m,
					struct pgd_table *t, const char *name)
{
	struct pgd_policy *p =
		new_object(m, sizeof(*p), PGD_POLICY, t->obj.schema, name);
	p->obj.schema = t->obj.schema;
	p->table = t;
	p->cmd = PGD_POL_ALL;
	p->permissive = true;
	VEC_PUSH(t, policies, p);
	return p;
}

void pgd_table_remove_policy(struct pgd_table *t, struct pgd_policy *p)
{
	VEC_REMOVE(t, policies, p);
}

struct pgd_trigger *pgd_table_find_trigger(const struct pgd_table *t,
					   const char *name)
{
	for (size_t i = 0; i < t->ntriggers; i++)
		if (strcmp(t->triggers[i]->obj.name, name) == 0)
			return t->triggers[i];
	return NULL;
}

struct pgd_trigger *pgd_table_add_trigger(struct pgd_schema *m,
					  struct pgd_table *t, const char *name)
{
	struct pgd_trigger *tg =
		new_object(m, sizeof(*tg), PGD_TRIGGER, t->obj.schema, name);
	tg->obj.schema = t->obj.schema;
	tg->table = t;
	VEC_PUSH(t, triggers, tg);
	return tg;
}

void pgd_table_remove_trigger(struct pgd_table *t, struct pgd_trigger *tg)
{
	VEC_REMOVE(t, triggers, tg);
}

void pgd_table_grant(struct pgd_schema *m, struct pgd_table *t,
		     const char *grantee, unsigned privs, bool revoke)
{
	if (revoke)
		pgd_acl_revoke(&t->acl, grantee, privs, false);
	else
		pgd_acl_grant(m, &t->acl, grantee, privs, 0);
}

/* ---- types, sequences, views, functions, extensions */

#define FIND_BY_NAME(vec, n, schema, name)                                   \
	for (size_t i = 0; i < (n); i++)                                     \
		if (strcmp((vec)[i]->obj.name, (name)) == 0 &&               \
		    strcmp((vec)[i]->obj.schema, (schema)) == 0)             \
			return (vec)[i];                                     \
	return NULL

struct pgd_type *pgd_schema_find_type(const struct pgd_schema *m,
				      const char *schema, const char *name)
{
	FIND_BY_NAME(m->types, m->ntypes, schema, name);
}

struct pgd_type *pgd_schema_add_type(struct pgd_schema *m, const char *schema,
				     const char *name)
{
	struct pgd_type *ty = new_object(m, sizeof(*ty), PGD_TYPE, schema, name);
	VEC_PUSH(m, types, ty);
	if (m->track_fresh)
		VEC_PUSH(m, fresh, &ty->obj);
	return ty;
}

void pgd_schema_remove_type(struct pgd_schema *m, struct pgd_type *ty)
{
	VEC_REMOVE(m, types, ty);
	VEC_REMOVE(m, fresh, &ty->obj);
}

struct pgd_sequence *pgd_schema_find_sequence(const struct pgd_schema *m,
					      const char *schema,
					      const char *name)
{
	struct pgd_object *o = pgd_schema_find_rel(m, schema, name);
	return o && o->kind == PGD_SEQUENCE ? (struct pgd_sequence *)o : NULL;
}

struct pgd_sequence *pgd_schema_add_sequence(struct pgd_schema *m,
					     const char *schema,
					     const char *name)
{
	struct pgd_sequence *s =
		new_object(m, sizeof(*s), PGD_SEQUENCE, schema, name);
	VEC_PUSH(m, sequences, s);
	if (m->track_fresh)
		VEC_PUSH(m, fresh, &s->obj);
	map_put2(m, m->rels, s->obj.schema, s->obj.name, s);
	return s;
}

void pgd_schema_remove_sequence(struct pgd_schema *m, struct pgd_sequence *s)
{
	if (pgd_schema_find_rel(m, s->obj.schema, s->obj.name) == &s->obj)
		map_del2(m->rels, s->obj.schema, s->obj.name);
	VEC_REMOVE(m, sequences, s);
	VEC_REMOVE(m, fresh, &s->obj);
}

struct pgd_view *pgd_schema_find_view(const struct pgd_schema *m,
				      const char *schema, const char *name)
{
	struct pgd_object *o = pgd_schema_find_rel(m, schema, name);
	return o && o->kind == PGD_VIEW ? (struct pgd_view *)o : NULL;
}

struct pgd_view *pgd_schema_add_view(struct pgd_schema *m, const char *schema,
				     const char *name)
{
	struct pgd_view *v = new_object(m, sizeof(*v), PGD_VIEW, schema, name);
	v->relkind = 'v';
	VEC_PUSH(m, views, v);
	if (m->track_fresh)
		VEC_PUSH(m, fresh, &v->obj);
	map_put2(m, m->rels, v->obj.schema, v->obj.name, v);
	return v;
}

void pgd_schema_remove_view(struct pgd_schema *m, struct pgd_view *v)
{
	if (pgd_schema_find_rel(m, v->obj.schema, v->obj.name) == &v->obj)
		map_del2(m->rels, v->obj.schema, v->obj.name);
	VEC_REMOVE(m, views, v);
	VEC_REMOVE(m, fresh, &v->obj);
}

/*
 * The identity form of an argument list: PostgreSQL ignores type
 * modifiers in a signature, so f(vector(1536), numeric(10,2)) is
 * f(vector, numeric). Every "(...)" group goes, with a space before it;
 * no canonical type name has parentheses otherwise. Malloc'd.
 */
static char *identity_args(const char *args)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	int depth = 0;
	bool quoted = false;
	for (const char *p = args ? args : ""; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (!quoted && *p == '(') {
			depth++;
			while (sb.len && sb.buf[sb.len - 1] == ' ')
				sb.buf[--sb.len] = '\0';
			continue;
		}
		if (!quoted && *p == ')' && depth) {
			depth--;
			continue;
		}
		if (!depth)
			pgd_strbuf_addch(&sb, *p);
	}
	return pgd_strbuf_detach(&sb, NULL);
}

/* "name\x1fidentity args", malloc'd: the second half of m->funcs' key */
static char *fn_key(const char *name, const char *id)
{
	return pgd_xasprintf("%s\x1f%s", name, id);
}

static bool same_identity(const struct pgd_function *a, const struct pgd_function *b)
{
	return !strcmp(a->obj.name, b->obj.name) && !strcmp(a->obj.schema, b->obj.schema) &&
	       !strcmp(a->args, b->args);
}

/* m->funcs keeps the first function of each identity in m->functions */
static void fn_index_add(struct pgd_schema *m, struct pgd_function *f)
{
	char *k = fn_key(f->obj.name, f->args);
	if (!map_get2(m->funcs, f->obj.schema, k))
		map_put2(m, m->funcs, f->obj.schema, k, f);
	free(k);
}

static void fn_index_del(struct pgd_schema *m, struct pgd_function *f)
{
	char *k = fn_key(f->obj.name, f->args);
	if (map_get2(m->funcs, f->obj.schema, k) == f) {
		map_del2(m->funcs, f->obj.schema, k);
		for (size_t i = 0; i < m->nfunctions; i++)
			if (m->functions[i] != f && same_identity(m->functions[i], f)) {
				map_put2(m, m->funcs, f->obj.schema, k, m->functions[i]);
				break;
			}
	}
	free(k);
}

struct pgd_function *pgd_schema_find_function(const struct pgd_schema *m,
					      const char *schema,
					      const char *name,
					      const char *args)
{
	char *id = identity_args(args);
	char *k = fn_key(name, id);
	struct pgd_function *found = map_get2(m->funcs, schema, k);
	free(k);
	free(id);
	return found;
}

void pgd_schema_rename_function(struct pgd_schema *m, struct pgd_function *f,
				const char *new_name)
{
	fn_index_del(m, f);
	f->obj.name = pgd_schema_strdup(m, new_name);
	fn_index_add(m, f);
}

struct pgd_function *pgd_schema_find_function_name(const struct pgd_schema *m,
						   const char *schema,
						   const char *name)
{
	FIND_BY_NAME(m->functions, m->nfunctions, schema, name);
}

struct pgd_function *pgd_schema_add_function(struct pgd_schema *m,
					     const char *schema,
					     const char *name,
					     const char *args)
{
	struct pgd_function *f =
		new_object(m, sizeof(*f), PGD_FUNCTION, schema, name);
	char *id = identity_args(args);
	f->args = pgd_schema_strdup(m, id);
	free(id);
	VEC_PUSH(m, functions, f);
	fn_index_add(m, f);
	if (m->track_fresh)
		VEC_PUSH(m, fresh, &f->obj);
	return f;
}

void pgd_schema_remove_function(struct pgd_schema *m, struct pgd_function *f)
{
	fn_index_del(m, f);
	VEC_REMOVE(m, functions, f);
	VEC_REMOVE(m, fresh, &f->obj);
}

struct pgd_extension *pgd_schema_find_extension(const struct pgd_schema *m,
						const char *name)
{
	for (size_t i = 0; i < m->nextensions; i++)
		if (strcmp(m->extensions[i]->obj.name, name) == 0)
			return m->extensions[i];
	return NULL;
}

struct pgd_extension *pgd_schema_add_extension(struct pgd_schema *m,
					       const char *name,
					       const char *schema)
{
	struct pgd_extension *e =
		new_object(m, sizeof(*e), PGD_EXTENSION, schema, name);
	VEC_PUSH(m, extensions, e);
	return e;
}

void pgd_schema_remove_extension(struct pgd_schema *m, struct pgd_extension *e)
{
	VEC_REMOVE(m, extensions, e);
}

/* ---- roles */

struct pgd_role *pgd_schema_find_role(const struct pgd_schema *m,
				      const char *name)
{
	for (size_t i = 0; i < m->nroles; i++)
		if (!strcmp(m->roles[i]->name, name))
			return m->roles[i];
	return NULL;
}

struct pgd_role *pgd_schema_add_role(struct pgd_schema *m, const char *name)
{
	struct pgd_role *r = pgd_arena_alloc(m->arena, sizeof(*r));
	r->name = pgd_schema_strdup(m, name);
	r->inherit = true; /* CREATE ROLE's default */
	VEC_PUSH(m, roles, r);
	return r;
}

/* ---- tombstones, unmodeled statements */

void pgd_schema_add_tombstone(struct pgd_schema *m, enum pgd_kind kind,
			      const char *schema, const char *table,
			      const char *name, const struct pgd_src *dropped)
{
	struct pgd_tombstone ts = {
		kind,
		pgd_schema_strdup(m, schema),
		pgd_schema_strdup(m, table),
		pgd_schema_strdup(m, name),
		*dropped,
	};
	VEC_PUSH(m, tombstones, ts);
}

static bool streq_null(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

const struct pgd_tombstone *pgd_schema_find_tombstone(const struct pgd_schema *m,
						      enum pgd_kind kind,
						      const char *schema,
						      const char *table,
						      const char *name)
{
	for (size_t i = m->ntombstones; i-- > 0;) {
		const struct pgd_tombstone *ts = &m->tombstones[i];
		if (ts->kind == kind && strcmp(ts->name, name) == 0 &&
		    streq_null(ts->schema, schema) && streq_null(ts->table, table))
			return ts;
	}
	return NULL;
}

void pgd_schema_add_unmodeled(struct pgd_schema *m, const struct pgd_src *src,
			      const char *what, const char *reason)
{
	struct pgd_unmodeled u = { *src, pgd_schema_strdup(m, what),
				   pgd_schema_strdup(m, reason) };
	VEC_PUSH(m, unmodeled, u);
}

/* ---- sorting */

static int cmp_obj(const struct pgd_object *a, const struct pgd_object *b)
{
	int c = strcmp(a->schema, b->schema);
	return c ? c : strcmp(a->name, b->name);
}

static int cmp_obj_p(const void *a, const void *b)
{
	return cmp_obj(*(const struct pgd_object *const *)a,
		       *(const struct pgd_object *const *)b);
}

static int cmp_name_p(const void *a, const void *b)
{
	return strcmp((*(const struct pgd_object *const *)a)->name,
		      (*(const struct pgd_object *const *)b)->name);
}

static int cmp_column_p(const void *a, const void *b)
{
	const struct pgd_column *x = *(const struct pgd_column *const *)a;
	const struct pgd_column *y = *(const struct pgd_column *const *)b;
	return (x->position > y->position) - (x->position < y->position);
}

static int cmp_function_p(const void *a, const void *b)
{
	const struct pgd_function *x = *(const struct pgd_function *const *)a;
	const struct pgd_function *y = *(const struct pgd_function *const *)b;
	int c = cmp_obj(&x->obj, &y->obj);
	return c ? c : strcmp(x->args, y->args);
}

static int cmp_default_acl(const void *a, const void *b)
{
	const struct pgd_default_acl *x = *(const struct pgd_default_acl *const *)a;
	const struct pgd_default_acl *y = *(const struct pgd_default_acl *const *)b;
	int c = strcmp(x->role, y->role);
	if (c)
		return c;
	if (!x->schema != !y->schema)
		return x->schema ? 1 : -1; /* the global entry first */
	if (x->schema && (c = strcmp(x->schema, y->schema)))
		return c;
	return (x->objtype > y->objtype) - (x->objtype < y->objtype);
}

#define SORT(vec, n, cmp) \
	do { if ((n) > 1) qsort((vec), (n), sizeof(*(vec)), (cmp)); } while (0)

void pgd_schema_sort(struct pgd_schema *m)
{
	SORT(m->namespaces, m->nnamespaces, cmp_name_p);
	SORT(m->tables, m->ntables, cmp_obj_p);
	SORT(m->types, m->ntypes, cmp_obj_p);
	SORT(m->sequences, m->nsequences, cmp_obj_p);
	SORT(m->views, m->nviews, cmp_obj_p);
	SORT(m->functions, m->nfunctions, cmp_function_p);
	SORT(m->extensions, m->nextensions, cmp_name_p);
	for (size_t i = 0; i < m->ntables; i++) {
		struct pgd_table *t = m->tables[i];
		SORT(t->columns, t->ncolumns, cmp_column_p);
		SORT(t->constraints, t->nconstraints, cmp_name_p);
		SORT(t->indexes, t->nindexes, cmp_name_p);
		SORT(t->policies, t->npolicies, cmp_name_p);
		SORT(t->triggers, t->ntriggers, cmp_name_p);
		pgd_acl_sort(&t->acl);
		for (size_t k = 0; k < t->ncolumns; k++)
			pgd_acl_sort(&t->columns[k]->acl);
	}
	for (size_t i = 0; i < m->nnamespaces; i++)
		pgd_acl_sort(&m->namespaces[i]->acl);
	for (size_t i = 0; i < m->ntypes; i++)
		pgd_acl_sort(&m->types[i]->acl);
	for (size_t i = 0; i < m->nsequences; i++)
		pgd_acl_sort(&m->sequences[i]->acl);
	for (size_t i = 0; i < m->nviews; i++)
		pgd_acl_sort(&m->views[i]->acl);
	for (size_t i = 0; i < m->nfunctions; i++)
		pgd_acl_sort(&m->functions[i]->acl);
	SORT(m->default_acls, m->ndefault_acls, cmp_default_acl);
}

/* Supabase's own schemas, and those its extensions and tools create
 * (the list splinter leaves out too) */
static const char *const platform_schemas[] = {
	"_analytics", "_realtime", "auth", "cron", "extensions", "graphql",
	"graphql_public", "information_schema", "net", "pg_catalog", "pg_toast",
	"pgbouncer", "pgmq", "pgroonga", "pgsodium", "pgsodium_masks", "pgtle",
	"realtime", "repack", "storage", "supabase_functions",
	"supabase_migrations", "tiger", "tiger_data", "topology", "vault",
};

const char *pgd_polcmd_name(enum pgd_polcmd c)
{
	switch (c) {
	case PGD_POL_ALL: return "ALL";
	case PGD_POL_SELECT: return "SELECT";
	case PGD_POL_INSERT: return "INSERT";
	case PGD_POL_UPDATE: return "UPDATE";
	case PGD_POL_DELETE: return "DELETE";
	}
	PGD_BUG("bad policy command %d", (int)c);
}

bool pgd_object_access(struct pgd_object *o, const char ***owner,
		       struct pgd_acl **acl, char *acltype)
{
#define ACCESS(type, kind) do { \
		type *x_ = (type *)o; \
		*owner = &x_->owner; \
		*acl = &x_->acl; \
		*acltype = (kind); \
		return true; \
	} while (0)
	switch (o->kind) {
	case PGD_TABLE: ACCESS(struct pgd_table, PGD_ACL_TABLE);
	case PGD_VIEW: ACCESS(struct pgd_view, PGD_ACL_TABLE);
	case PGD_SEQUENCE: ACCESS(struct pgd_sequence, PGD_ACL_SEQUENCE);
	case PGD_FUNCTION: ACCESS(struct pgd_function, PGD_ACL_FUNCTION);
	case PGD_TYPE: ACCESS(struct pgd_type, PGD_ACL_TYPE);
	case PGD_SCHEMA: ACCESS(struct pgd_namespace, PGD_ACL_SCHEMA);
	default: return false;
	}
#undef ACCESS
}

bool pgd_schema_is_platform(const char *schema)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(platform_schemas); i++)
		if (strcmp(schema, platform_schemas[i]) == 0)
			return true;
	return strncmp(schema, "pg_temp", 7) == 0 ||
	       strncmp(schema, "pg_toast", 8) == 0 ||
	       strncmp(schema, "_timescaledb_", 13) == 0 ||
	       strncmp(schema, "timescaledb_", 12) == 0;
}
