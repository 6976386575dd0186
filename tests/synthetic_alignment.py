"""A made-up German with known word alignments, and a tiny Marian trained on it (guided).

Real gold alignments need the real weights; this checks the whole extraction path (pieces → rows
→ word matrix → links) on a model whose right answer is known. The language has what makes
German–English alignment hard: verb-second order (a fronted adverb moves the subject behind the
verb), verb-final subordinate clauses, separable verbs (one English verb ↔ stem and particle far
apart, or joined in a subordinate clause), compounds (one German word ↔ two English words),
modal particles and a comma with no English counterpart. Words have 2–4 syllables, so
SentencePiece splits many of them.

The model is trained as Marian trains opus-mt ``transformer-align``: cross-entropy plus a guided-
alignment loss on head 0 of the last decoder layer, at the row that *produces* each target piece.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from translator.calibrate import GoldPair, prepare

Link = tuple[int, int]  # (German token, English token)

# d_model 64, 4 heads: heads other than 0 stay unsupervised, as in the real model
MODEL = {
    "d_model": 64,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 4,
    "decoder_attention_heads": 4,
    "encoder_ffn_dim": 128,
    "decoder_ffn_dim": 128,
    "max_position_embeddings": 128,
    "dropout": 0.0,
    "attention_dropout": 0.0,
    "activation_dropout": 0.0,
}


@dataclass(frozen=True)
class Example:
    source: list[str]
    target: list[str]
    links: frozenset[Link]

    def gold(self) -> GoldPair:
        return GoldPair(self.source, self.target, self.links, frozenset())


# -- the lexicon ------------------------------------------------------------------------------

_GERMAN = (
    "b d f g k l m n p r s t w z sch st".split(),
    "a e i o u ei au ä ü ie".split(),
    "n r l s".split(),
)
_ENGLISH = (
    "b c d f g h j l m n p r s t v w th sh".split(),
    "a e i o u ea oo ay".split(),
    "n r l s".split(),
)


def _word(rng: random.Random, sounds: tuple[list[str], ...], taken: set[str]) -> str:
    """A new word of 2–4 syllables (mostly 2: short sentences keep training fast)."""
    onsets, vowels, codas = sounds
    while True:
        syllables = rng.choices((2, 3, 4), weights=(6, 3, 1))[0]
        word = "".join(
            rng.choice(onsets)
            + rng.choice(vowels)
            + (rng.choice(codas) if rng.random() < 0.25 else "")
            for _ in range(syllables)
        )
        if word not in taken:
            taken.add(word)
            return word


@dataclass
class Lexicon:
    """German ↔ English words by category; pairs at the same index translate each other."""

    words: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    particles: list[str] = field(default_factory=list)  # separable-verb particles (German)
    separable: list[tuple[str, int, str]] = field(default_factory=list)  # stem, particle, verb
    modal: list[str] = field(default_factory=list)  # German only: no English counterpart
    compounds: list[tuple[int, int]] = field(default_factory=list)  # (modifier, head) nouns


def make_lexicon(seed: int = 7) -> Lexicon:
    """One lexicon for every seed; the seed picks the sentences and the initial weights."""
    rng = random.Random(seed)
    taken: set[str] = set()
    sizes = {"det": 3, "noun": 16, "adj": 6, "verb": 8, "adv": 6, "conj": 3}
    lexicon = Lexicon()
    for category, size in sizes.items():
        lexicon.words[category] = [
            (_word(rng, _GERMAN, taken), _word(rng, _ENGLISH, taken)) for _ in range(size)
        ]
    lexicon.particles = [_word(rng, _GERMAN, taken) for _ in range(3)]
    lexicon.separable = [
        (_word(rng, _GERMAN, taken), k % 3, _word(rng, _ENGLISH, taken)) for k in range(6)
    ]
    lexicon.modal = [_word(rng, _GERMAN, taken) for _ in range(3)]
    nouns = range(len(lexicon.words["noun"]))
    pairs = [(a, b) for a in nouns for b in nouns if a != b]
    lexicon.compounds = rng.sample(pairs, 10)
    return lexicon


# -- sentences --------------------------------------------------------------------------------


class _Builder:
    """Grows both sides of a sentence pair and the links between them."""

    def __init__(self) -> None:
        self.source: list[str] = []
        self.target: list[str] = []
        self.links: set[Link] = set()

    def german(self, word: str) -> int:
        self.source.append(word)
        return len(self.source) - 1

    def english(self, word: str) -> int:
        self.target.append(word)
        return len(self.target) - 1


def _noun_phrase(rng: random.Random, lexicon: Lexicon) -> list[tuple[str, list[str]]]:
    """Determiner, maybe an adjective, a noun or compound: (German word, its English words)."""
    words = lexicon.words
    det = rng.choice(words["det"])
    units = [(det[0], [det[1]])]
    if rng.random() < 0.4:
        adjective = rng.choice(words["adj"])
        units.append((adjective[0], [adjective[1]]))
    if rng.random() < 0.3:
        modifier, head = rng.choice(lexicon.compounds)
        (g1, e1), (g2, e2) = words["noun"][modifier], words["noun"][head]
        units.append((g1 + g2, [e1, e2]))
    else:
        noun = rng.choice(words["noun"])
        units.append((noun[0], [noun[1]]))
    return units


def _clause(rng: random.Random, lexicon: Lexicon, subordinate: bool) -> tuple[list, list]:
    """A clause as German slots and English slots; slots are keyed so links can be drawn.

    Each slot is (key, word). Equal keys on both sides are linked; German keys with no English
    counterpart (modal particles, the comma) stay unaligned.
    """
    words = lexicon.words
    german: list[tuple[str, str]] = []
    english: list[tuple[str, str]] = []
    subject = _noun_phrase(rng, lexicon)
    obj = _noun_phrase(rng, lexicon)

    def phrase(name: str, units) -> tuple[list, list]:
        g, e = [], []
        for k, (word, translations) in enumerate(units):
            g.append((f"{name}{k}", word))
            e.extend((f"{name}{k}", t) for t in translations)
        return g, e

    subject_g, subject_e = phrase("s", subject)
    object_g, object_e = phrase("o", obj)
    if rng.random() < 0.3:
        stem, particle, verb = rng.choice(lexicon.separable)
        particle_word = lexicon.particles[particle]
        verb_g = [("v", stem)]
        verb_joined = [("v", particle_word + stem)]
        verb_tail = [("v", particle_word)]
        verb_e = [("v", verb)]
    else:
        g, e = rng.choice(words["verb"])
        verb_g, verb_joined, verb_tail, verb_e = [("v", g)], [("v", g)], [], [("v", e)]
    modal = [("-m", rng.choice(lexicon.modal))] if rng.random() < 0.3 else []
    adverb = rng.choice(words["adv"]) if rng.random() < 0.5 else None
    adverb_g = [("a", adverb[0])] if adverb else []
    adverb_e = [("a", adverb[1])] if adverb else []
    if subordinate:
        conj = rng.choice(words["conj"])
        german = [("-,", ","), ("c", conj[0]), *subject_g, *modal, *object_g, *verb_joined]
        english = [("c", conj[1]), *subject_e, *verb_e, *object_e]
    elif adverb and rng.random() < 0.5:  # verb second: the adverb first, the subject after
        german = [*adverb_g, *verb_g, *subject_g, *modal, *object_g, *verb_tail]
        english = [*subject_e, *verb_e, *object_e, *adverb_e]
    else:
        german = [*subject_g, *verb_g, *modal, *object_g, *adverb_g, *verb_tail]
        english = [*subject_e, *verb_e, *object_e, *adverb_e]
    return german, english


def sentence(rng: random.Random, lexicon: Lexicon) -> Example:
    """One sentence pair: a main clause, sometimes a subordinate clause, a full stop."""
    german, english = _clause(rng, lexicon, subordinate=False)
    german = [(f"m{k}", w) for k, w in german]
    english = [(f"m{k}", w) for k, w in english]
    if rng.random() < 0.4:
        sub_g, sub_e = _clause(rng, lexicon, subordinate=True)
        german += [(f"x{k}", w) for k, w in sub_g]
        english += [(f"x{k}", w) for k, w in sub_e]
    german.append(("p.", "."))
    english.append(("p.", "."))
    links = {
        (i, j)
        for i, (key_g, _) in enumerate(german)
        for j, (key_e, _) in enumerate(english)
        if key_g == key_e and "-" not in key_g
    }
    return Example([w for _, w in german], [w for _, w in english], frozenset(links))


def corpus(n: int, seed: int, lexicon: Lexicon | None = None) -> list[Example]:
    lexicon = lexicon or make_lexicon()
    rng = random.Random(seed)
    return [sentence(rng, lexicon) for _ in range(n)]


# -- the model --------------------------------------------------------------------------------


@dataclass
class Synthetic:
    """A trained model directory and held-out sentence pairs it never saw."""

    directory: Path
    held_out: list[Example]
    train_seconds: float
    source_pieces_per_word: float  # held-out German: > 1 means words are split
    target_pieces_per_word: float  # held-out English


def _words(owner) -> tuple[int, ...]:
    """A piece's words, whether ``pieces_to_words`` gives an index, several, or None."""
    if owner is None:
        return ()
    return (owner,) if isinstance(owner, int) else tuple(owner)


