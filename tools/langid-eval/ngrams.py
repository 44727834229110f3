"""The character n-gram features of Starling's language model. Sources/StarlingLanguage/NGramModel.swift extracts
the same features; change both together."""
import unicodedata

MAX_N = 5
MAX_WORD = 64  # longer words are cut (NGramModel.swift does the same)


def _letter(ch):
    return unicodedata.category(ch)[0] in "LM"


def words(folded):
    """Maximal runs of letters and marks of a folded text."""
    out, cur = [], []
    for ch in folded:
        if _letter(ch):
            cur.append(ch)
        elif cur:
            out.append("".join(cur)); cur = []
    if cur:
        out.append("".join(cur))
    return out


def features(folded, max_n=MAX_N):
    """n-grams (1..max_n characters) of each word padded with a space on both sides, and the word itself
    as 'w:word'; a lone space is not a feature."""
    feats = []
    for w in words(folded):
        w = w[:MAX_WORD]
        p = " " + w + " "
        L = len(p)
        for n in range(1, max_n + 1):
            for i in range(0, L - n + 1):
                g = p[i:i + n]
                if g != " ":
                    feats.append(g)
        feats.append("w:" + w)
    return feats
