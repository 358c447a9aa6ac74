"""Dispatch engine (智能派单): the catalogue, address resolution, the router and learning from returns."""

from classifiers.dispatch.catalogue import LEVELS, Catalogue, CatalogueLine
from classifiers.dispatch.errors import (
                                         CatalogueInvalid,
                                         DispatchError,
                                         FeedbackInvalid,
                                         GazetteerInvalid,
                                         InvalidSetting,
                                         ModelUnavailable,
                                         UnitsInvalid,
)
from classifiers.dispatch.feedback import FeedbackRecord
from classifiers.dispatch.gazetteer import Gazetteer, Mention, Place
from classifiers.dispatch.result import ESCALATION_TEXT, Candidate, CoUnit, DispatchSuggestion
from classifiers.dispatch.router import DispatchRouter

__all__ = [
    "LEVELS", "ESCALATION_TEXT", "Candidate", "Catalogue", "CatalogueInvalid", "CatalogueLine", "CoUnit",
    "DispatchError", "DispatchRouter", "DispatchSuggestion", "FeedbackInvalid", "FeedbackRecord", "Gazetteer",
    "GazetteerInvalid", "InvalidSetting", "Mention", "ModelUnavailable", "Place", "UnitsInvalid",
]
