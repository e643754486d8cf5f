"""What operators watch: Prometheus metrics at ``/metrics`` (``ideabox.metrics.http``),
counted where things happen (``ideabox.metrics.counters``)."""
