"""The HTTP app: ``/healthz`` and ``/metrics`` (Prometheus), served by ``edigw serve``.

Metrics are read from the store at scrape time, so they are right across several processes
and survive restarts: documents by partner, set and status; interchanges by direction and
status; queue depth by kind and status; the age of the oldest due job; retries; failed jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..store import Interchange, Job, Store, StoreError, Transaction

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class StoreCollector(Collector):
    """Gauges computed from the store on every scrape."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        docs = GaugeMetricFamily(
            "edigw_documents", "Transactions by partner, set and status", labels=["partner", "set", "status"]
        )
        ics = GaugeMetricFamily(
            "edigw_interchanges", "Interchanges by direction and status", labels=["direction", "status"]
        )
        depth = GaugeMetricFamily("edigw_queue_depth", "Jobs by kind and status", labels=["kind", "status"])
        oldest = GaugeMetricFamily("edigw_oldest_job_age_seconds", "Age of the oldest queued job that is due")
        retries = GaugeMetricFamily("edigw_job_retries", "Retries taken by all jobs (attempts beyond the first)")
        failed = GaugeMetricFamily("edigw_jobs_failed", "Jobs whose retries ran out (their documents are in review)")
        now = self.clock()
        with self.store.session() as s:
            for partner, set_id, status, n in s.execute(
                select(Transaction.partner, Transaction.set_id, Transaction.status, func.count()).group_by(
                    Transaction.partner, Transaction.set_id, Transaction.status
                )
            ):
                docs.add_metric([partner or "", set_id, status], n)
            for direction, status, n in s.execute(
                select(Interchange.direction, Interchange.status, func.count()).group_by(
                    Interchange.direction, Interchange.status
                )
            ):
                ics.add_metric([direction, status], n)
            failures = 0
            for kind, status, n in s.execute(
                select(Job.kind, Job.status, func.count()).where(Job.status != "done").group_by(Job.kind, Job.status)
            ):
                depth.add_metric([kind, status], n)
                failures += n if status == "failed" else 0
            first = s.execute(
                select(func.min(Job.created_at)).where(Job.status == "queued", Job.run_after <= now)
            ).scalar()
            oldest.add_metric([], (now - first).total_seconds() if first else 0.0)
            extra = s.execute(select(func.coalesce(func.sum(Job.attempts - 1), 0)).where(Job.attempts > 1)).scalar()
            retries.add_metric([], float(extra or 0))
            failed.add_metric([], failures)
        yield from (docs, ics, depth, oldest, retries, failed)


def create_app(store: Store, clock: Callable[[], datetime]) -> Starlette:
    registry = CollectorRegistry()
    registry.register(StoreCollector(store, clock))

    async def healthz(request: Request) -> Response:
        try:
            with store.session() as s:
                s.execute(select(func.count()).select_from(Job).where(Job.status == "running")).scalar()
        except StoreError as exc:
            return JSONResponse({"status": "unavailable", "store": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def metrics(request: Request) -> Response:
        try:
            body = generate_latest(registry)
        except StoreError as exc:
            return Response(f"# store unavailable: {exc}\n", status_code=503, media_type="text/plain")
        return Response(body, media_type=CONTENT_TYPE)

    return Starlette(routes=[Route("/healthz", healthz), Route("/metrics", metrics)])
