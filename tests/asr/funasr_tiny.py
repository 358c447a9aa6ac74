"""Build tiny FunASR models (random weights, the real config.yaml / model.pt / tokens.json / am.mvn
layout of the released Paraformer-zh, FSMN-VAD and CT-Transformer punctuation folders) so the
loading and inference path can be tested without downloading any weights."""

from __future__ import annotations

import json
from pathlib import Path

TOKENS = ["<blank>", "<s>", "</s>", *list("你好我要投诉路灯坏了电话号码一二三四五六七八九零"), "<unk>"]
PUNC_TOKENS = ["<unk>", "<s>", "</s>", *list("你好我要投诉路灯坏了电话号码一二三四五"), "<unk2>"]


def _cmvn(dim: int) -> str:
    zeros = " ".join(["0"] * dim)
    ones = " ".join(["1"] * dim)
    return (
        f"<Nnet>\n<Splice> {dim} {dim}\n[ 0 ]\n<AddShift> {dim} {dim}\n<LearnRateCoef> 0 [ {zeros} ]\n"
        f"<Rescale> {dim} {dim}\n<LearnRateCoef> 0 [ {ones} ]\n</Nnet>\n"
    )


def _save(folder: Path, config: dict, build, metas: dict) -> Path:
    import torch
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    torch.manual_seed(0)
    model = build(config)
    torch.save(model.state_dict(), folder / "model.pt")
    conf = {"framework": "pytorch", "task": "auto-speech-recognition", "model": {"type": "funasr"},
            "pipeline": {"type": "funasr-pipeline"},
            "file_path_metas": {"init_param": "model.pt", "config": "config.yaml", **metas}}
    (folder / "configuration.json").write_text(json.dumps(conf), encoding="utf-8")
    return folder


def _construct(config: dict, **extra):
    import funasr.models  # noqa: F401  (registers the model classes)
    from funasr.register import tables

    conf = {k: v for k, v in config.items() if k not in ("model", "model_conf")}
    conf.update(config.get("model_conf", {}))
    conf.update(extra)
    return tables.model_classes.get(config["model"])(**conf)


def build_paraformer(folder: Path) -> Path:
    d = 32
    config = {
        "model": "Paraformer",
        "model_conf": {"ctc_weight": 0.0, "lsm_weight": 0.1, "length_normalized_loss": True,
                       "predictor_weight": 1.0, "predictor_bias": 1, "sampling_ratio": 0.75},
        "encoder": "SANMEncoder",
        "encoder_conf": {"output_size": d, "attention_heads": 2, "linear_units": 64, "num_blocks": 2,
                         "dropout_rate": 0.1, "positional_dropout_rate": 0.1, "attention_dropout_rate": 0.1,
                         "input_layer": "pe", "pos_enc_class": "SinusoidalPositionEncoder",
                         "normalize_before": True, "kernel_size": 11, "sanm_shfit": 0,
                         "selfattention_layer_type": "sanm"},
        "decoder": "ParaformerSANMDecoder",
        "decoder_conf": {"attention_heads": 2, "linear_units": 64, "num_blocks": 2, "dropout_rate": 0.1,
                         "positional_dropout_rate": 0.1, "self_attention_dropout_rate": 0.1,
                         "src_attention_dropout_rate": 0.1, "att_layer_num": 2, "kernel_size": 11,
                         "sanm_shfit": 0},
        "predictor": "CifPredictorV2",
        "predictor_conf": {"idim": d, "threshold": 1.0, "l_order": 1, "r_order": 1, "tail_threshold": 0.45},
        "frontend": "WavFrontend",
        "frontend_conf": {"fs": 16000, "window": "hamming", "n_mels": 80, "frame_length": 25,
                          "frame_shift": 10, "lfr_m": 7, "lfr_n": 6},
        "tokenizer": "CharTokenizer",
        "tokenizer_conf": {"unk_symbol": "<unk>", "split_with_space": True},
        "ctc_conf": {"dropout_rate": 0.0, "ctc_type": "builtin", "reduce": True, "ignore_nan_grad": True},
        "normalize": None,
        "input_size": 560,
    }
    metas = {"tokenizer_conf": {"token_list": "tokens.json"}, "frontend_conf": {"cmvn_file": "am.mvn"}}
    folder = _save(folder, config, lambda c: _construct(c, vocab_size=len(TOKENS), input_size=560), metas)
    (folder / "tokens.json").write_text(json.dumps(TOKENS, ensure_ascii=False), encoding="utf-8")
    (folder / "am.mvn").write_text(_cmvn(560), encoding="utf-8")
    return folder


