// CXapian.cpp: the C functions declared in CXapian.h, each a thin noexcept wrapper around Xapian 1.4.
//
// Every exported body runs through guard(), which turns any C++ exception into an xc_error so that nothing
// ever unwinds into Swift. Results that hold several strings are packed into one malloc'ed xc_table so the
// Swift side copies them out with one call and one free.
#include "CXapian.h"

#include <xapian.h>
#include <algorithm>
#include <cmath>
#include <map>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

// MARK: - Constants must match Xapian's (a wrong value would be silent otherwise)

#define XC_SAME(ours, theirs) static_assert(int(ours) == int(theirs), #ours " must equal " #theirs)

XC_SAME(XC_DB_CREATE_OR_OPEN, Xapian::DB_CREATE_OR_OPEN);
XC_SAME(XC_DB_CREATE_OR_OVERWRITE, Xapian::DB_CREATE_OR_OVERWRITE);
XC_SAME(XC_DB_CREATE, Xapian::DB_CREATE);
XC_SAME(XC_DB_OPEN, Xapian::DB_OPEN);

XC_SAME(XC_OP_AND, Xapian::Query::OP_AND);
XC_SAME(XC_OP_OR, Xapian::Query::OP_OR);
XC_SAME(XC_OP_AND_NOT, Xapian::Query::OP_AND_NOT);
XC_SAME(XC_OP_XOR, Xapian::Query::OP_XOR);
XC_SAME(XC_OP_AND_MAYBE, Xapian::Query::OP_AND_MAYBE);
XC_SAME(XC_OP_FILTER, Xapian::Query::OP_FILTER);
XC_SAME(XC_OP_NEAR, Xapian::Query::OP_NEAR);
XC_SAME(XC_OP_PHRASE, Xapian::Query::OP_PHRASE);
XC_SAME(XC_OP_VALUE_RANGE, Xapian::Query::OP_VALUE_RANGE);
XC_SAME(XC_OP_SCALE_WEIGHT, Xapian::Query::OP_SCALE_WEIGHT);
XC_SAME(XC_OP_ELITE_SET, Xapian::Query::OP_ELITE_SET);
XC_SAME(XC_OP_VALUE_GE, Xapian::Query::OP_VALUE_GE);
XC_SAME(XC_OP_VALUE_LE, Xapian::Query::OP_VALUE_LE);
XC_SAME(XC_OP_SYNONYM, Xapian::Query::OP_SYNONYM);
XC_SAME(XC_OP_MAX, Xapian::Query::OP_MAX);
XC_SAME(XC_OP_WILDCARD, Xapian::Query::OP_WILDCARD);

XC_SAME(XC_DOCID_ASCENDING, Xapian::Enquire::ASCENDING);
XC_SAME(XC_DOCID_DESCENDING, Xapian::Enquire::DESCENDING);
XC_SAME(XC_DOCID_DONT_CARE, Xapian::Enquire::DONT_CARE);

XC_SAME(XC_BAD_VALUENO, Xapian::BAD_VALUENO);
static_assert(sizeof(Xapian::docid) == sizeof(uint32_t), "docid is 32-bit");
static_assert(sizeof(Xapian::valueno) == sizeof(uint32_t), "valueno is 32-bit");

// MARK: - Handles

struct xc_error {
    char *type;
    char *message;
};

struct xc_document {
    Xapian::Document doc;
};

struct xc_database {
    // The dynamic type is Xapian::WritableDatabase when `writable`; WritableDatabase adds no data members.
    std::unique_ptr<Xapian::Database> db;
    bool writable = false;

    Xapian::WritableDatabase &wdb() {
        if (!writable) throw Xapian::InvalidOperationError("Database is not writable");
        return static_cast<Xapian::WritableDatabase &>(*db);
    }
};

struct xc_query {
    Xapian::Query query;
};

struct xc_valuecount_spy {
    Xapian::ValueCountMatchSpy spy;
    explicit xc_valuecount_spy(Xapian::valueno slot) : spy(slot) {}
};

