"""gunicorn settings for What Matters (docs/deployment.md):

    gunicorn -c python:backend.gunicorn_conf -w 4 -b 127.0.0.1:8000 'backend:create_app()'

Python's cyclic garbage collector is tuned in each worker once the app is loaded: what the app
built at start-up is frozen out of collection, and collections run after 50,000 net allocations
rather than 700. A sync request allocates tens of thousands of short-lived objects (a push of a
thousand entries, a pull page of a thousand records); with the default threshold the collector
ran dozens of times per request, each time walking the whole app, and took about a third of the
request's time (docs/performance.md). Almost all of those objects are freed by reference counting
anyway; the rarer collections still find any cycles.

Before that, each worker compiles the statements a sync runs (``backend.warm_up``), so that what
it builds is frozen with the rest.
"""
import gc

GC_THRESHOLD = (50_000, 20, 100)


def post_worker_init(worker):
    """Runs in each worker after it loaded the app."""
    from backend.warm_up import warm_up  # the app's modules, imported in the worker only

    warm_up(worker.wsgi)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