def _membership(owners, n_words: int) -> np.ndarray:
    """[piece, word] = 1 where the piece belongs to the word."""
    matrix = np.zeros((len(owners), n_words), dtype=np.float32)
    for piece, owner in enumerate(owners):
        matrix[piece, list(_words(owner))] = 1.0
    return matrix


def _guide(prepared, example: Example) -> np.ndarray:
    """Gold attention [target pieces + 1, source ids]: each target piece spreads evenly over the
    pieces of its German words; ``</s>`` goes to ``</s>``; rows of pieces with no German
    counterpart stay zero (not supervised)."""
    links = np.zeros((len(example.source), len(example.target)), dtype=np.float32)
    for s, t in example.links:
        links[s, t] = 1.0
    source = _membership(prepared.source_owner, len(example.source))  # [S, source words]
    target = _membership(prepared.target_owner, len(example.target))  # [T, target words]
    pieces = (target @ links.T @ source.T > 0).astype(np.float32)  # [T, S]
    guide = np.zeros((pieces.shape[0] + 1, pieces.shape[1] + 1), dtype=np.float32)
    totals = pieces.sum(axis=1, keepdims=True)
    guide[:-1, :-1] = np.divide(pieces, totals, out=np.zeros_like(pieces), where=totals > 0)
    guide[-1, -1] = 1.0
    return guide