struct xc_enquire {
    Xapian::Enquire enquire;
    // Enquire keeps raw pointers to its match spies, so this handle owns them.
    std::vector<std::unique_ptr<xc_valuecount_spy>> spies;
    explicit xc_enquire(const Xapian::Database &db) : enquire(db) {}
};

struct xc_stem {
    Xapian::Stem stem;
};

// MARK: - Error plumbing

namespace {

// Reported when memory runs out: allocating an error then would likely fail too.
char oom_type[] = "std::bad_alloc";
char oom_message[] = "out of memory";
xc_error out_of_memory = {oom_type, oom_message};

char *copy_cstring(const char *s, size_t n) noexcept {
    char *p = static_cast<char *>(std::malloc(n + 1));
    if (p) {
        if (n) std::memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void set_error(xc_error **err, const std::string &type, const std::string &message) noexcept {
    if (!err) return;
    xc_error *e = static_cast<xc_error *>(std::malloc(sizeof(xc_error)));
    char *t = copy_cstring(type.data(), type.size());
    char *m = copy_cstring(message.data(), message.size());
    if (!e || !t || !m) {
        std::free(e);
        std::free(t);
        std::free(m);
        *err = &out_of_memory;
        return;
    }
    e->type = t;
    e->message = m;
    *err = e;
}

// Runs body, converting every exception into *err and returning fallback instead.
template <class R, class F>
R guard(xc_error **err, R fallback, F &&body) noexcept {
    try {
        return body();
    } catch (const Xapian::Error &e) {
        try {
            set_error(err, e.get_type(), e.get_description());
        } catch (...) {
            if (err) *err = &out_of_memory;
        }
    } catch (const std::bad_alloc &) {
        if (err) *err = &out_of_memory;
    } catch (const std::exception &e) {
        try {
            set_error(err, "std::exception", e.what());
        } catch (...) {
            if (err) *err = &out_of_memory;
        }
    } catch (...) {
        try {
            set_error(err, "UnknownError", "unknown C++ exception");
        } catch (...) {
            if (err) *err = &out_of_memory;
        }
    }
    return fallback;
}

template <class F>
void guard_void(xc_error **err, F &&body) noexcept {
    guard(err, 0, [&] {
        body();
        return 0;
    });
}

// libstdc++ accepts (nullptr, 0), but Swift hands over a null base for empty buffers, so be explicit.
inline std::string str(const char *p, size_t n) { return n ? std::string(p, n) : std::string(); }

char *malloc_string(const std::string &s, size_t *len) {
    char *p = copy_cstring(s.data(), s.size());
    if (!p) throw std::bad_alloc();
    if (len) *len = s.size();
    return p;
}

// Collects rows and packs them into one malloc'ed xc_table.
class TableBuilder {
public:
    TableBuilder(size_t str_cols, size_t int_cols, size_t real_cols)
        : str_cols_(str_cols), int_cols_(int_cols), real_cols_(real_cols) {}

    void reserve(size_t rows) {
        ends_.reserve(rows * str_cols_);
        ints_.reserve(rows * int_cols_);
        reals_.reserve(rows * real_cols_);
    }
    void add_string(const std::string &s) {
        bytes_ += s;
        ends_.push_back(bytes_.size());
    }
    void add_int(int64_t v) { ints_.push_back(v); }
    void add_real(double v) { reals_.push_back(v); }
    int64_t header[4] = {0, 0, 0, 0};

    xc_table *finish(size_t rows) const {
        auto align = [](size_t n) { return (n + 7) & ~size_t(7); };
        size_t at_ends = align(sizeof(xc_table));
        size_t at_ints = at_ends + align(ends_.size() * sizeof(size_t));
        size_t at_reals = at_ints + align(ints_.size() * sizeof(int64_t));
        size_t at_bytes = at_reals + align(reals_.size() * sizeof(double));
        size_t total = at_bytes + bytes_.size() + 1;
        char *block = static_cast<char *>(std::malloc(total));
        if (!block) throw std::bad_alloc();
        xc_table *t = reinterpret_cast<xc_table *>(block);
        t->rows = rows;
        t->str_cols = str_cols_;
        t->int_cols = int_cols_;
        t->real_cols = real_cols_;
        size_t *ends = reinterpret_cast<size_t *>(block + at_ends);
        int64_t *ints = reinterpret_cast<int64_t *>(block + at_ints);
        double *reals = reinterpret_cast<double *>(block + at_reals);
        char *bytes = block + at_bytes;
        if (!ends_.empty()) std::memcpy(ends, ends_.data(), ends_.size() * sizeof(size_t));
        if (!ints_.empty()) std::memcpy(ints, ints_.data(), ints_.size() * sizeof(int64_t));
        if (!reals_.empty()) std::memcpy(reals, reals_.data(), reals_.size() * sizeof(double));
        if (!bytes_.empty()) std::memcpy(bytes, bytes_.data(), bytes_.size());
        bytes[bytes_.size()] = '\0';
        t->str_ends = ends;
        t->ints = ints;
        t->reals = reals;
        t->bytes = bytes;
        std::memcpy(t->header, header, sizeof(header));
        return t;
    }

private:
    size_t str_cols_, int_cols_, real_cols_;
    std::string bytes_;
    std::vector<size_t> ends_;
    std::vector<int64_t> ints_;
    std::vector<double> reals_;
};

// A (term, number) table from a term iterator range; number is wdf or termfreq.
template <class Number>
xc_table *term_table(Xapian::TermIterator it, Xapian::TermIterator end, Number number) {
    TableBuilder b(1, 1, 0);
    size_t rows = 0;
    for (; it != end; ++it, ++rows) {
        b.add_string(*it);
        b.add_int(static_cast<int64_t>(number(it)));
    }
    return b.finish(rows);
}

xc_database *wrap(std::unique_ptr<Xapian::Database> db, bool writable) {
    auto h = std::make_unique<xc_database>();
    h->db = std::move(db);
    h->writable = writable;
    return h.release();
}

xc_query *wrap(Xapian::Query q) { return new xc_query{std::move(q)}; }

}  // namespace

// MARK: - Errors and memory

extern "C" {

const char *xc_error_type(const xc_error *error) XC_NOEXCEPT { return error ? error->type : ""; }
const char *xc_error_message(const xc_error *error) XC_NOEXCEPT { return error ? error->message : ""; }

void xc_error_free(xc_error *error) XC_NOEXCEPT {
    if (!error || error == &out_of_memory) return;
    std::free(error->type);
    std::free(error->message);
    std::free(error);
}

void xc_free(void *buffer) XC_NOEXCEPT { std::free(buffer); }

// MARK: - Documents

xc_document *xc_document_new(xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_document *>(nullptr), [] { return new xc_document(); });
}

void xc_document_free(xc_document *doc) XC_NOEXCEPT { delete doc; }

uint32_t xc_document_docid(const xc_document *doc) XC_NOEXCEPT {
    return guard(nullptr, Xapian::docid(0), [&] { return doc->doc.get_docid(); });
}

char *xc_document_get_data(const xc_document *doc, size_t *len, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<char *>(nullptr), [&] { return malloc_string(doc->doc.get_data(), len); });
}

void xc_document_set_data(xc_document *doc, const char *data, size_t len, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { doc->doc.set_data(str(data, len)); });
}

