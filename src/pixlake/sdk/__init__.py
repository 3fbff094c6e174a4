"""The Python SDK: objects that speak the pixlake API."""
