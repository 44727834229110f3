/*
 * CXapian: a plain C face over the parts of Xapian 1.4 that Starling uses.
 *
 * Why C and not Swift's C++ interop: a C++ exception crossing into Swift aborts the process, so every
 * function here is noexcept on the C++ side and reports failures through an `xc_error **` out-parameter
 * (NULL when the call succeeded). Handles are opaque; strings, terms and values travel as
 * (const char *, size_t) so they are binary-safe. Buffers handed back to the caller are malloc'ed and must
 * be released with xc_free().
 *
 * Threading: like Xapian itself, a handle may be used by one thread at a time.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every function is noexcept on the C++ side: failures come back through xc_error, never as exceptions. */
#ifdef __cplusplus
#define XC_NOEXCEPT noexcept
#else
#define XC_NOEXCEPT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* MARK: errors and memory */

/** A failure reported by a call: Xapian's error type name and its full description. */
typedef struct xc_error xc_error;

/** Xapian's error type, e.g. "DatabaseNotFoundError"; "std::exception" or "UnknownError" otherwise. */
const char *xc_error_type(const xc_error *error) XC_NOEXCEPT;
/** The error's description (Xapian's get_description()). */
const char *xc_error_message(const xc_error *error) XC_NOEXCEPT;
/** Releases an error; NULL is allowed. */
void xc_error_free(xc_error *error) XC_NOEXCEPT;

/** Releases a buffer returned by this library (strings and tables); NULL is allowed. */
void xc_free(void *buffer) XC_NOEXCEPT;

/**
 * Rows of strings, integers and reals copied out in one call, living in one malloc'ed block (xc_free it).
 * String k of the table (row-major, `str_cols` per row) spans bytes [k == 0 ? 0 : str_ends[k-1], str_ends[k]).
 * `header` carries per-call extras (documented where a function returns a table).
 */
typedef struct xc_table {
    size_t rows;
    size_t str_cols;
    size_t int_cols;
    size_t real_cols;
    const size_t *str_ends;
    const int64_t *ints;
    const double *reals;
    const char *bytes;
    int64_t header[4];
} xc_table;

/* MARK: constants (checked against Xapian's with static_assert) */

/** How a writable database is opened: Xapian's DB_CREATE_OR_OPEN ... DB_OPEN. */
typedef enum xc_open_mode {
    XC_DB_CREATE_OR_OPEN = 0,
    XC_DB_CREATE_OR_OVERWRITE = 1,
    XC_DB_CREATE = 2,
    XC_DB_OPEN = 3
} xc_open_mode;

/** Xapian::Query::op values. */
typedef enum xc_query_op {
    XC_OP_AND = 0,
    XC_OP_OR = 1,
    XC_OP_AND_NOT = 2,
    XC_OP_XOR = 3,
    XC_OP_AND_MAYBE = 4,
    XC_OP_FILTER = 5,
    XC_OP_NEAR = 6,
    XC_OP_PHRASE = 7,
    XC_OP_VALUE_RANGE = 8,
    XC_OP_SCALE_WEIGHT = 9,
    XC_OP_ELITE_SET = 10,
    XC_OP_VALUE_GE = 11,
    XC_OP_VALUE_LE = 12,
    XC_OP_SYNONYM = 13,
    XC_OP_MAX = 14,
    XC_OP_WILDCARD = 15
} xc_query_op;

/** Xapian::Enquire::docid_order values. */
typedef enum xc_docid_order {
    XC_DOCID_DESCENDING = 0,
    XC_DOCID_ASCENDING = 1,
    XC_DOCID_DONT_CARE = 2
} xc_docid_order;

/** How an enquire sorts: relevance, a value slot, or combinations. */
typedef enum xc_sort {
    XC_SORT_RELEVANCE = 0,
    XC_SORT_VALUE = 1,
    XC_SORT_VALUE_THEN_RELEVANCE = 2,
    XC_SORT_RELEVANCE_THEN_VALUE = 3
} xc_sort;

/** Xapian::BAD_VALUENO: "no slot". */
#define XC_BAD_VALUENO ((uint32_t)0xffffffffu)

/* MARK: documents */

typedef struct xc_document xc_document;