void xc_document_add_term(xc_document *doc, const char *term, size_t len, uint32_t wdf, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { doc->doc.add_term(str(term, len), wdf); });
}

uint32_t xc_document_weighted_term_count(xc_document *doc, xc_error **err) XC_NOEXCEPT {
    return guard(err, uint32_t(0), [&] {
        uint32_t count = 0;
        for (auto it = doc->doc.termlist_begin(); it != doc->doc.termlist_end(); ++it) count += it.get_wdf() > 0;
        return count;
    });
}

void xc_document_add_adjacent_pairs(xc_document *doc, const char *prefix, size_t prefix_len, const char *common,
                                    size_t common_len, double factor, size_t max_term_bytes, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] {
        std::vector<std::string> words;
        for (size_t start = 0; start <= common_len;) {
            size_t end = start;
            while (end < common_len && common[end] != '\n') ++end;
            if (end > start) words.emplace_back(common + start, end - start);
            start = end + 1;
        }
        if (words.empty()) return;
        auto is_common = [&](const std::string &t) { return std::find(words.begin(), words.end(), t) != words.end(); };
        // Every positional term at each position, as a phrase query sees them.
        std::map<Xapian::termpos, std::vector<std::string>> at;
        for (auto it = doc->doc.termlist_begin(); it != doc->doc.termlist_end(); ++it) {
            for (auto pos = it.positionlist_begin(); pos != it.positionlist_end(); ++pos) at[*pos].push_back(*it);
        }
        std::map<std::string, Xapian::termcount> pairs;
        const std::string pre(prefix, prefix_len);
        for (auto it = at.begin(); it != at.end(); ++it) {
            auto next = std::next(it);
            if (next == at.end() || next->first != it->first + 1) continue;
            for (const auto &a : it->second) {
                for (const auto &b : next->second) {
                    if (!is_common(a) && !is_common(b)) continue;
                    std::string term = pre + a + " " + b;
                    if (term.size() <= max_term_bytes) ++pairs[term];
                }
            }
        }
        for (const auto &[term, count] : pairs) {
            doc->doc.add_term(term, std::max<Xapian::termcount>(1, Xapian::termcount(std::lround(factor * count))));
        }
    });
}

