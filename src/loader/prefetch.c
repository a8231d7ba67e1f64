/*
 * prefetch.c - DO blocks read ahead on a second thread. Reading a DO
 * block's PL/pgSQL (libpg_query's PL/pgSQL parser and the JSON it writes)
 * is most of what evaluating one costs, and depends on nothing but the
 * block's text. From the first DO block the replay meets, a thread reads
 * the files after it on its own, finds the DO statements in them, parses
 * each and reads its PL/pgSQL (pgd_eval_prepare_do), while the replay
 * runs; the replay takes the result when it reaches the statement.
 *
 * The thread only ever saves time: the replay uses a result only when its
 * file position, byte offset and statement text are the ones the replay
 * holds, and reads the statement itself otherwise (a file the thread
 * could not read or split, or that changed; a statement that is not one
 * DO block in PL/pgSQL). A result not ready yet is waited for. At most
 * PREFETCH_AHEAD results wait to be taken; the thread then sleeps until
 * half of them are.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replay.h"
#include "pgdrift/alloc.h"
#include "pgdrift/eval.h"
#include "pgdrift/strbuf.h"
#include "../normalize/pb.h"
#include "split.h"

#define PREFETCH_AHEAD 64

struct rp_prefetch {
	const struct pgd_migration_set *set;
	size_t pos, off;          /* the thread starts after this statement */
	const char **text;        /* files from pos on that were in memory at the
	                           * start (immutable since), else NULL */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t changed;   /* a result is added or taken, or stop */
	struct rp_do_job *head, *tail;
	size_t n;                 /* results the replay has not taken */
	bool done, stop;
	/* who waits on changed: the thread for room (until half the
	 * results are taken), the replay for a result */
	bool thread_waits, replay_waits;
};

void rp_do_args(const PgQuery__DoStmt *s, const char **body, const char **lang)
{
	*body = NULL;
	*lang = "plpgsql";
	for (size_t i = 0; i < s->n_args; i++) {
		const PgQuery__DefElem *de = s->args[i]->def_elem;
		if (!de || !de->defname)
			continue;
		if (!strcmp(de->defname, "as"))
			*body = pgd_pgq_str(de->arg);
		else if (!strcmp(de->defname, "language") && pgd_pgq_str(de->arg))
			*lang = pgd_pgq_str(de->arg);
	}
}

void rp_do_job_free(struct rp_do_job *j)
{
	if (!j)
		return;
	free(j->sql);
	free(j->body);
	pgd_eval_prepared_free(j->prep);
	free(j);
}

/* The job for the statement sql: parsed, and its PL/pgSQL read when it is
 * one DO block in PL/pgSQL (else body stays NULL). */
static struct rp_do_job *make_job(size_t pos, size_t off, char *sql)
{
	struct rp_do_job *j = pgd_xcalloc(1, sizeof(*j));
	j->pos = pos;
	j->off = off;
	j->sql = sql;
	PgQueryProtobufParseResult pr;
	PgQuery__ParseResult *t = pgd_pb_parse(sql, &pr);
	pg_query_free_protobuf_parse_result(pr);
	if (!t)
		return j;
	if (t->n_stmts == 1 && t->stmts[0]->stmt &&
	    t->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_DO_STMT) {
		const char *body, *lang;
		rp_do_args(t->stmts[0]->stmt->do_stmt, &body, &lang);
		if (body && *body && !strcasecmp(lang, "plpgsql")) {
			j->body = pgd_xstrdup(body);
			j->prep = pgd_eval_prepare_do(body);
		}
	}
	pgd_pb_free(&t->base);
	return j;
}

/* Adds j for the replay; false when told to stop (j is freed). */
static bool put(struct rp_prefetch *p, struct rp_do_job *j)
{
	pthread_mutex_lock(&p->mu);
	if (p->n >= PREFETCH_AHEAD) {
		while (p->n > PREFETCH_AHEAD / 2 && !p->stop) {
			p->thread_waits = true;
			pthread_cond_wait(&p->changed, &p->mu);
		}
		p->thread_waits = false;
	}
	bool stop = p->stop;
	if (!stop) {
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		p->n++;
		if (p->replay_waits)
			pthread_cond_broadcast(&p->changed);
	}
	pthread_mutex_unlock(&p->mu);
	if (stop)
		rp_do_job_free(j);
	return !stop;
}

