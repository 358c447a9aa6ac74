"""Responses for the busiest endpoints, written straight from the service's typed result.

FastAPI turns a returned model into a dict, validates that dict against ``response_model`` again
and only then encodes it: for a 45-field ticket that round trip costs about as much as the ticket's
database work. The service already returns the public schema, so these endpoints hand pydantic's
own JSON encoder the object and return a ``Response``; ``response_model`` stays on the route for
the OpenAPI document, and the bytes are the same as FastAPI's default."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(content=model.model_dump_json(), media_type="application/json", status_code=status_code)