void xc_document_add_posting(xc_document *doc, const char *term, size_t len, uint32_t position, uint32_t wdf,
                             xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { doc->doc.add_posting(str(term, len), position, wdf); });
}

void xc_document_add_boolean_term(xc_document *doc, const char *term, size_t len, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { doc->doc.add_boolean_term(str(term, len)); });
}

void xc_document_remove_term(xc_document *doc, const char *term, size_t len, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { doc->doc.remove_term(str(term, len)); });
}

void xc_document_set_value(xc_document *doc, uint32_t slot, const char *value, size_t len, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { doc->doc.add_value(slot, str(value, len)); });
}

char *xc_document_get_value(const xc_document *doc, uint32_t slot, size_t *len, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<char *>(nullptr), [&] { return malloc_string(doc->doc.get_value(slot), len); });
}

xc_table *xc_document_terms(const xc_document *doc, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_table *>(nullptr), [&] {
        return term_table(doc->doc.termlist_begin(), doc->doc.termlist_end(),
                          [](const Xapian::TermIterator &it) { return it.get_wdf(); });
    });
}

void xc_document_rewrite_wdfs(xc_document *doc, uint32_t (*rewrite)(uint32_t, uint32_t, void *), void *context,
                              xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] {
        std::vector<std::pair<std::string, Xapian::termcount>> weighted;
        for (auto it = doc->doc.termlist_begin(); it != doc->doc.termlist_end(); ++it) {
            if (it.get_wdf() > 0) weighted.emplace_back(*it, it.get_wdf());
        }
        const auto count = uint32_t(weighted.size());
        for (const auto &[term, wdf] : weighted) {
            const uint32_t now = rewrite(wdf, count, context);
            if (now > wdf) doc->doc.add_term(term, now - wdf);
        }
    });
}

// MARK: - Databases

xc_database *xc_database_open(const char *path, size_t len, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_database *>(nullptr), [&] {
        return wrap(std::make_unique<Xapian::Database>(str(path, len)), false);
    });
}

xc_database *xc_database_open_writable(const char *path, size_t len, xc_open_mode mode, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_database *>(nullptr), [&] {
        std::unique_ptr<Xapian::Database> db(new Xapian::WritableDatabase(str(path, len), int(mode)));
        return wrap(std::move(db), true);
    });
}

