"""scikit-learn's common estimator checks, with every expected failure explained."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skboltgan import BoltGANSynthesizer

from .conftest import TINY

# A synthesizer reads 2D input as (n_sequences, seq_len) univariate series, as tslearn does;
# the checks below assume 2D means (n_samples, n_features).
_TWO_D_IS_SEQUENCES = (
    "2D input is (n_sequences, seq_len) univariate series, so n_features_in_ is 1, not "
    "X.shape[1]"
)
EXPECTED_FAILED = {
    "check_n_features_in": _TWO_D_IS_SEQUENCES,
    "check_n_features_in_after_fitting": _TWO_D_IS_SEQUENCES,
}


@parametrize_with_checks(
    [BoltGANSynthesizer(**dict(TINY, num_epochs=1, batch_size=4), random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
