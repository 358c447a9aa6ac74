"""Understanding callback replies (智能回访): resolution (解决/部分解决/未解决), satisfaction
(满意/基本满意/不满意) with confidences, and for unsatisfied answers the side of the reason
(the unit's → 重办; outside its power → record the reason), plus the callback script.

Public API::

    reader = CallbackOutcomeReader(); reader.warm_up()
    reader.run("还行吧，弄了一半")            # -> Outcome
    reader.run(turns=[{"speaker": "agent", "text": "问题解决了吗"}, {"speaker": "caller", "text": "没有"}])
    reader.run(keys="13")                     # IVR: 1/2/3 per question (see ivr.DEFAULT_KEY_MAP)
    CallbackOutcomeClassifier().fit(texts, pairs, reason_side)   # scikit-learn style
    train(data, out_dir)                      # retrain with a county's own replies
    callback_script(address, appeal, unit_reply, agent_name, hotline)
"""

from classifiers.callback.component import CallbackOutcomeReader, load_model, suggest_reason
from classifiers.callback.cues import rule_reading
from classifiers.callback.dialogue import caller_reply
from classifiers.callback.errors import (
    CallbackError,
    EmptyReplyError,
    InvalidKeypressError,
    InvalidSettingError,
    ModelUnavailableError,
    ModelVersionError,
    NotFittedError,
    TrainingDataError,
)
from classifiers.callback.ivr import DEFAULT_KEY_MAP, read_keys
from classifiers.callback.labels import (
    ACTION_RECORD,
    ACTION_REOPEN,
    EXTERNAL_SIDE,
    REASON_CODES,
    RESOLUTIONS,
    SATISFACTIONS,
    UNIT_SIDE,
    UNKNOWN_SIDE,
    Outcome,
    ReasonSuggestion,
)
from classifiers.callback.model import CallbackOutcomeClassifier
from classifiers.callback.script import callback_script
from classifiers.callback.train import train

__all__ = [
    "ACTION_RECORD", "ACTION_REOPEN", "DEFAULT_KEY_MAP", "EXTERNAL_SIDE", "REASON_CODES", "RESOLUTIONS",
    "SATISFACTIONS", "UNIT_SIDE", "UNKNOWN_SIDE", "CallbackError", "CallbackOutcomeClassifier",
    "CallbackOutcomeReader", "EmptyReplyError", "InvalidKeypressError", "InvalidSettingError",
    "ModelUnavailableError", "ModelVersionError", "NotFittedError", "Outcome", "ReasonSuggestion", "TrainingDataError",
    "callback_script", "caller_reply", "load_model", "read_keys", "rule_reading", "suggest_reason", "train",
]