xc_database *xc_database_open_remote(const char *host, size_t len, uint16_t port, uint32_t timeout_ms,
                                     uint32_t connect_timeout_ms, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_database *>(nullptr), [&] {
        auto db = std::make_unique<Xapian::Database>(
            Xapian::Remote::open(str(host, len), port, timeout_ms, connect_timeout_ms));
        return wrap(std::move(db), false);
    });
}

xc_database *xc_database_new_empty(xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_database *>(nullptr),
                 [] { return wrap(std::make_unique<Xapian::Database>(), false); });
}

void xc_database_free(xc_database *db) XC_NOEXCEPT {
    // A WritableDatabase destructor commits and swallows errors; guard anyway so nothing can escape.
    guard_void(nullptr, [&] { delete db; });
}

bool xc_database_is_writable(const xc_database *db) XC_NOEXCEPT { return db->writable; }

void xc_database_add(xc_database *db, const xc_database *shard, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { db->db->add_database(*shard->db); });
}

bool xc_database_reopen(xc_database *db, xc_error **err) XC_NOEXCEPT {
    return guard(err, false, [&] { return db->db->reopen(); });
}

void xc_database_compact(xc_database *db, const char *dest, size_t len, xc_error **err) XC_NOEXCEPT {
    // Docids are kept (no renumbering) so nothing that recorded one is invalidated.
    guard_void(err, [&] { db->db->compact(str(dest, len), Xapian::DBCOMPACT_NO_RENUMBER); });
}

void xc_database_close(xc_database *db, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { db->db->close(); });
}

uint32_t xc_database_doccount(const xc_database *db, xc_error **err) XC_NOEXCEPT {
    return guard(err, Xapian::doccount(0), [&] { return db->db->get_doccount(); });
}

uint32_t xc_database_lastdocid(const xc_database *db, xc_error **err) XC_NOEXCEPT {
    return guard(err, Xapian::docid(0), [&] { return db->db->get_lastdocid(); });
}

uint64_t xc_database_revision(const xc_database *db, xc_error **err) XC_NOEXCEPT {
    return guard(err, uint64_t(0), [&] { return uint64_t(db->db->get_revision()); });
}

double xc_database_avlength(const xc_database *db, xc_error **err) XC_NOEXCEPT {
    return guard(err, 0.0, [&] { return double(db->db->get_avlength()); });
}

uint32_t xc_database_doclength(const xc_database *db, uint32_t docid, xc_error **err) XC_NOEXCEPT {
    return guard(err, Xapian::termcount(0), [&] { return db->db->get_doclength(docid); });
}

uint32_t xc_database_termfreq(const xc_database *db, const char *term, size_t len, xc_error **err) XC_NOEXCEPT {
    return guard(err, Xapian::doccount(0), [&] { return db->db->get_termfreq(str(term, len)); });
}

uint64_t xc_database_collfreq(const xc_database *db, const char *term, size_t len, xc_error **err) XC_NOEXCEPT {
    return guard(err, uint64_t(0), [&] { return uint64_t(db->db->get_collection_freq(str(term, len))); });
}

bool xc_database_term_exists(const xc_database *db, const char *term, size_t len, xc_error **err) XC_NOEXCEPT {
    return guard(err, false, [&] { return db->db->term_exists(str(term, len)); });
}

char *xc_database_get_value(const xc_database *db, uint32_t docid, uint32_t slot, size_t *len,
                            xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<char *>(nullptr), [&] {
        // Lazily: only the document's values are read, not its data.
        return malloc_string(db->db->get_document(docid, Xapian::DOC_ASSUME_VALID).get_value(slot), len);
    });
}

xc_document *xc_database_get_document(const xc_database *db, uint32_t docid, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_document *>(nullptr), [&] {
        // Xapian reads documents lazily. Pull in the data and values now, so a missing docid or a modified
        // database is reported here and the document's (non-throwing) getters cannot fail later.
        Xapian::Document doc = db->db->get_document(docid);
        (void)doc.get_data();
        (void)doc.values_count();
        return new xc_document{std::move(doc)};
    });
}

