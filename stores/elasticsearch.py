"""Elasticsearch behind the same indexer as OpenSearch, through the official client
(elasticsearch-py 8): the same template, write alias, idempotent bulk, quarantine and
pending rules; retention by an ILM policy the template attaches to every new index.
"""
from __future__ import annotations

from stores.opensearch import OpenSearchIndex, _why, log

_JSON = {"accept": "application/json", "content-type": "application/json"}


class ElasticsearchIndex(OpenSearchIndex):
    name = "elasticsearch"

    def __init__(self, url: str, prefix: str = "escucha-mentions", product: str = "elasticsearch", client=None,
                 chunk: int = 500):
        super().__init__(url, prefix=prefix, product=product, client=client, chunk=chunk)

    @staticmethod
    def _client(url):
        try:
            from elasticsearch import Elasticsearch
        except ImportError:
            from escucha.errors import StoreError

            raise StoreError("index.product = elasticsearch needs the client: pip install -e '.[elasticsearch]'") \
                from None
        return Elasticsearch(url, request_timeout=30, max_retries=2, retry_on_timeout=True, verify_certs=False,
                             ssl_show_warn=False)

    @staticmethod
    def errors() -> tuple[type, type]:
        from elasticsearch import ApiError, TransportError

        # ApiError: the server answered with an error; TransportError: it could not be reached.
        return TransportError, ApiError

    @staticmethod
    def helpers():
        from elasticsearch import helpers

        return helpers

    def _put(self, path: str, body: dict):
        self.client.perform_request("PUT", path, body=body, headers=_JSON)

    def request(self, method: str, path: str, body=None, params: dict | None = None):
        from elasticsearch import NotFoundError

        try:
            return self.client.perform_request(method, path, params=params or None, body=body,
                                               headers=_JSON if body is not None else {"accept": _JSON["accept"]}
                                               ).body
        except NotFoundError:
            return None

    def _create_index(self, index: str, body: dict):
        self.client.options(ignore_status=400).indices.create(index=index, **body)

    @staticmethod
    def reason(exc) -> str:
        return _why(getattr(exc, "body", None)) or str(getattr(exc, "message", "") or exc)

    def _retention(self, days: int) -> str | None:
        """Delete monthly indices ``days`` after they were created: an ILM policy; None where
        the server has no ILM (a minimal or OSS build), as where OpenSearch lacks ISM: the
        retention DAG deletes old mentions either way."""
        name = f"{self.prefix}-retention"
        try:
            self._put(f"/_ilm/policy/{name}", {"policy": {"phases": {
                "hot": {"min_age": "0ms", "actions": {}},
                "delete": {"min_age": f"{days}d", "actions": {"delete": {}}}}}})
        except self.errors()[1] as exc:
            if self._has_ilm():
                raise
            log.warning("search server has no ILM (%s): retention stays with the retention DAG",
                        self.reason(exc)[:200])
            return None
        return name

    def _has_ilm(self) -> bool:
        # 7.x OSS reads /_ilm as an index name (400), 8.x minimal has no handler (400/404/405).
        try:
            self.client.perform_request("GET", "/_ilm/status", headers={"accept": _JSON["accept"]})
            return True
        except self.errors()[1]:
            return False

    def _template(self, policy: str | None, analyzers: bool = True) -> dict:
        t = super()._template(policy, analyzers)
        if policy:
            t["template"]["settings"]["index.lifecycle.name"] = policy
        return t
