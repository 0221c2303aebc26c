"""Virtual-trial generator: a protocol + a scenario + a seed -> a realistic ``TrialData``.

>>> from hipectrial.protocol import load_protocol
>>> trial = simulate(load_protocol(), load_scenario("default"), seed=1, participants=3)
>>> sum(p.registered for p in trial.participants)
3
"""

from hipectrial.simulate.course.run import Course, simulate_course
from hipectrial.simulate.scenario.course import CourseParameters
from hipectrial.simulate.scenario.world import Scenario, ScenarioError, load_scenario, scenario_names
from hipectrial.simulate.trial.result import CohortDecision, SafetyLook, SimonLook, SimulatedTrial
from hipectrial.simulate.trial.run import simulate, simulate_trial

__all__ = [
    "CohortDecision",
    "Course",
    "CourseParameters",
    "SafetyLook",
    "Scenario",
    "ScenarioError",
    "SimonLook",
    "SimulatedTrial",
    "load_scenario",
    "scenario_names",
    "simulate",
    "simulate_course",
    "simulate_trial",
]