xc_table *xc_database_postings(const xc_database *db, const char *term, size_t len, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_table *>(nullptr), [&] {
        std::string t = str(term, len);
        TableBuilder b(0, 1, 0);
        size_t rows = 0;
        for (auto it = db->db->postlist_begin(t), end = db->db->postlist_end(t); it != end; ++it, ++rows) {
            b.add_int(*it);
        }
        return b.finish(rows);
    });
}

xc_table *xc_database_termlist(const xc_database *db, uint32_t docid, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_table *>(nullptr), [&] {
        return term_table(db->db->termlist_begin(docid), db->db->termlist_end(docid),
                          [](const Xapian::TermIterator &it) { return it.get_wdf(); });
    });
}

xc_table *xc_database_allterms(const xc_database *db, const char *prefix, size_t len, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_table *>(nullptr), [&] {
        std::string p = str(prefix, len);
        return term_table(db->db->allterms_begin(p), db->db->allterms_end(p),
                          [](const Xapian::TermIterator &it) { return it.get_termfreq(); });
    });
}

char *xc_database_get_metadata(const xc_database *db, const char *key, size_t key_len, size_t *len,
                               xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<char *>(nullptr),
                 [&] { return malloc_string(db->db->get_metadata(str(key, key_len)), len); });
}

char *xc_database_uuid(const xc_database *db, size_t *len, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<char *>(nullptr), [&] { return malloc_string(db->db->get_uuid(), len); });
}

uint32_t xc_database_add_document(xc_database *db, const xc_document *doc, xc_error **err) XC_NOEXCEPT {
    return guard(err, Xapian::docid(0), [&] { return db->wdb().add_document(doc->doc); });
}

uint32_t xc_database_replace_document_by_term(xc_database *db, const char *term, size_t len,
                                              const xc_document *doc, xc_error **err) XC_NOEXCEPT {
    return guard(err, Xapian::docid(0),
                 [&] { return db->wdb().replace_document(str(term, len), doc->doc); });
}

void xc_database_replace_document(xc_database *db, uint32_t docid, const xc_document *doc, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { db->wdb().replace_document(docid, doc->doc); });
}

void xc_database_delete_document_by_term(xc_database *db, const char *term, size_t len, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { db->wdb().delete_document(str(term, len)); });
}

void xc_database_delete_document(xc_database *db, uint32_t docid, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { db->wdb().delete_document(docid); });
}

void xc_database_commit(xc_database *db, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { db->wdb().commit(); });
}

void xc_database_begin_transaction(xc_database *db, bool flushed, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { db->wdb().begin_transaction(flushed); });
}

void xc_database_commit_transaction(xc_database *db, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { db->wdb().commit_transaction(); });
}

void xc_database_cancel_transaction(xc_database *db, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { db->wdb().cancel_transaction(); });
}

void xc_database_set_metadata(xc_database *db, const char *key, size_t key_len, const char *value,
                              size_t value_len, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { db->wdb().set_metadata(str(key, key_len), str(value, value_len)); });
}

// MARK: - Queries

xc_query *xc_query_term(const char *term, size_t len, uint32_t wqf, uint32_t position, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_query *>(nullptr),
                 [&] { return wrap(Xapian::Query(str(term, len), wqf, position)); });
}

xc_query *xc_query_match_all(xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_query *>(nullptr), [] { return wrap(Xapian::Query::MatchAll); });
}

xc_query *xc_query_match_nothing(xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_query *>(nullptr), [] { return wrap(Xapian::Query::MatchNothing); });
}

xc_query *xc_query_combine(xc_query_op op, xc_query *const *subqueries, size_t count, uint32_t parameter,
                           xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_query *>(nullptr), [&] {
        std::vector<Xapian::Query> subs;
        subs.reserve(count);
        for (size_t i = 0; i < count; ++i) subs.push_back(subqueries[i]->query);
        return wrap(Xapian::Query(Xapian::Query::op(op), subs.begin(), subs.end(), parameter));
    });
}

