"""Hyper-parameter search distributed through joblib on a real dask.distributed cluster."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold

from skboltgan import BoltGANSynthesizer

from .conftest import TINY

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_grid_search_on_dask_cluster_matches_local(client, sines):
    grid = {"feedback_interval": [1, None], "feedback_epochs": [1, 0.5]}
    search = GridSearchCV(BoltGANSynthesizer(**TINY, random_state=0), grid, cv=KFold(2))
    with joblib.parallel_backend("dask"):
        search.fit(sines)
    local = GridSearchCV(BoltGANSynthesizer(**TINY, random_state=0), grid, cv=KFold(2),
                         n_jobs=1).fit(sines)
    # Seeded fits are deterministic wherever they run: the cluster reproduces the local search.
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"])
    assert set(client.run(lambda: True)) and len(client.scheduler_info()["workers"]) == 2
