"""Fixtures of the sync tests. ``store`` runs each contract test once per store factory.

The backend adds its SQL stores without editing this file, by implementing this hook in
``tests/conftest.py`` (``optionalhook`` keeps runs that skip this folder happy)::

    @pytest.hookimpl(optionalhook=True)
    def pytest_sync_store_factories(config):
        return [pytest.param(sqlite_store, id="sqlite"),
                pytest.param(postgres_store, id="postgresql", marks=needs_postgres)]

A factory takes the test's ``request`` (so it can use ``request.getfixturevalue("app")`` and
``request.addfinalizer``) and returns an empty ``Store`` with a fresh epoch.
"""
import pytest

from sync import MemoryStore

from .builders import Writer, journal_validate, person


def memory_store(request):
    """An empty in-memory store."""
    return MemoryStore()


STORE_FACTORIES = [pytest.param(memory_store, id="memory")]


class StoreFactoryHooks:
    @pytest.hookspec
    def pytest_sync_store_factories(self, config):
        """Return more store factories (``pytest.param`` objects) for the contract suite."""


def pytest_addhooks(pluginmanager):
    pluginmanager.add_hookspecs(StoreFactoryHooks)


def pytest_generate_tests(metafunc):
    if "store_factory" in metafunc.fixturenames:
        hook = metafunc.config.hook.pytest_sync_store_factories
        extra = [param for params in hook(config=metafunc.config) for param in params]
        metafunc.parametrize("store_factory", STORE_FACTORIES + extra)


@pytest.fixture
def store(store_factory, request):
    """An empty store, once for each factory in ``STORE_FACTORIES`` and the hook's."""
    return store_factory(request)


@pytest.fixture
def writer(store):
    """Makes one replica's mutations and pushes them as learner 1, who may write anything."""
    return Writer(store, person(1))


@pytest.fixture
def make_writer(store):
    """Makes more replicas: ``make_writer(person_id=2, may_write=...)``."""
    def make(person_id=2, may_write=None, validate=journal_validate):
        return Writer(store, person(person_id, may_write), validate)
    return make
