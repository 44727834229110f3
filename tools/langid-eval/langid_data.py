"""The language-ID evaluation sets of ../shared/data/eval/langid, their fixed seeded split, and text cleaning.

Every tool that trains or evaluates imports this module, so the split is the same everywhere:
  - each set is read in file order; a row is in the TEST part when fnv1a64("<set>:<row index>") mod 5 == 0 (20%),
    otherwise in the TRAIN part (80%) (FNV-1a, 64-bit, over the UTF-8 bytes: easy to repeat in Swift tests);
  - within TRAIN, a row is in the DEV part when fnv1a64("dev:<set>:<row index>") mod 8 == 0 (10% of the set);
    DEV is used only to choose hyperparameters, and the shipped model is then trained on all of TRAIN;
  - a TRAIN row whose folded text also occurs in TEST is dropped (retweets and copies would leak otherwise).
The held-out test sets of ../shared/docs/PEERS.md are separate files this project does not have.
"""
import os
import re
import unicodedata

SETS = ("tweetlid", "xlmt", "ilps")
XLMT_LANGS = {"arabic": "ar", "english": "en", "french": "fr", "german": "de", "hindi": "hi",
              "italian": "it", "portuguese": "pt", "spanish": "es"}
ILPS_LANGS = {"dutch": "nl", "english": "en", "french": "fr", "german": "de", "spanish": "es"}
TWEETLID_LANGS = {"es", "pt", "ca", "en", "gl", "eu"}


def shared_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "data", "eval", "langid"))


def load(name, root=None):
    """Rows (text, gold ISO code, author or None) of one set, in file order."""
    root = root or shared_dir()
    rows = []
    if name == "tweetlid":
        with open(os.path.join(root, "tweetlid-train.tsv"), encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 4:
                    continue
                _id, user, label, text = parts[0], parts[1], parts[2], "\t".join(parts[3:])
                # Single-language rows only; 'Not Available' rows have no text.
                if label in TWEETLID_LANGS and text.strip() and text.strip() != "Not Available":
                    rows.append((text, label, user))
    elif name == "xlmt":
        for folder in sorted(XLMT_LANGS):
            for part in ("train_text.txt", "val_text.txt"):
                with open(os.path.join(root, "xlm-t", folder, part), encoding="utf-8") as f:
                    for line in f:
                        t = line.rstrip("\n")
                        if t.strip():
                            rows.append((t, XLMT_LANGS[folder], None))
    elif name == "ilps":
        with open(os.path.join(root, "ilps-train.tsv"), encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t", 1)
                if len(parts) == 2 and parts[0] in ILPS_LANGS and parts[1].strip():
                    rows.append((parts[1], ILPS_LANGS[parts[0]], None))
    else:
        raise ValueError(name)
    return rows


def fnv1a64(key):
    h = 0xcbf29ce484222325
    for b in key.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def _bucket(key, mod):
    return fnv1a64(key) % mod


def split(name, rows):
    """(train, dev, test) lists of rows; dev is a subset of train."""
    test_idx = {i for i in range(len(rows)) if _bucket(f"{name}:{i}", 5) == 0}
    test = [rows[i] for i in sorted(test_idx)]
    test_texts = {fold(r[0]) for r in test}
    train, dev = [], []
    for i, r in enumerate(rows):
        if i in test_idx or fold(r[0]) in test_texts:
            continue
        train.append(r)
        if _bucket(f"dev:{name}:{i}", 8) == 0:
            dev.append(r)
    return train, dev, test


def fold(text):
    return unicodedata.normalize("NFKC", text).casefold()


_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\bhttps?\b(?=\s|$)|\b[a-z0-9.-]+\.(?:com|net|org|ly|co)/\S*")
_MENTION = re.compile(r"(?<![\w@])[@＠][A-Za-z0-9_]+")
_RT = re.compile(r"^\W*rt\b\s*:?\s*", re.I)
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos|#\d+);")


def _is_emoji(ch):
    o = ord(ch)
    return (0x1F000 <= o <= 0x1FAFF or 0x2600 <= o <= 0x27BF or 0x2300 <= o <= 0x23FF or 0xFE00 <= o <= 0xFE0F
            or o == 0x200D or 0x1F3FB <= o <= 0x1F3FF or 0xE0020 <= o <= 0xE007F or 0x2B00 <= o <= 0x2BFF)


def prep(text):
    """What PEERS.md calls 'prep': no RT prefix, @mentions, URLs (and the bare 'http' placeholder), '#' of
    hashtags, or emoji. Used for the peers' 'prep' column; Starling cleans with its own analyser."""
    t = _ENTITY.sub(" ", text)
    t = _URL.sub(" ", t)
    t = _RT.sub("", t)
    t = _MENTION.sub(" ", t)
    t = t.replace("#", " ").replace("＃", " ")
    t = "".join(" " if _is_emoji(c) else c for c in t)
    t = " ".join(t.split())
    return t if t.strip() else text