xc_document *xc_document_new(xc_error **error) XC_NOEXCEPT;
void xc_document_free(xc_document *doc) XC_NOEXCEPT;
uint32_t xc_document_docid(const xc_document *doc) XC_NOEXCEPT;
/** The stored data; malloc'ed, NUL-terminated, length in *len. */
char *xc_document_get_data(const xc_document *doc, size_t *len, xc_error **error) XC_NOEXCEPT;
void xc_document_set_data(xc_document *doc, const char *data, size_t len, xc_error **error) XC_NOEXCEPT;
void xc_document_add_term(xc_document *doc, const char *term, size_t len, uint32_t wdf, xc_error **error) XC_NOEXCEPT;
/* The number of the document's terms with a wdf above zero. */
uint32_t xc_document_weighted_term_count(xc_document *doc, xc_error **error) XC_NOEXCEPT;
/* Adds `prefix` + a + " " + b for every term a at a position p and term b at p + 1 where a or b is one of the
   '\n'-separated `common` words, with wdf max(1, round(factor * occurrences)); pairs longer than
   `max_term_bytes` are left out. */
void xc_document_add_adjacent_pairs(xc_document *doc, const char *prefix, size_t prefix_len, const char *common,
                                    size_t common_len, double factor, size_t max_term_bytes,
                                    xc_error **error) XC_NOEXCEPT;
void xc_document_add_posting(xc_document *doc, const char *term, size_t len, uint32_t position, uint32_t wdf,
                             xc_error **error) XC_NOEXCEPT;
void xc_document_add_boolean_term(xc_document *doc, const char *term, size_t len, xc_error **error) XC_NOEXCEPT;
/** Removes a term (and its positions); InvalidArgumentError when the document does not hold it. */
void xc_document_remove_term(xc_document *doc, const char *term, size_t len, xc_error **error) XC_NOEXCEPT;
void xc_document_set_value(xc_document *doc, uint32_t slot, const char *value, size_t len, xc_error **error) XC_NOEXCEPT;
/** A value slot's bytes; malloc'ed, length in *len (0 when the slot is empty). */
char *xc_document_get_value(const xc_document *doc, uint32_t slot, size_t *len, xc_error **error) XC_NOEXCEPT;
/** Table: one string (term), one int (wdf) per row. */
xc_table *xc_document_terms(const xc_document *doc, xc_error **error) XC_NOEXCEPT;
/// Rewrites the wdf of every term with a wdf above zero: `rewrite(wdf, n, context)` gives the new wdf, where n is
/// the number of such terms. The new wdf must not be smaller (Xapian documents can only add to a wdf).
void xc_document_rewrite_wdfs(xc_document *doc, uint32_t (*rewrite)(uint32_t wdf, uint32_t count, void *context),
                              void *context, xc_error **error) XC_NOEXCEPT;

/* MARK: databases */

/** A read-only or writable database (or several combined). */
typedef struct xc_database xc_database;

xc_database *xc_database_open(const char *path, size_t len, xc_error **error) XC_NOEXCEPT;
xc_database *xc_database_open_writable(const char *path, size_t len, xc_open_mode mode, xc_error **error) XC_NOEXCEPT;
/** A database served by xapian-tcpsrv; timeouts in milliseconds. */
xc_database *xc_database_open_remote(const char *host, size_t len, uint16_t port, uint32_t timeout_ms,
                                     uint32_t connect_timeout_ms, xc_error **error) XC_NOEXCEPT;
/** An empty database: combine shards into it with xc_database_add. */
xc_database *xc_database_new_empty(xc_error **error) XC_NOEXCEPT;
void xc_database_free(xc_database *db) XC_NOEXCEPT;
bool xc_database_is_writable(const xc_database *db) XC_NOEXCEPT;

