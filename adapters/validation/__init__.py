"""Argument validation adapters."""

from adapters.validation.jsonschema_argument_validator import JsonSchemaArgumentValidator

__all__ = ["JsonSchemaArgumentValidator"]
