"""RegistryMachine: the rule-based state machine users subclass, run against sanctrack itself.

sanctrack's own subclass plays the user: its ``check_state`` compares every
answer with the reference oracle (``sanctrack.strategies.reference_state``), and
checks that an ``as_known_on`` view gives the same answer as the ``known=``
query. The machine rebuilds the registry after every step, so every step it
takes is also checked to be legal.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from sanctrack import Registry
from sanctrack.strategies import RegistryMachine, answer_of, reference_state

STEPS = {"n": 0, "checks": 0, "runs": 0}


class SelfCheck(RegistryMachine):
    """sanctrack checked against the reference replay."""

    def __init__(self) -> None:
        super().__init__()
        STEPS["runs"] += 1

    def check_state(self, registry: Registry, measure_id: str, on: dt.date, known: dt.date | None, state) -> None:
        STEPS["checks"] += 1
        m = registry.measure(measure_id)
        expected = reference_state(m, self.transitions_in_order, on, known)
        assert answer_of(state) == expected, (measure_id, on, known)
        if known is not None:
            assert registry.as_known_on(known).state(measure_id, on) == state

    def check_registry(self, registry: Registry) -> None:
        STEPS["n"] += 1
        assert len(registry.transitions) == len(self.transitions_in_order)


TestSelfCheck = SelfCheck.TestCase


def test_the_machine_runs_at_least_200_examples():
    assert SelfCheck.TestCase.settings.max_examples >= 200
    assert RegistryMachine.TestCase.settings.max_examples >= 200
    assert SelfCheck.TestCase.settings.stateful_step_count == 12


def test_a_subclass_that_disagrees_is_caught():
    """A user's system with a bug (it forgets suspensions) fails the machine."""

    class ForgetsSuspensions(RegistryMachine):
        def check_state(self, registry, measure_id, on, known, state):
            mine = "in_force" if str(state.status) == "suspended" else state.status
            assert mine == state.status

    try:
        run_state_machine_as_test(ForgetsSuspensions, settings=settings(
            ForgetsSuspensions.TestCase.settings, max_examples=300, database=None, derandomize=True,
            phases=(Phase.generate,)))  # the failure is what matters here, not its shrunk form
    except AssertionError:
        return
    raise AssertionError("the machine never reached a suspended measure")


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    """After the module: how much the self-check did (quoted in the closing note)."""
    yield
    tr = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if tr is not None and capture is not None and STEPS["runs"]:
        with capture.global_and_fixture_disabled():
            tr.write_line("")
            tr.write_line(f"RegistryMachine self-check: {STEPS['runs']} machine runs, {STEPS['n']} steps checked, "
                          f"{STEPS['checks']} state answers compared with the reference replay")
