"""The platforms' APIs served on loopback, as product code: the demo and `escucha replay`
run the pipeline against them, and the tests use them as the real servers they speak to
(X API v2, Bluesky's XRPC, Mastodon's REST API). Each reveals posts as a scenario's clock
reaches them and can be told to fail (``state.faults``)."""