static bool stopping(struct rp_prefetch *p)
{
	pthread_mutex_lock(&p->mu);
	bool stop = p->stop;
	pthread_mutex_unlock(&p->mu);
	return stop;
}

/* The thread: the DO statements of the files after (pos, off), in the
 * replay's order; a file not in memory when it started is read from disk
 * (the replay loads files as it reaches them). */
static void *run(void *arg)
{
	struct rp_prefetch *p = arg;
	const struct pgd_migration_set *set = p->set;
	bool go = true;
	for (size_t i = p->pos; go && i < set->nfiles && !stopping(p); i++) {
		const struct pgd_migration_file *mf =
			&set->files[set->order ? set->order[i] : i];
		struct pgd_strbuf sb = PGD_STRBUF_INIT;
		const char *buf = p->text[i - p->pos];
		size_t len = buf ? strlen(buf) : 0;
		if (!buf) {
			if (pgd_strbuf_read_file(&sb, mf->path) < 0) {
				pgd_strbuf_release(&sb);
				continue; /* the replay reports it */
			}
			buf = sb.buf ? sb.buf : "";
			len = sb.len;
		}
		struct pgd_split_stmt *stmts = NULL;
		size_t n = 0;
		/* most files of a real history have no DO: not split */
		if (!pgd_text_has_kw(buf, len, "do") || pgd_split(buf, len, &stmts, &n) < 0) {
			pgd_strbuf_release(&sb);
			continue; /* no DO in it; or the replay reads it itself */
		}
		for (size_t k = 0; go && k < n; k++) {
			if (i == p->pos && stmts[k].off <= p->off)
				continue;
			const char *text = buf + stmts[k].off;
			const char *end = text + stmts[k].len;
			const char *s = pgd_stmt_start(text, end);
			if (!pgd_stmt_kw(s, end, "do"))
				continue;
			char *sql = pgd_xstrndup(s, (size_t)(pgd_stmt_end(s, end) - s));
			go = put(p, make_job(i, (size_t)(s - buf), sql));
		}
		free(stmts);
		pgd_strbuf_release(&sb);
	}
	pthread_mutex_lock(&p->mu);
	p->done = true;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct rp_prefetch *rp_prefetch_start(const struct pgd_migration_set *set, size_t pos,
				      size_t off)
{
	struct rp_prefetch *p = pgd_xcalloc(1, sizeof(*p));
	p->set = set;
	p->pos = pos;
	p->off = off;
	p->text = pgd_xcalloc(set->nfiles - pos + 1, sizeof(*p->text));
	for (size_t i = pos; i < set->nfiles; i++)
		p->text[i - pos] = set->files[set->order ? set->order[i] : i].src.text;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->changed, NULL);
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		pthread_cond_destroy(&p->changed);
		pthread_mutex_destroy(&p->mu);
		free(p->text);
		free(p);
		return NULL;
	}
	return p;
}

struct rp_do_job *rp_prefetch_take(struct rp_prefetch *p, size_t pos, size_t off,
				   const char *sql)
{
	struct rp_do_job *found = NULL, *dead = NULL;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct rp_do_job *j = p->head;
		if (!j) {
			if (p->done)
				break;
			p->replay_waits = true;
			pthread_cond_wait(&p->changed, &p->mu);
			p->replay_waits = false;
			continue;
		}
		if (j->pos > pos || (j->pos == pos && j->off > off))
			break; /* the thread has nothing for this statement */
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->n--;
		if (p->thread_waits && p->n <= PREFETCH_AHEAD / 2)
			pthread_cond_broadcast(&p->changed);
		if (j->pos == pos && j->off == off) {
			found = j;
			found->next = NULL;
			break;
		}
		j->next = dead;
		dead = j;
	}
	pthread_mutex_unlock(&p->mu);
	while (dead) { /* statements the replay did not reach (a file it skipped) */
		struct rp_do_job *next = dead->next;
		rp_do_job_free(dead);
		dead = next;
	}
	if (found && strcmp(found->sql, sql)) {
		rp_do_job_free(found); /* the file changed under the thread */
		found = NULL;
	}
	return found;
}

void rp_prefetch_stop(struct rp_prefetch *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	while (p->head) {
		struct rp_do_job *next = p->head->next;
		rp_do_job_free(p->head);
		p->head = next;
	}
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->mu);
	free(p->text);
	free(p);
}
