"""MarianMT through transformers and torch: the reference engine.

Token log-probabilities and the alignment head's attention are recorded during the beam search
itself (``torch_search.SearchRecorder``): a teacher-forced pass over the chosen outputs gives the
same numbers but costs about a fifth of the search again, most of it in the 58,101-way output
layer. The teacher-forced pass remains for outputs the search did not produce (``force``) and as
the fallback should the record ever not cover a hypothesis.

transformers' fast ``sdpa`` attention returns no weights, and switching a loaded model's
attention implementation is global state that a server translating for several sessions can't
toggle per call. So the model is loaded (``torch_loading``) with an implementation of our own
(``torch_attention``), registered once: ``sdpa`` everywhere, except eager attention in the
cross-attention module of the alignment layer, and only while weights are asked for
(``output_attentions``). Its mask function is the eager one, which both paths accept.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from transformers import LogitsProcessorList, MarianMTModel
from transformers.modeling_outputs import BaseModelOutput

from .base import Hypothesis
from .codec import PieceCodec
from .hub import ResolvedModel
from .torch_attention import WEIGHTS_MARK, all_weights
from .torch_loading import load_marian
from .torch_search import PerRowLengthLimit, SearchRecorder


class TorchBackend:
    name = "torch"

    def __init__(
        self,
        model: MarianMTModel,
        codec: PieceCodec,
        resolved: ResolvedModel,
        device: torch.device,
        *,
        alignment_layer: int = -1,
        alignment_heads: Sequence[int] = (0,),
    ) -> None:
        self.model = model
        self.codec = codec
        self.model_id = resolved.model_id
        self.revision = resolved.revision
        self.device = str(device)
        self.precision = str(model.dtype).removeprefix("torch.")
        self.default_beam = int(model.generation_config.num_beams or 1)
        self.max_source_positions = int(model.config.max_position_embeddings)
        self.decoder_start_id = int(model.config.decoder_start_token_id)
        layers = model.model.decoder.layers
        self.decoder_layers = len(layers)
        heads = layers[0].encoder_attn.num_heads
        self.alignment_layer = alignment_layer % self.decoder_layers
        self.alignment_heads = list(alignment_heads) or list(range(heads))
        if not all(0 <= h < heads for h in self.alignment_heads):
            raise ValueError(f"alignment heads must lie in 0…{heads - 1}")
        for index, layer in enumerate(layers):
            setattr(layer.encoder_attn, WEIGHTS_MARK, index == self.alignment_layer)

    @classmethod
    def load(
        cls,
        resolved: ResolvedModel,
        *,
        device: str = "auto",
        alignment_layer: int = -1,
        alignment_heads: Sequence[int] = (0,),
    ) -> TorchBackend:
        model, codec, chosen = load_marian(resolved, device)
        return cls(
            model,
            codec,
            resolved,
            chosen,
            alignment_layer=alignment_layer,
            alignment_heads=alignment_heads,
        )

    # -- the protocol -------------------------------------------------------------------------

    def generate(
        self,
        batch: Sequence[Sequence[int]],
        *,
        beam: int,
        max_new_tokens: Sequence[int],
        alternatives: int = 0,
        details: bool = True,
        no_repeat_ngram_size: int = 0,
    ) -> list[Hypothesis]:
        if not batch:
            return []
        input_ids, mask = self._pad_sources(batch)
        returned = max(1, min(beam, alternatives + 1))
        limit = PerRowLengthLimit(max_new_tokens, beam, self.codec.eos_id, prompt_length=1)
        recorder = SearchRecorder(beam, self.codec.pad_id, self.codec.eos_id) if details else None
        with torch.inference_mode():
            encoded = self.model.get_encoder()(input_ids=input_ids, attention_mask=mask)
            generated = self.model.generate(
                # generate expands what it is given in place: hand it a fresh wrapper
                encoder_outputs=BaseModelOutput(last_hidden_state=encoded.last_hidden_state),
                attention_mask=mask,
                num_beams=beam,
                num_return_sequences=returned,
                no_repeat_ngram_size=no_repeat_ngram_size,
                do_sample=False,
                max_new_tokens=max(max_new_tokens) + 1,  # room for the forced </s>
                max_length=None,
                # PerRowLengthLimit ends every row; transformers' own forced </s> at the cut-off
                # would overwrite the scores SearchRecorder reads
                forced_eos_token_id=None,
                bad_words_ids=self._bad_words() if details else None,
                logits_processor=LogitsProcessorList([p for p in (recorder, limit) if p]),
                output_attentions=details,
                return_dict_in_generate=True,
            )
            outputs = [self._strip(row) for row in generated.sequences.tolist()]
            best = outputs[::returned]
            if details:
                hypotheses = self._recorded(recorder, generated, best, batch)
                if hypotheses is None:
                    hypotheses = self._score(encoded.last_hidden_state, mask, best, batch)
            else:
                hypotheses = [Hypothesis(ids) for ids in best]
        for index, hypothesis in enumerate(hypotheses):
            hypothesis.alternatives = outputs[index * returned + 1 : (index + 1) * returned]
        return hypotheses

    def force(
        self, sources: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]
    ) -> list[Hypothesis]:
        if not sources:
            return []
        input_ids, mask = self._pad_sources(sources)
        with torch.inference_mode():
            encoded = self.model.get_encoder()(input_ids=input_ids, attention_mask=mask)
            return self._score(encoded.last_hidden_state, mask, targets, sources)

    def all_attention(
        self, sources: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]
    ) -> list[np.ndarray]:
        input_ids, mask = self._pad_sources(sources)
        decoder_input = self._decoder_input(targets)
        token = all_weights.set(True)
        try:
            with torch.inference_mode():
                out = self.model(
                    input_ids=input_ids,
                    attention_mask=mask,
                    decoder_input_ids=decoder_input,
                    output_attentions=True,
                )
        finally:
            all_weights.reset(token)
        layers = [a for a in out.cross_attentions if a is not None]
        if len(layers) != self.decoder_layers:
            raise RuntimeError(f"expected {self.decoder_layers} layers, got {len(layers)}")
        stacked = torch.stack(layers, dim=1).float().cpu().numpy()  # [B,L,H,T,S]
        return [
            stacked[b, :, :, : len(targets[b]) + 1, : len(sources[b])] for b in range(len(sources))
        ]

    # -- helpers ------------------------------------------------------------------------------

    def _bad_words(self) -> list[list[int]] | None:
        """The model's banned outputs but ``<pad>``, which ``SearchRecorder`` masks itself."""
        banned = self.model.generation_config.bad_words_ids or []
        return [ids for ids in banned if list(ids) != [self.codec.pad_id]] or None

    def _recorded(
        self,
        recorder: SearchRecorder,
        generated,
        best: Sequence[Sequence[int]],
        sources: Sequence[Sequence[int]],
    ) -> list[Hypothesis] | None:
        """The chosen outputs' details from the search's own record (see ``SearchRecorder``)."""
        steps = []
        for layers in generated.cross_attentions or ():
            recorded = [a for a in layers if a is not None]
            if len(recorded) == self.decoder_layers:
                recorded = [recorded[self.alignment_layer]]
            if len(recorded) != 1:
                return None
            steps.append(recorded[0][:, self.alignment_heads, -1].float().mean(dim=1))
        found = recorder.hypotheses(best, self.decoder_start_id, steps)
        if found is None or any(np.isnan(lp).any() for lp, _ in found):
            return None
        return [
            Hypothesis(ids=list(ids), logprobs=logprobs, attention=matrix[:, : len(source)].copy())
            for ids, source, (logprobs, matrix) in zip(best, sources, found, strict=True)
        ]

    def _pad_sources(self, batch: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(ids) for ids in batch)
        input_ids = torch.full((len(batch), width), self.codec.pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            mask[row, : len(ids)] = 1
        return input_ids.to(self.model.device), mask.to(self.model.device)

    def _decoder_input(self, targets: Sequence[Sequence[int]]) -> torch.Tensor:
        width = max(len(ids) for ids in targets) + 1
        decoder_input = torch.full((len(targets), width), self.codec.pad_id, dtype=torch.long)
        decoder_input[:, 0] = self.decoder_start_id
        for row, ids in enumerate(targets):
            if ids:
                decoder_input[row, 1 : len(ids) + 1] = torch.tensor(ids, dtype=torch.long)
        return decoder_input.to(self.model.device)

    def _score(
        self,
        encoder_states: torch.Tensor,
        mask: torch.Tensor,
        targets: Sequence[Sequence[int]],
        sources: Sequence[Sequence[int]],
    ) -> list[Hypothesis]:
        """One teacher-forced pass: raw log-probabilities (``<pad>`` masked) and attention."""
        out = self.model(
            encoder_outputs=BaseModelOutput(last_hidden_state=encoder_states),
            attention_mask=mask,
            decoder_input_ids=self._decoder_input(targets),
            output_attentions=True,
        )
        logits = out.logits.float()
        logits[..., self.codec.pad_id] = float("-inf")
        normaliser = torch.logsumexp(logits, dim=-1)  # [B, T]: no [B, T, vocab] copy
        recorded = [a for a in out.cross_attentions if a is not None]
        if len(recorded) == self.decoder_layers:
            recorded = [recorded[self.alignment_layer]]
        if len(recorded) != 1:
            raise RuntimeError(f"expected one layer's cross-attention, got {len(recorded)}")
        attention = recorded[0][:, self.alignment_heads]
        attention = attention.float().mean(dim=1).cpu().numpy()  # [B, T, S]
        hypotheses = []
        for row, ids in enumerate(targets):
            following = torch.tensor([*ids, self.codec.eos_id], device=logits.device)
            steps = torch.arange(len(ids) + 1, device=logits.device)
            chosen = logits[row, steps, following] - normaliser[row, steps]
            hypotheses.append(
                Hypothesis(
                    ids=list(ids),
                    logprobs=chosen.cpu().tolist(),
                    attention=attention[row, : len(ids) + 1, : len(sources[row])].copy(),
                )
            )
        return hypotheses

    def _strip(self, row: list[int]) -> list[int]:
        ids = row[1:] if row and row[0] == self.decoder_start_id else row
        if self.codec.eos_id in ids:
            ids = ids[: ids.index(self.codec.eos_id)]
        return [i for i in ids if i != self.codec.pad_id]
