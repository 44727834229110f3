// CICU: the few ICU services Starling needs, behind a header that includes no ICU header.
// Foundation carries its own ICU; exposing /usr/include/unicode to Swift clashes with it, so only plain C types
// cross this boundary. Offsets are UTF-8 byte offsets into the caller's buffer.
#pragma once
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An ICU word break iterator. Not thread-safe: one per thread.
typedef struct cicu_word_breaker cicu_word_breaker;

/// Opens a word break iterator for `locale` ("" for the root locale). Returns NULL and sets *error_code on failure.
cicu_word_breaker *cicu_word_breaker_open(const char *locale, int32_t *error_code);

/// Frees a breaker (NULL is fine).
void cicu_word_breaker_close(cicu_word_breaker *breaker);

/// Segments `utf8[0..<length]` into words. For each segment writes its start and end byte offsets and ICU's rule
/// status (0 none/punctuation/space, 100.. number, 200.. letter, 300.. kana, 400.. ideograph) into the arrays, up to
/// `capacity` segments. Returns the number of segments (which may exceed capacity: call again with more room),
/// or -1 with *error_code set.
int32_t cicu_word_segments(cicu_word_breaker *breaker, const char *utf8, int32_t length,
                           int32_t *starts, int32_t *ends, int32_t *statuses, int32_t capacity,
                           int32_t *error_code);

/// A human-readable name for an ICU error code.
const char *cicu_error_name(int32_t error_code);

#ifdef __cplusplus
}
#endif