xc_query *xc_query_scale(const xc_query *query, double factor, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_query *>(nullptr),
                 [&] { return wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, query->query, factor)); });
}

xc_query *xc_query_value(xc_query_op op, uint32_t slot, const char *a, size_t a_len, const char *b, size_t b_len,
                         xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_query *>(nullptr), [&] {
        if (op == XC_OP_VALUE_RANGE) {
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, str(a, a_len), str(b, b_len)));
        }
        if (op != XC_OP_VALUE_GE && op != XC_OP_VALUE_LE) {
            throw Xapian::InvalidArgumentError("xc_query_value needs OP_VALUE_RANGE, OP_VALUE_GE or OP_VALUE_LE");
        }
        return wrap(Xapian::Query(Xapian::Query::op(op), slot, str(a, a_len)));
    });
}

xc_query *xc_query_wildcard(const char *pattern, size_t len, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_query *>(nullptr),
                 [&] { return wrap(Xapian::Query(Xapian::Query::OP_WILDCARD, str(pattern, len))); });
}

void xc_query_free(xc_query *query) XC_NOEXCEPT { delete query; }

char *xc_query_description(const xc_query *query, size_t *len, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<char *>(nullptr),
                 [&] { return malloc_string(query->query.get_description(), len); });
}

// MARK: - Enquire

xc_enquire *xc_enquire_new(const xc_database *db, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_enquire *>(nullptr), [&] { return new xc_enquire(*db->db); });
}

void xc_enquire_free(xc_enquire *enquire) XC_NOEXCEPT {
    // Members are destroyed in reverse order: the Enquire (holding raw spy pointers) goes before the spies.
    delete enquire;
}

void xc_enquire_set_query(xc_enquire *enquire, const xc_query *query, uint32_t query_length, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { enquire->enquire.set_query(query->query, query_length); });
}

void xc_enquire_set_bm25(xc_enquire *enquire, double k1, double k2, double k3, double b, double min_normlen,
                         xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { enquire->enquire.set_weighting_scheme(Xapian::BM25Weight(k1, k2, k3, b, min_normlen)); });
}

void xc_enquire_set_bool_weight(xc_enquire *enquire, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { enquire->enquire.set_weighting_scheme(Xapian::BoolWeight()); });
}

void xc_enquire_set_tfidf(xc_enquire *enquire, const char *normalisation, size_t len, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { enquire->enquire.set_weighting_scheme(Xapian::TfIdfWeight(str(normalisation, len))); });
}

void xc_enquire_set_sort(xc_enquire *enquire, xc_sort sort, uint32_t slot, bool reverse, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] {
        switch (sort) {
            case XC_SORT_RELEVANCE: enquire->enquire.set_sort_by_relevance(); break;
            case XC_SORT_VALUE: enquire->enquire.set_sort_by_value(slot, reverse); break;
            case XC_SORT_VALUE_THEN_RELEVANCE: enquire->enquire.set_sort_by_value_then_relevance(slot, reverse); break;
            case XC_SORT_RELEVANCE_THEN_VALUE: enquire->enquire.set_sort_by_relevance_then_value(slot, reverse); break;
            default: throw Xapian::InvalidArgumentError("unknown sort order");
        }
    });
}

void xc_enquire_set_docid_order(xc_enquire *enquire, xc_docid_order order, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { enquire->enquire.set_docid_order(Xapian::Enquire::docid_order(order)); });
}

void xc_enquire_set_collapse_key(xc_enquire *enquire, uint32_t slot, uint32_t max, xc_error **err) XC_NOEXCEPT {
    guard_void(err, [&] { enquire->enquire.set_collapse_key(slot, max); });
}

xc_valuecount_spy *xc_enquire_add_valuecount_spy(xc_enquire *enquire, uint32_t slot, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_valuecount_spy *>(nullptr), [&] {
        auto spy = std::make_unique<xc_valuecount_spy>(slot);
        enquire->spies.reserve(enquire->spies.size() + 1);  // so push_back cannot throw after add_matchspy
        enquire->enquire.add_matchspy(&spy->spy);
        enquire->spies.push_back(std::move(spy));
        return enquire->spies.back().get();
    });
}

