"""Search-engine stores: where analysts' dashboards read the mentions (OpenSearch, Elasticsearch)."""
