"""The REST API: a module of views per resource, their schemas, request bodies, the OpenAPI document."""