def build_fsmn_vad(folder: Path) -> Path:
    config = {
        "model": "FsmnVADStreaming",
        "model_conf": {"sample_rate": 16000, "detect_mode": 1, "snr_mode": 0, "max_end_silence_time": 800,
                       "max_start_silence_time": 3000, "do_start_point_detection": True,
                       "do_end_point_detection": True, "window_size_ms": 200, "sil_to_speech_time_thres": 150,
                       "speech_to_sil_time_thres": 150, "speech_2_noise_ratio": 1.0, "do_extend": 1,
                       "lookback_time_start_point": 200, "lookahead_time_end_point": 100,
                       "max_single_segment_time": 60000, "snr_thres": -100.0, "noise_frame_num_used_for_snr": 100,
                       "decibel_thres": -100.0, "speech_noise_thres": 0.6, "fe_prior_thres": 0.0001,
                       "silence_pdf_num": 1, "sil_pdf_ids": [0], "speech_noise_thresh_low": -0.1,
                       "speech_noise_thresh_high": 0.3, "output_frame_probs": False, "frame_in_ms": 10,
                       "frame_length_ms": 25},
        "encoder": "FSMN",
        "encoder_conf": {"input_dim": 400, "input_affine_dim": 16, "fsmn_layers": 2, "linear_dim": 16,
                         "proj_dim": 8, "lorder": 4, "rorder": 0, "lstride": 1, "rstride": 0,
                         "output_affine_dim": 16, "output_dim": 248},
        "frontend": "WavFrontendOnline",
        "frontend_conf": {"fs": 16000, "window": "hamming", "n_mels": 80, "frame_length": 25,
                          "frame_shift": 10, "dither": 0.0, "lfr_m": 5, "lfr_n": 1},
    }
    folder = _save(folder, config, lambda c: _construct(c), {"frontend_conf": {"cmvn_file": "am.mvn"}})
    (folder / "am.mvn").write_text(_cmvn(400), encoding="utf-8")
    return folder


def build_ct_punc(folder: Path) -> Path:
    config = {
        "model": "CTTransformer",
        "model_conf": {"ignore_id": 0, "embed_unit": 16, "att_unit": 16, "dropout_rate": 0.1,
                       "punc_list": ["<unk>", "_", "，", "。", "？", "、"],
                       "punc_weight": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0], "sentence_end_id": 3},
        "encoder": "SANMEncoder",
        "encoder_conf": {"input_size": 16, "output_size": 16, "attention_heads": 2, "linear_units": 32,
                         "num_blocks": 1, "dropout_rate": 0.1, "positional_dropout_rate": 0.1,
                         "attention_dropout_rate": 0.0, "input_layer": "pe",
                         "pos_enc_class": "SinusoidalPositionEncoder", "normalize_before": True,
                         "kernel_size": 11, "sanm_shfit": 0, "selfattention_layer_type": "sanm",
                         "padding_idx": 0},
        "tokenizer": "CharTokenizer",
        "tokenizer_conf": {"unk_symbol": "<unk>"},
    }
    metas = {"tokenizer_conf": {"token_list": "tokens.json"}}
    folder = _save(folder, config, lambda c: _construct(c, vocab_size=len(PUNC_TOKENS)), metas)
    (folder / "tokens.json").write_text(json.dumps(PUNC_TOKENS, ensure_ascii=False), encoding="utf-8")
    return folder


def build_all(root: Path) -> dict[str, Path]:
    return {
        "model_dir": build_paraformer(root / "paraformer"),
        "vad_dir": build_fsmn_vad(root / "fsmn-vad"),
        "punc_dir": build_ct_punc(root / "ct-punc"),
    }