def train(
    directory: Path,
    examples: list[Example],
    *,
    seed: int,
    steps: int = 1000,
    batch_size: int = 16,
    learning_rate: float = 5e-3,
    guided_weight: float = 1.0,
    threads: int = 1,
    log: Callable[[int, float, float], None] | None = None,
) -> None:
    """Train the model in ``directory`` in place: cross-entropy + guided alignment (last layer,
    head 0, unshifted rows), then ``save_pretrained`` over the random weights."""
    import torch

    from translator.backends import load_backend

    # the real loading code and attention implementation; torch: the one engine that trains
    backend = load_backend(str(directory), device="cpu", backend="torch")
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model, codec = backend.model, backend.codec
    pad = codec.pad_id
    data = []
    for example in examples:
        prepared = prepare(codec, example.source, example.target)
        data.append((prepared.source_ids, prepared.target_ids, _guide(prepared, example)))
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate, betas=(0.9, 0.98))
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(  # warm up, then decay linearly
        optimizer, lambda step: min((step + 1) / warmup, (steps - step) / (steps - warmup))
    )
    rng = random.Random(seed)
    model.train()
    try:
        for step in range(steps):
            batch = rng.sample(data, batch_size)
            width_s = max(len(s) for s, _, _ in batch)
            width_t = max(len(t) for _, t, _ in batch) + 1
            input_ids = torch.full((batch_size, width_s), pad, dtype=torch.long)
            mask = torch.zeros((batch_size, width_s), dtype=torch.long)
            decoder = torch.full((batch_size, width_t), pad, dtype=torch.long)
            labels = torch.full((batch_size, width_t), -100, dtype=torch.long)
            guide = torch.zeros((batch_size, width_t, width_s))
            for row, (source, target, gold) in enumerate(batch):
                input_ids[row, : len(source)] = torch.tensor(source)
                mask[row, : len(source)] = 1
                decoder[row, : len(target) + 1] = torch.tensor([backend.decoder_start_id, *target])
                labels[row, : len(target) + 1] = torch.tensor([*target, codec.eos_id])
                guide[row, : gold.shape[0], : gold.shape[1]] = torch.from_numpy(gold)
            out = model(
                input_ids=input_ids,
                attention_mask=mask,
                decoder_input_ids=decoder,
                output_attentions=True,
            )
            logits = out.logits.float()
            cross_entropy = torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100
            )
            (attention,) = [a for a in out.cross_attentions if a is not None]
            head = attention[:, 0]  # [batch, target rows, source]: row t produces piece t
            supervised = guide.sum(-1) > 0
            guided = -(guide * torch.log(head + 1e-6)).sum(-1)[supervised].mean()
            loss = cross_entropy + guided_weight * guided
            optimizer.zero_grad()
            if log is not None and step % 25 == 0:
                log(step, cross_entropy.item(), guided.item())
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
    finally:
        torch.set_num_threads(previous_threads)
    model.eval()
    model.save_pretrained(directory)