xc_table *xc_enquire_mset(xc_enquire *enquire, uint32_t first, uint32_t max, uint32_t check_at_least,
                          bool fetch_data, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_table *>(nullptr), [&] {
        Xapian::MSet mset = enquire->enquire.get_mset(first, max, check_at_least);
        // fetch() batches document reads (and round trips for remote shards), but Xapian 1.4.22's MSet::fetch()
        // dereferences a bad pointer when first > 0 (seen as a segfault from C++ and Python alike): only prefetch
        // the first page; later pages read their documents one by one below.
        if (fetch_data && first == 0) mset.fetch();
        TableBuilder b(2, 4, 1);
        b.reserve(mset.size());
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            b.add_string(it.get_collapse_key());
            b.add_string(fetch_data ? it.get_document().get_data() : std::string());
            b.add_int(*it);
            b.add_int(it.get_rank());
            b.add_int(it.get_percent());
            b.add_int(it.get_collapse_count());
            b.add_real(it.get_weight());
        }
        b.header[0] = mset.get_matches_estimated();
        b.header[1] = mset.get_matches_lower_bound();
        b.header[2] = mset.get_matches_upper_bound();
        return b.finish(mset.size());
    });
}

xc_table *xc_enquire_eset(xc_enquire *enquire, const uint32_t *relevant, size_t count, uint32_t max_terms,
                          xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_table *>(nullptr), [&] {
        Xapian::RSet rset;
        for (size_t i = 0; i < count; ++i) rset.add_document(relevant[i]);
        Xapian::ESet eset = enquire->enquire.get_eset(max_terms, rset);
        TableBuilder b(1, 0, 1);
        b.reserve(eset.size());
        for (auto it = eset.begin(); it != eset.end(); ++it) {
            b.add_string(*it);
            b.add_real(it.get_weight());
        }
        return b.finish(eset.size());
    });
}

xc_table *xc_valuecount_spy_top(const xc_valuecount_spy *spy, uint32_t max_values, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_table *>(nullptr), [&] {
        return term_table(spy->spy.top_values_begin(max_values), spy->spy.top_values_end(max_values),
                          [](const Xapian::TermIterator &it) { return it.get_termfreq(); });
    });
}

uint64_t xc_valuecount_spy_total(const xc_valuecount_spy *spy) XC_NOEXCEPT { return spy->spy.get_total(); }

// MARK: - Stemming and sortable values

xc_stem *xc_stem_new(const char *language, size_t len, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<xc_stem *>(nullptr), [&] { return new xc_stem{Xapian::Stem(str(language, len))}; });
}

void xc_stem_free(xc_stem *stem) XC_NOEXCEPT { delete stem; }

size_t xc_stem_apply(const xc_stem *stem, const char *word, size_t len, char *out, size_t cap, xc_error **err) XC_NOEXCEPT {
    return guard(err, size_t(0), [&] {
        std::string s = stem->stem(str(word, len));
        if (s.size() <= cap && s.size()) std::memcpy(out, s.data(), s.size());
        return s.size();
    });
}

char *xc_stem_languages(size_t *len, xc_error **err) XC_NOEXCEPT {
    return guard(err, static_cast<char *>(nullptr),
                 [&] { return malloc_string(Xapian::Stem::get_available_languages(), len); });
}

size_t xc_sortable_serialise(double value, char *out) XC_NOEXCEPT {
    return guard(nullptr, size_t(0), [&] {
        std::string s = Xapian::sortable_serialise(value);
        std::memcpy(out, s.data(), s.size());
        return s.size();
    });
}

double xc_sortable_unserialise(const char *bytes, size_t len) XC_NOEXCEPT {
    return guard(nullptr, 0.0, [&] { return Xapian::sortable_unserialise(str(bytes, len)); });
}

}  // extern "C"
