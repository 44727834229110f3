// CCLD2: a plain-C face for CLD2 (Compact Language Detector 2). The C++ API (ExtDetectLanguageSummary) is wrapped
// in CCLD2.cpp; this header includes no CLD2 header, so Swift imports it without C++ interop.
#pragma once
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// CLD2's answer for one text: up to three languages (CLD2's codes, e.g. "en", "zh-Hant", "iw"; "un" for unknown),
/// the share of the text's letters in each (0-100), CLD2's normalised score for each (near 1.0 is typical text),
/// the number of letter bytes it looked at, and whether it calls the top answer reliable.
typedef struct ccld2_result {
    char codes[3][16];
    int percents[3];
    double scores[3];
    int text_bytes;
    bool reliable;
    /// False when the input was not valid UTF-8 (nothing else is then set).
    bool valid_utf8;
} ccld2_result;

/// Detects the language of `length` bytes of UTF-8 plain text. `best_effort` makes CLD2 answer even for very short
/// texts (it says "un" for them otherwise). `language_hint` is an optional CLD2 language code or name ("en",
/// "ITALIAN") that CLD2 should favour, or NULL. Never throws; returns false if the text was not valid UTF-8.
bool ccld2_detect(const char *text, size_t length, bool best_effort, const char *language_hint,
                  ccld2_result *out);

/// CLD2's version text ("code_version - data_build_date").
const char *ccld2_version(void);

#ifdef __cplusplus
}
#endif
