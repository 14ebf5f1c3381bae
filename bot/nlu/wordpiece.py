"""BERT's uncased WordPiece tokenizer, in plain Python, from the model's own vocab.txt.

The sentence encoder (bot/nlu/minilm.py) was trained on the ids this tokenizer
gives: lower-case, accents stripped, punctuation split off, then each word cut
into the longest pieces the vocabulary holds ("##" marks a piece inside a word).
It is what Hugging Face's BertTokenizer does with do_lower_case=True; the
reference vectors in tests/rasa_side check it together with the encoder.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

CLS, SEP, UNK = "[CLS]", "[SEP]", "[UNK]"
MAX_WORD_CHARS = 100


class WordPiece:
    """Text to token ids, as the model was trained."""

    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.cls, self.sep, self.unk = vocab[CLS], vocab[SEP], vocab[UNK]

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        words = path.read_text(encoding="utf-8").splitlines()
        return cls({word: index for index, word in enumerate(words)})

    def ids(self, text: str, max_length: int) -> list[int]:
        """[CLS] the text's pieces [SEP], cut to max_length ids."""
        pieces = [p for word in basic_words(text) for p in self.pieces(word)]
        return [self.cls, *pieces[: max_length - 2], self.sep]

    def pieces(self, word: str) -> list[int]:
        """The longest-match-first pieces of one word; [UNK] if it cannot be cut."""
        if len(word) > MAX_WORD_CHARS:
            return [self.unk]
        found: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found.append(self.vocab[piece])
                    break
                end -= 1
            else:
                return [self.unk]
            start = end
        return found


def basic_words(text: str) -> list[str]:
    """Lower-cased words without accents, each punctuation mark a word of its own."""
    text = unicodedata.normalize("NFD", text.lower())
    words: list[str] = []
    current: list[str] = []
    for char in text:
        kind = unicodedata.category(char)
        if kind == "Mn" or char == "\ufffd" or (kind.startswith("C") and char not in "\t\n\r"):
            continue
        if char.isspace():
            _flush(current, words)
        elif _is_punctuation(char) or _is_cjk(char):
            _flush(current, words)
            words.append(char)
        else:
            current.append(char)
    _flush(current, words)
    return words


def _flush(current: list[str], words: list[str]) -> None:
    if current:
        words.append("".join(current))
        current.clear()


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )
