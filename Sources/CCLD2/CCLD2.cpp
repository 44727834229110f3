// CCLD2.cpp: the C shim over CLD2's C++ API. Nothing C++ (and no exception) crosses the C header.
#include <cstdio>  // compact_lang_det.h uses FILE without including <cstdio>.
#include <cstring>
#include <climits>
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include "CCLD2.h"

namespace {
void copyCode(char *dst, const char *src) {
    std::strncpy(dst, src ? src : "un", 15);
    dst[15] = 0;
}
}  // namespace

// The detector has no global mutable state after its tables are linked in, so concurrent calls are safe.
extern "C" bool ccld2_detect(const char *text, size_t length, bool best_effort, const char *language_hint,
                             ccld2_result *out) {
    std::memset(out, 0, sizeof(*out));
    for (auto &c : out->codes) copyCode(c, "un");
    try {
        CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
        if (language_hint && *language_hint) hints.language_hint = CLD2::GetLanguageFromName(language_hint);
        CLD2::Language langs[3];
        int percents[3] = {0, 0, 0};
        double scores[3] = {0, 0, 0};
        int textBytes = 0;
        bool reliable = false;
        int validPrefix = 0;
        int len = length > size_t(INT_MAX) ? INT_MAX : int(length);
        CLD2::ExtDetectLanguageSummaryCheckUTF8(text, len, true, &hints, best_effort ? CLD2::kCLDFlagBestEffort : 0,
                                                langs, percents, scores, nullptr, &textBytes, &reliable,
                                                &validPrefix);
        out->valid_utf8 = validPrefix >= len;
        if (!out->valid_utf8) return false;
        for (int i = 0; i < 3; i++) {
            copyCode(out->codes[i], CLD2::LanguageCode(langs[i]));
            out->percents[i] = percents[i];
            out->scores[i] = scores[i];
        }
        out->text_bytes = textBytes;
        out->reliable = reliable;
        return true;
    } catch (...) {
        return false;
    }
}

extern "C" const char *ccld2_version(void) { return CLD2::DetectLanguageVersion(); }
