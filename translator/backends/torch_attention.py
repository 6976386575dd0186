"""Attention that gives weights only where they are wanted: ``sdpa``, else eager in one layer.

transformers' fast ``sdpa`` attention returns no weights, and switching a loaded model's
attention implementation is global state that a server translating for several sessions can't
toggle per call. So the model is loaded with an implementation of our own, registered once on
import: ``sdpa`` everywhere, except eager attention in the cross-attention module marked with
``WEIGHTS_MARK`` (the alignment layer's), and only while weights are asked for
(``output_attentions``); ``all_weights`` asks for every layer's (calibration). Its mask function
is the eager one, which both paths accept.
"""

from __future__ import annotations

import contextvars

from transformers import AttentionInterface, AttentionMaskInterface
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import eager_mask
from transformers.models.marian.modeling_marian import eager_attention_forward

ATTENTION = "translator_sdpa_or_eager"
WEIGHTS_MARK = "_translator_weights"
all_weights = contextvars.ContextVar("translator_all_cross_weights", default=False)


def _attention(module, query, key, value, attention_mask, **kwargs):
    wanted = getattr(module, WEIGHTS_MARK, None)
    if kwargs.get("output_attentions") and (wanted or (wanted is not None and all_weights.get())):
        return eager_attention_forward(module, query, key, value, attention_mask, **kwargs)
    kwargs.pop("output_attentions", None)  # sdpa can't give weights, and would warn
    output, _ = sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
    return output, None


AttentionInterface.register(ATTENTION, _attention)
AttentionMaskInterface.register(ATTENTION, eager_mask)
