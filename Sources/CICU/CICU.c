// CICU: ICU word segmentation over UTF-8 text, without copying the text into UTF-16.
#include "CICU.h"
#include <stdlib.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unicode/utypes.h>

struct cicu_word_breaker {
    UBreakIterator *iterator;
    UText *text;
};

cicu_word_breaker *cicu_word_breaker_open(const char *locale, int32_t *error_code) {
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *it = ubrk_open(UBRK_WORD, locale, NULL, 0, &status);
    if (U_FAILURE(status)) {
        *error_code = (int32_t)status;
        return NULL;
    }
    cicu_word_breaker *b = (cicu_word_breaker *)calloc(1, sizeof(cicu_word_breaker));
    if (!b) {
        ubrk_close(it);
        *error_code = (int32_t)U_MEMORY_ALLOCATION_ERROR;
        return NULL;
    }
    b->iterator = it;
    b->text = NULL;
    *error_code = 0;
    return b;
}

void cicu_word_breaker_close(cicu_word_breaker *breaker) {
    if (!breaker) return;
    ubrk_close(breaker->iterator);
    if (breaker->text) utext_close(breaker->text);
    free(breaker);
}

int32_t cicu_word_segments(cicu_word_breaker *breaker, const char *utf8, int32_t length,
                           int32_t *starts, int32_t *ends, int32_t *statuses, int32_t capacity,
                           int32_t *error_code) {
    UErrorCode status = U_ZERO_ERROR;
    // Reuse the UText: utext_openUTF8 with an existing UText re-initialises it without allocating.
    breaker->text = utext_openUTF8(breaker->text, utf8, length, &status);
    if (U_FAILURE(status)) { *error_code = (int32_t)status; return -1; }
    ubrk_setUText(breaker->iterator, breaker->text, &status);
    if (U_FAILURE(status)) { *error_code = (int32_t)status; return -1; }
    int32_t count = 0;
    int32_t start = ubrk_first(breaker->iterator);
    for (int32_t end = ubrk_next(breaker->iterator); end != UBRK_DONE; end = ubrk_next(breaker->iterator)) {
        if (count < capacity) {
            starts[count] = start;
            ends[count] = end;
            statuses[count] = ubrk_getRuleStatus(breaker->iterator);
        }
        count++;
        start = end;
    }
    *error_code = 0;
    return count;
}

const char *cicu_error_name(int32_t error_code) {
    return u_errorName((UErrorCode)error_code);
}