def build(
    directory: Path,
    *,
    seed: int = 0,
    pairs: int = 8000,
    held_out: int = 200,
    steps: int = 1000,
    vocab_size: int = 160,
    **training,
) -> Synthetic:
    """Corpus → SentencePiece models and random Marian (``build_random_marian``) → trained."""
    from translator.backends.random_marian import build_random_marian

    started = time.perf_counter()
    lexicon = make_lexicon()
    examples = corpus(pairs, seed=seed, lexicon=lexicon)
    seen = {" ".join(e.source) for e in examples}
    test = corpus(held_out * 2, seed=seed + 10_000, lexicon=lexicon)
    test = [e for e in test if " ".join(e.source) not in seen][:held_out]
    # SentencePiece splits these made-up words into ~3 pieces each. Splits test the piece → word
    # sums and means; but an English word of k pieces moves only 1/k of its weight when the rows
    # are read off by one. So three English words in four are also given as lines of their own,
    # which makes SentencePiece keep them whole, and half the German words (shorter input).
    english = sorted({w for e in examples for w in e.target})
    german = sorted({w for e in examples for w in e.source})
    build_random_marian(
        directory,
        [" ".join(e.source) for e in examples] + german[::2] * 100,
        [" ".join(e.target) for e in examples] + [w for k, w in enumerate(english) if k % 4] * 100,
        vocab_size=vocab_size,
        seed=seed,
        num_beams=1,
        config=MODEL,
    )
    train(directory, examples, seed=seed, steps=steps, **training)
    import sentencepiece as spm

    pieces = {}
    for side in ("source", "target"):
        model = spm.SentencePieceProcessor(model_file=str(Path(directory) / f"{side}.spm"))
        words = [w for e in test for w in getattr(e, side)]
        pieces[side] = sum(len(model.encode(w)) for w in words) / len(words)
    elapsed = time.perf_counter() - started
    return Synthetic(Path(directory), test, elapsed, pieces["source"], pieces["target"])


@contextlib.contextmanager
def single_thread() -> Iterator[None]:
    """Run torch on one thread: on a busy shared CPU, two threads of a tiny model spin and wait
    (a forced pass over 200 sentences took 10 s instead of 0.3 s)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


_BUILT: dict[int, Synthetic] = {}


def cached(directory_factory, seed: int = 0) -> Synthetic:
    """One trained model per seed and test session, shared by every test module that asks."""
    if seed not in _BUILT:
        _BUILT[seed] = build(Path(directory_factory()), seed=seed)
    return _BUILT[seed]
