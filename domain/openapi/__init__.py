"""OpenAPI documents: recognition, structure checks and the spec compiler (pure functions)."""
