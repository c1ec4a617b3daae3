"""The HTTP API: FastAPI over the services, one router per resource, errors as problem+json."""