void xc_database_add(xc_database *db, const xc_database *shard, xc_error **error) XC_NOEXCEPT;
bool xc_database_reopen(xc_database *db, xc_error **error) XC_NOEXCEPT;
void xc_database_close(xc_database *db, xc_error **error) XC_NOEXCEPT;
/// Writes a compacted copy of the database to the directory `dest` (Xapian::Database::compact, docids kept).
void xc_database_compact(xc_database *db, const char *dest, size_t len, xc_error **error) XC_NOEXCEPT;
uint32_t xc_database_doccount(const xc_database *db, xc_error **error) XC_NOEXCEPT;
uint32_t xc_database_lastdocid(const xc_database *db, xc_error **error) XC_NOEXCEPT;
/* The revision of the (single, local) database; changes with every commit. Throws for sharded or remote ones. */
uint64_t xc_database_revision(const xc_database *db, xc_error **error) XC_NOEXCEPT;
double xc_database_avlength(const xc_database *db, xc_error **error) XC_NOEXCEPT;
uint32_t xc_database_doclength(const xc_database *db, uint32_t docid, xc_error **error) XC_NOEXCEPT;
uint32_t xc_database_termfreq(const xc_database *db, const char *term, size_t len, xc_error **error) XC_NOEXCEPT;
uint64_t xc_database_collfreq(const xc_database *db, const char *term, size_t len, xc_error **error) XC_NOEXCEPT;
bool xc_database_term_exists(const xc_database *db, const char *term, size_t len, xc_error **error) XC_NOEXCEPT;
/* Value slot `slot` of document `docid` without reading its data (empty when unset). */
char *xc_database_get_value(const xc_database *db, uint32_t docid, uint32_t slot, size_t *len,
                            xc_error **error) XC_NOEXCEPT;
xc_document *xc_database_get_document(const xc_database *db, uint32_t docid, xc_error **error) XC_NOEXCEPT;
/** Table: one int (docid) per row. */
xc_table *xc_database_postings(const xc_database *db, const char *term, size_t len, xc_error **error) XC_NOEXCEPT;
/** Table: one string (term), one int (wdf) per row. */
xc_table *xc_database_termlist(const xc_database *db, uint32_t docid, xc_error **error) XC_NOEXCEPT;
/** Table: one string (term), one int (term frequency) per row. */
xc_table *xc_database_allterms(const xc_database *db, const char *prefix, size_t len, xc_error **error) XC_NOEXCEPT;
/* The database's UUID (a new one each time a database is created; empty for a remote or combined one). */
char *xc_database_uuid(const xc_database *db, size_t *len, xc_error **error) XC_NOEXCEPT;
char *xc_database_get_metadata(const xc_database *db, const char *key, size_t key_len, size_t *len,
                               xc_error **error) XC_NOEXCEPT;

/* Writable only: calling these on a read-only handle reports an InvalidOperationError. */
uint32_t xc_database_add_document(xc_database *db, const xc_document *doc, xc_error **error) XC_NOEXCEPT;
uint32_t xc_database_replace_document_by_term(xc_database *db, const char *term, size_t len,
                                              const xc_document *doc, xc_error **error) XC_NOEXCEPT;
void xc_database_replace_document(xc_database *db, uint32_t docid, const xc_document *doc, xc_error **error) XC_NOEXCEPT;
void xc_database_delete_document_by_term(xc_database *db, const char *term, size_t len, xc_error **error) XC_NOEXCEPT;
void xc_database_delete_document(xc_database *db, uint32_t docid, xc_error **error) XC_NOEXCEPT;
void xc_database_commit(xc_database *db, xc_error **error) XC_NOEXCEPT;
void xc_database_begin_transaction(xc_database *db, bool flushed, xc_error **error) XC_NOEXCEPT;
void xc_database_commit_transaction(xc_database *db, xc_error **error) XC_NOEXCEPT;
void xc_database_cancel_transaction(xc_database *db, xc_error **error) XC_NOEXCEPT;
void xc_database_set_metadata(xc_database *db, const char *key, size_t key_len, const char *value,
                              size_t value_len, xc_error **error) XC_NOEXCEPT;

/* MARK: queries */

typedef struct xc_query xc_query;

xc_query *xc_query_term(const char *term, size_t len, uint32_t wqf, uint32_t position, xc_error **error) XC_NOEXCEPT;
xc_query *xc_query_match_all(xc_error **error) XC_NOEXCEPT;
xc_query *xc_query_match_nothing(xc_error **error) XC_NOEXCEPT;
/** Combines subqueries with op; parameter is the window (phrase/near) or set size (elite set). */
xc_query *xc_query_combine(xc_query_op op, xc_query *const *subqueries, size_t count, uint32_t parameter,
                           xc_error **error) XC_NOEXCEPT;
xc_query *xc_query_scale(const xc_query *query, double factor, xc_error **error) XC_NOEXCEPT;
/** XC_OP_VALUE_RANGE uses both bounds; XC_OP_VALUE_GE / XC_OP_VALUE_LE use the first only. */
xc_query *xc_query_value(xc_query_op op, uint32_t slot, const char *a, size_t a_len, const char *b, size_t b_len,
                         xc_error **error) XC_NOEXCEPT;
