"""Export a sentence-transformers folder (EmbeddingGemma-300M) to an ONNX embedder folder, and check it.

Runs inside the throwaway converter venv that knowledge_base/provision_gemma.py makes (torch, transformers,
sentence-transformers, onnx, onnxruntime); nothing in the kiosk imports it.

    python gemma_export.py SOURCE_ST_FOLDER OUTPUT_FOLDER

Writes model.onnx (transformer only: input_ids, attention_mask -> token_embeddings), model.int8.onnx (dynamic int8
quantisation), tokenizer.json, dense.npz, embedder.json, and export_report.json with the cosine between this
folder's vectors (via knowledge_base/onnx_embedder.py) and sentence-transformers' own encode_query/encode_document.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.models import Dense, Normalize, Pooling

MAX_LENGTH = 512  # kiosk passages are ~500 characters; the model allows 2048
OPSET = 18
CHECK_QUERIES = ["办理居住证需要哪些材料？", "身份证丢了怎么补办", "失业保险金怎么领取", "低保申请条件是什么"]
CHECK_DOCUMENTS = [
    "第九条 申领居住证，应当向居住地公安派出所或者受公安机关委托的社区服务机构提交本人居民身份证、本人相片以及居住地住址、就业、就读等证明材料。",
    "最低生活保障对象的认定条件为：共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定。",
    "失业人员符合下列条件的，从失业保险基金中领取失业保险金：按照规定参加失业保险，所在单位和本人已按照规定履行缴费义务满1年的。",
    # a long one (> 257 tokens) so the sliding-window attention layers are checked too
    "第一条 为了促进新型城镇化的健康发展，推进城镇基本公共服务和便利常住人口全覆盖，保障公民合法权益，促进社会公平正义，制定本条例。" * 6,
]


class TokenEmbeddings(torch.nn.Module):
    def __init__(self, auto_model: torch.nn.Module) -> None:
        super().__init__()
        self.auto_model = auto_model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.auto_model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def export_onnx(model: SentenceTransformer, path: Path) -> str:
    """The dynamo exporter (the legacy TorchScript one fails on transformers' mask code). Returns how it was made."""
    wrapper = TokenEmbeddings(model[0].auto_model).eval()
    tok = model.tokenizer(["task: search result | query: " + CHECK_DOCUMENTS[-1], "短"], padding=True, return_tensors="pt")
    batch, seq = torch.export.Dim("batch", max=1024), torch.export.Dim("seq", max=8192)
    with torch.no_grad():
        program = torch.onnx.export(
            wrapper, (tok["input_ids"], tok["attention_mask"]), dynamo=True, opset_version=OPSET,
            input_names=["input_ids", "attention_mask"], output_names=["token_embeddings"],
            dynamic_shapes=({0: batch, 1: seq}, {0: batch, 1: seq}),
        )  # fmt: skip
    program.save(str(path), external_data=False)
    return f"torch.onnx.export(dynamo=True, opset {OPSET})"


def write_config(model: SentenceTransformer, source: Path, out: Path) -> dict:
    pooling = next(m for m in model if isinstance(m, Pooling))
    if pooling.get_pooling_mode_str() != "mean" or not pooling.include_prompt:
        raise SystemExit(f"pooling {pooling.get_pooling_mode_str()} (include_prompt={pooling.include_prompt}) is not supported")
    dense = [m for m in model if isinstance(m, Dense)]
    arrays = {}
    for i, layer in enumerate(dense):
        if not isinstance(layer.activation_function, torch.nn.Identity):
            raise SystemExit(f"Dense activation {layer.activation_function} is not supported")
        arrays[f"dense{i}_weight"] = layer.linear.weight.detach().numpy().astype(np.float32)
        if layer.linear.bias is not None:
            arrays[f"dense{i}_bias"] = layer.linear.bias.detach().numpy().astype(np.float32)
    np.savez(out / "dense.npz", **arrays)
    shutil.copy(source / "tokenizer.json", out / "tokenizer.json")
    config = {
        "name": "embeddinggemma-300m",
        "prompts": {"query": model.prompts["query"], "document": model.prompts["document"]},
        "pooling": "mean",
        "include_prompt": True,
        "dense": [{"in": int(d.linear.in_features), "out": int(d.linear.out_features), "activation": "identity"} for d in dense],
        "normalize": any(isinstance(m, Normalize) for m in model),
        "dimension": int(model.get_sentence_embedding_dimension()),
        "max_length": MAX_LENGTH,
        "pad_id": int(model.tokenizer.pad_token_id),
        "pad_token": model.tokenizer.pad_token,
        "output_name": "token_embeddings",
    }
    (out / "embedder.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
    return config


def check(model: SentenceTransformer, out: Path, onnx_file: str) -> dict:
    """Cosine between sentence-transformers and the ONNX embedder, per text, for queries and documents."""
    spec = importlib.util.spec_from_file_location("onnx_embedder", Path(__file__).with_name("onnx_embedder.py"))
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    embedder = module.OnnxSentenceEmbedder(out / onnx_file, threads=2, batch_size=4, max_length=MAX_LENGTH)
    ref_q = model.encode_query(CHECK_QUERIES, normalize_embeddings=True)
    ref_d = model.encode_document(CHECK_DOCUMENTS, normalize_embeddings=True)
    got_q = np.asarray([embedder.embed_query(q) for q in CHECK_QUERIES])
    got_d = np.asarray(embedder.embed_documents(CHECK_DOCUMENTS))
    cos = np.concatenate([(ref_q * got_q).sum(1), (ref_d * got_d).sum(1)])
    # does the ONNX ranking of documents per query agree with the reference ranking?
    same_order = bool(np.array_equal((ref_q @ ref_d.T).argsort(1), (got_q @ got_d.T).argsort(1)))
    st_ids = model.tokenizer(model.prompts["query"] + CHECK_QUERIES[0])["input_ids"]
    onnx_ids = embedder._load()[1].encode(model.prompts["query"] + CHECK_QUERIES[0]).ids
    onnx_ids = [i for i in onnx_ids if i != embedder.config["pad_id"]]
    return {"cosine_min": round(float(cos.min()), 5), "cosine_mean": round(float(cos.mean()), 5),
            "same_document_ranking": same_order, "same_token_ids": st_ids == onnx_ids,
            "texts": len(cos)}  # fmt: skip


def main(source: Path, out: Path) -> None:
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    model = SentenceTransformer(str(source), device="cpu", model_kwargs={"attn_implementation": "eager"})
    model.max_seq_length = MAX_LENGTH
    model.eval()
    config = write_config(model, source, out)
    exporter = export_onnx(model, out / "model.onnx")
    export_s = time.monotonic() - started
    report: dict = {"exporter": exporter, "export_s": round(export_s, 1), "dimension": config["dimension"]}
    report["fp32"] = check(model, out, "model.onnx")
    print(json.dumps(report["fp32"]), file=sys.stderr)
    if report["fp32"]["cosine_min"] < 0.99:
        raise SystemExit(f"ONNX export disagrees with sentence-transformers: {report['fp32']}")
    from onnxruntime.quantization import QuantType, quantize_dynamic

    t0 = time.monotonic()
    quantize_dynamic(str(out / "model.onnx"), str(out / "model.int8.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    report["int8_quantise_s"] = round(time.monotonic() - t0, 1)
    report["int8"] = check(model, out, "model.int8.onnx")
    print(json.dumps(report["int8"]), file=sys.stderr)
    if report["int8"]["cosine_min"] < 0.95:  # too far from the reference to be worth keeping
        (out / "model.int8.onnx").unlink()
        report["int8"]["kept"] = False
    report["total_s"] = round(time.monotonic() - started, 1)
    (out / "export_report.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
