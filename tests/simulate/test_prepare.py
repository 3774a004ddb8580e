"""simulate.prepare: the static checks before a run, over asl.walk's tree, with locations in messages."""

from __future__ import annotations

import pytest

from sfn_compiler.simulate import InvalidDefinition, UnsupportedDefinition, run_execution


def machine(states: dict, **top) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": next(iter(states)), "States": states, **top}


def branch(states: dict) -> dict:
    return {"StartAt": next(iter(states)), "States": states}


@pytest.mark.parametrize("definition,error,message", [
    (machine({"P": {"Type": "Parallel", "End": True, "Branches": [
        branch({"A": {"Type": "Pass", "End": True}}), branch({"X": {"Type": "Nope"}})]}}),
     InvalidDefinition, "/States/P/Branches[1]/States/X: unknown Type 'Nope'"),
    (machine({"P": {"Type": "Parallel", "End": True, "Branches": [branch({"A": {"Type": "Succeed"}}), "b"]}}),
     InvalidDefinition, "/States/P/Branches[1]: a branch must be an object"),
    (machine({"P": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "A", "States": {}}]}}),
     InvalidDefinition, "/States/P/Branches[0]: 'States' must be a non-empty object"),
    (machine({"M": {"Type": "Map", "End": True, "Iterator": branch({"I": {"Type": "Pass", "Next": "Gone"}})}}),
     InvalidDefinition, "/States/M/ItemProcessor/States/I/Next: target 'Gone' is not a state in the same States"),
    (machine({"M": {"Type": "Map", "End": True}}), InvalidDefinition, "/States/M: Map needs an ItemProcessor"),
    (machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Parallel", "End": True,
                                                       "Branches": [branch({"A": {"Type": "Succeed"}})]}}),
     InvalidDefinition, "state name 'A' is used more than once"),
    (machine({"C": {"Type": "Choice", "Choices": [{"Condition": "{% true %}"}]}}),
     InvalidDefinition, "/States/C/Choices[0]/Next: target None is not a state"),
    (machine({"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}),
     InvalidDefinition, "/States/A/QueryLanguage: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata'"),
    (machine({"A": {"Type": "Pass", "QueryLanguage": "jsonata", "End": True}}),
     InvalidDefinition, "/States/A/QueryLanguage: must be JSONata or JSONPath, got \"jsonata\""),
    ({"QueryLanguage": "JSONATA", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
     InvalidDefinition, "top-level QueryLanguage must be JSONata or JSONPath"),
    ({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": ["x"], "Default": "C"}}},
     InvalidDefinition, "/States/C/Choices[0]/Next: target None is not a state"),
    ({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a[", "End": True}}},
     InvalidDefinition, "/States/P/InputPath: the JSONPath '$.a[' is invalid"),
    ({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemBatcher": {"MaxItemsPerBatch": 2}, "End": True,
                                       "ItemProcessor": branch({"I": {"Type": "Pass", "End": True}})}}},
     UnsupportedDefinition, "state 'M': ItemBatcher in a JSONPath Map is not supported"),
    (machine({"A": {"Type": "Pass", "Output": "{% $x + %}", "End": True}}), InvalidDefinition, "/States/A/Output"),
])
def test_problems_before_the_run_name_their_place(definition, error, message):
    with pytest.raises(error) as exc:
        run_execution(definition, {}, {})
    assert message in str(exc.value)


def test_a_valid_nested_machine_runs():
    d = machine({"P": {"Type": "Parallel", "Next": "M", "Branches": [branch({"A": {"Type": "Pass", "End": True}})]},
                 "M": {"Type": "Map", "Items": "{% [1, 2] %}", "End": True,
                       "ItemProcessor": branch({"I": {"Type": "Pass", "Output": "{% $states.input * 2 %}",
                                                      "End": True}})}})
    assert run_execution(d, {}, {}).output == [2, 4]