xc_query *xc_query_wildcard(const char *pattern, size_t len, xc_error **error) XC_NOEXCEPT;
void xc_query_free(xc_query *query) XC_NOEXCEPT;
/** Xapian's get_description(); malloc'ed, length in *len. */
char *xc_query_description(const xc_query *query, size_t *len, xc_error **error) XC_NOEXCEPT;

/* MARK: enquire */

typedef struct xc_enquire xc_enquire;
/** A ValueCountMatchSpy owned by the enquire that created it. */
typedef struct xc_valuecount_spy xc_valuecount_spy;

xc_enquire *xc_enquire_new(const xc_database *db, xc_error **error) XC_NOEXCEPT;
void xc_enquire_free(xc_enquire *enquire) XC_NOEXCEPT;
void xc_enquire_set_query(xc_enquire *enquire, const xc_query *query, uint32_t query_length, xc_error **error) XC_NOEXCEPT;
void xc_enquire_set_bm25(xc_enquire *enquire, double k1, double k2, double k3, double b, double min_normlen,
                         xc_error **error) XC_NOEXCEPT;
void xc_enquire_set_bool_weight(xc_enquire *enquire, xc_error **error) XC_NOEXCEPT;
void xc_enquire_set_tfidf(xc_enquire *enquire, const char *normalisation, size_t len, xc_error **error) XC_NOEXCEPT;
void xc_enquire_set_sort(xc_enquire *enquire, xc_sort sort, uint32_t slot, bool reverse, xc_error **error) XC_NOEXCEPT;
void xc_enquire_set_docid_order(xc_enquire *enquire, xc_docid_order order, xc_error **error) XC_NOEXCEPT;
/** slot XC_BAD_VALUENO turns collapsing off. */
void xc_enquire_set_collapse_key(xc_enquire *enquire, uint32_t slot, uint32_t max, xc_error **error) XC_NOEXCEPT;
xc_valuecount_spy *xc_enquire_add_valuecount_spy(xc_enquire *enquire, uint32_t slot, xc_error **error) XC_NOEXCEPT;
/**
 * Runs the match. Table rows: strings (collapse key, data), ints (docid, rank, percent, collapse count),
 * reals (weight). header = {matches estimated, lower bound, upper bound, 0}. Data is empty unless fetch_data.
 */
xc_table *xc_enquire_mset(xc_enquire *enquire, uint32_t first, uint32_t max, uint32_t check_at_least,
                          bool fetch_data, xc_error **error) XC_NOEXCEPT;
/** Expansion terms for relevant docids. Table rows: string (term), real (weight). */
xc_table *xc_enquire_eset(xc_enquire *enquire, const uint32_t *relevant, size_t count, uint32_t max_terms,
                          xc_error **error) XC_NOEXCEPT;

/** Table: string (value), int (count) per row, most frequent first; header[0] = documents seen. */
xc_table *xc_valuecount_spy_top(const xc_valuecount_spy *spy, uint32_t max_values, xc_error **error) XC_NOEXCEPT;
uint64_t xc_valuecount_spy_total(const xc_valuecount_spy *spy) XC_NOEXCEPT;

/* MARK: stemming and sortable values */

typedef struct xc_stem xc_stem;

xc_stem *xc_stem_new(const char *language, size_t len, xc_error **error) XC_NOEXCEPT;
void xc_stem_free(xc_stem *stem) XC_NOEXCEPT;
/** Stems word into out (capacity cap); returns the stem's full length, which may exceed cap (then retry). */
size_t xc_stem_apply(const xc_stem *stem, const char *word, size_t len, char *out, size_t cap, xc_error **error) XC_NOEXCEPT;
/** Space-separated language names; malloc'ed, length in *len. */
char *xc_stem_languages(size_t *len, xc_error **error) XC_NOEXCEPT;

/** Xapian::sortable_serialise into out (at least 9 bytes); returns the length used. */
size_t xc_sortable_serialise(double value, char *out) XC_NOEXCEPT;
double xc_sortable_unserialise(const char *bytes, size_t len) XC_NOEXCEPT;

#ifdef __cplusplus
}
#endif
