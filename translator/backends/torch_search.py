"""Logits processors for transformers' search: each row's own length limit, and the record of
what the search chose (log-probabilities and attention rows), so that no second pass is needed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from transformers import LogitsProcessor


class PerRowLengthLimit(LogitsProcessor):
    """Force ``</s>`` once a row has produced its own budget of tokens.

    ``generate`` knows one ``max_new_tokens`` for the whole batch; bounding each sentence by its
    own length keeps a batch's outputs identical to one-at-a-time outputs and stops a repetition
    loop long before 512 tokens. Every row ends through this forced ``</s>``, never through the
    batch-wide cut-off, because beam search scores a hypothesis cut off without ``</s>``
    differently from one that ends with it.
    """

    def __init__(self, limits: Sequence[int], beam: int, eos_id: int, prompt_length: int) -> None:
        self.limits = torch.tensor(limits).repeat_interleave(beam)
        self.eos_id = eos_id
        self.prompt_length = prompt_length

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        produced = input_ids.shape[1] - self.prompt_length
        done = (self.limits.to(scores.device) <= produced).nonzero().flatten()
        if done.numel():
            scores[done] = float("-inf")
            scores[done, self.eos_id] = 0.0
        return scores


class SearchRecorder(LogitsProcessor):
    """Record, step by step, what the Document needs of the hypotheses the search keeps.

    transformers calls logits processors with each step's running prefixes (``input_ids``,
    rows batch-major, ``width`` rows per sentence) and scores: log-softmax over the whole
    vocabulary in beam search, raw logits in greedy search. Keeping every step's scores would
    cost ``rows × vocabulary`` floats a step, so each call looks one step back instead: every
    running row's last token was chosen from its parent row (the previous step's row whose
    prefix it extends), and the parent's scores are still at hand. ``</s>``, which ends a
    hypothesis and so never reaches a next step, is kept for every row before the length limit
    forces it. Log-probabilities are renormalised without ``<pad>``, which this processor masks
    itself: the model's own ``bad_words_ids`` would hide how much mass it had.

    Runs after transformers' own processors (which only mask with -inf) and before the length
    limit, which changes only rows that end at this step and so are nobody's parent.
    """

    def __init__(self, width: int, pad_id: int, eos_id: int) -> None:
        self.width = width
        self.pad_id = pad_id
        self.eos_id = eos_id
        self.log_softmaxed = width > 1
        self.prefixes: list[torch.Tensor] = []  # step t: [rows, t + 1]
        self.chosen: list[torch.Tensor] = []  # step t: log-prob of each row's last token
        self.end: list[torch.Tensor] = []  # step t: log-prob of </s> after each row's prefix
        self._scores: torch.Tensor | None = None
        self._normaliser: torch.Tensor | None = None

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if self.log_softmaxed:
            pad = scores[:, self.pad_id].clone()
            scores[:, self.pad_id] = float("-inf")
            normaliser = torch.log1p(-pad.exp().clamp(max=1 - 1e-7))
        else:
            scores[:, self.pad_id] = float("-inf")
            normaliser = torch.logsumexp(scores, dim=-1)
        chosen = torch.full((input_ids.shape[0],), float("nan"), device=scores.device)
        if self._scores is not None:
            parents, found = self._parents(self.prefixes[-1], input_ids[:, :-1])
            picked = self._scores[parents, input_ids[:, -1]] - self._normaliser[parents]
            chosen = torch.where(found, picked, chosen)
        self.prefixes.append(input_ids.clone())
        self.chosen.append(chosen)
        self.end.append(scores[:, self.eos_id] - normaliser)
        self._scores, self._normaliser = scores, normaliser
        return scores

    def _rows(
        self, prefixes: torch.Tensor, wanted: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """For each sentence's rows in ``wanted`` ([sentences, k, t]), the row of ``prefixes``
        ([sentences × width, t]) of the same sentence that holds the same prefix."""
        sentences, _, length = wanted.shape
        candidates = prefixes.view(sentences, self.width, length)
        same = (wanted[:, :, None, :] == candidates[:, None, :, :]).all(dim=-1)
        offsets = torch.arange(sentences, device=prefixes.device)[:, None] * self.width
        return offsets + same.int().argmax(dim=-1), same.any(dim=-1)

    def _parents(
        self, previous: torch.Tensor, extended: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        sentences = previous.shape[0] // self.width
        rows, found = self._rows(previous, extended.view(sentences, self.width, -1))
        return rows.flatten(), found.flatten()

    def hypotheses(
        self, outputs: Sequence[Sequence[int]], start_id: int, attention: Sequence[torch.Tensor]
    ) -> list[tuple[list[float], np.ndarray]] | None:
        """Log-probabilities (each token, then ``</s>``) and attention rows of each sentence's
        chosen output, or None when an output is not in the record (the caller then scores
        it with a teacher-forced pass). ``attention[t]``: step t's ``[rows, sources]``."""
        sentences = len(outputs)
        lengths = torch.tensor([len(ids) for ids in outputs])
        steps = int(lengths.max()) + 1
        if steps > len(self.prefixes) or len(attention) < steps:
            return None
        tokens = torch.full((sentences, steps), -1, dtype=torch.long)
        tokens[:, 0] = start_id
        for row, ids in enumerate(outputs):
            tokens[row, 1 : len(ids) + 1] = torch.tensor(ids, dtype=torch.long)
        logprobs = torch.zeros((sentences, steps))
        rows_seen = torch.zeros((sentences, steps), dtype=torch.long)
        for step in range(steps):
            prefixes = self.prefixes[step].cpu()
            rows, found = self._rows(prefixes, tokens[:, None, : step + 1])
            rows, found = rows[:, 0], found[:, 0]
            active = lengths >= step
            if not bool(found[active].all()):
                return None
            rows_seen[:, step] = rows
            if step:
                logprobs[active, step - 1] = self.chosen[step].cpu()[rows[active]]
            ending = lengths == step
            logprobs[ending, step] = self.end[step].cpu()[rows[ending]]
        # [steps, sentences, sources]: each sentence's row of each step, in one gather
        chosen = torch.stack(list(attention[:steps])).float().cpu()
        chosen = chosen[torch.arange(steps)[:, None], rows_seen.T].transpose(0, 1).numpy()
        return [
            (logprobs[row, : len(ids) + 1].tolist(), chosen[row, : len(ids) + 1])
            for row, ids in enumerate(outputs)
        ]
